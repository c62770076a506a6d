package email_test

import (
	"crypto/tls"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/channels/email"
	"github.com/outagecast/outagecast/redact"
)

// A value New refuses is not quoted in its error when it could show a
// secret: the password pasted in the wrong field (or the fields swapped),
// "user:password@host" given as an address, a token as the host. The
// error still names the field and the form it wants. Before, each was
// quoted whole.
func TestNewErrorsQuoteNoSecret(t *testing.T) {
	const token = "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4"
	tests := []struct {
		name   string
		change func(c *email.Config)
		secret string
		want   string
	}{
		{"host: the password", func(c *email.Config) { c.Host, c.Password = "pw..Zq81x", redact.NewSecret("pw..Zq81x") },
			"pw..Zq81x", "Config.Host: invalid host name"},
		{"host: a token", func(c *email.Config) { c.Host = token + ".example.com" }, token, "Config.Host: invalid host name"},
		{"server name: the password", func(c *email.Config) {
			c.Password = redact.NewSecret("-pässwort-81")
			c.TLSConfig = &tls.Config{ServerName: "-pässwort-81"}
		}, "pässwort", "Config.TLSConfig: invalid ServerName"},
		{"plaintext to the password as host", func(c *email.Config) {
			c.Host, c.Password, c.TLS = "hunter2x", redact.NewSecret("hunter2x"), email.TLSPlaintext
		}, "hunter2x", "Config.TLS: TLSPlaintext would send credentials in the clear to a value (not quoted"},
		{"hello name", func(c *email.Config) { c.HelloName = "me:hunter2" }, "hunter2", "Config.HelloName:"},
		{"auth: the password", func(c *email.Config) { c.Auth = email.AuthMethod(testPass) }, testPass,
			"Config.Auth: unknown method a value (not quoted"},
		{"auth: bearer", func(c *email.Config) { c.Auth = "Bearer hunter2" }, "hunter2", "(want PLAIN, LOGIN, XOAUTH2 or NONE; leave it empty for auto)"},
		{"from: user:password@host", func(c *email.Config) { c.From = "u:hunter2@smtp.example.com" }, "hunter2",
			`Config.From: invalid address a value with ":"`},
		{"from: the parser's reason", func(c *email.Config) { c.From = "status@example.com:hunter2" }, "hunter2",
			`Config.From: invalid address a value with ":"`},
		{"from: bad domain", func(c *email.Config) { c.From = `"u:hunter2"@-bücher.example` }, "hunter2", "Config.From: invalid domain in"},
		{"to: user:password@host", func(c *email.Config) { c.To = []string{"u:hunter2@smtp.example.com"} }, "hunter2",
			`Config.To[0]: invalid address a value with ":"`},
		{"to: the password", func(c *email.Config) { c.To = []string{testPass} }, testPass, `Config.To[0]: invalid address a value (not quoted`},
		{"to: bad domain", func(c *email.Config) { c.To = []string{`"u:hunter2"@-bücher.example`} }, "hunter2", "Config.To[0]: invalid domain in"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := valid()
			tt.change(&cfg)
			_, err := email.New(cfg)
			require.Error(t, err)
			channeltest.AssertNoSecret(t, err.Error(), tt.secret)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

// A query value ParseURL refuses is not quoted when it holds the URL's
// password, nor a TLS mode with the shape of a credential (as a
// configuration file's tls key may hold). Before, both were quoted.
func TestParseURLErrorsQuoteNoSecret(t *testing.T) {
	for _, raw := range []string{
		"smtp://u:hunter2x@smtp.example.com/?timeout=hunter2x",
		"smtp://u:hunter2x@smtp.example.com/?tls=hunter2x",
		"smtp://u:hunter2x@smtp.example.com/?concurrency=u:hunter2x",
	} {
		_, err := email.ParseURL(raw)
		require.Error(t, err, raw)
		channeltest.AssertNoSecret(t, err.Error(), "hunter2x")
		assert.Contains(t, err.Error(), "email: URL: ", raw)
	}
	for _, text := range []string{"u:hunter2x@smtp.example.com", "Bearer hunter2x", "smtps://u:hunter2x@h"} {
		var m email.TLSMode
		err := m.UnmarshalText([]byte(text))
		require.Error(t, err)
		channeltest.AssertNoSecret(t, err.Error(), "hunter2x")
		assert.True(t, strings.HasPrefix(err.Error(), "unknown TLS mode "), err.Error())
		assert.Contains(t, err.Error(), "(want starttls, implicit or plaintext)")
	}
}
