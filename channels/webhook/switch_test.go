package webhook

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/channels/channeltest"
)

// An endpoint that answers 101 Switching Protocols, which no delivery asks
// for, and then holds the connection, fails for good, and the attempt goes
// on: the connection, which net/http hands over as the answer's body and
// which no deadline ends, is closed at once. Before, the POST waited for as
// long as the receiver kept it open, past the attempt's end, holding the
// Send (and the Broadcaster) with it.
func TestSwitchingProtocolsFailsWithoutWaiting(t *testing.T) {
	const hold = 30 * time.Second // far past the attempt's deadline
	rc := newReceiver(t)
	closedByClient := make(chan bool, 1)
	rc.on("/switch", func(_ int, w http.ResponseWriter, _ *http.Request) bool {
		conn, brw, err := http.NewResponseController(w).Hijack()
		if !assert.NoError(t, err) {
			return false
		}
		defer conn.Close()
		_, _ = brw.WriteString("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n")
		_ = brw.Flush()
		_ = conn.SetReadDeadline(time.Now().Add(hold))
		_, err = io.Copy(io.Discard, brw)
		closedByClient <- !errors.Is(err, os.ErrDeadlineExceeded)
		return false
	})
	sw, ok := rc.endpoint("/switch"), rc.endpoint("/ok")
	ch := newTestChannel(t, Config{Endpoints: []Endpoint{sw, ok}}, nil)
	ledger := channeltest.NewLedger()
	ctx, cancel := context.WithTimeout(context.Background(), hold/3)
	defer cancel()

	r, err := ch.Send(ctx, msg(sent, ledger))
	require.NoError(t, err, "the other endpoint got it; the refusal is in the Ledger")
	assert.True(t, <-closedByClient, "the channel closed the connection, rather than wait for the receiver to")
	assert.Equal(t, "1", r.Meta["delivered"])
	assert.Equal(t, "1", r.Meta["failed"])
	done, failure := ledger.Done(target(sw))
	assert.True(t, done)
	assert.Contains(t, failure, "http status 101 Switching Protocols")
	done, failure = ledger.Done(target(ok))
	assert.True(t, done)
	assert.Empty(t, failure)
}
