package twitter

import (
	"bytes"
	"encoding/json"
	"fmt"
	"github.com/outagecast/outagecast/redact"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/templates"
)

func oauth1Config() Config {
	return Config{ConsumerKey: redact.NewSecret(testConsumerKey), ConsumerSecret: redact.NewSecret(testConsumerSecret),
		AccessToken: redact.NewSecret(testAccessToken), AccessSecret: redact.NewSecret(testAccessSecret)}
}

func oauth2Config() Config {
	return Config{TokenSource: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: testBearerToken}).Token}
}

func TestNewRejects(t *testing.T) {
	// New tries the templates on sample updates.
	failing, err := templates.Default().With("short", "{{(index .Components 0).Name}}")
	require.NoError(t, err)
	tests := []struct {
		name string
		cfg  func() Config
		want string
	}{
		{"no credentials", func() Config { return Config{} },
			"twitter: Config: no credentials: set ConsumerKey, ConsumerSecret, AccessToken and AccessSecret " +
				"(OAuth 1.0a user context), or TokenSource (OAuth 2.0 user context)"},
		{"missing access secret", func() Config { c := oauth1Config(); c.AccessSecret = redact.NewSecret(""); return c },
			"twitter: Config.AccessSecret: missing: OAuth 1.0a needs ConsumerKey, ConsumerSecret, AccessToken and AccessSecret"},
		{"missing consumer key", func() Config { c := oauth1Config(); c.ConsumerKey = redact.NewSecret(""); return c },
			"twitter: Config.ConsumerKey: missing: OAuth 1.0a needs ConsumerKey, ConsumerSecret, AccessToken and AccessSecret"},
		{"both methods", func() Config { c := oauth2Config(); c.ConsumerSecret = redact.NewSecret(testConsumerSecret); return c },
			"twitter: Config.TokenSource: set together with Config.ConsumerSecret: use OAuth 1.0a (ConsumerKey, " +
				"ConsumerSecret, AccessToken, AccessSecret) or OAuth 2.0 (TokenSource), not both"},
		{"secret with a newline", func() Config {
			c := oauth1Config()
			c.AccessSecret = redact.NewSecret(c.AccessSecret.Reveal() + "\n")
			return c
		},
			"twitter: Config.AccessSecret: leading or trailing white space"},
		// Two lines of a credentials file pasted into one value: X would
		// refuse every request with a bare 401 naming no field.
		{"key and secret on two lines", func() Config {
			c := oauth1Config()
			c.ConsumerKey = redact.NewSecret(testConsumerKey + "\n" + testConsumerSecret)
			return c
		},
			"twitter: Config.ConsumerKey: holds a control character (such as a line break): " +
				"X's keys and tokens are one line of printable characters"},
		{"token with a NUL", func() Config {
			c := oauth1Config()
			c.AccessToken = redact.NewSecret("1234567890\x00at")
			return c
		},
			"twitter: Config.AccessToken: holds a control character (such as a line break): " +
				"X's keys and tokens are one line of printable characters"},
		{"a template failing on every update", func() Config { c := oauth1Config(); c.Templates = failing; return c },
			"twitter: Config.Templates: templates: render short: template: short:1:3: executing \"short\" at <index .Components 0>: " +
				"error calling index: reflect: slice index out of range"},
		{"name with spaces", func() Config { c := oauth1Config(); c.Name = " x"; return c },
			"twitter: Config.Name: leading or trailing white space"},
		{"base URL not https", func() Config { c := oauth1Config(); c.BaseURL = "http://api.x.com"; return c },
			"twitter: Config.BaseURL: must use https (http only for a loopback host)"},
		{"base URL relative", func() Config { c := oauth1Config(); c.BaseURL = "api.x.com"; return c },
			"twitter: Config.BaseURL: not an absolute https URL"},
		{"base URL ftp", func() Config { c := oauth1Config(); c.BaseURL = "ftp://api.x.com"; return c },
			"twitter: Config.BaseURL: not an absolute https URL"},
		{"base URL with credentials", func() Config {
			c := oauth1Config()
			c.BaseURL = "https://bot:" + testAccessSecret + "@api.x.com"
			return c
		}, "twitter: Config.BaseURL: not a URL"},
		{"base URL with user", func() Config { c := oauth1Config(); c.BaseURL = "https://bot:pw@api.x.com"; return c },
			"twitter: Config.BaseURL: must not hold credentials"},
		{"base URL with query", func() Config { c := oauth1Config(); c.BaseURL = "https://api.x.com/?a=b"; return c },
			"twitter: Config.BaseURL: must not have a query"},
		{"base URL without host", func() Config { c := oauth1Config(); c.BaseURL = "https:///2"; return c },
			"twitter: Config.BaseURL: not an absolute https URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ch, err := New(tt.cfg())
			require.Error(t, err)
			assert.Nil(t, ch)
			assert.Equal(t, tt.want, err.Error())
			for _, secret := range testSecrets {
				assert.NotContains(t, err.Error(), secret)
			}
		})
	}
}

