package mastodon

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A 403 of a CDN or a firewall in front of the instance (Cloudflare's
// "Attention Required" page) refuses the network, not the token: the
// error says the answer is not the instance's and names Config.Server,
// rather than sending the operator to replace a good token. Before, it
// read "the instance refused the token". The instance's own 403s keep
// their meaning: a refused scope, also when Doorkeeper's
// WWW-Authenticate alone says so.
func TestForbiddenOfAnotherServer(t *testing.T) {
	for _, tt := range []struct {
		name   string
		header map[string]string
		body   string
		want   error
		text   string
	}{
		{name: "Cloudflare", header: map[string]string{"Content-Type": "text/html", "Server": "cloudflare"},
			body: "<!DOCTYPE html><title>Attention Required! | Cloudflare</title>", want: errNotInstance,
			text: "mastodon: post: not the instance's answer (check Config.Server): instance answered 403 Forbidden: " +
				"<!DOCTYPE html><title>Attention Required! | Cloudflare</title>"},
		{name: "Akamai", header: map[string]string{"Content-Type": "text/html"},
			body: "<HTML><HEAD><TITLE>Access Denied</TITLE></HEAD></HTML>", want: errNotInstance},
		{name: "scope in the header alone", header: map[string]string{
			"WWW-Authenticate": `Bearer realm="Doorkeeper", error="insufficient_scope"`}, want: errScope},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeMastodon(t)
			instance, err := url.Parse(f.URL)
			require.NoError(t, err)
			forward := httputil.NewSingleHostReverseProxy(instance)
			front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method != http.MethodPost {
					forward.ServeHTTP(w, r)
					return
				}
				for k, v := range tt.header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(http.StatusForbidden)
				_, _ = io.WriteString(w, tt.body)
			}))
			t.Cleanup(front.Close)
			ch := newTestChannel(t, f, func(c *Config) { c.Server = front.URL })
			_, err = ch.Send(context.Background(), broadcast.NewMessage(testUpdate()))
			require.Error(t, err)
			assert.True(t, broadcast.IsPermanent(err), err)
			assert.ErrorIs(t, err, tt.want)
			assert.NotContains(t, err.Error(), "refused the token")
			if tt.text != "" {
				assert.Equal(t, tt.text, err.Error())
			}
		})
	}
}
