package mastodon

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/redact"
	"github.com/outagecast/outagecast/templates"
)

// urlToken is a token as Mastodon makes them: URL-safe, so that it can
// stand in a URL's user information unescaped.
const urlToken = "a1B2c3D4e5F6g7H8i9J0kLmNoPqRsTuVwXyZ-_0123"

func TestNewValidates(t *testing.T) {
	// New tries the templates on sample updates.
	failing, err := templates.Default().With("short", "{{(index .Components 0).Name}}")
	require.NoError(t, err)
	valid := testConfig("https://mastodon.example")
	tests := []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"no server", func(c *Config) { c.Server = "" }, `mastodon: Config.Server: missing (an absolute https URL, as "https://mastodon.social")`},
		{"no scheme", func(c *Config) { c.Server = "mastodon.social" }, `mastodon: Config.Server: not an absolute https URL, as "https://mastodon.social"`},
		{"plain http", func(c *Config) { c.Server = "http://mastodon.social" }, "mastodon: Config.Server: must use https (http only for a loopback host)"},
		{"credentials in the server", func(c *Config) { c.Server = "https://u:" + urlToken + "@mastodon.social" },
			"mastodon: Config.Server: must not hold credentials"},
		{"query", func(c *Config) { c.Server = "https://mastodon.social/?x=1" }, "mastodon: Config.Server: must not have a query"},
		// A profile's, the web app's or the API's address, pasted for the
		// instance's: before, New took it, and every post went to a path
		// under it, refused 404 "Not Found" without naming the field.
		{"profile", func(c *Config) { c.Server = "https://mastodon.social/@status" },
			`mastodon: Config.Server: has the path "/@status", an account's or a page's, not the instance's: ` +
				`give the instance's address alone, as "https://mastodon.social"`},
		{"API", func(c *Config) { c.Server = "https://mastodon.social/api/v1/" },
			`mastodon: Config.Server: has the path "/api/v1", an account's or a page's, not the instance's: ` +
				`give the instance's address alone, as "https://mastodon.social"`},
		{"web app", func(c *Config) { c.Server = "https://mastodon.social/web/@status" },
			`mastodon: Config.Server: has the path "/web/@status", an account's or a page's, not the instance's: ` +
				`give the instance's address alone, as "https://mastodon.social"`},
		{"actor", func(c *Config) { c.Server = "https://mastodon.social/users/status" },
			`mastodon: Config.Server: has the path "/users/status", an account's or a page's, not the instance's: ` +
				`give the instance's address alone, as "https://mastodon.social"`},
		{"no token", func(c *Config) { c.Token = redact.Secret{} }, "mastodon: Config.Token: missing"},
		{"token with a space", func(c *Config) { c.Token = redact.NewSecret(testToken + " ") },
			"mastodon: Config.Token: holds white space, a control character or a character outside ASCII"},
		{"token with a control character", func(c *Config) { c.Token = redact.NewSecret(testToken + "\x00") },
			"mastodon: Config.Token: holds white space, a control character or a character outside ASCII"},
		{"direct", func(c *Config) { c.Visibility = "direct" }, `mastodon: Config.Visibility: "direct" is not supported: use public, unlisted or private`},
		{"unknown visibility", func(c *Config) { c.Visibility = "friends" }, `mastodon: Config.Visibility: unknown value "friends": want public, unlisted or private`},
		{"language", func(c *Config) { c.Language = "en-GB" }, `mastodon: Config.Language: "en-GB" is not an ISO 639 code (two or three lower-case letters) or one of zh-CN, zh-HK, zh-TW, zh-YUE`},
		{"a template failing on every update", func(c *Config) { c.Templates = failing },
			"mastodon: Config.Templates: templates: render short: template: short:1:3: executing \"short\" at <index .Components 0>: " +
				"error calling index: reflect: slice index out of range"},
		{"name", func(c *Config) { c.Name = " ops" }, "mastodon: Config.Name: leading or trailing white space"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := valid
			tt.edit(&cfg)
			_, err := New(cfg)
			require.Error(t, err)
			assert.Equal(t, tt.want, err.Error())
			channeltest.AssertNoSecret(t, err.Error(), testToken, urlToken)
		})
	}
	for _, server := range []string{"https://mastodon.social", "https://mastodon.social/", "http://127.0.0.1:3000", "https://example.com/social"} {
		cfg := valid
		cfg.Server = server
		_, err := New(cfg)
		assert.NoError(t, err, server)
	}
}

