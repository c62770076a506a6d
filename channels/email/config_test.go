package email_test

import (
	"bytes"
	"crypto/tls"
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
	"github.com/outagecast/outagecast/channels/email"
	"github.com/outagecast/outagecast/templates"
)

// valid is a Config that New accepts; the table tests break one field.
func valid() email.Config {
	return email.Config{Host: "smtp.example.com", Username: "u", Password: redact.NewSecret(testPass),
		From: testFrom, To: []string{"a@example.net", "Bee <b@example.net>"}}
}

func TestNewRejects(t *testing.T) {
	// Fails on updates without components, as the sample New renders.
	badTemplates, err := templates.Default().With("subject", "{{(index .Components 0).Name}}")
	require.NoError(t, err)
	// Fail on corrections only: the text part, and the line before an override.
	badCorrectionText, err := templates.Default().With("text", "{{if .Corrects}}{{.NoSuchField}}{{end}}{{.Title}}")
	require.NoError(t, err)
	badCorrectionStatus, err := templates.Default().With("email-status", "{{if .Corrects}}{{.NoSuchField}}{{end}}{{.Title}}")
	require.NoError(t, err)
	tests := []struct {
		name   string
		change func(c *email.Config)
		want   string
	}{
		{"name with a space", func(c *email.Config) { c.Name = "mail " }, "email: Config.Name: leading or trailing white space"},
		{"name with a control character", func(c *email.Config) { c.Name = "ma\til" }, "email: Config.Name: holds a control character"},
		{"no host", func(c *email.Config) { c.Host = "" }, "email: Config.Host: missing"},
		{"host with port", func(c *email.Config) { c.Host = "smtp.example.com:587" }, "Config.Host: includes a port; set Config.Port"},
		{"host with space", func(c *email.Config) { c.Host = "smtp example" }, "Config.Host: holds white space"},
		// A password pasted with the host is not quoted back.
		{"host with user information", func(c *email.Config) { c.Host = "ops:hunter2-pw@smtp.example.com" },
			`Config.Host: holds user information ("@"): give the host name alone`},
		{"host as a URL", func(c *email.Config) { c.Host = "smtps://smtp.example.com" }, "Config.Host: is a URL"},
		{"host not a valid IDN", func(c *email.Config) { c.Host = "-bücher.example" }, `Config.Host: invalid host name "-bücher.example"`},
		// RFC 1035 (2.3.4): no label is empty, none is over 63 octets; a name
		// that breaks this passed New and failed only when dialed, at every retry.
		{"host with an empty label", func(c *email.Config) { c.Host = "a..b" }, `Config.Host: invalid host name "a..b": an empty label`},
		{"host with a leading dot", func(c *email.Config) { c.Host = ".example.com" }, `Config.Host: invalid host name ".example.com": an empty label`},
		{"host with two final dots", func(c *email.Config) { c.Host = "smtp.example.com.." }, `Config.Host: invalid host name "smtp.example.com..": an empty label`},
		{"host IDN with an empty label", func(c *email.Config) { c.Host = "smtp..bücher.example" }, `Config.Host: invalid host name "smtp..bücher.example"`},
		{"host label too long", func(c *email.Config) { c.Host = strings.Repeat("a", 64) + ".example" }, "Config.Host: invalid host name"},
		{"port", func(c *email.Config) { c.Port = 70000 }, "Config.Port: 70000 out of range"},
		{"tls mode", func(c *email.Config) { c.TLS = 7 }, "Config.TLS: unknown mode 7"},
		{"tls config in plaintext", func(c *email.Config) {
			c.TLS, c.TLSConfig, c.Username, c.Password = email.TLSPlaintext, &tls.Config{}, "", redact.NewSecret("")
		}, "Config.TLSConfig: set, but TLS is TLSPlaintext"},
		{"plaintext credentials", func(c *email.Config) { c.TLS = email.TLSPlaintext }, "Config.TLS: TLSPlaintext would send credentials in the clear"},
		{"no from", func(c *email.Config) { c.From = "" }, "email: Config.From: missing"},
		{"bad from", func(c *email.Config) { c.From = "not an address" }, "Config.From: invalid address"},
		{"from with CRLF", func(c *email.Config) { c.From = "Evil\r\nBcc: x@example.com <a@example.com>" }, "Config.From: contains control characters"},
		{"no recipients", func(c *email.Config) { c.To = nil }, "email: Config.To: no recipients"},
		{"bad recipient", func(c *email.Config) { c.To = append(c.To, "c@example.net", "nope") }, "email: Config.To[3]: invalid address \"nope\""},
		{"recipient with LF", func(c *email.Config) { c.To = []string{"a@example.net\nBcc: b@example.net"} }, "Config.To[0]: contains control characters"},
		{"duplicate recipient", func(c *email.Config) { c.To = append(c.To, "A@Example.net") }, `email: Config.To[2]: the same as To[0]`},
		{"duplicate recipient, quoted", func(c *email.Config) { c.To = append(c.To, `"a"@example.net`) }, `email: Config.To[2]: the same as To[0]`},
		{"duplicate recipient, IDN", func(c *email.Config) { c.To = []string{"ops@bücher.example", "Ops <OPS@xn--bcher-kva.example>"} }, `email: Config.To[1]: the same as To[0]`},
		{"concurrency", func(c *email.Config) { c.Concurrency = -1 }, "Config.Concurrency: negative"},
		{"timeout", func(c *email.Config) { c.Timeout = -1 }, "Config.Timeout: negative"},
		{"retry deferred", func(c *email.Config) { c.RetryDeferred = -1 }, "Config.RetryDeferred: negative"},
		{"hello name", func(c *email.Config) { c.HelloName = "a b" }, "Config.HelloName: contains white space"},
		// RFC 5321, 4.1.1.1: EHLO takes a domain or an address literal.
		{"hello name not a domain", func(c *email.Config) { c.HelloName = "mail/<relay>" }, `Config.HelloName: "mail/<relay>" is neither a domain name nor an address literal`},
		{"hello name bad literal", func(c *email.Config) { c.HelloName = "[mail.example.com]" }, `Config.HelloName: "[mail.example.com]" is neither a domain name nor an address literal`},
		// A domain's labels are never empty: no leading, doubled or final dot.
		{"hello name empty label", func(c *email.Config) { c.HelloName = "mail..example.com" }, `Config.HelloName: "mail..example.com" is neither a domain name nor an address literal`},
		{"hello name leading dot", func(c *email.Config) { c.HelloName = ".example.com" }, `Config.HelloName: ".example.com" is neither a domain name nor an address literal`},
		{"hello name final dot", func(c *email.Config) { c.HelloName = "mail.example.com." }, `Config.HelloName: "mail.example.com." is neither a domain name nor an address literal`},
		{"hello name dot", func(c *email.Config) { c.HelloName = "." }, `Config.HelloName: "." is neither a domain name nor an address literal`},
		{"auth method", func(c *email.Config) { c.Auth = "CRAM-MD5" }, "Config.Auth: unknown method \"CRAM-MD5\""},
		{"plain without password", func(c *email.Config) { c.Auth, c.Password = email.AuthPlain, redact.NewSecret("") }, "Config.Auth: PLAIN needs Username and Password"},
		{"password without user", func(c *email.Config) { c.Username = "" }, "Config.Username: missing"},
		{"user without password", func(c *email.Config) { c.Password = redact.NewSecret("") }, "Config.Password: missing (Username is set)"},
		{"xoauth2 without token", func(c *email.Config) { c.Auth = email.AuthXOAUTH2 }, "Config.Auth: XOAUTH2 needs Username and TokenSource"},
		{"token source with PLAIN", func(c *email.Config) {
			c.Auth, c.TokenSource = email.AuthPlain, staticToken("t")
		}, "Config.TokenSource: set, but Auth is PLAIN"},
		{"password and token", func(c *email.Config) { c.TokenSource = staticToken("t") }, "Config.Password: set together with TokenSource"},
		{"templates", func(c *email.Config) { c.Templates = badTemplates }, "Config.Templates: render subject"},
		{"text template on a correction", func(c *email.Config) { c.Templates = badCorrectionText }, "email: Config.Templates: render text: "},
		{"status line on a correction", func(c *email.Config) { c.Templates = badCorrectionStatus }, "email: Config.Templates: render status line: "},
		{"unsubscribe both", func(c *email.Config) {
			c.ListUnsubscribe, c.ListUnsubscribeFunc = "https://x.example/u", func(string) string { return "" }
		}, "Config.ListUnsubscribe: set together with ListUnsubscribeFunc"},
		{"unsubscribe template", func(c *email.Config) { c.ListUnsubscribe = "https://x.example/u?e={{.Recipient" }, "Config.ListUnsubscribe: parse"},
		{"unsubscribe field", func(c *email.Config) { c.ListUnsubscribe = "https://x.example/u?e={{.Email}}" }, "Config.ListUnsubscribe: render unsubscribe URL"},
		{"unsubscribe scheme", func(c *email.Config) { c.ListUnsubscribe = "ftp://x.example/u" }, "must be an absolute https, http or mailto URL"},
		{"unsubscribe too long for a header line", func(c *email.Config) {
			c.ListUnsubscribe = "https://x.example/u?t=" + strings.Repeat("a", 980) + "&e={{.Recipient}}"
		}, "Config.ListUnsubscribe: unsubscribe URL https://x.example/…?…: 1023 characters, over the 995 a header line holds"},
		{"unsubscribe header break", func(c *email.Config) { c.ListUnsubscribe = "https://x.example/u>, <https://evil.example/" }, "characters not allowed in a header"},
		{"one-click needs https", func(c *email.Config) {
			c.ListUnsubscribe, c.ListUnsubscribeOneClick = "mailto:unsubscribe@example.com", true
		}, "one-click needs an https URL"},
		{"one-click alone", func(c *email.Config) { c.ListUnsubscribeOneClick = true }, "Config.ListUnsubscribeOneClick: set, but there is no ListUnsubscribe URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := valid()
			tt.change(&cfg)
			ch, err := email.New(cfg)
			require.Error(t, err)
			assert.Nil(t, ch)
			assert.Contains(t, err.Error(), tt.want)
			assert.True(t, strings.HasPrefix(err.Error(), "email: Config."), err.Error())
			assert.NotContains(t, err.Error(), testPass)
			assert.NotContains(t, err.Error(), "hunter2-pw")
		})
	}
}

