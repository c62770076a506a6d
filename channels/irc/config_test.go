package irc_test

import (
	"bytes"
	"crypto/tls"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"github.com/outagecast/outagecast/redact"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/channels/irc"
	"github.com/outagecast/outagecast/templates"
)

func validConfig() irc.Config {
	return irc.Config{Server: "irc.example.net:6697", Nick: "statusbot", Channels: []string{"#ops"}}
}

func TestNewValidates(t *testing.T) {
	// New tries the templates on sample updates.
	failing, err := templates.Default().With("short", "{{(index .Components 0).Name}}")
	require.NoError(t, err)
	tests := []struct {
		name string
		edit func(*irc.Config)
		want string
	}{
		{"no server", func(c *irc.Config) { c.Server = "" }, "irc: Config.Server: missing"},
		{"server without port", func(c *irc.Config) { c.Server = "irc.example.net" }, `irc: Config.Server: not host:port, as "irc.libera.chat:6697"`},
		{"bad port", func(c *irc.Config) { c.Server = "irc.example.net:99999" }, "irc: Config.Server: port: not a number from 1 to 65535"},
		{"host neither name nor IP", func(c *irc.Config) { c.Server = "[:]:6667" }, `irc: Config.Server: not host:port, as "irc.libera.chat:6697"`},
		{"host with a slash", func(c *irc.Config) { c.Server = "irc.example.net/x:6667" }, `irc: Config.Server: not host:port, as "irc.libera.chat:6697"`},
		{"unknown TLS mode", func(c *irc.Config) { c.TLS = 7 }, "irc: Config.TLS: unknown mode 7"},
		{"TLSConfig without TLS", func(c *irc.Config) { c.TLS, c.TLSConfig = irc.TLSOff, &tls.Config{} }, "irc: Config.TLSConfig: set, but TLS is TLSOff"},
		{"a template failing on every update", func(c *irc.Config) { c.Templates = failing },
			"irc: Config.Templates: templates: render short: template: short:1:3: executing \"short\" at <index .Components 0>: " +
				"error calling index: reflect: slice index out of range"},
		{"name with a space", func(c *irc.Config) { c.Name = "irc " }, "irc: Config.Name: leading or trailing white space"},
		{"no nick", func(c *irc.Config) { c.Nick = "" }, "irc: Config.Nick: missing"},
		{"nick with a space", func(c *irc.Config) { c.Nick = "status bot" }, "irc: Config.Nick: not a valid nickname: want a letter or one of [ ] \\ ` _ ^ { | } first, then those, digits and \"-\""},
		{"nick starting with a digit", func(c *irc.Config) { c.Nick = "1bot" }, "irc: Config.Nick: not a valid nickname: want"},
		{"nick too long", func(c *irc.Config) { c.Nick = strings.Repeat("b", 31) }, "irc: Config.Nick: not a valid nickname: longer than 30 bytes"},
		{"user with @", func(c *irc.Config) { c.User = "a@b" }, "irc: Config.User:"},
		{"real name with CR", func(c *irc.Config) { c.RealName = "a\rb" }, "irc: Config.RealName: contains a control character"},
		{"password with LF", func(c *irc.Config) { c.Password = redact.NewSecret("pw\nQUIT") }, "irc: Config.Password: contains a control character"},
		{"SASL user with NUL", func(c *irc.Config) { c.SASLUser, c.SASLPassword = "b\x00ot", redact.NewSecret("pw") },
			"irc: Config.SASLUser: SASL PLAIN credentials cannot contain NUL"},
		{"SASL password with NUL", func(c *irc.Config) { c.SASLUser, c.SASLPassword = "bot", redact.NewSecret("p\x00w") },
			"irc: Config.SASLPassword: SASL PLAIN credentials cannot contain NUL"},
		{"SASL user alone", func(c *irc.Config) { c.SASLUser = "bot" }, "irc: Config.SASLUser: SASLUser and SASLPassword go together"},
		{"password in the clear", func(c *irc.Config) { c.TLS, c.Password = irc.TLSOff, redact.NewSecret("pw") }, "irc: Config.TLS: TLSOff would send the server password in the clear"},
		{"SASL password in the clear", func(c *irc.Config) { c.TLS, c.SASLUser, c.SASLPassword = irc.TLSOff, "bot", redact.NewSecret("pw") },
			"irc: Config.TLS: TLSOff would send the SASL password in the clear"},
		// A channel key is a password too: the same rule holds for it.
		{"channel key in the clear", func(c *irc.Config) { c.TLS, c.Channels = irc.TLSOff, []string{"#ops", "#keyed s3cr"} },
			`irc: Config.TLS: TLSOff would send the key of #keyed in the clear to "irc.example.net"`},
		{"SASL EXTERNAL with SASLUser", func(c *irc.Config) {
			c.SASLExternal, c.SASLUser, c.SASLPassword = true, "bot", redact.NewSecret("pw")
		}, "irc: Config.SASLExternal: set with SASLUser"},
		{"SASL EXTERNAL without TLS", func(c *irc.Config) { c.SASLExternal, c.TLS = true, irc.TLSOff },
			"irc: Config.SASLExternal: needs TLSOn"},
		{"SASL EXTERNAL without a certificate", func(c *irc.Config) { c.SASLExternal, c.TLSConfig = true, &tls.Config{} },
			"irc: Config.TLSConfig: SASLExternal needs a client certificate (Certificates or GetClientCertificate)"},
		{"no channels", func(c *irc.Config) { c.Channels = nil }, "irc: Config.Channels: missing"},
		{"channel without prefix", func(c *irc.Config) { c.Channels = []string{"ops"} }, "irc: Config.Channels[0]: does not start with a channel prefix (# & + !)"},
		{"channel prefix alone", func(c *irc.Config) { c.Channels = []string{"#"} }, "irc: Config.Channels[0]: a channel prefix alone: no name after it"},
		{"channel with a comma", func(c *irc.Config) { c.Channels = []string{"#a,#b"} }, `irc: Config.Channels[0]: not a valid channel name: it holds "," (give each channel an entry of its own, a key after a space)`},
		{"channel with BEL", func(c *irc.Config) { c.Channels = []string{"#a\x07"} }, "irc: Config.Channels[0]: not a valid channel name: it holds a control character"},
		{"channel name too long", func(c *irc.Config) { c.Channels = []string{"#" + strings.Repeat("c", 50)} },
			"irc: Config.Channels[0]: not a valid channel name: longer than 50 bytes"},
		{"three fields", func(c *irc.Config) { c.Channels = []string{"#a key extra"} }, "irc: Config.Channels[0]: want"},
		{"bad key, not shown", func(c *irc.Config) { c.Channels = []string{"#ops", "#b s3cr,et"} }, "irc: Config.Channels[1]: the key of #b is empty or contains ','"},
		{"duplicate channel", func(c *irc.Config) { c.Channels = []string{"#Ops", "#ops"} }, `irc: Config.Channels[1]: the same as Channels[0]`},
		// Every casemapping folds A-Z.
		{"duplicate channel, ASCII case beside others", func(c *irc.Config) { c.Channels = []string{"#ops[eu]", "#OPS[EU]"} }, `irc: Config.Channels[1]: the same as Channels[0]`},
		{"negative burst", func(c *irc.Config) { c.Burst = -1 }, "irc: Config.Burst: negative"},
		{"negative interval", func(c *irc.Config) { c.Interval = -time.Second }, "irc: Config.Interval: negative"},
		{"negative timeout", func(c *irc.Config) { c.Timeout = -time.Second }, "irc: Config.Timeout: negative"},
		{"negative max lines", func(c *irc.Config) { c.MaxLines = -1 }, "irc: Config.MaxLines: negative"},
		{"unknown template", func(c *irc.Config) { c.Template = "nope" }, "irc: Config.Template: not in Config.Templates (want html, markdown, short, subject or text)"},
		// Every line the bot sends fits the 512 bytes of an IRC line: a
		// field that cannot is refused here, by name, not at every Send.
		{"real name too long", func(c *irc.Config) { c.RealName = strings.Repeat("r", 500) },
			"irc: Config.RealName: too long: the USER line would pass the 512 bytes of an IRC line"},
		{"user too long", func(c *irc.Config) { c.User = strings.Repeat("u", 500) },
			"irc: Config.User: too long: the USER line would pass the 512 bytes of an IRC line"},
		{"password too long, not shown", func(c *irc.Config) { c.Password = redact.NewSecret(strings.Repeat("s3cr", 130)) },
			"irc: Config.Password: too long: the PASS line would pass the 512 bytes of an IRC line"},
		{"key too long, not shown", func(c *irc.Config) { c.Channels = []string{"#ops", "#b " + strings.Repeat("s3cr", 130)} },
			"irc: Config.Channels[1]: the key of #b is too long: the JOIN line would pass the 512 bytes of an IRC line"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := validConfig()
			tt.edit(&cfg)
			_, err := irc.New(cfg)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), "s3cr")
		})
	}
}

