package broadcast_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A Job's run whose ctx ends while another run of the update holds the
// channel ends undone, as a run whose attempt failed does, without an
// EventFailed: the channel did not give up, and the caller runs the Job
// again. It emitted EventFailed (logged at Error) for a Job that then
// delivered.
func TestJobRunLockedOutEmitsNoFailed(t *testing.T) {
	g := &gateFanout{entered: make(chan struct{}), release: make(chan struct{})}
	g.targets = []string{"a"}
	g.fail = func(string, string, int) error { return nil }
	var ev allEvents
	b := newBroadcaster(t, broadcast.Options{OnEvent: ev.on}, g)
	u := validUpdate()
	u.ID = "u1"
	jobs, err := b.Jobs(broadcast.JobSend, u, "")
	require.NoError(t, err)
	done := make(chan broadcast.Result)
	go func() { done <- b.RunJob(context.Background(), jobs[0], 1) }()
	<-g.entered
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res := b.RunJob(ctx, jobs[0], 2)
	require.ErrorIs(t, res.Err, context.Canceled)
	assert.False(t, broadcast.IsPermanent(res.Err))
	assert.Equal(t, 0, res.Attempts)
	close(g.release)
	require.NoError(t, (<-done).Err)
	fin := ev.finals("mail", "u1")
	require.Len(t, fin, 1, "%+v", fin)
	assert.Equal(t, broadcast.EventDelivered, fin[0].Kind)
}
