package webhook

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/redact"
)

// A secret written as is in a URL keeps its "+" and "/" (a query would
// read "+" as a space).
const urlSecret = "whsec_MfKQ9r8GKYqrTwjU+D8ILPZIo2/aLaSw"

func TestParseURL(t *testing.T) {
	tests := []struct {
		raw  string
		want Config
	}{
		{"webhook://hooks.example.com/outagecast?secret=" + urlSecret,
			Config{URL: redact.NewURL("https://hooks.example.com/outagecast"), Secret: redact.NewSecret(urlSecret)}},
		{"webhook+http://127.0.0.1:8090/in?allow_unsigned=true&concurrency=4&@Authorization=Bearer%20tok-123",
			Config{URL: redact.NewURL("http://127.0.0.1:8090/in"), AllowUnsigned: true, Concurrency: 4,
				Headers: map[string]redact.Secret{"Authorization": redact.NewSecret("Bearer tok-123")}}},
		{"webhook://user:pw@hooks.example.com/in?token=abc&secret=" + urlSecret + "&b=%2F",
			Config{URL: redact.NewURL("https://user:pw@hooks.example.com/in?token=abc&b=%2F"), Secret: redact.NewSecret(urlSecret)}},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			got, err := ParseURL(tt.raw)
			require.NoError(t, err)
			assertSameConfig(t, tt.want, got)
			_, err = New(got)
			require.NoError(t, err, "New takes what ParseURL returns")
		})
	}
}

func TestURLRoundTrip(t *testing.T) {
	for _, raw := range []string{
		"webhook://hooks.example.com/outagecast?secret=" + escapeParam(urlSecret),
		"webhook+http://127.0.0.1:8090/in?token=a%20b&allow_unsigned=true&concurrency=4&@Authorization=Bearer%20tok&@X-Env=prod",
	} {
		cfg, err := ParseURL(raw)
		require.NoError(t, err)
		assert.Equal(t, raw, cfg.ChannelURL().Reveal(), "URL → Config → URL")
	}
	for _, cfg := range []Config{
		{URL: redact.NewURL("https://hooks.example.com/in?x=1"), Secret: redact.NewSecret(urlSecret), Concurrency: 2},
		{URL: redact.NewURL("http://127.0.0.1:1/in"), AllowUnsigned: true,
			Headers: map[string]redact.Secret{"authorization": redact.NewSecret("Basic dTpw")}},
	} {
		back, err := ParseURL(cfg.ChannelURL().Reveal())
		require.NoError(t, err)
		assertSameConfig(t, cfg, back)
	}
}

// An endpoint whose own query holds a parameter of the short form's has
// none: before, "?concurrency=5" read back as Config.Concurrency, and
// the endpoint lost it (another URL posted to, under other webhook-ids);
// "?@X-Env=prod" as a header; "?secret=…" as a second secret.
func TestURLWithOwnParamsHasNoShortForm(t *testing.T) {
	for _, raw := range []string{
		"https://hooks.example.com/in?concurrency=5",
		"https://hooks.example.com/in?a=1&secret=s3cr3t",
		"https://hooks.example.com/in?previous_secret=x",
		"https://hooks.example.com/in?allow_unsigned=false",
		"https://hooks.example.com/in?@X-Env=prod",
		"https://hooks.example.com/in?%40X-Env=prod",
		"https://hooks.example.com/in?a=%zz",
	} {
		cfg := Config{URL: redact.NewURL(raw), Secret: redact.NewSecret(urlSecret)}
		_, err := New(cfg)
		require.NoError(t, err, raw)
		assert.True(t, cfg.ChannelURL().IsZero(), "%s: %s", raw, cfg.ChannelURL().Reveal())
	}
}

func TestURLPrintsWithoutSecrets(t *testing.T) {
	cfg := Config{URL: redact.NewURL("https://hooks.example.com/in/tok-98765"), Secret: redact.NewSecret(urlSecret)}
	assert.Equal(t, "webhook://hooks.example.com/…?…", cfg.ChannelURL().String())
}

