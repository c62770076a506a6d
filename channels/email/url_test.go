package email_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/channels/email"
	"github.com/outagecast/outagecast/redact"
)

const urlPassword = "p@ss+w/rd:9"

func TestParseURL(t *testing.T) {
	cfg, err := email.ParseURL("smtp://status%40example.com:p%40ss+w%2Frd:9@smtp.example.com:587/" +
		"?from=Example%20Status%20%3Cstatus@example.com%3E&to=ops+status@example.com,%22Doe%2C%20J%22%20%3Cj@example.net%3E" +
		"&to=c@example.org&auth=plain&concurrency=2&timeout=10s")
	require.NoError(t, err)
	assert.Equal(t, "smtp.example.com", cfg.Host)
	assert.Equal(t, 587, cfg.Port)
	assert.Equal(t, email.TLSStartTLS, cfg.TLS)
	assert.Equal(t, "status@example.com", cfg.Username)
	assert.Equal(t, urlPassword, cfg.Password.Reveal())
	assert.Equal(t, "Example Status <status@example.com>", cfg.From)
	assert.Equal(t, []string{"ops+status@example.com", `"Doe, J" <j@example.net>`, "c@example.org"}, cfg.To)
	assert.Equal(t, email.AuthPlain, cfg.Auth)
	assert.Equal(t, 2, cfg.Concurrency)
	assert.Equal(t, 10*time.Second, cfg.Timeout)
	_, err = email.New(cfg)
	require.NoError(t, err, "New takes what ParseURL returns")

	implicit, err := email.ParseURL("smtps://smtp.example.com/?from=s@example.com&to=a@example.com")
	require.NoError(t, err)
	assert.Equal(t, email.TLSImplicit, implicit.TLS)
	plain, err := email.ParseURL("smtp://127.0.0.1:1025?tls=plaintext&from=s@example.com&to=a@example.com")
	require.NoError(t, err)
	assert.Equal(t, email.TLSPlaintext, plain.TLS)

	// The default, named as the errors name it: "Config.Auth (auto)".
	for _, auto := range []string{"auto", "AUTO", "Auto"} {
		cfg, err := email.ParseURL("smtp://u:pw@smtp.example.com/?from=s@example.com&to=a@example.com&auth=" + auto)
		require.NoError(t, err)
		assert.Equal(t, email.AuthAuto, cfg.Auth, auto)
		_, err = email.New(cfg)
		require.NoError(t, err, auto)
	}
}

func TestURLRoundTrip(t *testing.T) {
	for _, raw := range []string{
		"smtp://status%40example.com:p%40ss+w%2Frd%3A9@smtp.example.com:587/?from=Example%20Status%20%3Cstatus%40example.com%3E" +
			"&to=ops%2Bstatus%40example.com,%22Doe%2C%20J%22%20%3Cj%40example.net%3E&auth=plain&concurrency=2&timeout=10s",
		"smtps://smtp.example.com/?from=s%40example.com&to=a%40example.com",
		"smtp://127.0.0.1:1025/?from=s%40example.com&to=a%40example.com&tls=plaintext&list_unsubscribe=https%3A%2F%2Fx.example%2Fu%3Fe%3D%7B%7B.Recipient%7D%7D" +
			"&list_unsubscribe_one_click=true&hello_name=status.example.com&idle_timeout=-1s&retry_deferred=2m0s",
	} {
		cfg, err := email.ParseURL(raw)
		require.NoError(t, err)
		assert.Equal(t, raw, cfg.URL().Reveal(), "URL → Config → URL")
	}
	for _, cfg := range []email.Config{
		{Host: "smtp.example.com", Port: 2525, Username: "u", Password: redact.NewSecret(urlPassword),
			From: "s@example.com", To: []string{"a@example.com", `"Doe, J" <j@example.net>`}, Auth: email.AuthLogin},
		{Host: "::1", TLS: email.TLSPlaintext, From: "s@example.com", To: []string{"a@example.com"},
			ListUnsubscribeOneClick: true, Timeout: time.Minute, IdleTimeout: 5 * time.Minute, HelloName: "h"},
		{Host: "smtp.example.com", Username: "only-user", TLS: email.TLSImplicit},
	} {
		back, err := email.ParseURL(cfg.URL().Reveal())
		require.NoError(t, err)
		assert.Equal(t, cfg.Password.Reveal(), back.Password.Reveal())
		back.Password, cfg.Password = redact.Secret{}, redact.Secret{}
		assert.Equal(t, cfg, back, "Config → URL → Config")
	}
}

func TestURLPrintsWithoutThePassword(t *testing.T) {
	cfg := email.Config{Host: "smtp.example.com", Username: "u", Password: redact.NewSecret(urlPassword), From: "s@example.com"}
	assert.Equal(t, "smtp://smtp.example.com?…", cfg.URL().String())
}

