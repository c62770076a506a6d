package twitter

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/ratelimit"
	"github.com/outagecast/outagecast/channels/internal/ratelimit/ratelimittest"
)

// sendInBackground runs ch's Send of an update and returns its error on
// the channel.
func sendInBackground(ch *Channel, text string) <-chan error {
	done := make(chan error, 1)
	go func() {
		_, err := ch.Send(context.Background(), broadcast.NewMessage(limitUpdate(text)))
		done <- err
	}()
	return done
}

// Close ends a Send waiting for a rate limit to reset at once, not at the
// reset: it fails with ErrClosed, permanent and not Uncertain (nothing
// was sent during the wait), and X gets no request.
func TestCloseEndsRateLimitWait(t *testing.T) {
	f := newFakeX(t, false)
	ch := newTestChannel(t, f)
	held := ratelimittest.NewHeld()
	ch.now, ch.sleep = func() time.Time { return fixedNow }, held.Sleep
	ch.limits.Hold(ratelimit.Every, fixedNow, 30*time.Second)

	held.CloseEndsWait(t, func() error {
		_, err := ch.Send(context.Background(), broadcast.NewMessage(limitUpdate("investigating")))
		return err
	}, ch.Close, ErrClosed)
	assert.Zero(t, f.requestCount(), "requests")
}

// Close ends a Send waiting for its OAuth 2.0 token (a refresh of the
// TokenSource's that hangs) at once: it fails with ErrClosed, permanent
// and not Uncertain, and X gets no request.
func TestCloseEndsTokenWait(t *testing.T) {
	f := newFakeX(t, true)
	called, release, returned := make(chan struct{}), make(chan struct{}), make(chan struct{})
	var once sync.Once
	letGo := func() { once.Do(func() { close(release) }) }
	source := func() (*oauth2.Token, error) {
		defer close(returned)
		close(called)
		<-release
		return nil, errors.New("refresh failed")
	}
	ch := newTestChannel(t, f, func(c *Config) { c.TokenSource = source })
	t.Cleanup(func() {
		letGo()
		<-returned // the call Close left running is over
	})

	done := sendInBackground(ch, "investigating")
	<-called
	require.NoError(t, ch.Close())
	var err error
	select {
	case err = <-done:
	case <-time.After(time.Minute):
		// Not ended by Close: the source returns, rather than hang the test.
		letGo()
		err = <-done
	}
	ratelimittest.ClosedUnsent(t, err, ErrClosed)
	assert.Zero(t, f.requestCount(), "requests")
}
