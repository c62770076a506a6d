package config_test

import (
	"cmp"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A failing Load's error withholds the secrets of a channel's entry whose
// kind is not known (none written, one of no kind) as every kind reads
// them: a value that a kind reads as a secret (a password, a key only one
// kind has, an item of a list of mappings, a plain key's URL with its
// password), through aliases and merge keys that several entries share;
// and of an entry of text. Each is aliased into a key whose fault would
// quote it, or, of a URL, its password written there.
func TestKindlessEntrySecretsWithheld(t *testing.T) {
	const quoting = "  - {kind: webhook, name: w, url: 'https://hooks.example.com/in', concurrency: %s}\n"
	for _, tt := range []struct {
		name, entries, secret string
		quoted                string // the value of the key whose fault quotes it: an alias of the secret, or the secret
	}{
		{"a key every kind reads as a secret", "  - {password: &s hunter22hunter22}\n", "hunter22hunter22", ""},
		{"short", "  - {password: &s Qz7#k}\n", "Qz7#k", ""},
		{"a key of one kind", "  - {sasl_password: &s Qz7#kSasl}\n", "Qz7#kSasl", ""},
		{"a webhook's secret", "  - {secret: &s Qz7#kSecret9}\n", "Qz7#kSecret9", ""},
		{"an unknown kind", "  - {kind: nope, password: &s Qz7#kNope}\n", "Qz7#kNope", ""},
		{"a list of mappings", "  - {endpoints: [{url: 'https://h.example.com/a', secret: &s Qz7#kEndpt}]}\n", "Qz7#kEndpt", ""},
		{"a plain key's URL", "  - {avatar_url: 'https://u:Qz7pw9long@img.example.com/a.png'}\n", "Qz7pw9long", "Qz7pw9long"},
		{"a list of mappings' plain URL", "  - {links: [{name: a, url: 'https://u:Qz7lk8long@h.example.com/'}]}\n", "Qz7lk8long", "Qz7lk8long"},
		{"merged into two entries", "  - {name: a, <<: &m {password: &s Qz7#kMerge}}\n  - {name: b, <<: *m}\n", "Qz7#kMerge", ""},
		{"merged into an entry of a kind", "  - {name: a, <<: &m {secret: &s Qz7#kMrg2}}\n  - {kind: webhook, name: b, url: 'https://h.example.com/', <<: *m}\n", "Qz7#kMrg2", ""},
		{"text", "  - &s hunter22hunter22\n", "hunter22hunter22", ""},
		{"empty beside", "  - {}\n  - { }\n  - ~\n  - {password: &s Qz7#kEmpty}\n", "Qz7#kEmpty", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := parse(t, "channels:\n"+tt.entries+fmt.Sprintf(quoting, cmp.Or(tt.quoted, "*s")), nil)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "concurrency")
			assert.NotContains(t, err.Error(), tt.secret)
		})
	}
}