func TestNewDefaults(t *testing.T) {
	tests := []struct {
		name     string
		cfg      Config
		wantName string
		wantBase string
	}{
		{"OAuth 1.0a", oauth1Config(), "x", "https://api.x.com"},
		{"OAuth 2.0", oauth2Config(), "x", "https://api.x.com"},
		{"name and base URL", func() Config {
			c := oauth1Config()
			c.Name, c.BaseURL = "x-eu", "https://proxy.example.com/x/"
			return c
		}(), "x-eu", "https://proxy.example.com/x"},
		{"loopback http", func() Config { c := oauth1Config(); c.BaseURL = "http://127.0.0.1:8080"; return c }(),
			"x", "http://127.0.0.1:8080"},
		{"localhost http", func() Config { c := oauth1Config(); c.BaseURL = "http://localhost:8080"; return c }(),
			"x", "http://localhost:8080"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ch, err := New(tt.cfg)
			require.NoError(t, err)
			assert.Equal(t, tt.wantName, ch.Name())
			assert.Equal(t, tt.wantBase, ch.baseURL)
			assert.Equal(t, "twitter.Channel("+tt.wantName+")", fmt.Sprintf("%#v", ch))
		})
	}
}

// Printing a Config or a Channel in any way shows no credential: not
// through a pointer to the Config, under verbs that are bad for a field's
// type (fmt then prints the value behind a pointer as it is), nor the token
// of the OAuth 2.0 token source.
func TestPrintingHidesSecrets(t *testing.T) {
	for name, cfg := range map[string]Config{"OAuth1": oauth1Config(), "OAuth2": oauth2Config()} {
		t.Run(name, func(t *testing.T) {
			ch, err := New(cfg)
			require.NoError(t, err)
			var out []string
			for _, v := range []any{cfg, &cfg, ch, []any{cfg, ch}, map[string]any{"cfg": cfg, "ch": ch}} {
				for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%+q", "%d", "%x", "%X", "%10.3s", "%t"} {
					out = append(out, fmt.Sprintf(verb, v))
				}
				var buf bytes.Buffer
				slog.New(slog.NewJSONHandler(&buf, nil)).Info("m", "v", v)
				slog.New(slog.NewTextHandler(&buf, nil)).Info("m", "v", v)
				out = append(out, buf.String())
				b, err := json.Marshal(v)
				require.NoError(t, err)
				out = append(out, string(b))
			}
			channeltest.AssertNoSecret(t, strings.Join(out, "\n"), testSecrets...)
		})
	}
}

// The channel prints as its name only, under every verb.
func TestChannelFormat(t *testing.T) {
	cfg := oauth1Config()
	cfg.Name = "x-status"
	ch, err := New(cfg)
	require.NoError(t, err)
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%d", "%x"} {
		assert.Equal(t, "twitter.Channel(x-status)", fmt.Sprintf(verb, ch), verb)
	}
}