func TestNewAccepts(t *testing.T) {
	tests := []struct {
		name   string
		change func(c *email.Config)
	}{
		{"defaults", func(*email.Config) {}},
		{"implicit TLS", func(c *email.Config) { c.TLS = email.TLSImplicit }},
		{"plaintext without credentials", func(c *email.Config) { c.TLS, c.Username, c.Password = email.TLSPlaintext, "", redact.NewSecret("") }},
		{"plaintext credentials to loopback", func(c *email.Config) { c.TLS, c.Host = email.TLSPlaintext, "127.0.0.1" }},
		// Host names are case-insensitive (RFC 4343): the loopback rule is
		// the endpoint package's, shared by every channel.
		{"plaintext credentials to LOCALHOST", func(c *email.Config) { c.TLS, c.Host = email.TLSPlaintext, "LocalHost" }},
		{"IPv6 host", func(c *email.Config) { c.Host = "::1" }},
		{"IPv6 host in brackets, as in a URL", func(c *email.Config) { c.Host = "[::1]" }},
		// The root's label after a final dot, and names resolvers take that
		// IDNA's letter rules would refuse (an underscore, "--" in a label).
		{"host with a final dot", func(c *email.Config) { c.Host = "smtp.example.com." }},
		{"host with an underscore", func(c *email.Config) { c.Host = "mail_relay" }},
		{"host with a double hyphen", func(c *email.Config) { c.Host = "r3---sn-4g5e.example.com" }},
		{"LOGIN", func(c *email.Config) { c.Auth = email.AuthLogin }},
		{"XOAUTH2", func(c *email.Config) { c.Password, c.TokenSource = redact.NewSecret(""), staticToken("t") }},
		{"no auth", func(c *email.Config) { c.Auth, c.Username, c.Password = email.AuthNone, "", redact.NewSecret("") }},
		{"unsubscribe func", func(c *email.Config) {
			c.ListUnsubscribeFunc = func(r string) string { return "https://x.example/u?t=" + r }
			c.ListUnsubscribeOneClick = true
		}},
		{"unsubscribe mailto", func(c *email.Config) { c.ListUnsubscribe = "mailto:leave@example.com?subject={{.Recipient}}" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := valid()
			tt.change(&cfg)
			ch, err := email.New(cfg)
			require.NoError(t, err)
			assert.Equal(t, "email", ch.Name())
		})
	}
}

