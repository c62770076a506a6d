package broadcast_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// An Options.Lock that returns no unlock function (a lock with nothing to
// release) does not crash the process: Send and RunJob deliver.
func TestLockWithoutUnlock(t *testing.T) {
	var locks atomic.Int32
	x := &script{name: "x"}
	b := newBroadcaster(t, broadcast.Options{Lock: func(context.Context, string, string) (func(), error) {
		locks.Add(1)
		return nil, nil
	}}, x)
	_, err := b.Send(context.Background(), validUpdate())
	require.NoError(t, err)
	u := validUpdate()
	u.Status = broadcast.StatusResolved
	jobs, err := b.Jobs(broadcast.JobSend, u, "")
	require.NoError(t, err)
	require.NoError(t, b.RunJob(context.Background(), jobs[0], 1).Err)
	assert.Equal(t, 2, x.count())
	assert.Positive(t, locks.Load())
}
