package telegram

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

func TestNewValidates(t *testing.T) {
	// New tries the templates on sample updates.
	failing, err := templates.Default().With("text", "{{(index .Components 0).Name}}")
	require.NoError(t, err)
	valid := testConfig("@examplestatus")
	tests := []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"no token", func(c *Config) { c.Token = redact.Secret{} }, "telegram: Config.Token: missing (the bot's token from @BotFather)"},
		{"not a token", func(c *Config) { c.Token = redact.NewSecret("AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw") },
			"telegram: Config.Token: not a bot token (the bot's id, a colon, then the secret)"},
		// A token read from a file or pasted keeps its newline; copied from
		// a request URL, its "bot": each error says what to remove.
		{"token with a space", func(c *Config) { c.Token = redact.NewSecret(testToken + " ") },
			"telegram: Config.Token: holds white space, a control character or a character outside ASCII"},
		{"token with a newline", func(c *Config) { c.Token = redact.NewSecret(testToken + "\n") },
			"telegram: Config.Token: holds white space, a control character or a character outside ASCII"},
		{"token from a request URL", func(c *Config) { c.Token = redact.NewSecret("bot" + testToken) },
			`telegram: Config.Token: not a bot token (the bot's id, a colon, then the secret; without the "bot" of the API's URLs)`},
		{"no chats", func(c *Config) { c.Chats = nil }, `telegram: Config.Chats: missing (a chat's "@username" or numeric id)`},
		{"a name without @", func(c *Config) { c.Chats = []string{"@examplestatus", "examplestatus"} },
			`telegram: Config.Chats[1]: want a chat's "@username" (4 to 32 letters, digits and _, starting with a letter) or its numeric id`},
		{"a short username", func(c *Config) { c.Chats = []string{"@abc"} },
			`telegram: Config.Chats[0]: want a chat's "@username" (4 to 32 letters, digits and _, starting with a letter) or its numeric id`},
		{"a username starting with a digit", func(c *Config) { c.Chats = []string{"@1abcd"} },
			`telegram: Config.Chats[0]: want a chat's "@username" (4 to 32 letters, digits and _, starting with a letter) or its numeric id`},
		{"a long username", func(c *Config) { c.Chats = []string{"@a" + strings.Repeat("b", 32)} },
			`telegram: Config.Chats[0]: want a chat's "@username" (4 to 32 letters, digits and _, starting with a letter) or its numeric id`},
		{"a bad id", func(c *Config) { c.Chats = []string{"-100abc"} }, `telegram: Config.Chats[0]: not a chat id (a number that fits in 64 bits, not 0)`},
		{"a bad topic", func(c *Config) { c.Chats = []string{"-1002222222222/x"} },
			`telegram: Config.Chats[0]: the topic after / is not a positive number`},
		{"twice", func(c *Config) { c.Chats = []string{"@examplestatus", "@examplestatus"} }, `telegram: Config.Chats[1]: the same as Chats[0]`},
		{"twice, another case", func(c *Config) { c.Chats = []string{"@ExampleStatus", "@examplestatus"} }, `telegram: Config.Chats[1]: the same as Chats[0]`},
		{"the General topic twice", func(c *Config) { c.Chats = []string{"-1001234567890", "-1001234567890/1"} }, `telegram: Config.Chats[1]: the same as Chats[0]`},
		{"a topic twice", func(c *Config) { c.Chats = []string{"-1001234567890/7", "-1001234567890/07"} }, `telegram: Config.Chats[1]: the same as Chats[0]`},
		{"preview", func(c *Config) { c.LinkPreview = LinkPreview{Disabled: true, ShowAboveText: true} },
			"telegram: Config.LinkPreview: Disabled set with other options"},
		{"preview sizes", func(c *Config) { c.LinkPreview = LinkPreview{PreferSmallMedia: true, PreferLargeMedia: true} },
			"telegram: Config.LinkPreview: PreferSmallMedia and PreferLargeMedia both set"},
		{"base URL with the token", func(c *Config) { c.BaseURL = "https://api.telegram.org/bot" + testToken },
			"telegram: Config.BaseURL: must not hold the bot token (it goes in Config.Token)"},
		{"base URL with the token and a method", func(c *Config) { c.BaseURL = "https://api.telegram.org/bot" + testToken + "/sendMessage" },
			"telegram: Config.BaseURL: must not hold the bot token (it goes in Config.Token)"},
		{"base URL with the token without its bot", func(c *Config) { c.BaseURL = "https://gw.example.com/tg/" + testToken },
			"telegram: Config.BaseURL: must not hold the bot token (it goes in Config.Token)"},
		{"plain http", func(c *Config) { c.BaseURL = "http://api.telegram.org" }, "telegram: Config.BaseURL: must use https (http only for a loopback host)"},
		{"a template failing on every update", func(c *Config) { c.Templates = failing },
			"telegram: Config.Templates: templates: render text: template: text:1:3: executing \"text\" at <index .Components 0>: " +
				"error calling index: reflect: slice index out of range"},
		{"name", func(c *Config) { c.Name = "\tops" }, "telegram: Config.Name: holds a control character"},
		{"an unknown template", func(c *Config) { c.Template = "nope" }, `telegram: Config.Template: not in Config.Templates (want html, markdown, short, subject or text)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := valid
			tt.edit(&cfg)
			_, err := New(cfg)
			require.Error(t, err)
			assert.Equal(t, tt.want, err.Error())
			channeltest.AssertNoSecret(t, err.Error(), testToken, "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw")
		})
	}
	cfg := valid
	cfg.Chats = []string{"@examplestatus", "-1001234567890", "-1001234567890/42", "123456789"}
	ch, err := New(cfg)
	require.NoError(t, err)
	assert.Equal(t, cfg.Chats, ch.Chats())
}

// A Bot API server behind a gateway may sit under a path that starts with
// "bot" (/botapi, /bots/telegram): that is no token, and is accepted.
func TestBaseURLPathStartingWithBot(t *testing.T) {
	for _, base := range []string{"https://gw.example.com/botapi", "https://gw.example.com/bots/telegram",
		"https://gw.example.com/bot-api/", "https://gw.example.com/api/bot2"} {
		cfg := testConfig("@examplestatus")
		cfg.BaseURL = base
		_, err := New(cfg)
		assert.NoError(t, err, base)
	}
}

// Usernames set in the apps have at least five characters; collectible
// ones, bought on Fragment, can be shorter, and four-character ones exist
// ("collectibles can be less than 5 characters long", telegram.org/faq,
// Usernames and t.me). Every username has at most 32 and starts with a
// letter.
func TestUsernameLengths(t *testing.T) {
	for _, name := range []string{"@abcd", "@examplestatus", "@a" + strings.Repeat("b", 31)} {
		_, err := New(testConfig(name))
		assert.NoError(t, err, name)
	}
}

func TestParseURL(t *testing.T) {
	tests := []struct {
		raw  string
		want Config
	}{
		{"telegram://" + testToken + "@telegram?chats=@examplestatus",
			Config{Chats: []string{"@examplestatus"}}},
		{"telegram://" + testToken + "@telegram?chats=@examplestatus,-1001234567890/42&chats=-333333333&preview=small,above&template=short&name=ops",
			Config{Name: "ops", Chats: []string{"@examplestatus", "-1001234567890/42", "-333333333"}, Template: "short",
				LinkPreview: LinkPreview{PreferSmallMedia: true, ShowAboveText: true}}},
		{"telegram://" + testToken + "@bot-api.example.com/tg?chats=@examplestatus&preview=off",
			Config{Chats: []string{"@examplestatus"}, BaseURL: "https://bot-api.example.com/tg", LinkPreview: LinkPreview{Disabled: true}}},
		{"telegram+http://" + testToken + "@127.0.0.1:8081?chats=@examplestatus",
			Config{Chats: []string{"@examplestatus"}, BaseURL: "http://127.0.0.1:8081"}},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			got, err := ParseURL(tt.raw)
			require.NoError(t, err)
			assert.Equal(t, testToken, got.Token.Reveal())
			got.Token = redact.Secret{}
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestURLRoundTrip(t *testing.T) {
	for _, cfg := range []Config{
		testConfig("@examplestatus"),
		{Name: "ops", Token: redact.NewSecret(testToken), Chats: []string{"@examplestatus", "-1001234567890/42"},
			LinkPreview: LinkPreview{PreferLargeMedia: true}, Template: "markdown", BaseURL: "http://127.0.0.1:8081"},
		{Token: redact.NewSecret(testToken), Chats: []string{"-333333333"}, LinkPreview: LinkPreview{Disabled: true},
			BaseURL: "https://bot-api.example.com/tg"},
	} {
		u := cfg.URL()
		back, err := ParseURL(u.Reveal())
		require.NoError(t, err, u.Reveal())
		assert.Equal(t, cfg.Token.Reveal(), back.Token.Reveal())
		assert.Equal(t, fmt.Sprintf("%+v", cfg), fmt.Sprintf("%+v", back))
		assert.Equal(t, u.Reveal(), back.URL().Reveal())
		channeltest.AssertNoSecret(t, fmt.Sprint(u), testToken, "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw-_x")
		_, err = New(back)
		assert.NoError(t, err)
	}
	raw := "telegram://" + testToken + "@telegram?chats=%40examplestatus&name=ops"
	cfg, err := ParseURL(raw)
	require.NoError(t, err)
	assert.Equal(t, raw, cfg.URL().Reveal())
	assert.Equal(t, "telegram://telegram?…", cfg.URL().String())
}

func TestParseURLErrors(t *testing.T) {
	secret := "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw-_x"
	tests := []struct{ raw, want string }{
		{"tg://" + testToken + "@telegram?chats=@examplestatus", "telegram: URL: scheme: want telegram:// (or telegram+http:// for plain http to a loopback host)"},
		{"telegram://" + secret + "@telegram?chats=@examplestatus", "telegram: URL: token: want the bot token before the @, as telegram://123456789:SECRET@telegram"},
		{"telegram://telegram?chats=@examplestatus", "telegram: URL: token: want the bot token before the @, as telegram://123456789:SECRET@telegram"},
		{"telegram://" + testToken + "@?chats=@examplestatus", "telegram: URL: host: missing"},
		{"telegram://" + testToken + "@telegram?chat=@examplestatus", `telegram: URL: query: unknown parameter "chat" (want chats, preview, template or name)`},
		{"telegram://" + testToken + "@telegram?chats=@examplestatus&preview=tiny", `telegram: URL: query: preview: word 1 unknown (want off, small, large, above, comma-separated)`},
		{"telegram://" + testToken + "@telegram?chats=@examplestatus&preview=small,tiny", `telegram: URL: query: preview: word 2 unknown (want off, small, large, above, comma-separated)`},
		{"telegram://" + testToken + "@telegram?chats=@examplestatus&name=a&name=b", `telegram: URL: query: "name" given 2 times`},
		{"telegram://" + testToken + "@telegram?chats=@examplestatus&preview=%zz", "telegram: URL: query: parameter 2: bad %-escape"},
		{"telegram://" + testToken + "@telegram?chats=@examplestatus#x", "telegram: URL: fragment: not allowed"},
		{"telegram://" + testToken + "%zz@telegram", "telegram: URL: does not parse"},
		// The Config keeps the base URL, from the host and path, as a
		// plain string, which prints: the token has no place there.
		{"telegram+http://" + testToken + "@127.0.0.1:8081/bot" + testToken, "telegram: URL: host and path: must not hold the bot token (it goes in Config.Token)"},
		{"telegram://" + testToken + "@api.example.com:99999", "telegram: URL: host and path: a port that is not a number from 1 to 65535"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			_, err := ParseURL(tt.raw)
			require.Error(t, err)
			assert.Equal(t, tt.want, err.Error())
			channeltest.AssertNoSecret(t, err.Error(), testToken, secret)
		})
	}
}

func TestConfigYAML(t *testing.T) {
	var cfg Config
	require.NoError(t, yaml.Unmarshal([]byte(`
name: status-telegram
token: `+testToken+`
chats: ["@examplestatus", "-1001234567890/42"]
link_preview:
  prefer_small_media: true
template: text
`), &cfg))
	assert.Equal(t, testToken, cfg.Token.Reveal())
	assert.Equal(t, Config{Name: "status-telegram", Token: cfg.Token, Chats: []string{"@examplestatus", "-1001234567890/42"},
		LinkPreview: LinkPreview{PreferSmallMedia: true}, Template: "text"}, cfg)
	out, err := yaml.Marshal(cfg)
	require.NoError(t, err)
	channeltest.AssertNoSecret(t, string(out), testToken, "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw-_x")
	assert.Contains(t, string(out), "token: REDACTED")
}
