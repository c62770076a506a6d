package bluesky

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/redact"
	"github.com/outagecast/outagecast/templates"
)

func TestNewValidates(t *testing.T) {
	// New tries the templates on sample updates.
	failing, err := templates.Default().With("short", "{{(index .Components 0).Name}}")
	require.NoError(t, err)
	valid := testConfig("")
	tests := []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"no identifier", func(c *Config) { c.Identifier = "" },
			`bluesky: Config.Identifier: missing (the account's handle, as "status.example.com", or its DID)`},
		{"identifier with a space", func(c *Config) { c.Identifier = "status example" }, "bluesky: Config.Identifier: contains white space"},
		// The PDS takes an identifier with an "@" for an e-mail address
		// (AccountManager.login, packages/pds/src/account-manager), so a
		// handle written as shown, "@status.example.com", finds no account
		// and every post fails as "Invalid identifier or password".
		{"handle with its @", func(c *Config) { c.Identifier = "@status.example.com" },
			`bluesky: Config.Identifier: starts with "@": write the handle without it, as "status.example.com"`},
		{"no password", func(c *Config) { c.AppPassword = redact.Secret{} }, "bluesky: Config.AppPassword: missing"},
		{"password with a space", func(c *Config) { c.AppPassword = redact.NewSecret(testPassword + "\n") },
			"bluesky: Config.AppPassword: leading or trailing white space"},
		// Two lines of a credentials file pasted as one value: the server
		// would refuse every login as "Invalid identifier or password",
		// naming no field.
		{"password with a line break", func(c *Config) { c.AppPassword = redact.NewSecret("abcd-efgh\nijkl-mnop") },
			"bluesky: Config.AppPassword: holds a control character (such as a line break): " +
				"a password is one line of printable characters"},
		{"password with a tab", func(c *Config) { c.AppPassword = redact.NewSecret("abcd-efgh\tijkl-mnop") },
			"bluesky: Config.AppPassword: holds a control character (such as a line break): " +
				"a password is one line of printable characters"},
		{"plain http", func(c *Config) { c.Service = "http://bsky.social" }, "bluesky: Config.Service: must use https (http only for a loopback host)"},
		{"credentials in the service", func(c *Config) { c.Service = "https://status.example.com:abcd-efgh-ijkl-mnop@bsky.social" },
			"bluesky: Config.Service: must not hold credentials"},
		{"a path", func(c *Config) { c.Service = "https://bsky.social/xrpc" },
			"bluesky: Config.Service: must not have a path (the XRPC methods live under /xrpc/ of the host)"},
		{"not a URL", func(c *Config) { c.Service = "bsky.social" }, `bluesky: Config.Service: not an absolute https URL, as "https://bsky.social"`},
		{"too many languages", func(c *Config) { c.Languages = []string{"en", "de", "fr", "ja"} }, "bluesky: Config.Languages: 4 languages, more than 3"},
		{"a bad language", func(c *Config) { c.Languages = []string{"en", "english!"} }, `bluesky: Config.Languages[1]: "english!" is not a BCP 47 language tag`},
		{"an unknown language", func(c *Config) { c.Languages = []string{"xx"} }, `bluesky: Config.Languages[0]: "xx" is a well-formed BCP 47 tag, but of no language known`},
		// golang.org/x/text/language reads "en_US" as en-US, but the PDS
		// checks the tag's syntax, which takes "-" only: every post would
		// be refused.
		{"a locale's underscore", func(c *Config) { c.Languages = []string{"en_US"} },
			`bluesky: Config.Languages[0]: "en_US" is not a BCP 47 language tag: write "-", as "en-US"`},
		{"a template failing on every update", func(c *Config) { c.Templates = failing },
			"bluesky: Config.Templates: templates: render short: template: short:1:3: executing \"short\" at <index .Components 0>: " +
				"error calling index: reflect: slice index out of range"},
		{"name", func(c *Config) { c.Name = "ops " }, "bluesky: Config.Name: leading or trailing white space"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := valid
			tt.edit(&cfg)
			_, err := New(cfg)
			require.Error(t, err)
			assert.Equal(t, tt.want, err.Error())
			channeltest.AssertNoSecret(t, err.Error(), testPassword, "abcd-efgh-ijkl-mnop")
		})
	}
	for _, edit := range []func(*Config){
		func(c *Config) { c.Service = "https://pds.example.com/" },
		func(c *Config) { c.Service = "http://127.0.0.1:2583" },
		func(c *Config) { c.Identifier, c.Languages = testDID, []string{"pt-BR", "ja"} },
	} {
		cfg := valid
		edit(&cfg)
		_, err := New(cfg)
		assert.NoError(t, err)
	}
}

// urlPassword is an app password as Bluesky makes them.
const urlPassword = "abcd-efgh-ijkl-mnop"