func TestRecipients(t *testing.T) {
	ch, err := email.New(valid())
	require.NoError(t, err)
	assert.Equal(t, []string{"a@example.net", "b@example.net"}, ch.Recipients())
}

func TestTLSModeString(t *testing.T) {
	for mode, want := range map[email.TLSMode]string{email.TLSStartTLS: "starttls",
		email.TLSImplicit: "implicit", email.TLSPlaintext: "plaintext", 9: "TLSMode(9)"} {
		assert.Equal(t, want, mode.String())
	}
}

// staticToken is the Config.TokenSource of a fixed token.
func staticToken(tok string) func() (*oauth2.Token, error) {
	return oauth2.StaticTokenSource(&oauth2.Token{AccessToken: tok}).Token
}

// TestPrintingShowsNoSecret: a Config and a Channel, with a password or
// with a token source, printed with every verb, logged and marshalled,
// show neither. (The conformance suite checks the password Config too.)
func TestPrintingShowsNoSecret(t *testing.T) {
	const token = "ya29.token-Xk2"
	withPass := valid()
	withToken := valid()
	withToken.Password, withToken.TokenSource = redact.NewSecret(""), staticToken(token)
	withToken.TLSConfig = clientTLS()
	ch, err := email.New(withPass)
	require.NoError(t, err)
	tch, err := email.New(withToken)
	require.NoError(t, err)
	for name, v := range map[string]any{"Config": withPass, "*Config": &withPass, "Channel": ch,
		"token Config": withToken, "token *Config": &withToken, "token Channel": tch} {
		t.Run(name, func(t *testing.T) {
			var logged bytes.Buffer
			slog.New(slog.NewJSONHandler(&logged, nil)).Info("x", "v", v)
			slog.New(slog.NewTextHandler(&logged, nil)).Info("x", "v", v)
			outs := []string{logged.String()}
			for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%T %v"} {
				outs = append(outs, fmt.Sprintf(verb, v))
			}
			j, err := json.Marshal(v)
			require.NoError(t, err, "a Config marshals, without its secrets")
			outs = append(outs, string(j))
			for _, out := range outs {
				channeltest.AssertNoSecret(t, out, testPass, token)
			}
		})
	}
	assert.Contains(t, fmt.Sprintf("%+v", withPass), "Password:REDACTED")
	assert.Equal(t, "email.Channel(email)", fmt.Sprintf("%#v", ch))
}

