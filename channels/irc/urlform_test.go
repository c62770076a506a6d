package irc_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/channels/irc"
	"github.com/outagecast/outagecast/redact"
)

const (
	urlPassword = "srv-pass:word/9"
	urlSASL     = "sasl+secret=42"
	urlKey      = "opskey77"
)

func TestParseURL(t *testing.T) {
	cfg, err := irc.ParseURL("ircs://examplestatus:srv-pass%3Aword%2F9@irc.libera.chat/%23example-status,%23example-ops%20" + urlKey +
		"?sasl_user=examplestatus&sasl_password=sasl+secret%3D42&notice=true&max_lines=3&interval=3s")
	require.NoError(t, err)
	assert.Equal(t, "irc.libera.chat:6697", cfg.Server, "ircs:// defaults to port 6697")
	assert.Equal(t, irc.TLSOn, cfg.TLS)
	assert.Equal(t, "examplestatus", cfg.Nick)
	assert.Equal(t, urlPassword, cfg.Password.Reveal())
	assert.Equal(t, "examplestatus", cfg.SASLUser)
	assert.Equal(t, urlSASL, cfg.SASLPassword.Reveal())
	assert.Equal(t, irc.ChannelList{"#example-status", "#example-ops " + urlKey}, cfg.Channels)
	assert.True(t, cfg.Notice)
	assert.Equal(t, 3, cfg.MaxLines)
	assert.Equal(t, 3*time.Second, cfg.Interval)
	_, err = irc.New(cfg)
	require.NoError(t, err, "New takes what ParseURL returns")

	plain, err := irc.ParseURL("irc://bot@127.0.0.1/#ops,#dev,&local")
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:6667", plain.Server, "irc:// defaults to port 6667")
	assert.Equal(t, irc.TLSOff, plain.TLS)
	assert.Equal(t, irc.ChannelList{"#ops", "#dev", "&local"}, plain.Channels, `"#" written as is`)
}

// A "#" is the channel prefix or part of a password, never the start of a
// fragment: the query after channels written with their "#" is the query,
// not the end of the last channel's name (which would have carried the
// SASL password into a JOIN and every report naming the channel).
func TestParseURLHashIsNoFragment(t *testing.T) {
	cfg, err := irc.ParseURL("ircs://bot@irc.example.com/#ops,#dev%20" + urlKey +
		"?sasl_user=bot&sasl_password=" + urlSASL + "&notice=true")
	require.NoError(t, err)
	assert.Equal(t, irc.ChannelList{"#ops", "#dev " + urlKey}, cfg.Channels)
	assert.Equal(t, urlSASL, cfg.SASLPassword.Reveal())
	assert.True(t, cfg.Notice)

	cfg, err = irc.ParseURL("ircs://bot:pa#ss@irc.example.com/ops?sasl_user=bot&sasl_password=a#b")
	require.NoError(t, err)
	assert.Equal(t, irc.ChannelList{"#ops"}, cfg.Channels)
	assert.Equal(t, "pa#ss", cfg.Password.Reveal())
	assert.Equal(t, "a#b", cfg.SASLPassword.Reveal())
}

// An irc:// URL is plaintext: New refuses it when it would carry a channel
// key, like a password, to a host other than a loopback one.
func TestParseURLKeyInTheClear(t *testing.T) {
	for raw, want := range map[string]string{
		"irc://bot@irc.example.com/ops%20" + urlKey:         `irc: Config.TLS: TLSOff would send the key of #ops in the clear to "irc.example.com"`,
		"irc://bot:srv-pass%3Aword%2F9@irc.example.com/ops": `irc: Config.TLS: TLSOff would send the server password in the clear to "irc.example.com"`,
		"irc://bot@127.0.0.1/ops%20" + urlKey:               "",
		"ircs://bot@irc.example.com/ops%20" + urlKey:        "",
	} {
		cfg, err := irc.ParseURL(raw)
		require.NoError(t, err)
		_, err = irc.New(cfg)
		if want == "" {
			assert.NoError(t, err, raw)
			continue
		}
		require.Error(t, err, raw)
		assert.Contains(t, err.Error(), want)
		assert.NotContains(t, err.Error(), urlKey)
	}
}

