package broadcast_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// Of two updates of an incident with the same Time, the one Jobs made
// first is the older ("ties: the order of Sends": a Job is its channel's
// part of a Send, made by Jobs), whichever Job runs first: a queue's
// workers may take the later update's Job first. Before, the place among
// Sends was taken at a Job's first run, so the Job of the update made
// first, run second, counted as the newer, and was posted after the
// other.
func TestJobsOfEqualTimesKeepTheOrderJobsMadeThem(t *testing.T) {
	ctx := context.Background()
	u1, u2 := orderedUpdates()
	u2.Time = u1.Time
	for _, tc := range []struct {
		name   string
		shared bool // the Jobs made and run by instances sharing a Store, through JSON
	}{{"one instance", false}, {"instances sharing a Store", true}} {
		t.Run(tc.name, func(t *testing.T) {
			ch := &script{name: "one"}
			opts := broadcast.Options{Store: broadcast.NewMemoryStore()}
			b := newBroadcaster(t, opts, ch)
			maker1, maker2, runner := b, b, b
			if tc.shared {
				maker1, maker2, runner = newBroadcaster(t, opts, ch), newBroadcaster(t, opts, ch), newBroadcaster(t, opts, ch)
			}
			jobs1, err := maker1.Jobs(broadcast.JobSend, u1, "")
			require.NoError(t, err)
			jobs2, err := maker2.Jobs(broadcast.JobSend, u2, "")
			require.NoError(t, err)
			j1, j2 := jobs1[0], jobs2[0]
			if tc.shared {
				j1, j2 = roundTrip(t, j1), roundTrip(t, j2)
			}

			r := runner.RunJob(ctx, j2, 1)
			require.NoError(t, r.Err)
			require.False(t, r.Superseded)
			r = runner.RunJob(ctx, j1, 1)
			require.NoError(t, r.Err)
			assert.True(t, r.Superseded, "u1, made first, is not posted after u2")
			assert.Equal(t, 1, ch.count(), "u2's post only")
		})
	}
}

func roundTrip(t *testing.T, j broadcast.Job) broadcast.Job {
	t.Helper()
	raw, err := json.Marshal(j)
	require.NoError(t, err)
	var out broadcast.Job
	require.NoError(t, json.Unmarshal(raw, &out))
	return out
}

// A Made a Store's record cannot hold (a damaged Job) is named, as the
// Update's Time is.
func TestRunJobRefusesMadeOutOfRange(t *testing.T) {
	b := newBroadcaster(t, broadcast.Options{}, &script{name: "x"})
	jobs, err := b.Jobs(broadcast.JobSend, validUpdate(), "")
	require.NoError(t, err)
	require.False(t, jobs[0].Made.IsZero(), "Jobs sets Made")
	j := jobs[0]
	j.Made = j.Made.AddDate(10000, 0, 0)
	r := b.RunJob(context.Background(), j, 1)
	assert.True(t, broadcast.IsPermanent(r.Err))
	assert.Equal(t, []string{"Job.Made"}, fieldNames(r.Err))
}