// TestNewRejectsControlCharactersInCredentials: AUTH PLAIN carries the
// user name and password separated by NUL (RFC 4616, section 2: passwd
// is 1*SAFE, SAFE being any UTF-8 but NUL), and a CR or LF pasted in with
// a password from a file or a secret store is never part of the real one:
// either fails only at the server, as a 535 retried at every attempt. New
// refuses them, naming the field and showing neither value.
func TestNewRejectsControlCharactersInCredentials(t *testing.T) {
	const secret = "s3cret-pass-Zq81"
	for _, c := range []struct{ name, user, pass, want string }{
		{"password with CRLF", "u", secret + "\r\n", "email: Config.Password: contains control characters"},
		{"password with LF", "u", secret + "\n", "email: Config.Password: contains control characters"},
		{"password with NUL", "u", "s3cret\x00pass-Zq81", "email: Config.Password: contains control characters"},
		{"password with DEL", "u", secret + "\x7f", "email: Config.Password: contains control characters"},
		{"password with C1", "u", secret + "\u0085", "email: Config.Password: contains control characters"},
		{"user with NUL", "status\x00" + secret, secret, "email: Config.Username: contains control characters"},
		{"user with CR", "status\r" + secret, secret, "email: Config.Username: contains control characters"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := valid()
			cfg.Username, cfg.Password = c.user, redact.NewSecret(c.pass)
			ch, err := email.New(cfg)
			require.Error(t, err)
			assert.Nil(t, ch)
			assert.Equal(t, c.want, err.Error())
			channeltest.AssertNoSecret(t, err.Error(), secret)
		})
	}
}
