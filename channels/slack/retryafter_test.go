package slack

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/httpx"
)

// A transient answer that names its wait (a 503 with Retry-After, Slack's
// own "service_unavailable") is retried after that wait, as httpx.Classify
// treats every other channel's, not after the Broadcaster's first backoff
// step. Retry-After on 5xx: RFC 9110, section 10.2.3; Slack's error
// shapes: https://api.slack.com/web#responses.
func TestTransientAnswerKeepsRetryAfter(t *testing.T) {
	ch, _ := newTestChannel(t, Config{Channels: []string{"#ops"}})
	for _, c := range []struct {
		status int
		body   string
	}{
		{503, `{"ok":false,"error":"service_unavailable"}`},
		{200, `{"ok":false,"error":"service_unavailable"}`},
		{500, `{"ok":false,"error":"internal_error"}`},
		{503, `<html>Service Unavailable</html>`},
	} {
		resp := &httpx.Response{Status: c.status, Header: http.Header{"Retry-After": {"12"}}, Body: []byte(c.body)}
		err := ch.decode("chat.postMessage", resp, &postResponse{})
		require.Error(t, err)
		assert.False(t, broadcast.IsPermanent(err), "%d %s", c.status, c.body)
		d, ok := broadcast.RetryDelay(err)
		assert.Truef(t, ok, "%d %s: the server's wait is kept: %v", c.status, c.body, err)
		assert.Equalf(t, 12*time.Second, d, "%d %s", c.status, c.body)
	}
}
