package config_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A URL's path segment of eight characters or more that holds an
// upper-case letter is a token, as redact.URL's token-like segments (a
// digit, or sixteen characters or more) are: an all-letter token of 8 to
// 15 characters at the end of a webhook URL, written in the file or taken
// from the environment, in a key of a secret URL or in a channel URL, is
// hidden in every fault, and another channel named as it is refused as a
// name holding a secret. Before, `name "abcDEFghijKLMN": already used by
// channels[1]` quoted it. Ordinary path words, lower case (/api/webhooks/,
// /services/), stay names like any other.
func TestShortLetterPathTokenHidden(t *testing.T) {
	tests := []struct{ name, entry, url, token string }{
		{"a Discord token", "{kind: discord, name: d, webhook_url: '%s'}", "https://discord.com/api/webhooks/123/abcDEFghijKLMN", "abcDEFghijKLMN"},
		{"a webhook token", "{kind: webhook, name: w, url: '%s', secret: whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw}", "https://hooks.example.com/services/abcDEFghij", "abcDEFghij"},
		{"a channel URL's token", "'%s'", "webhook://hooks.example.com/services/ABCDEFGHIJKLM?secret=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "ABCDEFGHIJKLM"},
	}
	for _, tt := range tests {
		eachSource(t, tt.name, func(t *testing.T, fromEnv bool) {
			err := parseNamedAsSecret(t, tt.entry, tt.url, tt.token, fromEnv)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "test.yaml:3: channels[1].name: holds a secret")
			assert.NotContains(t, err.Error(), tt.token)
		})
	}
}

// Lower-case path words of a webhook URL are no tokens: channels named
// as them are taken.
func TestPathWordsNoTokens(t *testing.T) {
	_, _, err := parse(t, lines("channels:",
		"  - {kind: discord, name: d, webhook_url: 'https://discord.com/api/webhooks/123/abcDEFghijKLMN'}",
		"  - {kind: webhook, name: w, url: 'https://hooks.example.com/services/abcDEFghij', allow_unsigned: true}",
		"  - {kind: console, name: webhooks}", "  - {kind: console, name: services}"), nil)
	require.NoError(t, err)
}

// File.Hide, for later errors, hides such a token of a URL taken from the
// environment too.
func TestShortLetterPathTokenFileHide(t *testing.T) {
	const token = "abcDEFghij"
	cfg, _, err := parse(t, lines("channels:", "  - {kind: webhook, name: w, url: '${HOOK}', allow_unsigned: true}"),
		map[string]string{"HOOK": "https://hooks.example.com/services/" + token})
	require.NoError(t, err)
	assert.NotContains(t, cfg.Hide("post failed: "+token+" refused"), token)
	assert.Contains(t, cfg.Hide("post to /services/ failed"), "/services/")
}
