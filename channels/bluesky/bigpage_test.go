package bluesky

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/httpx"
)

// A captive portal's 200 page longer than the answer the channel reads
// (httpx.DefaultBodyLimit; portal pages with their styles and scripts
// inline often are) is another server's answer as a short one is: every
// output of an XRPC method is a JSON object
// (https://atproto.com/specs/xrpc), and this one does not even start as
// one. Before, a page cut at the limit was taken for the server's: a
// Retract counted the post as deleted and a Check passed.
func TestLongCaptivePortalPageIsForeign(t *testing.T) {
	f := newFakePDS(t)
	ch := newTestChannel(t, f)
	r, err := ch.Send(context.Background(), broadcast.NewMessage(testUpdate()))
	require.NoError(t, err)
	portal := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, "<!DOCTYPE html><html><head><style>"+strings.Repeat("p{margin:0}", httpx.DefaultBodyLimit/8)+
			"</style></head><body>Accept the terms to browse</body></html>")
	}))
	t.Cleanup(portal.Close)
	ch.s.service = portal.URL // the session made, the portal takes over
	fresh := newTestChannel(t, f, func(c *Config) { c.Service = portal.URL })
	_, sendErr := ch.Send(context.Background(), broadcast.NewMessage(testUpdate()))
	_, loginErr := fresh.Send(context.Background(), broadcast.NewMessage(testUpdate()))
	for name, err := range map[string]error{"send": sendErr, "login": loginErr,
		"retract": ch.Retract(context.Background(), r), "check": ch.Check(context.Background())} {
		require.Error(t, err, name)
		assert.True(t, broadcast.IsPermanent(err), "%s: %v", name, err)
		assert.ErrorIs(t, err, errNotXRPC, name)
	}
	assert.False(t, f.Received()[0].Deleted, "the post is not deleted")
}
