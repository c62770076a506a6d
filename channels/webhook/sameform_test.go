package webhook

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/redact"
)

// An endpoint written as a Config's URL (a file's "url:") and in the URL
// form gets one Ledger target, and so one webhook-id for an update,
// whichever form holds it: the URL form keeps the endpoint's URL as
// written, where it re-encoded it ("!" in a password as "%21", a host
// outside ASCII %-escaped, "&&" in a query as "&"), so that rewriting a
// configuration from one form to the other during an outage made
// receivers take a redelivery for a new event. The target is the one of
// the Config's URL, so that keys recorded with it stay valid.
func TestSameEndpointSameTargetInEitherForm(t *testing.T) {
	for _, raw := range []string{
		"https://hooks.example.com/in",
		"https://user:p!ss@hooks.example.com/in",
		"https://us%65r:pw@hooks.example.com/in",
		"https://bücher.example/in",
		"https://hooks.example.com/in?a=1&&b=2",
		"https://hooks.example.com/in?",
		"https://hooks.example.com/in?q=a+b&x=%41",
		"https://hooks.example.com/a%7Eb;p=1",
		"http://127.0.0.1:8090/in",
		"https://Hooks.Example.com:8443/in",
	} {
		t.Run(raw, func(t *testing.T) {
			full := Config{URL: redact.NewURL(raw), Secret: redact.NewSecret(urlSecret)}
			// The URL form as a user writes it: the scheme replaced, the
			// secret added to the query.
			scheme, rest, _ := strings.Cut(raw, ":")
			short := SchemeHTTPS
			if strings.EqualFold(scheme, "http") {
				short = SchemeHTTP
			}
			sep := "?"
			switch {
			case strings.HasSuffix(rest, "?"):
				sep = "&"
			case strings.Contains(rest, "?"):
				sep = "&"
			}
			written, err := ParseURL(short + ":" + rest + sep + paramSecret + "=" + escapeParam(urlSecret))
			require.NoError(t, err)
			assert.Equal(t, EndpointName(raw), EndpointName(written.URL.Reveal()), "written in the URL form")
			back, err := ParseURL(full.ChannelURL().Reveal())
			require.NoError(t, err)
			assert.Equal(t, raw, back.URL.Reveal(), "Config → URL form → Config")
			for _, cfg := range []Config{full, written, back} {
				ch, err := New(cfg)
				require.NoError(t, err)
				assert.Equal(t, []string{EndpointName(raw)}, ch.s.targets)
			}
		})
	}
}

// An endpoint whose URL writes its scheme in upper case (HTTPS://) keeps
// its Ledger target in the URL form too, written WEBHOOK://, which
// ChannelURL writes: the URL form spelt it https://, a new target, and a
// new webhook-id for each update. A scheme in mixed case has no URL form.
// An "@" after a port without user information, which ChannelURL writes
// %40, changes no target: New refuses the URL that holds it, and the one
// with %40 is kept as written.
func TestUpperCaseSchemeSameTargetInEitherForm(t *testing.T) {
	for raw, short := range map[string]string{
		"HTTPS://hooks.example.com/in":                  "WEBHOOK://hooks.example.com/in",
		"HTTP://127.0.0.1:8090/in":                      "WEBHOOK+HTTP://127.0.0.1:8090/in",
		"HTTPS://Hooks.Example.com:8443/in%40ops?x=%40": "WEBHOOK://Hooks.Example.com:8443/in%40ops?x=%40",
		"https://hooks.example.com:8443/in%40ops":       "webhook://hooks.example.com:8443/in%40ops",
	} {
		t.Run(raw, func(t *testing.T) {
			full := Config{URL: redact.NewURL(raw), Secret: redact.NewSecret(urlSecret)}
			sep := "?"
			if strings.Contains(short, "?") {
				sep = "&"
			}
			written, err := ParseURL(short + sep + paramSecret + "=" + escapeParam(urlSecret))
			require.NoError(t, err)
			assert.Equal(t, raw, written.URL.Reveal(), "written in the URL form")
			got := full.ChannelURL().Reveal()
			assert.True(t, strings.HasPrefix(got, short+sep), got)
			back, err := ParseURL(got)
			require.NoError(t, err)
			assert.Equal(t, raw, back.URL.Reveal(), "Config → URL form → Config")
			for _, cfg := range []Config{full, written, back} {
				ch, err := New(cfg)
				require.NoError(t, err)
				assert.Equal(t, []string{EndpointName(raw)}, ch.s.targets)
			}
		})
	}
	assert.True(t, Config{URL: redact.NewURL("Https://hooks.example.com/in")}.ChannelURL().IsZero(), "mixed case")
	for _, short := range []string{"Webhook://hooks.example.com/in", "webhooK://hooks.example.com/in"} {
		cfg, err := ParseURL(short + "?allow_unsigned=true")
		require.NoError(t, err, short)
		assert.Equal(t, "https://hooks.example.com/in", cfg.URL.Reveal(), "mixed case gives lower case, as before")
	}
	_, err := New(Config{URL: redact.NewURL("https://hooks.example.com:8443/in@ops"), AllowUnsigned: true})
	assert.Error(t, err, `"@" after a port: no endpoint, no target`)
}