func TestParseURL(t *testing.T) {
	tests := []struct {
		raw  string
		want Config
	}{
		{"bluesky://status.example.com:" + urlPassword + "@bsky.social",
			Config{Service: "https://bsky.social", Identifier: "status.example.com"}},
		{"bluesky://did%3Aplc%3Aewvi7nxzyoun6zhxrhs64oiz:" + urlPassword + "@pds.example.com?lang=en,de&name=status-bluesky",
			Config{Name: "status-bluesky", Service: "https://pds.example.com", Identifier: testDID, Languages: []string{"en", "de"}}},
		{"bluesky://ops%40example.com:" + urlPassword + "@bsky.social?lang=en&lang=ja",
			Config{Service: "https://bsky.social", Identifier: "ops@example.com", Languages: []string{"en", "ja"}}},
		{"bluesky+http://status.test:" + urlPassword + "@127.0.0.1:2583", Config{Service: "http://127.0.0.1:2583", Identifier: "status.test"}},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			got, err := ParseURL(tt.raw)
			require.NoError(t, err)
			assert.Equal(t, urlPassword, got.AppPassword.Reveal())
			got.AppPassword = redact.Secret{}
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestURLRoundTrip(t *testing.T) {
	for _, cfg := range []Config{
		testConfig("https://bsky.social"),
		{Name: "ops", Service: "http://127.0.0.1:2583", Identifier: testDID, AppPassword: redact.NewSecret(testPassword),
			Languages: []string{"en", "pt-BR"}},
		{Service: "https://pds.example.com", Identifier: "ops@example.com", AppPassword: redact.NewSecret("p@ss:w/rd")},
	} {
		u := cfg.URL()
		back, err := ParseURL(u.Reveal())
		require.NoError(t, err, u.Reveal())
		assert.Equal(t, cfg.AppPassword.Reveal(), back.AppPassword.Reveal())
		assert.Equal(t, fmt.Sprint(cfg), fmt.Sprint(back))
		assert.Equal(t, u.Reveal(), back.URL().Reveal())
		channeltest.AssertNoSecret(t, fmt.Sprint(u), cfg.AppPassword.Reveal())
	}
	raw := "bluesky://status.example.com:" + urlPassword + "@bsky.social?lang=en&name=ops"
	cfg, err := ParseURL(raw)
	require.NoError(t, err)
	assert.Equal(t, raw, cfg.URL().Reveal())
	assert.Equal(t, "bluesky://bsky.social?…", cfg.URL().String())
	def := testConfig("")
	back, err := ParseURL(def.URL().Reveal())
	require.NoError(t, err)
	assert.Equal(t, DefaultService, back.Service, "an unset Service is written as the default")
}

func TestParseURLErrors(t *testing.T) {
	tests := []struct{ raw, want string }{
		{"https://status.example.com:" + urlPassword + "@bsky.social", "bluesky: URL: scheme: want bluesky:// (or bluesky+http:// for plain http to a loopback host)"},
		{"bluesky://status.example.com@bsky.social", "bluesky: URL: credentials: want IDENTIFIER:APP-PASSWORD before the @, as bluesky://status.example.com:APP-PASSWORD@bsky.social"},
		{"bluesky://:" + urlPassword + "@bsky.social", "bluesky: URL: credentials: want IDENTIFIER:APP-PASSWORD before the @, as bluesky://status.example.com:APP-PASSWORD@bsky.social"},
		{"bluesky://status.example.com:" + urlPassword + "@", "bluesky: URL: host: missing"},
		{"bluesky://status.example.com:" + urlPassword + "@bsky.social/xrpc", "bluesky: URL: path: not allowed"},
		{"bluesky://status.example.com:" + urlPassword + "@bsky.social?langs=en", `bluesky: URL: query: unknown parameter "langs" (want lang or name)`},
		{"bluesky://status.example.com:" + urlPassword + "@bsky.social?name=a&name=b", `bluesky: URL: query: "name" given 2 times`},
		{"bluesky://status.example.com:" + urlPassword + "@bsky.social?lang=en&lang=%", "bluesky: URL: query: parameter 2: bad %-escape"},
		{"bluesky://status.example.com:" + urlPassword + "%zz@bsky.social", "bluesky: URL: does not parse"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			_, err := ParseURL(tt.raw)
			require.Error(t, err)
			assert.Equal(t, tt.want, err.Error())
			channeltest.AssertNoSecret(t, err.Error(), urlPassword)
		})
	}
}

func TestConfigYAML(t *testing.T) {
	var cfg Config
	require.NoError(t, yaml.Unmarshal([]byte(`
name: status-bluesky
service: https://bsky.social
identifier: status.example.com
app_password: `+urlPassword+`
languages: [en, de]
`), &cfg))
	assert.Equal(t, urlPassword, cfg.AppPassword.Reveal())
	assert.Equal(t, Config{Name: "status-bluesky", Service: "https://bsky.social", Identifier: "status.example.com",
		AppPassword: cfg.AppPassword, Languages: []string{"en", "de"}}, cfg)
	out, err := yaml.Marshal(cfg)
	require.NoError(t, err)
	channeltest.AssertNoSecret(t, string(out), urlPassword)
	assert.Contains(t, string(out), "app_password: REDACTED")
}
