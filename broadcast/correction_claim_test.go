package broadcast_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// ctxKey keys a value of a caller's context.
type ctxKey struct{}

// The lock of the record of what a correction corrects is taken with the
// caller's end, not its values, as that of the record of an update's
// first Send is: those are for the locks of deliveries (pgstore's
// WithLockLost, whose loss package dispatch reports as the job's).
func TestCorrectionRecordsLockHoldsNoValues(t *testing.T) {
	var locks broadcast.Locks
	var leaked, taken atomic.Int32
	lock := func(ctx context.Context, k broadcast.LockKey) (func(), error) {
		if strings.HasPrefix(k.UpdateID, "\x00corrects\x00") {
			taken.Add(1)
			if ctx.Value(ctxKey{}) != nil {
				leaked.Add(1)
			}
		}
		return locks.Lock(ctx, k)
	}
	ch := &script{name: "irc"}
	b := newBroadcaster(t, broadcast.Options{Lock: lock}, ch)
	ctx := context.WithValue(context.Background(), ctxKey{}, "job")
	a := validUpdate()
	a.ID = "a"
	_, err := b.Send(ctx, a)
	require.NoError(t, err)
	fix := validUpdate()
	fix.ID = "fix"
	fix.Body = "The EU region, not the US one."
	jobs, err := b.Jobs(broadcast.JobCorrect, fix, "a")
	require.NoError(t, err)
	require.NoError(t, b.RunJob(ctx, jobs[0], 1).Err)
	fix.ID = "fix2"
	_, err = b.Correct(ctx, "a", fix)
	require.NoError(t, err)
	assert.Equal(t, int32(2), taken.Load())
	assert.Zero(t, leaked.Load())
}
