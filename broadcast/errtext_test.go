package broadcast_test

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// codeError is a channel's error type whose Error reads its receiver.
type codeError struct{ code int }

func (e *codeError) Error() string { return "platform error " + string(rune('0'+e.code)) }

// A channel that returns a nil *codeError as its error (a nil pointer in a
// non-nil error, Go's classic slip) fails for good with an error that says
// so, and names the type; the process goes on. Before, its Error method's
// panic took the process down from a delivery's goroutine as soon as the
// error was logged or recorded, and without a Logger the Report said
// "<nil>" after every retry.
func TestChannelErrorWhoseErrorMethodPanics(t *testing.T) {
	nilErr := broadcast.ChannelFunc("x", func(context.Context, broadcast.Message) (broadcast.Receipt, error) {
		var e *codeError
		return broadcast.Receipt{}, e
	})
	ok := &script{name: "ok"}
	logger := slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelDebug}))
	b := newBroadcaster(t, broadcast.Options{Logger: logger}, nilErr, ok)
	rep, err := b.Send(context.Background(), validUpdate())
	require.Error(t, err)
	res := rep.Results[0]
	assert.Equal(t, 1, res.Attempts)
	assert.True(t, broadcast.IsPermanent(res.Err))
	assert.ErrorContains(t, res.Err, "*broadcast_test.codeError")
	assert.ErrorContains(t, res.Err, "Error method panicked")
	assert.NoError(t, rep.Results[1].Err)
}

// nilErrorStore is a Store whose Done returns a nil *codeError as its
// error.
type nilErrorStore struct{ broadcast.Store }

func (s nilErrorStore) Done(context.Context, string, string, string) (bool, string, error) {
	var e *codeError
	return false, "", e
}

// So is a Store's: the channel is not called, and the error says why.
func TestStoreErrorWhoseErrorMethodPanics(t *testing.T) {
	x := &script{name: "x"}
	logger := slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelDebug}))
	b := newBroadcaster(t, broadcast.Options{Logger: logger, Store: nilErrorStore{broadcast.NewMemoryStore()}}, x, &script{name: "y"})
	rep, err := b.Send(context.Background(), validUpdate())
	require.Error(t, err)
	assert.Zero(t, x.count())
	assert.ErrorContains(t, rep.Results[0].Err, "Store.Done returned an error (a *broadcast_test.codeError) whose Error method panicked")
}

// And so is Options.Lock's.
func TestLockErrorWhoseErrorMethodPanics(t *testing.T) {
	x := &script{name: "x"}
	logger := slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelDebug}))
	b := newBroadcaster(t, broadcast.Options{Logger: logger, Lock: func(context.Context, broadcast.LockKey) (func(), error) {
		var e *codeError
		return nil, e
	}}, x, &script{name: "y"})
	rep, err := b.Send(context.Background(), validUpdate())
	require.Error(t, err)
	assert.Zero(t, x.count())
	assert.ErrorContains(t, rep.Results[0].Err, "Options.Lock returned an error (a *broadcast_test.codeError) whose Error method panicked")
}

// nilErrorChecker is a Checker whose Check returns a nil *codeError.
type nilErrorChecker struct{ script }

func (c *nilErrorChecker) Check(context.Context) error {
	var e *codeError
	return e
}

// A Checker that returns a nil *codeError as its error fails its check
// with an error that says so, as a channel's Send does; the caller can
// print it. Before, Check returned it as is, and the caller's first
// err.Error() panicked.
func TestCheckErrorWhoseErrorMethodPanics(t *testing.T) {
	b := newBroadcaster(t, broadcast.Options{}, &nilErrorChecker{script{name: "x"}}, &checker{script: script{name: "ok"}})
	errs := b.Check(context.Background())
	require.Len(t, errs, 2)
	require.Error(t, errs[0])
	assert.NotPanics(t, func() { _ = errs[0].Error() })
	assert.ErrorContains(t, errs[0], "*broadcast_test.codeError")
	assert.True(t, broadcast.IsPermanent(errs[0]))
	assert.NoError(t, errs[1])
}
