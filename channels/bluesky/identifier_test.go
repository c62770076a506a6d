package bluesky

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// An identifier the server can take for no account (a handle without its
// domain, as the app's login form accepts it; the address of a profile
// page; a DID cut short) is refused by New, naming Config.Identifier.
// Before, New took it, and every post failed as "the server refused the
// credentials: Invalid identifier or password", which sent the user to
// renew a password that was right.
func TestNewRefusesIdentifierNotHandleDIDOrEmail(t *testing.T) {
	tests := map[string]string{
		"status": `bluesky: Config.Identifier: "status" is not a handle, DID or e-mail address: ` +
			`write the handle whole, with its domain, as "status.bsky.social"`,
		"https://bsky.app/profile/status.example.com": `bluesky: Config.Identifier: "https://bsky.app/profile/status.example.com" ` +
			`is not a handle, DID or e-mail address: write the handle alone, as "status.example.com"`,
		"status.example.com.": `bluesky: Config.Identifier: "status.example.com." ` +
			`is not a handle, DID or e-mail address: write the handle alone, as "status.example.com"`,
		"status_page.example.com": `bluesky: Config.Identifier: "status_page.example.com" ` +
			`is not a handle, DID or e-mail address: write the handle alone, as "status.example.com"`,
		"did:plc":  `bluesky: Config.Identifier: "did:plc" is not a DID: write it whole, as "did:plc:ewvi7nxzyoun6zhxrhs64oiz"`,
		"did:plc:": `bluesky: Config.Identifier: "did:plc:" is not a DID: write it whole, as "did:plc:ewvi7nxzyoun6zhxrhs64oiz"`,
		"ops@":     `bluesky: Config.Identifier: "ops@" is not a handle, DID or e-mail address: write the handle alone, as "status.example.com"`,
	}
	for id, want := range tests {
		t.Run(id, func(t *testing.T) {
			cfg := testConfig("")
			cfg.Identifier = id
			_, err := New(cfg)
			require.Error(t, err)
			assert.Equal(t, want, err.Error())
		})
	}
	for _, id := range []string{"status.example.com", "Status.Example.COM", "status.bsky.social", "alice.test",
		"xn--bcher-kva.example", "ops@example.com", testDID, "did:web:status.example.com", "did:web:localhost%3A2583"} {
		cfg := testConfig("")
		cfg.Identifier = id
		_, err := New(cfg)
		assert.NoError(t, err, id)
	}
}
