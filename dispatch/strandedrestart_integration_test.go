//go:build integration

package dispatch_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/dispatch"
)

// strandCopy copies the job of admin's database, as River leaves a job
// whose end it could not record: running, last attempted by the same
// client. It returns the copy's ID.
func strandCopy(ctx context.Context, t *testing.T, admin *pgxpool.Pool) int64 {
	t.Helper()
	var id int64
	require.NoError(t, admin.QueryRow(ctx, `INSERT INTO river_job (args, attempt, attempted_at, attempted_by, errors,
		kind, max_attempts, metadata, priority, queue, scheduled_at, state, tags)
		SELECT args, 1, now(), attempted_by, errors, kind, max_attempts, metadata, priority, queue, now(), 'running', tags
		FROM river_job ORDER BY id LIMIT 1 RETURNING id`).Scan(&id))
	return id
}

// rescues is how many times the job id was made available again after a
// run left it running, and the last error it records.
func rescues(ctx context.Context, t *testing.T, admin *pgxpool.Pool, id int64) (n int, lastErr string) {
	t.Helper()
	require.NoError(t, admin.QueryRow(ctx, `SELECT coalesce((metadata->>'river:rescue_count')::int, 0),
		coalesce(errors[cardinality(errors)]->>'error', '') FROM river_job WHERE id = $1`, id).Scan(&n, &lastErr))
	return n, lastErr
}

// waitCompleted waits until the job id is completed.
func waitCompleted(ctx context.Context, t *testing.T, admin *pgxpool.Pool, id int64) {
	t.Helper()
	for {
		var state string
		require.NoError(t, admin.QueryRow(ctx, "SELECT state FROM river_job WHERE id = $1", id).Scan(&state))
		if state == "completed" {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("job %d still %s", id, state)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// A run ended by Start's ctx, Stop never called, leaves the jobs River
// could not record the end of running, with this Dispatcher's client's
// ID: the next Start, once River has stopped, makes them available again
// before River starts, as Stop does, and they run at once, without a
// second post. Before, they waited for River's rescuer
// (Config.RescueAfter, here an hour).
func TestStartAfterItsCtxEndedRescuesTheLastRunsStrandedJobs(t *testing.T) {
	ctx := waitCtx(t)
	dsn := newSchema(t)
	admin, err := pgxpool.New(ctx, dsn)
	require.NoError(t, err)
	defer admin.Close()
	sent := newCounting("x")
	in := newInstance(t, dsn, []broadcast.Channel{sent}, broadcast.Options{}, dispatch.Config{Workers: 1, RescueAfter: time.Hour})
	run, end := context.WithCancel(ctx)
	require.NoError(t, in.d.Start(run))
	id, err := in.d.Enqueue(ctx, nil, update(1))
	require.NoError(t, err)
	_, err = in.d.Wait(ctx, id)
	require.NoError(t, err)
	stranded := strandCopy(ctx, t, admin)

	end()
	require.NoError(t, in.d.Start(ctx))
	n, lastErr := rescues(ctx, t, admin, stranded)
	require.Equal(t, 1, n, "made available again by Start")
	assert.Equal(t, "Stuck job rescued by JobRescuer", lastErr)
	waitCompleted(ctx, t, admin, stranded)
	assert.Equal(t, 1, sent.count(id), "not posted a second time")

	// Stop does not make them available a second time.
	require.NoError(t, in.d.Stop(ctx))
	n, _ = rescues(ctx, t, admin, stranded)
	assert.Equal(t, 1, n)
}

// A Stop that failed (a run outlasting its ctx and Config.JobTimeout)
// leaves River stopping: once it has stopped, the next Start, or the next
// Stop, makes available again the jobs that run left running, with this
// client's ID. Before, neither did: the failed Stop had released the
// run, and they waited for River's rescuer.
func TestAfterAFailedStopTheLastRunsStrandedJobsAreRescued(t *testing.T) {
	for _, then := range []string{"Start", "Stop"} {
		t.Run(then, func(t *testing.T) {
			ctx := waitCtx(t)
			dsn := newSchema(t)
			admin, err := pgxpool.New(ctx, dsn)
			require.NoError(t, err)
			defer admin.Close()
			entered, release := make(chan struct{}, 1), make(chan struct{})
			var released bool
			defer func() {
				if !released {
					close(release)
				}
			}()
			blocking := broadcast.ChannelFunc("x", func(context.Context, broadcast.Message) (broadcast.Receipt, error) {
				entered <- struct{}{}
				<-release // its ctx ignored
				return broadcast.Receipt{}, nil
			})
			in := newInstance(t, dsn, []broadcast.Channel{blocking}, broadcast.Options{},
				dispatch.Config{Workers: 1, JobTimeout: time.Second, RescueAfter: time.Hour})
			in.start(t)
			id, err := in.d.Enqueue(ctx, nil, update(1))
			require.NoError(t, err)
			<-entered
			stranded := strandCopy(ctx, t, admin)

			ended, cancel := context.WithCancel(ctx)
			cancel()
			require.ErrorIs(t, in.d.Stop(ended), context.Canceled)
			released = true
			close(release)
			switch then {
			case "Start":
				require.NoError(t, in.d.Start(ctx))
			case "Stop":
				require.NoError(t, in.d.Stop(ctx))
			}
			n, lastErr := rescues(ctx, t, admin, stranded)
			require.Equal(t, 1, n, "made available again by %s", then)
			assert.Equal(t, "Stuck job rescued by JobRescuer", lastErr)
			if then == "Start" {
				waitCompleted(ctx, t, admin, stranded)
				report, err := in.d.Wait(ctx, id)
				require.NoError(t, err)
				require.Len(t, report.Results, 1)
				assert.NoError(t, report.Results[0].Err)
			}
			select {
			case <-entered:
				t.Fatal("posted a second time")
			default:
			}
		})
	}
}
