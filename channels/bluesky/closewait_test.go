package bluesky

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/ratelimit"
	"github.com/outagecast/outagecast/channels/internal/ratelimit/ratelimittest"
)

// Close ends a Send waiting for a rate limit to reset at once, not at the
// reset: it fails with ErrClosed, permanent and not Uncertain (nothing
// was sent during the wait), and the PDS gets no request.
func TestCloseEndsRateLimitWait(t *testing.T) {
	f := newFakePDS(t)
	ch := newTestChannel(t, f)
	held := ratelimittest.NewHeld()
	ch.s.now, ch.s.sleep = func() time.Time { return fixedNow }, held.Sleep
	ch.s.rate.Hold(ratelimit.Every, fixedNow, 30*time.Second)

	done := make(chan error, 1)
	go func() {
		_, err := ch.Send(context.Background(), broadcast.NewMessage(limitUpdate(broadcast.StatusInvestigating)))
		done <- err
	}()
	<-held.Began()
	require.NoError(t, ch.Close())
	err := <-done
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrClosed)
	assert.Truef(t, broadcast.IsPermanent(err), "IsPermanent(%q)", err)
	assert.Falsef(t, broadcast.IsUncertain(err), "IsUncertain(%q): nothing was sent", err)
	_, waits := broadcast.RetryDelay(err)
	assert.Falsef(t, waits, "RetryDelay(%q)", err)
	assert.Zero(t, len(f.received("")), "requests")
}
