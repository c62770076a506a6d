package matrix

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/redact"
	"github.com/outagecast/outagecast/templates"
)

func validConfig() Config {
	return Config{Homeserver: "https://matrix.example.org/", AccessToken: redact.NewSecret(confToken),
		Rooms: []string{"!abc:example.org", " #ops:example.org "}}
}

func TestNewValidates(t *testing.T) {
	// New tries the templates on sample updates.
	failing, err := templates.Default().With("text", "{{(index .Components 0).Name}}")
	require.NoError(t, err)
	for _, tt := range []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"no homeserver", func(c *Config) { c.Homeserver = "" },
			`matrix: Config.Homeserver: missing (an absolute https URL, as "https://matrix.example.org")`},
		{"not http", func(c *Config) { c.Homeserver = "matrix.example.org" },
			`matrix: Config.Homeserver: not an absolute https URL, as "https://matrix.example.org"`},
		{"ftp", func(c *Config) { c.Homeserver = "ftp://matrix.example.org" },
			`matrix: Config.Homeserver: not an absolute https URL, as "https://matrix.example.org"`},
		{"no host", func(c *Config) { c.Homeserver = "https:///x" },
			`matrix: Config.Homeserver: not an absolute https URL, as "https://matrix.example.org"`},
		{"plain http", func(c *Config) { c.Homeserver = "http://matrix.example.org" },
			"matrix: Config.Homeserver: must use https (http only for a loopback host)"},
		{"credentials in the URL", func(c *Config) { c.Homeserver = "https://bot:hunter2@matrix.example.org" },
			"matrix: Config.Homeserver: must not hold credentials"},
		{"query", func(c *Config) { c.Homeserver = "https://matrix.example.org/?access_token=" + confToken },
			"matrix: Config.Homeserver: must not have a query"},
		// The client-server API's path, pasted with the base URL, would be
		// doubled in every request, and each room would fail with the
		// homeserver's 404 M_UNRECOGNIZED, naming no field.
		{"the API's path", func(c *Config) { c.Homeserver = "https://matrix.example.org/_matrix/client/v3" },
			`matrix: Config.Homeserver: must not hold the API's path "/_matrix/…" (the base URL, as "https://matrix.example.org"; the channel adds the path)`},
		{"the API's path, cut", func(c *Config) { c.Homeserver = "https://matrix.example.org/_matrix/" },
			`matrix: Config.Homeserver: must not hold the API's path "/_matrix/…" (the base URL, as "https://matrix.example.org"; the channel adds the path)`},
		{"the API's path under a prefix", func(c *Config) { c.Homeserver = "https://example.org/matrix/_matrix/client" },
			`matrix: Config.Homeserver: must not hold the API's path "/_matrix/…" (the base URL, as "https://matrix.example.org"; the channel adds the path)`},
		{"no token", func(c *Config) { c.AccessToken = redact.Secret{} }, "matrix: Config.AccessToken: missing"},
		{"token with a line break", func(c *Config) { c.AccessToken = redact.NewSecret(confToken + "\n") },
			"matrix: Config.AccessToken: holds white space, a control character or a character outside ASCII"},
		{"token outside ASCII", func(c *Config) { c.AccessToken = redact.NewSecret(confToken + "é") },
			"matrix: Config.AccessToken: holds white space, a control character or a character outside ASCII"},
		{"no rooms", func(c *Config) { c.Rooms = nil }, "matrix: Config.Rooms: missing"},
		{"empty room", func(c *Config) { c.Rooms = []string{"!a:b", " "} }, "matrix: Config.Rooms[1]: empty"},
		{"not a room", func(c *Config) { c.Rooms = []string{"ops"} },
			`matrix: Config.Rooms[0]: "ops" is not a room ID ("!abc:example.org") or alias ("#ops:example.org")`},
		{"alias without server", func(c *Config) { c.Rooms = []string{"#ops"} },
			`matrix: Config.Rooms[0]: "#ops" is not a room ID ("!abc:example.org") or alias ("#ops:example.org")`},
		{"user ID", func(c *Config) { c.Rooms = []string{"@bot:example.org"} },
			`matrix: Config.Rooms[0]: a user ID, not a room ID ("!abc:example.org") or alias ("#ops:example.org")`},
		{"space inside", func(c *Config) { c.Rooms = []string{"#o ps:example.org"} },
			"matrix: Config.Rooms[0]: contains white space, a control character or invalid UTF-8"},
		{"too long", func(c *Config) { c.Rooms = []string{"!" + strings.Repeat("a", 255)} },
			"matrix: Config.Rooms[0]: longer than 255 bytes"},
		{"repeated", func(c *Config) { c.Rooms = []string{"#ops:example.org", "!a:b", "#ops:example.org "} },
			`matrix: Config.Rooms[2]: the same as Rooms[0]`},
		{"a template failing on every update", func(c *Config) { c.Templates = failing },
			"matrix: Config.Templates: templates: render text: template: text:1:3: executing \"text\" at <index .Components 0>: " +
				"error calling index: reflect: slice index out of range"},
		{"name with a line break", func(c *Config) { c.Name = "ops\nmatrix" },
			"matrix: Config.Name: holds a control character"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := validConfig()
			tt.edit(&cfg)
			ch, err := New(cfg)
			assert.Nil(t, ch)
			require.EqualError(t, err, tt.want)
			channeltest.AssertNoSecret(t, err.Error(), confToken)
		})
	}
}

