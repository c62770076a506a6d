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
		"https://bsky.app/profile/status.example.com": `bluesky: Config.Identifier: a URL (not quoted: it may hold credentials) ` +
			`is not a handle, DID or e-mail address: write the handle alone, as "status.example.com"`,
		"status.example.com.": `bluesky: Config.Identifier: "status.example.com." ` +
			`is not a handle, DID or e-mail address: write the handle alone, as "status.example.com"`,
		"status_page.example.com": `bluesky: Config.Identifier: "status_page.example.com" ` +
			`is not a handle, DID or e-mail address: write the handle alone, as "status.example.com"`,
		"did:plc":  `bluesky: Config.Identifier: starts with "did:", but is no whole DID: write it whole, as "did:plc:ewvi7nxzyoun6zhxrhs64oiz"`,
		"did:plc:": `bluesky: Config.Identifier: starts with "did:", but is no whole DID: write it whole, as "did:plc:ewvi7nxzyoun6zhxrhs64oiz"`,
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
	cfg := testConfig("https://pds.example.com")
	cfg.Identifier = "status"
	_, err := New(cfg)
	require.Error(t, err)
	assert.Equal(t, `bluesky: Config.Identifier: "status" is not a handle, DID or e-mail address: `+
		`write the handle whole, with its domain, as "status.example.com"`, err.Error(), "an account on its own server")

	for _, id := range []string{"status.example.com", "Status.Example.COM", "status.bsky.social", "alice.test",
		"xn--bcher-kva.example", "ops@example.com", testDID, "did:web:status.example.com", "did:web:localhost%3A2583"} {
		cfg := testConfig("")
		cfg.Identifier = id
		_, err := New(cfg)
		assert.NoError(t, err, id)
	}
}

// Bluesky's web app (bsky.app, the address in the browser) and its
// AppView (public.api.bsky.app, api.bsky.app, the addresses of Bluesky's
// API documentation) hold no account and serve no login: New refuses
// them as the Service, naming Config.Service and the server to use.
// Before, New took them, and every post failed at the login with the
// answer of a server that is not a PDS.
func TestNewRefusesBlueskyAppAsService(t *testing.T) {
	for _, service := range []string{"https://bsky.app", "https://BSKY.APP/", "https://public.api.bsky.app",
		"https://api.bsky.app", "https://www.bsky.app"} {
		t.Run(service, func(t *testing.T) {
			cfg := testConfig(service)
			_, err := New(cfg)
			require.Error(t, err)
			assert.Regexp(t, `^bluesky: Config.Service: [a-z.]*bsky\.app is Bluesky's web app or its AppView, which hold no account: `+
				`leave Service empty \(or "https://bsky\.social"\) for an account Bluesky hosts, else give its PDS$`, err.Error())
		})
	}
	for _, service := range []string{"https://bsky.social", "https://morel.us-east.host.bsky.network", "https://pds.bsky.app.example.com"} {
		_, err := New(testConfig(service))
		assert.NoError(t, err, service)
	}
}
