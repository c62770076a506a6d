//go:build integration

package dispatch_test

import (
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/dispatch"
)

// A run that waits for its original records only why it waits: the
// failures an earlier run of the job recorded (simulated here in the row)
// must still stand in Report, as they did before the run recorded nothing.
func TestWaitingKeepsEarlierFailures(t *testing.T) {
	ctx := waitCtx(t)
	ch := &holding{hold: "u-1"}
	in, next := holdingInstance(t, ch)
	id, err := in.d.Enqueue(ctx, nil, update(1))
	require.NoError(t, err)
	require.True(t, next(broadcast.JobSend).Snoozed)
	fixed := update(2)
	fixed.IncidentID = update(1).IncidentID
	cid, err := in.d.Correct(ctx, nil, id, fixed)
	require.NoError(t, err)
	require.True(t, next(broadcast.JobCorrect).Snoozed)
	_ = waitingErr(t, in, cid)
	// Written while no run is under way: a run that read the row before
	// would end after, writing what it read, and the runs after it would
	// keep that instead (a race of this test's own, not of River's, which
	// runs a job once at a time).
	var updated time.Time
	require.True(t, waitFor(time.Minute, func() bool {
		err := in.pool.QueryRow(ctx, `UPDATE river_job SET metadata = jsonb_set(metadata, '{output}',
			'{"failures":[{"target":"room-a","error":"refused for good"}]}') WHERE kind = $1 AND state <> 'running'
			RETURNING now()`, dispatch.KindCorrect).Scan(&updated)
		if errors.Is(err, pgx.ErrNoRows) {
			return false
		}
		require.NoError(t, err)
		return true
	}), "the job kept running")
	rep, _, err := in.d.Report(ctx, cid)
	require.NoError(t, err)
	require.Len(t, rep.Results[0].Failures, 1, "the earlier run's failure, as recorded")
	// It runs again within Retry.MaxInterval (1s), and waits again. A run
	// that started after the update above, and has ended: the events of
	// runs that ended before it may still be waiting to be read, and do
	// not tell.
	require.True(t, waitFor(time.Minute, func() bool {
		var ran bool
		require.NoError(t, in.pool.QueryRow(ctx, `SELECT state <> 'running' AND attempted_at > $2 FROM river_job
			WHERE kind = $1`, dispatch.KindCorrect, updated).Scan(&ran))
		return ran
	}), "no run started after the update ended")
	_ = waitingErr(t, in, cid)
	rep, _, err = in.d.Report(ctx, cid)
	require.NoError(t, err)
	assert.Len(t, rep.Results[0].Failures, 1, "a run that only waited wiped the earlier run's failures")
}