func TestParseURLErrors(t *testing.T) {
	tests := []struct{ raw, want string }{
		{"mailto://a@example.com", `email: URL: scheme "mailto": want smtp:// or smtps://`},
		{"smtp://u:hunter2hunter2@:25?to=a@example.com", "email: URL: host: missing"},
		{"smtp://smtp.example.com/a@example.com", "email: URL: path: want none (recipients go in the to parameter)"},
		{"smtp://smtp.example.com/?form=status", `email: URL: query parameter "form": unknown (known: from, to, tls, auth,`},
		{"smtp://smtp.example.com/?tls=maybe", `email: URL: tls: unknown TLS mode "maybe"`},
		{"smtps://smtp.example.com/?tls=starttls", "email: URL: tls: set by the smtps scheme already"},
		{"smtp://smtp.example.com/?concurrency=many", `email: URL: concurrency: "many": not a valid value`},
		{"smtp://smtp.example.com/?timeout=soon", `email: URL: timeout: "soon": not a valid value`},
		{"smtp://smtp.example.com/?from=%zz", "email: URL: from: bad %-escape"},
		// The last value would win without a word; the first may be the
		// one meant, and a tls given twice could fall back to plaintext.
		{"smtp://smtp.example.com/?tls=starttls&to=a@example.com&tls=plaintext", "email: URL: tls: given twice"},
		{"smtp://smtp.example.com/?from=s@example.com&from=t@example.com", "email: URL: from: given twice"},
		{"smtp://u:hunter2@smtp.example.com/?auth=plain&auth=login", "email: URL: auth: given twice"},
		// A password with a "?" or "#" not %-escaped ends the URL's
		// authority there (RFC 3986, 3.2): the rest of the password, and the
		// host, land in the query or the fragment. The error says so
		// without quoting them.
		{"smtp://u:?hunter2@smtp.example.com:587/?from=s@example.com", "email: URL: port: empty (a"},
		{"smtp://u:2024?hunter2=x@smtp.example.com/?from=s@example.com", `email: URL: port: followed by a query holding "@" (a`},
		{"smtp://u:#hunter2@smtp.example.com:587/?from=s@example.com", "email: URL: port: empty (a"},
		{"smtp://u:?hunter=x@smtp.example.com:587/?from=s@example.com", "email: URL: port: empty (a"},
		{"smtp://u:?timeout=hunter2@smtp.example.com/?from=s@example.com", "email: URL: port: empty (a"},
		{"smtp://u:?tls=hunter@smtp.example.com/?from=s@example.com", "email: URL: port: empty (a"},
		{"smtp://u:?abc=b&hunter@smtp.example.com/?from=s@example.com", "email: URL: port: empty (a"},
		{"smtp://u?hunter2@smtp.example.com:587/?from=s@example.com", "email: URL: query parameter: unknown"},
		{"smtp://u#hunter2@smtp.example.com:587/?from=s@example.com", "email: URL: fragment: want none"},
		{"smtp://u?timeout=hunter2@smtp.example.com/?from=s@example.com", "email: URL: timeout: not a valid value (a"},
		{"smtp://u?tls=hunter@smtp.example.com/?from=s@example.com", "email: URL: tls: not a valid value (a"},
		{"smtp://u?abc=b&hunter@smtp.example.com/?from=s@example.com", "email: URL: query parameter: unknown"},
		{"smtp://smtp.example.com/?tos=a@example.com", "email: URL: query parameter: unknown (known: from, to,"},
		// A user name that is an address, its "@" not escaped, gives the
		// URL user information all the same.
		{"smtp://alerts@example.com:2024?tls=hunter2@smtp.example.com/?from=s@example.com", "email: URL: tls: not a valid value (a"},
		{"smtp://alerts@example.com:2024?hunter=x@smtp.example.com/?from=s@example.com", "email: URL: query parameter: unknown"},
		{"smtp://u:73194628501937465820193746?hunter2@smtp.example.com/?from=s@example.com", "email: URL: port: want a number (a"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			_, err := email.ParseURL(tt.raw)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), urlPassword)
			assert.NotContains(t, err.Error(), "hunter")
			assert.NotContains(t, err.Error(), "7319")
		})
	}
}

func TestTLSModeText(t *testing.T) {
	for _, m := range []email.TLSMode{email.TLSStartTLS, email.TLSImplicit, email.TLSPlaintext} {
		text, err := m.MarshalText()
		require.NoError(t, err)
		var back email.TLSMode
		require.NoError(t, back.UnmarshalText(text))
		assert.Equal(t, m, back)
	}
	var m email.TLSMode
	require.NoError(t, m.UnmarshalText([]byte("Implicit")))
	assert.Equal(t, email.TLSImplicit, m)
	_, err := email.TLSMode(9).MarshalText()
	assert.Error(t, err)
}
