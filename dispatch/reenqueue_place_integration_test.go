//go:build integration

package dispatch_test

import (
	"context"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/dispatch"
)

// An update enqueued again after an operator cancelled its first jobs
// before they ran keeps the place of its first Enqueue among the updates
// of its incident of equal Time: an update of that Time enqueued after it
// stays the newer. The jobs enqueued again used to take a new place, after
// that update's, and so were posted over it as the incident's latest.
func TestReenqueuedUpdateKeepsItsPlace(t *testing.T) {
	ctx := waitCtx(t)
	platform := &feed{}
	in := newInstance(t, newSchema(t), []broadcast.Channel{platform.channel()}, broadcast.Options{},
		dispatch.Config{Workers: 1})
	first, second := update(1), update(2)
	second.IncidentID = first.IncidentID
	first.Time = time.Now().UTC().Add(-time.Minute).Truncate(time.Second)
	second.Time = first.Time // of equal Time: the one enqueued first is the older

	_, err := in.d.Enqueue(ctx, nil, first)
	require.NoError(t, err)
	_, err = in.d.Enqueue(ctx, nil, second)
	require.NoError(t, err)
	var job int64
	require.NoError(t, in.pool.QueryRow(ctx, "SELECT id FROM river_job WHERE args->>'update_id' = $1", first.ID).Scan(&job))
	operator, err := river.NewClient(riverpgxv5.New(in.pool), &river.Config{})
	require.NoError(t, err)
	_, err = operator.JobCancel(ctx, job) // before any worker ran it
	require.NoError(t, err)

	in.start(t)
	_, err = in.d.Wait(ctx, second.ID)
	require.NoError(t, err)
	_, err = in.d.Enqueue(ctx, nil, first) // again, for the channel its cancelled job left
	require.NoError(t, err)
	rep, err := in.d.Wait(ctx, first.ID)
	require.NoError(t, err)
	require.Len(t, rep.Results, 1)
	assert.True(t, rep.Results[0].Superseded, "the update enqueued after it is the newer")
	assert.Equal(t, []string{second.ID}, platform.list())
	th, err := in.store.Thread(context.Background(), first.IncidentID, "chat")
	require.NoError(t, err)
	assert.Equal(t, second.ID, th.Last.UpdateID, "the thread's latest")
}