func TestURLRoundTrip(t *testing.T) {
	for _, raw := range []string{
		"ircs://examplestatus:srv-pass%3Aword%2F9@irc.libera.chat:6697/%23example-status,%23example-ops%20opskey77" +
			"?sasl_user=examplestatus&sasl_password=sasl%2Bsecret%3D42&notice=true&max_lines=3&interval=3s",
		"irc://bot@127.0.0.1:6667/%23ops,&local?user=u&real_name=Status%20Bot&template=text&burst=2&timeout=10s&persistent=true",
		"ircs://bot@irc.example.com:6697/ops?sasl_external=true",
	} {
		cfg, err := irc.ParseURL(raw)
		require.NoError(t, err)
		assert.Equal(t, raw, cfg.URL().Reveal(), "URL → Config → URL")
	}
	for _, cfg := range []irc.Config{
		{Server: "irc.example.com:7000", Nick: "bot", Password: redact.NewSecret(urlPassword),
			SASLUser: "bot", SASLPassword: redact.NewSecret(urlSASL), Channels: irc.ChannelList{"#a", "#b " + urlKey}},
		{Server: "[::1]:6667", TLS: irc.TLSOff, Nick: "bot", Channels: irc.ChannelList{"+modeless"}, Notice: true,
			MaxLines: 2, Burst: 1, Interval: time.Second, Timeout: time.Minute, Persistent: true, Template: "text"},
		// Channels whose name goes on with a channel prefix after the "#"
		// ("##linux" on Libera) keep every "#".
		{Server: "irc.example.com:6697", Nick: "bot", Channels: irc.ChannelList{"##ops", "#&odd", "##keyed " + urlKey}},
	} {
		back, err := irc.ParseURL(cfg.URL().Reveal())
		require.NoError(t, err)
		assert.Equal(t, cfg.Password.Reveal(), back.Password.Reveal())
		assert.Equal(t, cfg.SASLPassword.Reveal(), back.SASLPassword.Reveal())
		cfg.Password, cfg.SASLPassword, back.Password, back.SASLPassword = redact.Secret{}, redact.Secret{}, redact.Secret{}, redact.Secret{}
		assert.Equal(t, cfg, back, "Config → URL → Config")
	}
}

func TestURLPrintsWithoutSecrets(t *testing.T) {
	cfg := irc.Config{Server: "irc.example.com:6697", Nick: "bot", Password: redact.NewSecret(urlPassword),
		Channels: irc.ChannelList{"#ops " + urlKey}}
	assert.Equal(t, "ircs://irc.example.com:6697/…", cfg.URL().String())
}

func TestParseURLErrors(t *testing.T) {
	tests := []struct{ raw, want string }{
		{"https://irc.example.com/ops", `irc: URL: scheme "https": want ircs:// or irc://`},
		{"ircs://bot:" + "hunter2hunter2" + "@/ops", "irc: URL: host: missing"},
		// A "/" in the password, not %-escaped, would make its rest and the
		// host a channel's name, joined on the server the nick became.
		{"ircs://bot:/hunter2@irc.example.com/ops", "irc: URL: port: empty (a"},
		{"ircs://bot:?hunter2@irc.example.com/ops", "irc: URL: port: empty (a"},
		{"ircs://irc.example.com/ops?nick=bot", "irc: URL: query: parameter 1: unknown name (want user, real_name,"},
		{"ircs://irc.example.com/ops?notice=loud", "irc: URL: query notice: want yes or no"},
		{"ircs://irc.example.com/ops?max_lines=lots", "irc: URL: query max_lines: want a whole number"},
		{"ircs://irc.example.com/ops?interval=often", "irc: URL: query interval: want a duration such as 2s"},
		{"ircs://irc.example.com/ops?sasl_password=%zz" + urlSASL, "irc: URL: query sasl_password: bad %-escape"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			_, err := irc.ParseURL(tt.raw)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), "hunter2")
			assert.NotContains(t, err.Error(), urlSASL)
		})
	}
}

func TestTLSModeText(t *testing.T) {
	for text, want := range map[string]irc.TLSMode{"on": irc.TLSOn, "true": irc.TLSOn, "off": irc.TLSOff, "False": irc.TLSOff} {
		var m irc.TLSMode
		require.NoError(t, m.UnmarshalText([]byte(text)))
		assert.Equal(t, want, m, text)
	}
	out, err := irc.TLSOff.MarshalText()
	require.NoError(t, err)
	assert.Equal(t, "off", string(out))
	// Files write the mode as a boolean: the error says so, as the
	// other boolean keys' errors do.
	var m irc.TLSMode
	assert.EqualError(t, m.UnmarshalText([]byte("maybe")), `want true or false, got "maybe"`)
}

// The mode reads the values the configuration schema lists, the booleans
// as YAML 1.2 writes them (true, True, TRUE) and on and off as written
// there: "ON" and "" are errors, as the schema says.
func TestTLSModeTextAsTheSchema(t *testing.T) {
	for _, text := range []string{"TRUE", "True", "FALSE"} {
		var m irc.TLSMode
		assert.NoError(t, m.UnmarshalText([]byte(text)), text)
	}
	for _, text := range []string{"ON", "On", "OFF", "Off", "", "tRUE", "yes"} {
		var m irc.TLSMode
		assert.EqualError(t, m.UnmarshalText([]byte(text)), fmt.Sprintf("want true or false, got %q", text))
	}
}

// A TLS mode with the shape of a credential (a URL, "user:password", a
// token, as a file's tls key may hold when a value lands on the wrong
// key) is not quoted in the error, which still says what it wants.
// Before, it was quoted whole.
func TestTLSModeTextQuotesNoSecret(t *testing.T) {
	for _, text := range []string{"ircs://nick:hunter2x@irc.example.net", "nick:hunter2x", "hunter2x1234567890ab"} {
		var m irc.TLSMode
		err := m.UnmarshalText([]byte(text))
		require.Error(t, err)
		assert.NotContains(t, err.Error(), "hunter2x")
		assert.Contains(t, err.Error(), "want true or false, got ")
	}
}
