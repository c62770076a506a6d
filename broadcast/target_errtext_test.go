package broadcast_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A target's permanent failure whose error is a nil *codeError (a nil
// pointer in a non-nil error) is recorded as failed with an error that
// says so and names the type, and the Send ends. Before, the Ledger read
// the error's text while it held its lock: the panic left the lock held,
// and the Send waited for it for ever.
func TestTargetErrorWhoseErrorMethodPanics(t *testing.T) {
	fan := broadcast.ChannelFunc("fan", func(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		f := broadcast.NewFanout(m, []string{"a", "b"})
		for _, i := range f.Todo() {
			var err error
			if i == 1 {
				var e *codeError
				err = broadcast.Permanent(e)
			}
			f.Report(i, err)
		}
		return broadcast.Receipt{}, f.Err()
	})
	store := broadcast.NewMemoryStore()
	// Not closed on failure: Close would wait for the Send that hangs.
	b, err := broadcast.New([]broadcast.Channel{fan}, broadcast.Options{Store: store, Retry: fast})
	require.NoError(t, err)
	u := validUpdate()
	u.ID = "u1"
	type sent struct {
		rep *broadcast.Report
		err error
	}
	done := make(chan sent, 1)
	go func() {
		rep, err := b.Send(context.Background(), u)
		done <- sent{rep, err}
	}()
	var s sent
	select {
	case s = <-done:
	case <-time.After(time.Minute):
		t.Fatal("Send never returned: the Ledger's lock was left held")
	}
	require.Error(t, s.err)
	res := s.rep.Results[0]
	assert.True(t, broadcast.IsPermanent(res.Err))
	assert.Equal(t, []string{"a"}, res.Delivered)
	require.Len(t, res.Failures, 1)
	assert.Equal(t, "b", res.Failures[0].Target)
	assert.ErrorContains(t, res.Failures[0].Err, "*broadcast_test.codeError")
	assert.ErrorContains(t, res.Failures[0].Err, "Error method panicked")

	// Recorded so: b is failed for good, with that text.
	done2, failure, err := store.Done(context.Background(), "u1", "fan", "b")
	require.NoError(t, err)
	assert.True(t, done2)
	assert.Contains(t, failure, "Error method panicked")
	require.NoError(t, b.Close())
}

// So does the Ledger of NewMessage.
func TestMessageLedgerErrorWhoseErrorMethodPanics(t *testing.T) {
	m := broadcast.NewMessage(validUpdate())
	var e *codeError
	require.NotPanics(t, func() { _ = m.Ledger.MarkFailed("b", e) })
	done, failure := m.Ledger.Done("b")
	assert.True(t, done)
	assert.Contains(t, failure, "Error method panicked")
	require.NoError(t, m.Ledger.MarkDelivered("a"), "the Ledger's lock is free")
}

// So is one the channel reports as transient: its text cannot be read, and
// it failed the target as it fails a channel. Before, the target stayed
// pending through every retry with that error in Result.Pending, where
// reading it (a caller's report, a queue's record of the run) panicked.
func TestTransientTargetErrorWhoseErrorMethodPanics(t *testing.T) {
	var calls int
	fan := broadcast.ChannelFunc("fan", func(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		calls++
		f := broadcast.NewFanout(m, []string{"a", "b"})
		for _, i := range f.Todo() {
			var err error
			if i == 1 {
				var e *codeError
				err = e
			}
			f.Report(i, err)
		}
		return broadcast.Receipt{}, f.Err()
	})
	b := newBroadcaster(t, broadcast.Options{}, fan)
	rep, err := b.Send(context.Background(), validUpdate())
	require.Error(t, err)
	res := rep.Results[0]
	assert.Equal(t, 1, calls, "failed for good: not retried")
	assert.Empty(t, res.Pending)
	require.Len(t, res.Failures, 1)
	assert.Equal(t, "b", res.Failures[0].Target)
	require.NotPanics(t, func() { _ = res.Failures[0].Err.Error() })
	assert.ErrorContains(t, res.Failures[0].Err, "*broadcast_test.codeError")
}