// A value that does not pass New may be a secret pasted in the wrong
// place, or hold one: a URL with a password in Server, a channel's key
// joined to its name by something other than a space, a key given as an
// entry of its own. Errors name the field and say what shape it wants,
// never quoting the value.
func TestNewErrorsQuoteNoSecret(t *testing.T) {
	const secret = "Pa55-s3cr-word"
	tests := []struct {
		name string
		edit func(*irc.Config)
		want string
	}{
		{"server as a URL with a password", func(c *irc.Config) { c.Server = "ircs://statusbot:" + secret + "@irc.example.net:6697" },
			`irc: Config.Server: a URL, not host:port: give host:port, as "irc.libera.chat:6697"`},
		{"server with user information", func(c *irc.Config) { c.Server = "statusbot:" + secret + "@irc.example.net" },
			`irc: Config.Server: holds user information ("@"): give host:port, as "irc.libera.chat:6697"`},
		{"server with user information and a port", func(c *irc.Config) { c.Server = "statusbot:" + secret + "@irc.example.net:6697" },
			`irc: Config.Server: holds user information ("@")`},
		{"password as the server", func(c *irc.Config) { c.Server = secret }, `irc: Config.Server: not host:port, as "irc.libera.chat:6697"`},
		{"password as the port", func(c *irc.Config) { c.Server = "irc.example.net:" + secret }, "irc: Config.Server: port: not a number from 1 to 65535"},
		{"server with a space", func(c *irc.Config) { c.Server = "irc.example.net " + secret + ":6697" }, "irc: Config.Server: holds white space or a control character"},
		{"password as the nick", func(c *irc.Config) { c.Nick = "bot:" + secret }, "irc: Config.Nick: not a valid nickname"},
		{"password in the user", func(c *irc.Config) { c.User = "bot:" + secret }, "irc: Config.User: contains a space, '@', ':' or a control character"},
		{"key joined with a colon", func(c *irc.Config) { c.Channels = []string{"#ops:" + secret} }, "irc: Config.Channels[0]: not a valid channel name"},
		{"key joined with a comma", func(c *irc.Config) { c.Channels = []string{"#ops," + secret} }, `irc: Config.Channels[0]: not a valid channel name: it holds ","`},
		{"key joined with a control character", func(c *irc.Config) { c.Channels = []string{"#ops\x00" + secret} }, "irc: Config.Channels[0]: not a valid channel name"},
		{"key as an entry of its own", func(c *irc.Config) { c.Channels = []string{"#ops", secret} },
			"irc: Config.Channels[1]: does not start with a channel prefix (# & + !)"},
		{"key after a name without prefix", func(c *irc.Config) { c.Channels = []string{"ops:" + secret + " key"} },
			"irc: Config.Channels[0]: does not start with a channel prefix (# & + !)"},
		{"key with more after it", func(c *irc.Config) { c.Channels = []string{"#ops " + secret + " extra"} },
			`irc: Config.Channels[0]: want "#name" or "#name key"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := validConfig()
			tt.edit(&cfg)
			_, err := irc.New(cfg)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			channeltest.AssertNoSecret(t, err.Error(), secret)
		})
	}
}

func TestNewAccepts(t *testing.T) {
	for name, edit := range map[string]func(*irc.Config){
		"defaults":       func(*irc.Config) {},
		"keyed channels": func(c *irc.Config) { c.Channels = []string{"#ops", "&local key", "+modeless", "!12345chan"} },
		"plaintext to loopback": func(c *irc.Config) {
			c.TLS, c.Server, c.Password = irc.TLSOff, "127.0.0.1:6667", redact.NewSecret("pw")
		},
		"plaintext without passwords": func(c *irc.Config) { c.TLS = irc.TLSOff },
		"keyed channel in plaintext to loopback": func(c *irc.Config) {
			c.TLS, c.Server, c.Channels = irc.TLSOff, "[::1]:6667", []string{"#ops key"}
		},
		"IPv6 server":  func(c *irc.Config) { c.Server = "[::1]:6697" },
		"special nick": func(c *irc.Config) { c.Nick = "[ops]bot`_^{|}-9" },
	} {
		t.Run(name, func(t *testing.T) {
			cfg := validConfig()
			edit(&cfg)
			ch, err := irc.New(cfg)
			require.NoError(t, err)
			assert.Equal(t, "irc", ch.Name())
		})
	}
}

// A Config prints, logs and encodes without its passwords and channel
// keys, whatever the verb or encoder, with a TLSConfig set too; the channel
// names stay readable.
func TestConfigHidesSecrets(t *testing.T) {
	cfg := validConfig()
	cfg.Password, cfg.SASLUser, cfg.SASLPassword = redact.NewSecret("srv-Secret-1"), "acct", redact.NewSecret("sasl-Secret-2")
	cfg.Channels = []string{"#ops", "#keyed chan-Secret-3", "#tabbed\tchan-Secret-4"}
	cfg.TLSConfig = &tls.Config{ServerName: "irc.example.net"}
	ch, err := irc.New(cfg)
	require.NoError(t, err)

	var shown []string
	for _, v := range []any{cfg, &cfg, cfg.Channels, ch} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d"} {
			shown = append(shown, fmt.Sprintf(verb, v))
		}
		var buf bytes.Buffer
		slog.New(slog.NewJSONHandler(&buf, nil)).Info("x", "v", v)
		slog.New(slog.NewTextHandler(&buf, nil)).Info("x", "v", v)
		shown = append(shown, buf.String())
	}
	plain := cfg
	plain.TLSConfig = nil // encoders cannot take a tls.Config, whose fields include funcs
	for _, v := range []any{plain, cfg.Channels} {
		y, err := yaml.Marshal(v)
		require.NoError(t, err)
		js, err := json.Marshal(v)
		require.NoError(t, err)
		x, err := xml.Marshal(v)
		require.NoError(t, err)
		shown = append(shown, string(y), string(js), string(x))
	}
	js, err := json.Marshal(cfg.Channels)
	require.NoError(t, err)
	for _, s := range shown {
		channeltest.AssertNoSecret(t, s, "srv-Secret-1", "sasl-Secret-2", "chan-Secret-3", "chan-Secret-4")
	}
	assert.Equal(t, `["#ops","#keyed REDACTED","#tabbed REDACTED"]`, string(js))
	assert.Equal(t, `[#ops #keyed REDACTED #tabbed REDACTED]`, cfg.Channels.String())
	type listed struct{ Channels irc.ChannelList }
	x, err := xml.Marshal(listed{cfg.Channels})
	require.NoError(t, err)
	assert.Contains(t, string(x), `<Channels>#ops</Channels><Channels>#keyed REDACTED</Channels><Channels>#tabbed REDACTED</Channels>`)
	assert.Contains(t, fmt.Sprintf("%+v", cfg), `Channels:[#ops #keyed REDACTED #tabbed REDACTED]`)
	assert.Contains(t, fmt.Sprintf("%+v", cfg), `Password:REDACTED SASLUser:acct SASLPassword:REDACTED`)
}

func TestTLSModeString(t *testing.T) {
	assert.Equal(t, "on", irc.TLSOn.String())
	assert.Equal(t, "off", irc.TLSOff.String())
	assert.Equal(t, "TLSMode(9)", irc.TLSMode(9).String())
}