// A homeserver served under a path (its well-known base_url has one) is
// reached there.
func TestNewHomeserverUnderPath(t *testing.T) {
	cfg := validConfig()
	cfg.Homeserver = "https://example.org/matrix/"
	ch, err := New(cfg)
	require.NoError(t, err)
	assert.Equal(t, "https://example.org/matrix", ch.s.base)
}

func TestNewDefaults(t *testing.T) {
	ch, err := New(validConfig())
	require.NoError(t, err)
	assert.Equal(t, "matrix", ch.Name())
	assert.Equal(t, "https://matrix.example.org", ch.s.base, "the trailing / dropped")
	assert.Equal(t, []string{"!abc:example.org", "#ops:example.org"}, ch.s.targets, "rooms trimmed")
	assert.Equal(t, msgText, ch.s.msgtype)
	assert.True(t, ch.s.client.Own())
	cfg := validConfig()
	cfg.Name, cfg.Notice = "ops", true
	ch, err = New(cfg)
	require.NoError(t, err)
	assert.Equal(t, "ops", ch.Name())
	assert.Equal(t, msgNotice, ch.s.msgtype)
}

// The channel prints as its name, whatever the verb.
func TestChannelPrintsItsName(t *testing.T) {
	ch, err := New(validConfig())
	require.NoError(t, err)
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
		assert.Equal(t, "matrix.Channel(matrix)", fmt.Sprintf(verb, ch), verb)
		// A Channel value too, as a struct holding one prints it.
		assert.Equal(t, "matrix.Channel(matrix)", fmt.Sprintf(verb, *ch), verb)
	}
}

// The Config's tags are what a YAML configuration file uses; the token
// encodes as REDACTED.
func TestConfigYAML(t *testing.T) {
	var cfg Config
	require.NoError(t, yaml.Unmarshal([]byte(`
name: ops-matrix
homeserver: https://matrix.example.org
access_token: syt_abc_123
rooms: ["!abc:example.org", "#ops:example.org"]
notice: true
`), &cfg))
	assert.Equal(t, Config{Name: "ops-matrix", Homeserver: "https://matrix.example.org", AccessToken: redact.NewSecret("syt_abc_123"),
		Rooms: []string{"!abc:example.org", "#ops:example.org"}, Notice: true}, cfg)
	_, err := New(cfg)
	require.NoError(t, err)
	out, err := yaml.Marshal(cfg)
	require.NoError(t, err)
	assert.Contains(t, string(out), "access_token: REDACTED")
	js, err := json.Marshal(cfg)
	require.NoError(t, err)
	assert.Contains(t, string(js), `"access_token":"REDACTED"`)
	assert.Equal(t, redact.NewSecret("syt_abc_123").Reveal(), cfg.AccessToken.Reveal())
}

// A client given in Config is used as a copy that follows no redirect, as
// the channel's own does: a redirect could take the credential elsewhere.
// The given client is left as it was, and Close leaves it alone.
func TestGivenClientFollowsNoRedirect(t *testing.T) {
	given := &http.Client{}
	ch, err := New(func() Config { c := validConfig(); c.HTTPClient = given; return c }())
	require.NoError(t, err)
	require.NotNil(t, ch.s.client.CheckRedirect)
	assert.ErrorIs(t, ch.s.client.CheckRedirect(nil, nil), http.ErrUseLastResponse)
	assert.Nil(t, given.CheckRedirect)
	assert.False(t, ch.s.client.Own())
	assert.NoError(t, ch.Close())
}
