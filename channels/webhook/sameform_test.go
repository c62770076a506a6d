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
