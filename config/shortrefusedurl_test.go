package config_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A value under 6 bytes written where a channel URL goes that is no URL
// ("a", "x", "on", "to": no scheme, no host, no user information, no
// query) is, like a written secret so short, too short to be hidden
// wherever it stands apart in Load's error: hiding it took the
// explanation's own words out of it. Before, `channels: [{url: a}]` read
// "want REDACTED channel URL (scheme://…), or REDACTED mapping with
// REDACTED kind", and a webhook's `url: to` made its fault "set
// allow_unsigned REDACTED send unsigned". A URL's short password is
// still hidden (TestShortPasswordKeepsFieldPaths).
func TestShortRefusedURLKeepsTheWords(t *testing.T) {
	tests := []struct {
		name  string
		yaml  string
		wants []string
	}{
		{"a, short form", lines("channels: [{url: a}]"),
			[]string{"test.yaml:1: channels[0]: want a channel URL (scheme://…), or a mapping with a kind"}},
		{"a, short form on its own line", lines("channels:", "  - url: a"),
			[]string{"test.yaml:2: channels[0]: want a channel URL (scheme://…), or a mapping with a kind"}},
		{"x, beside an X entry", lines("channels:", "  - url: x", "  - kind: x"),
			[]string{"test.yaml:2: channels[0]: want a channel URL (scheme://…), or a mapping with a kind",
				`test.yaml:3: channels[1] (x "x"): `}},
		{"on, beside a state written empty", lines("state: ''", "channels:", "  - url: on"),
			[]string{"for a store that forgets on exit",
				"test.yaml:3: channels[0]: want a channel URL (scheme://…), or a mapping with a kind"}},
		{"to, a webhook's url", lines("channels:", "  - kind: webhook", "    url: to"),
			[]string{"(set allow_unsigned to send unsigned)", "url: not an absolute http or https URL"}},
		{"a, a webhook's url", lines("channels:", "  - kind: webhook", "    url: a", "    allow_unsigned: true", "  - url: a"),
			[]string{"want a channel URL (scheme://…), or a mapping with a kind"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := parse(t, tt.yaml, nil)
			require.Error(t, err)
			for _, want := range tt.wants {
				assert.Contains(t, err.Error(), want)
			}
			assert.NotContains(t, err.Error(), "REDACTED")
		})
	}
}

// A short real secret written in a URL is still never printed: a
// password of two characters of a webhook's URL, or of a short-form
// entry's, where a fault quotes it.
func TestShortURLPasswordStillHidden(t *testing.T) {
	_, _, err := parse(t, lines("channels:",
		"  - kind: webhook", "    url: 'https://u:pw@h/'", "    allow_unsigned: true",
		"  - kind: console", "    output: pw",
		"  - url: 'https://u:pw@h/'"), nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `output: unknown value "REDACTED"`)
	assert.NotContains(t, err.Error(), `"pw"`)
}

// A URL under 6 bytes may still hold a password: "//:p@" (no scheme, no
// host, the password "p"), whose password the hider hid where another
// fault quoted it, as it hides a longer URL's short password
// (TestShortURLPasswordStillHidden). Leaving out every URL under 6 bytes
// printed it: `output: unknown value "p"`. Whether the URL is written or
// comes from the environment.
func TestShortURLOfAPasswordStillHidden(t *testing.T) {
	for _, tt := range []struct {
		name string
		url  string
		vars map[string]string
	}{
		{"written, short form", "'//:p@'", nil},
		{"from the environment, short form", "${CHAT_URL}", map[string]string{"CHAT_URL": "//:p@"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := parse(t, lines("channels:",
				"  - kind: console", "    output: p",
				"  - url: "+tt.url), tt.vars)
			require.Error(t, err)
			assert.Contains(t, err.Error(), `output: unknown value "REDACTED"`)
			assert.NotContains(t, err.Error(), `"p"`)
		})
	}
}
