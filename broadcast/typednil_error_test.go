package broadcast_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// badError is an error an adapter could return whose methods panic: a
// typed nil in an error, or an error with a nil field its methods read;
// attempts is how many attempts of 2 a Send makes of it: the error is
// transient, unless marked Permanent or its Error panics (then it is
// turned into a permanent error that says so).
type badError struct {
	err      error
	attempts int
}

func badErrors() map[string]badError {
	return map[string]badError{
		"nil *net.OpError":                      {(*net.OpError)(nil), 2},
		"empty net.OpError":                     {&net.OpError{}, 1},
		"nil *url.Error":                        {(*url.Error)(nil), 1},
		"url.Error of nil OpError":              {&url.Error{Op: "Post", URL: "https://example.com", Err: (*net.OpError)(nil)}, 2},
		"nil *os.SyscallError":                  {(*os.SyscallError)(nil), 1},
		"wrapped nil *net.OpError":              {fmt.Errorf("post: %w", (*net.OpError)(nil)), 2},
		"joined nil *net.OpError":               {errors.Join(errors.New("a"), (*net.OpError)(nil)), 2},
		"permanent nil *net.OpError":            {broadcast.Permanent((*net.OpError)(nil)), 1},
		"retry after nil *net.OpError":          {broadcast.RetryAfter(fmt.Errorf("x: %w", (*net.OpError)(nil)), time.Millisecond), 2},
		"nil *net.OpError then RetryAfter":      {errors.Join((*net.OpError)(nil), broadcast.RetryAfter(errors.New("slow down"), time.Millisecond)), 2},
		"nil *broadcast.DeliveryError":          {(*broadcast.DeliveryError)(nil), 1},
		"nil *broadcast.TargetsError in a join": {errors.Join(errors.New("b"), (*broadcast.TargetsError)(nil)), 1},
		"wrapped nil *broadcast.TargetsError":   {fmt.Errorf("fan-out: %w", (*broadcast.TargetsError)(nil)), 2},
		"wrapped nil *broadcast.FieldError":     {fmt.Errorf("check: %w", (*broadcast.FieldError)(nil)), 2},
	}
}

// A channel whose error holds a typed nil or a nil field neither crashes
// a Send nor fails for good as a panic of the channel: the Send returns,
// the channel retried as its error says, and the channel's error is the
// one reported. Before, reading the error's marks (IsPermanent,
// RetryDelay, errors.Is for ErrPostGone) panicked, and the delivery took
// it for a panic of the channel: a transient error failed for good after
// one attempt, as "channel panicked".
func TestSendWithTypedNilErrorsDoesNotPanic(t *testing.T) {
	for name, bad := range badErrors() {
		t.Run(name, func(t *testing.T) {
			var calls atomic.Int32
			ch := broadcast.ChannelFunc("x", func(context.Context, broadcast.Message) (broadcast.Receipt, error) {
				calls.Add(1)
				return broadcast.Receipt{}, bad.err
			})
			ok := &script{name: "ok"}
			b := newBroadcaster(t, broadcast.Options{Retry: broadcast.RetryPolicy{MaxAttempts: 2, InitialInterval: time.Millisecond, MaxInterval: time.Millisecond}}, ch, ok)
			rep, err := b.Send(context.Background(), validUpdate())
			require.Error(t, err)
			require.NotNil(t, rep)
			assert.Equal(t, 1, ok.count(), "the other channel delivered")
			var de *broadcast.DeliveryError
			require.ErrorAs(t, err, &de)
			assert.Equal(t, "x", de.Channel)
			assert.NotContains(t, err.Error(), "channel panicked")
			assert.Equal(t, bad.attempts, int(calls.Load()), "attempts")
			assert.Equal(t, bad.attempts, de.Attempts)
		})
	}
}

// The exported helpers read what can be read of an error holding a typed
// nil or a nil field: the marks and sentinels past the part that panics
// when read are found, and none is made up.
func TestHelpersOnTypedNilErrors(t *testing.T) {
	for name, b := range badErrors() {
		bad := b.err
		t.Run(name, func(t *testing.T) {
			assert.NotPanics(t, func() {
				_ = broadcast.IsPermanent(bad)
				_, _ = broadcast.RetryDelay(bad)
				_ = broadcast.IsUncertain(bad)
				_ = broadcast.NotTried(bad)
				_ = broadcast.MarkAs(errors.New("r"), bad)
				_ = broadcast.MarkPartAs(errors.New("r"), bad)
				_ = broadcast.FieldErrors(bad)
			})
		})
	}
	refused := broadcast.Permanent(errors.New("refused"))
	slow := broadcast.RetryAfter(errors.New("slow down"), 5*time.Second)
	unsure := broadcast.Uncertain(slow)
	for _, nilErr := range []error{(*net.OpError)(nil), (*url.Error)(nil), &url.Error{Err: (*net.OpError)(nil)}} {
		assert.True(t, broadcast.IsPermanent(errors.Join(nilErr, refused)), "%#v", nilErr)
		assert.False(t, broadcast.IsPermanent(errors.Join(nilErr, slow)), "%#v", nilErr)
		d, ok := broadcast.RetryDelay(errors.Join(nilErr, slow))
		assert.True(t, ok)
		assert.Equal(t, 5*time.Second, d)
		assert.True(t, broadcast.IsUncertain(errors.Join(nilErr, unsure)))
		assert.False(t, broadcast.IsUncertain(errors.Join(nilErr, slow)))
		assert.True(t, broadcast.NotTried(errors.Join(nilErr, broadcast.ErrClosed)))

		m := broadcast.MarkAs(errors.New("r"), errors.Join(nilErr, refused))
		assert.True(t, broadcast.IsPermanent(m))
		// A part that cannot be read says nothing definite: the whole,
		// refused in part, may have been posted in part.
		assert.True(t, broadcast.IsUncertain(m))
		m = broadcast.MarkPartAs(errors.New("r"), errors.Join(nilErr, slow))
		_, ok = broadcast.RetryDelay(m)
		assert.True(t, ok)
		assert.False(t, broadcast.IsUncertain(m))
	}
}
