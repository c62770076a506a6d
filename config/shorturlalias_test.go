package config_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A refused channel URL under 6 bytes ("Qz7k", a password put in the
// wrong key), too short to be hidden wherever it stands, and aliased into
// another key, is not quoted by that key's checks, as a secret so short
// is not (TestShortAliasedSecretNotQuoted's rule): it is a secret to the
// names' checks, whatever its length. Before, the alias read
// `port: want a whole number, got "Qz7k"`, where a short password read
// "got text (not quoted: it may be a secret)".
func TestShortRefusedURLAliasNotQuoted(t *testing.T) {
	const pw = "Qz7k"
	tests := []struct{ name, entry string }{
		{"short form", "  - url: &u " + pw},
		{"short form, a mapping", "  - {url: &u " + pw + ", name: a}"},
		{"text", "  - &u " + pw},
		{"a webhook's url", "  - {kind: webhook, url: &u " + pw + ", allow_unsigned: true}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := parse(t, lines("channels:", tt.entry,
				"  - kind: email", "    name: m", "    host: h", "    port: *u",
				"    from: s@example.com", "    to: [a@example.com]", "    tls: *u"), nil)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "test.yaml:6: channels[1].port: want a whole number, got text (not quoted: it may be a secret)")
			assert.Contains(t, err.Error(), "test.yaml:9: channels[1].tls: unknown TLS mode (not quoted: it may be a secret)")
			assert.NotContains(t, err.Error(), pw)
		})
	}
}
