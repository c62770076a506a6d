package ratelimit

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/httpx"
)

// A wait whose sleep fails for good (the channel's Close ended it: see
// httpx.Client.Sleeper) fails with that error, permanent, and not as a
// rate limit to retry once it resets: the channel will make no request
// again. So whether the request waits for the reset alone, or also for a
// reservation given back, within an attempt or not.
func TestPermanentSleepErrorEndsTheWaitForGood(t *testing.T) {
	errClosed := errors.New("test: channel closed")
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := Clock{Now: func() time.Time { return now }, Sleep: func(context.Context, time.Duration) error {
		return broadcast.Permanent(errClosed)
	}}
	for _, tc := range []struct {
		name    string
		timeout time.Duration
		held    func(l *Limits) (release func())
	}{
		{"held by a reset", 0, func(l *Limits) func() { l.Hold("w", now, 40*time.Minute); return func() {} }},
		{"held by a reset, within an attempt", time.Hour, func(l *Limits) func() {
			l.Hold("w", now, 40*time.Minute)
			return func() {}
		}},
		{"held by a reservation", 0, func(l *Limits) func() {
			l.Note("w", "4", now, wait(40*time.Minute, true))
			r, err := l.Reserve(context.Background(), c, "the limit", 3, "w")
			require.NoError(t, err)
			return r.Release
		}},
		{"held by a reservation, within an attempt", 30 * time.Second, func(l *Limits) func() {
			l.Note("w", "4", now, wait(40*time.Minute, true))
			r, err := l.Reserve(context.Background(), c, "the limit", 3, "w")
			require.NoError(t, err)
			return r.Release
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := &Limits{Max: time.Hour}
			defer tc.held(l)()
			ctx := context.Background()
			if tc.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tc.timeout)
				defer cancel()
			}
			_, err := l.Reserve(ctx, c, "the limit", 3, "w")
			require.Error(t, err)
			assert.ErrorIs(t, err, errClosed)
			assert.Truef(t, broadcast.IsPermanent(err), "IsPermanent(%q)", err)
			_, waits := broadcast.RetryDelay(err)
			assert.Falsef(t, waits, "RetryDelay(%q): a wait the channel's Close ended", err)
			assert.Contains(t, err.Error(), "rate limit: the wait for the limit ended, not requested: test: channel closed")
		})
	}
}

// Only the channel's Close ends a wait for good: a wait through
// httpx.Client.Sleeper that the request's own context ends is still a
// rate limit to retry once it resets, RetryAfter the time left, and not
// permanent.
func TestContextEndThroughSleeperStaysARateLimit(t *testing.T) {
	client := httpx.ChannelClient(nil, httpx.ClientOptions{Closed: errors.New("test: channel closed")})
	defer client.Close()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ctx, cancel := context.WithCancel(context.Background())
	c := Clock{Now: func() time.Time { return now }, Sleep: client.Sleeper(func(ctx context.Context, _ time.Duration) error {
		cancel()
		<-ctx.Done()
		return ctx.Err()
	})}
	l := &Limits{Max: time.Hour}
	l.Hold("w", now, 40*time.Minute)
	_, err := l.Reserve(ctx, c, "the limit", 1, "w")
	require.Error(t, err)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Falsef(t, broadcast.IsPermanent(err), "IsPermanent(%q)", err)
	d, waits := broadcast.RetryDelay(err)
	assert.Truef(t, waits, "RetryDelay(%q)", err)
	assert.Equal(t, 40*time.Minute, d)
}