func TestParseURL(t *testing.T) {
	tests := []struct {
		raw  string
		want Config
	}{
		{"mastodon://" + "tok-123" + "@mastodon.social", Config{Server: "https://mastodon.social", Token: redact.NewSecret("tok-123")}},
		{"mastodon://tok-123@mastodon.social/?visibility=unlisted&language=en&name=status-mastodon",
			Config{Name: "status-mastodon", Server: "https://mastodon.social", Token: redact.NewSecret("tok-123"), Visibility: Unlisted, Language: "en"}},
		{"mastodon+http://tok-123@127.0.0.1:3000", Config{Server: "http://127.0.0.1:3000", Token: redact.NewSecret("tok-123")}},
		{"mastodon://tok-123@example.com:8443/social", Config{Server: "https://example.com:8443/social", Token: redact.NewSecret("tok-123")}},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			got, err := ParseURL(tt.raw)
			require.NoError(t, err)
			assert.Equal(t, tt.want.Token.Reveal(), got.Token.Reveal())
			got.Token, tt.want.Token = redact.Secret{}, redact.Secret{}
			assert.Equal(t, tt.want, got)
		})
	}
}

// URL → Config → URL and Config → URL → Config give back what they
// started with.
func TestURLRoundTrip(t *testing.T) {
	configs := []Config{
		testConfig("https://mastodon.social"),
		{Name: "ops", Server: "http://127.0.0.1:3000/sub", Token: redact.NewSecret(testToken), Visibility: Private, Language: "de"},
	}
	for _, cfg := range configs {
		u := cfg.URL()
		back, err := ParseURL(u.Reveal())
		require.NoError(t, err)
		assert.Equal(t, cfg.Token.Reveal(), back.Token.Reveal())
		assert.Equal(t, fmt.Sprint(cfg), fmt.Sprint(back))
		assert.Equal(t, u.Reveal(), back.URL().Reveal())
		channeltest.AssertNoSecret(t, fmt.Sprint(u), testToken)
		_, err = New(back)
		assert.NoError(t, err)
	}
	raw := "mastodon://tok-123@mastodon.social?language=en&name=ops&visibility=unlisted"
	cfg, err := ParseURL(raw)
	require.NoError(t, err)
	assert.Equal(t, raw, cfg.URL().Reveal())
	assert.Equal(t, "mastodon://mastodon.social?…", cfg.URL().String())
}

func TestParseURLErrors(t *testing.T) {
	tests := []struct{ raw, want string }{
		{"https://" + urlToken + "@mastodon.social", "mastodon: URL: scheme: want mastodon:// (or mastodon+http:// for plain http to a loopback host)"},
		{"mastodon://mastodon.social", "mastodon: URL: token: want exactly one token before the @, as mastodon://TOKEN@mastodon.social"},
		{"mastodon://a:" + urlToken + "@mastodon.social", "mastodon: URL: token: want exactly one token before the @, as mastodon://TOKEN@mastodon.social"},
		{"mastodon://" + urlToken + "@", "mastodon: URL: host: missing"},
		{"mastodon://tok@mastodon.social?visibilty=public", `mastodon: URL: query: unknown parameter "visibilty" (want visibility, language or name)`},
		{"mastodon://tok@mastodon.social?name=a&name=b", `mastodon: URL: query: "name" given 2 times`},
		{"mastodon://tok@mastodon.social?visibility=unlisted;language=de", `mastodon: URL: query: parameter 1: holds ";" (separate parameters with "&", escape a ";" in a value as %3B)`},
		{"mastodon://" + urlToken + "@mastodon.social#x", "mastodon: URL: fragment: not allowed"},
		{"mastodon://%zz" + urlToken + "@mastodon.social", "mastodon: URL: does not parse"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			_, err := ParseURL(tt.raw)
			require.Error(t, err)
			assert.Equal(t, tt.want, err.Error())
			channeltest.AssertNoSecret(t, err.Error(), urlToken)
		})
	}
}

