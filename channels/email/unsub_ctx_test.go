package email_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
)

// A Send whose context ends (a shutdown) while the ListUnsubscribeFunc
// makes the recipients' URLs calls it no more: it may be slow (a signing
// service it asks), and the recipients left wait for the next Send.
// Nothing goes out, and every recipient is left pending, with the
// context's error. The calls under way when it ends (here two, from two
// goroutines) are waited for.
func TestUnsubscribeFuncStopsWhenTheContextEnds(t *testing.T) {
	srv := startSMTP(t, serverOptions{user: testUser, pass: testPass})
	cfg := config(srv, recipients(5)...)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Two calls at once: the first waits for the second, which ends the
	// context, as a slow call under way when it ends does; the 10s is a
	// guard, not a measure.
	cfg.Concurrency = 2
	var calls atomic.Int32
	cfg.ListUnsubscribeFunc = func(r string) string {
		if calls.Add(1) == 2 {
			cancel()
		}
		select {
		case <-ctx.Done():
		case <-time.After(10 * time.Second):
		}
		return "https://status.example.com/unsubscribe?r=" + r
	}
	ledger := channeltest.NewLedger()
	_, err := newChannel(t, cfg).Send(ctx, broadcast.Message{Update: incident(1), Ledger: ledger})
	require.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, int32(2), calls.Load(), "no call after the context ended")
	assert.Empty(t, srv.messages())
	assert.Empty(t, ledger.Failed())
	for _, r := range recipients(5) {
		done, _ := ledger.Done(r)
		assert.False(t, done, r)
	}
}
