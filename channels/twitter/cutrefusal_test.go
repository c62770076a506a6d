package twitter

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// X's 404 to the deletion of a post already gone, whose body breaks off
// on its way, says nothing yet: the attempt fails transiently, and the
// retry, answered whole, finds the post gone. Before, the cut problem
// JSON read as another server's page, and the Retract failed for good,
// blaming Config.BaseURL.
func TestRetractGoneWithAnswerCutIsRetried(t *testing.T) {
	f := newFakeX(t, false)
	const gone = `{"errors":[{"detail":"Could not find tweet with id: [20].","title":"Not Found Error",` +
		`"type":"https://api.twitter.com/2/problems/resource-not-found"}],` +
		`"title":"Not Found Error","type":"https://api.twitter.com/2/problems/resource-not-found"}`
	f.respondWith(func(w http.ResponseWriter, _ *http.Request) {
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		fmt.Fprintf(buf, "HTTP/1.1 404 Not Found\r\nContent-Type: application/problem+json\r\nContent-Length: %d\r\n\r\n%s",
			len(gone), gone[:40])
		_ = buf.Flush()
	})
	ch := newTestChannel(t, f)
	prev := broadcast.Receipt{Channel: "x", ID: "20"}
	err := ch.Retract(context.Background(), prev)
	require.Error(t, err)
	assert.False(t, broadcast.IsPermanent(err), err)
	assert.False(t, errors.Is(err, errNotXAPI), err)

	f.respondWith(answer(http.StatusNotFound, gone))
	assert.NoError(t, ch.Retract(context.Background(), prev))
}
