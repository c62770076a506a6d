package mastodon

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/ratelimit"
	"github.com/outagecast/outagecast/channels/internal/ratelimit/ratelimittest"
)

// Close ends a Send waiting for a rate limit to reset at once, not at the
// reset: it fails with ErrClosed, permanent and not Uncertain (nothing
// was sent during the wait), and the instance gets no request.
func TestCloseEndsRateLimitWait(t *testing.T) {
	f := newFakeMastodon(t)
	ch := newTestChannel(t, f)
	held := ratelimittest.NewHeld()
	ch.s.now, ch.s.sleep = func() time.Time { return fixedNow }, held.Sleep
	ch.s.rate.Hold(ratelimit.Every, fixedNow, 30*time.Second)

	held.CloseEndsWait(t, func() error {
		_, err := ch.Send(context.Background(), broadcast.NewMessage(limitUpdate(broadcast.StatusInvestigating)))
		return err
	}, ch.Close, ErrClosed)
	assert.Zero(t, len(f.received("", "")), "requests")
}