// The YAML keys are the tags; the token decodes into a Secret and encodes
// as REDACTED.
func TestConfigYAML(t *testing.T) {
	var cfg Config
	require.NoError(t, yaml.Unmarshal([]byte(`
name: status-mastodon
server: https://mastodon.social
token: `+testToken+`
visibility: unlisted
language: en
`), &cfg))
	assert.Equal(t, testToken, cfg.Token.Reveal())
	assert.Equal(t, Config{Name: "status-mastodon", Server: "https://mastodon.social", Token: cfg.Token,
		Visibility: Unlisted, Language: "en"}, cfg)
	out, err := yaml.Marshal(cfg)
	require.NoError(t, err)
	channeltest.AssertNoSecret(t, string(out), testToken)
	assert.Contains(t, string(out), "token: REDACTED")
}

// A long value New refuses is quoted in part, so that the error stays one
// short line, and a value that is the token (pasted in the wrong field,
// or the fields swapped) is not quoted at all. Before, both were quoted whole: a 100 KB language
// made a 220 KB error, and the token stood in it.
func TestNewErrorsQuoteValuesSafely(t *testing.T) {
	long := strings.Repeat("a\x1b\u202e", 20000)
	const token = "ZA-Yj3aBD8U8Cm7lKUp-lm9O9BmDgdhHzDeqsY8tlL0"
	for name, edit := range map[string]func(*Config){
		"long language":    func(c *Config) { c.Language = long },
		"long visibility":  func(c *Config) { c.Visibility = Visibility(long) },
		"token language":   func(c *Config) { c.Language = token },
		"token visibility": func(c *Config) { c.Visibility = Visibility(token) },
		"swapped":          func(c *Config) { c.Language, c.Token = token, redact.NewSecret("en") },
	} {
		t.Run(name, func(t *testing.T) {
			cfg := Config{Server: "https://mastodon.example", Token: redact.NewSecret(token)}
			edit(&cfg)
			_, err := New(cfg)
			require.Error(t, err)
			assert.Less(t, len(err.Error()), 300)
			assert.NotContains(t, err.Error(), token)
		})
	}
}

// A value of Visibility or Language with the shape of a credential (a
// password after "user:", an authorization) is not quoted in New's error,
// which still names the field and the values it takes. Before, a short
// one was quoted whole, its password with it.
func TestNewErrorsQuoteNoCredentialShape(t *testing.T) {
	for name, tt := range map[string]struct {
		edit   func(*Config)
		secret string
		want   string
	}{
		"visibility user:password": {func(c *Config) { c.Visibility = "me:hunter2" }, "hunter2", "Config.Visibility: unknown value a value with"},
		"visibility bearer":        {func(c *Config) { c.Visibility = "Bearer h2x" }, "h2x", "want public, unlisted or private"},
		"language user:password":   {func(c *Config) { c.Language = "me:hunter2" }, "hunter2", "Config.Language: a value with"},
	} {
		t.Run(name, func(t *testing.T) {
			cfg := Config{Server: "https://mastodon.example", Token: redact.NewSecret(urlToken)}
			tt.edit(&cfg)
			_, err := New(cfg)
			require.Error(t, err)
			channeltest.AssertNoSecret(t, err.Error(), tt.secret)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}
