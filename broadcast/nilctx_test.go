package broadcast_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A nil context is refused with an error that says so, by every method
// that takes one, before anything is done. Before, most panicked ("cannot
// create context from nil parent"), some after they had read the Store.
func TestNilContextIsAnError(t *testing.T) {
	x := &script{name: "x"}
	b := newBroadcaster(t, broadcast.Options{}, x)
	u := validUpdate()
	u.ID = "u1"
	_, err := b.Send(context.Background(), u)
	require.NoError(t, err)
	var nilCtx context.Context // as a caller with a context field never set has
	c := u
	c.ID, c.Body = "u1-fix", "Corrected."
	jobs, err := b.Jobs(broadcast.JobSend, u, "")
	require.NoError(t, err)
	errs := map[string]error{}
	_, errs["Send"] = b.Send(nilCtx, u)
	_, errs["Correct"] = b.Correct(nilCtx, "u1", c)
	_, errs["Retract"] = b.Retract(nilCtx, "u1")
	errs["Check"] = b.Check(nilCtx)[0]
	_, errs["Thread"] = b.Thread(nilCtx, "inc", "x")
	_, _, errs["SentTime"] = b.SentTime(nilCtx, "u1")
	_, errs["ReachedOn"] = b.ReachedOn(nilCtx, "u1")
	_, errs["RetractedOn"] = b.RetractedOn(nilCtx, "u1")
	_, errs["SupersededOn"] = b.SupersededOn(nilCtx, u)
	errs["CheckOriginal"] = b.CheckOriginal(nilCtx, broadcast.JobCorrect, c, "u1")
	res := b.RunJob(nilCtx, jobs[0], 1)
	errs["RunJob"] = res.Err
	assert.False(t, broadcast.IsPermanent(res.Err), "RunJob: the Job is not at fault")
	for name, err := range errs {
		assert.EqualError(t, err, "broadcast: nil context (pass context.Background() or a context of your own)", name)
	}
	assert.Equal(t, 1, x.count())
}

// The in-memory Store's own calls that use their context, Prune and Lock
// (and a Locks'), refuse a nil one the same way, where they panicked.
func TestMemoryStoreNilContextIsAnError(t *testing.T) {
	var nilCtx context.Context
	s := broadcast.NewMemoryStore()
	var l broadcast.Locks
	errs := map[string]error{}
	_, errs["Prune"] = s.Prune(nilCtx, time.Now())
	_, errs["MemoryStore.Lock"] = s.Lock(nilCtx, broadcast.LockKey{UpdateID: "u1", Channel: "x"})
	_, errs["Locks.Lock"] = l.Lock(nilCtx, broadcast.LockKey{UpdateID: "u1", Channel: "x"})
	for name, err := range errs {
		assert.EqualError(t, err, "broadcast: nil context (pass context.Background() or a context of your own)", name)
	}
}
