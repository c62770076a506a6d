package googlechat

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/redact"
)

// cutChannel is a Channel posting to base.
func cutChannel(t *testing.T, base string) *Channel {
	t.Helper()
	ch, err := New(Config{WebhookURL: redact.NewURL(base + "/v1/spaces/" + testSpace + "/messages?key=" + testKey +
		"&token=" + url.QueryEscape(testToken))})
	require.NoError(t, err)
	t.Cleanup(func() { _ = ch.Close() })
	return ch
}

// A Message resource longer than the channel reads is a delivery whose
// Receipt still names the message: Google writes "name" first, and it is
// read up to the cut. Before, the Receipt had no ID, so nothing could
// find the post again.
func TestLargeAnswerKeepsMessageName(t *testing.T) {
	const name = "spaces/" + testSpace + "/messages/Qk3vZ9aT1bE.Qk3vZ9aT1bE"
	const threadName = "spaces/" + testSpace + "/threads/Qk3vZ9aT1bE"
	for _, tt := range []struct {
		what, body string
		thread     string // the Meta thread expected: before the cut only
	}{
		{"thread before the cut", `{"name":"` + name + `","sender":{"name":"users/1","type":"BOT"},` +
			`"thread":{"name":"` + threadName + `","threadKey":"inc"},"text":"` + strings.Repeat("x", 2*responseLimit) + `"}`, threadName},
		{"thread past the cut", `{"name":"` + name + `","text":"` + strings.Repeat(`\u003c`, responseLimit) + `",` +
			`"thread":{"name":"` + threadName + `"}}`, ""},
	} {
		t.Run(tt.what, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json; charset=UTF-8")
				_, _ = w.Write([]byte(tt.body))
			}))
			t.Cleanup(srv.Close)
			r, err := cutChannel(t, srv.URL).Send(context.Background(), broadcast.NewMessage(fullUpdate))
			require.NoError(t, err)
			assert.Equal(t, name, r.ID)
			assert.Equal(t, tt.thread, r.Meta[metaThread])
		})
	}
}
