package httpx

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/internal/ctxwait"
)

// Close ends a wait between requests (a rate limit's sleep) at once: it
// fails with the channel's closed error, permanent and not Uncertain, as
// no request was made during it. A wait after Close is not begun.
func TestCloseEndsWait(t *testing.T) {
	c := ChannelClient(nil, ClientOptions{Closed: errTestClosed})
	began := make(chan struct{})
	sleep := c.Sleeper(func(ctx context.Context, d time.Duration) error {
		close(began)
		return ctxwait.Sleep(ctx, d)
	})
	done := make(chan error, 1)
	go func() { done <- sleep(context.Background(), time.Hour) }()
	<-began
	require.NoError(t, c.Close())
	err := <-done
	require.Error(t, err)
	assert.ErrorIs(t, err, errTestClosed)
	assert.Truef(t, broadcast.IsPermanent(err), "IsPermanent(%q)", err)
	assert.Falsef(t, broadcast.IsUncertain(err), "IsUncertain(%q): nothing was sent", err)

	err = c.Sleeper(func(context.Context, time.Duration) error {
		t.Error("a wait begun after Close")
		return nil
	})(context.Background(), time.Hour)
	assert.ErrorIs(t, err, errTestClosed)
	assert.Truef(t, broadcast.IsPermanent(err), "IsPermanent(%q)", err)
	assert.Falsef(t, broadcast.IsUncertain(err), "IsUncertain(%q): nothing was sent", err)
}

// A wait that Close did not end returns what it returned, its context's
// error included: the caller's context ended it, not the channel's Close.
func TestWaitNotClosed(t *testing.T) {
	c := ChannelClient(nil, ClientOptions{Closed: errTestClosed})
	defer c.Close()
	assert.NoError(t, c.Sleeper(ctxwait.Sleep)(context.Background(), 0))
	errWait := errors.New("the wait's own")
	assert.Equal(t, errWait, c.Wait(context.Background(), func(context.Context) error { return errWait }))

	ctx, cancel := context.WithCancel(context.Background())
	err := c.Sleeper(func(ctx context.Context, d time.Duration) error {
		cancel()
		return ctxwait.Sleep(ctx, d)
	})(ctx, time.Hour)
	assert.Equal(t, context.Canceled, err)
}

// The Wait of a Client of a given client, not made by ChannelClient, is
// the wait itself: its Close ends nothing.
func TestLiteralClientWaits(t *testing.T) {
	c := Client{}
	require.NoError(t, c.Close())
	called := false
	require.NoError(t, c.Sleeper(func(context.Context, time.Duration) error { called = true; return nil })(context.Background(), time.Hour))
	assert.True(t, called)
}

// The error of a wait Close ended leaves out the wait's own, which a
// token source's could fill with what its endpoint echoed: a secret the
// channel does not know to redact.
func TestClosedWaitLeavesOutItsError(t *testing.T) {
	c := ChannelClient(nil, ClientOptions{Closed: errTestClosed})
	began := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- c.Wait(context.Background(), func(ctx context.Context) error {
			close(began)
			<-ctx.Done()
			return errors.New(`token endpoint answered: {"refresh_token":"rt-secret"}`)
		})
	}()
	<-began
	require.NoError(t, c.Close())
	err := <-done
	assert.ErrorIs(t, err, errTestClosed)
	assert.Truef(t, broadcast.IsPermanent(err), "IsPermanent(%q)", err)
	assert.NotContains(t, err.Error(), "rt-secret")
}
