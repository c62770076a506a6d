package bluesky

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/redact"
)

// An app password given as the identifier (the two fields swapped, or the
// password in both) is not quoted in New's error, which says what each
// field takes instead. Before, the error quoted it, twice: "write the
// handle whole, with its domain, as "abcd-efgh-ijkl-mnop.bsky.social"".
func TestNewDoesNotQuoteAnAppPasswordGivenAsIdentifier(t *testing.T) {
	for name, edit := range map[string]func(*Config){
		"swapped": func(c *Config) {
			c.Identifier, c.AppPassword = "abcd-efgh-ijkl-mnop", redact.NewSecret("status.example.com")
		},
		"in both": func(c *Config) {
			c.Identifier, c.AppPassword = "hunter2hunter2", redact.NewSecret("hunter2hunter2")
		},
	} {
		t.Run(name, func(t *testing.T) {
			cfg := testConfig("")
			edit(&cfg)
			_, err := New(cfg)
			require.Error(t, err)
			assert.NotContains(t, err.Error(), cfg.Identifier)
			assert.Contains(t, err.Error(), "Config.Identifier")
			assert.Contains(t, err.Error(), "app password")
		})
	}
}

// A long value New refuses is quoted in part: the error stays one short
// line. Before, it was quoted whole, escaped, a 100 KB value as 220 KB
// of error.
func TestNewErrorsQuoteLongValuesInPart(t *testing.T) {
	long := strings.Repeat("a\x1b\u202e", 20000)
	for name, edit := range map[string]func(*Config){
		"identifier": func(c *Config) { c.Identifier = long },
		"did":        func(c *Config) { c.Identifier = "did:" + long },
		"language":   func(c *Config) { c.Languages = []string{long} },
	} {
		t.Run(name, func(t *testing.T) {
			cfg := testConfig("")
			edit(&cfg)
			_, err := New(cfg)
			require.Error(t, err)
			assert.Less(t, len(err.Error()), 1000)
		})
	}
}

// An identifier with the shape of a credential (the app password after
// the handle, "handle:app-password", as the URL form writes them; a token
// pasted there) is not quoted in New's error, which still names the field
// and the form it takes. Before, it was quoted whole, the password with
// it.
func TestNewDoesNotQuoteCredentialsInIdentifier(t *testing.T) {
	for id, secret := range map[string]string{
		"status.bsky.social:abcd-efgh-ijkl-mnop": "abcd-efgh-ijkl-mnop",
		"status:abcd-efgh-ijkl-mnop":             "abcd-efgh-ijkl-mnop",
		"did:plc:ewvi7nxzyoun6zhxrhs64oiz:pw!":   "pw!",
		"a1b2c3d4e5f6g7h8i9j0":                   "a1b2c3d4e5f6g7h8i9j0",
	} {
		t.Run(id, func(t *testing.T) {
			cfg := testConfig("")
			cfg.Identifier = id
			_, err := New(cfg)
			require.Error(t, err)
			channeltest.AssertNoSecret(t, err.Error(), secret)
			assert.Contains(t, err.Error(), "Config.Identifier")
		})
	}
}