func TestURLOfAListIsZero(t *testing.T) {
	cfg := Config{Endpoints: []Endpoint{{URL: redact.NewURL("https://a.example.com")}, {URL: redact.NewURL("https://b.example.com")}}}
	assert.True(t, cfg.ChannelURL().IsZero())
	assert.True(t, Config{URL: redact.NewURL("ftp://a.example.com")}.ChannelURL().IsZero())
}

func TestParseURLErrors(t *testing.T) {
	tests := []struct{ raw, want string }{
		{"https://hooks.example.com/in", `webhook: URL: scheme "https": want webhook:// or webhook+http://`},
		{"webhook:///in", "webhook: URL: host: missing"},
		{"webhook://hooks.example.com/in?concurrency=many", "webhook: URL: concurrency: want a whole number"},
		{"webhook://hooks.example.com/in?allow_unsigned=maybe", "webhook: URL: allow_unsigned: want true or false"},
		{"webhook://hooks.example.com/in?secret=whsec_%zz" + urlSecret[8:], "webhook: URL: secret: bad %-escape"},
		{"webhook://h o/%zz?secret=" + urlSecret, "webhook: URL: does not parse as a URL"},
		{"webhook://hooks.example.com/in?@X-Token=%zz" + urlSecret[8:], "webhook: URL: @X-Token: bad %-escape"},
		// A "?" in the endpoint's password or path, not %-escaped, makes
		// the rest of it the query: a name that may be part of it is not
		// quoted.
		{"webhook://user:pw?" + urlSecret[8:] + "=%zz@hooks.example.com/in", "webhook: URL: does not parse as a URL"},
		{"webhook://user:1?" + urlSecret[8:] + "=%zz@hooks.example.com/in",
			`webhook: URL: port: followed by a query holding "@" (a "/", "?" or "#" in a password is written %2F, %3F or %23; an "@" in the query, %40)`},
		{"webhook://hooks.example.com/in/?" + urlSecret[8:] + "=%zz/x", `webhook: URL: query: bad %-escape in a value (a "?" in a password or path is written %3F)`},
		// Without a bad escape, the password would be sent in the query
		// to the host its user name became.
		{"webhook://user:?" + urlSecret[8:] + "@hooks.example.com/in&allow_unsigned=true",
			`webhook: URL: port: empty (a "/", "?" or "#" in a password is written %2F, %3F or %23)`},
		// A parameter of the short form given twice (the old secret as a
		// second "secret" instead of "previous_secret", during a rotation)
		// is refused, as endpoint.Params refuses it in every other
		// channel's URL: the last one silently replaced the first.
		{"webhook://hooks.example.com/in?secret=" + urlSecret + "&secret=" + specSecret, "webhook: URL: secret given twice"},
		{"webhook://hooks.example.com/in?@X-Token=tok-1&@X-Token=tok-2&secret=" + urlSecret, "webhook: URL: @X-Token given twice"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			_, err := ParseURL(tt.raw)
			require.EqualError(t, err, tt.want)
			assert.NotContains(t, err.Error(), urlSecret[8:])
		})
	}
}

// assertSameConfig compares two Configs by their revealed values.
func assertSameConfig(t *testing.T, want, got Config) {
	t.Helper()
	assert.Equal(t, want.URL.Reveal(), got.URL.Reveal(), "URL")
	assert.Equal(t, want.Secret.Reveal(), got.Secret.Reveal(), "Secret")
	assert.Equal(t, want.AllowUnsigned, got.AllowUnsigned, "AllowUnsigned")
	assert.Equal(t, want.Concurrency, got.Concurrency, "Concurrency")
	headers := func(h map[string]redact.Secret) map[string]string {
		out := map[string]string{}
		for k, v := range h {
			out[k] = v.Reveal()
		}
		return out
	}
	assert.Equal(t, headers(want.Headers), headers(got.Headers), "Headers")
}
