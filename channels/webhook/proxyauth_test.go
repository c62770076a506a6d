package webhook

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/redact"
)

// A Proxy-Authorization given in Config.Headers is not what a proxy gets:
// net/http authenticates to a proxy with the credentials of the proxy's
// URL, and sends the request's own header, this one included, to the
// receiver, directly or through the CONNECT tunnel of an https endpoint.
// The proxy's credential would reach every receiver, and no proxy. New
// refuses it, saying where a proxy's credential goes.
func TestProxyAuthorizationHeaderRefused(t *testing.T) {
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.Header.Get("Proxy-Authorization"))
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	for _, name := range []string{"Proxy-Authorization", "proxy-authorization"} {
		t.Run(name, func(t *testing.T) {
			ch, err := New(Config{URL: redact.NewURL(srv.URL + "/hook"), Secret: testSecret("a"),
				Headers: map[string]redact.Secret{name: redact.NewSecret("Basic cHJveHk6cHJveHktcGFzc3dvcmQ=")}})
			if err == nil {
				defer ch.Close()
				_, err := ch.Send(context.Background(), broadcast.NewMessage(sent))
				require.NoError(t, err)
				require.Fail(t, "accepted", "the receiver got the proxy's credential: %q", got)
			}
			assert.EqualError(t, err, `webhook: Config.Headers["`+name+`"]: a proxy's credential, which would reach `+
				`the receivers, not the proxy: give it in the proxy's URL (HTTPS_PROXY=http://user:password@host:port)`)
		})
	}
}
