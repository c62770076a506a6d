//go:build integration

package dispatch_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/dispatch"
)

// A job an operator cancelled through River (Client.JobCancel), waiting to
// retry or running, is reported as cancelled by an operator, with its last
// attempt's error; a job the retry policy gave up is not.
func TestReportTellsAnOperatorsCancelFromAFailure(t *testing.T) {
	ctx := waitCtx(t)
	dsn := newSchema(t)
	flaky := broadcast.ChannelFunc("flaky", func(context.Context, broadcast.Message) (broadcast.Receipt, error) {
		return broadcast.Receipt{}, errors.New("HTTP 503")
	})
	refused := broadcast.ChannelFunc("refused", func(context.Context, broadcast.Message) (broadcast.Receipt, error) {
		return broadcast.Receipt{}, broadcast.Permanent(errors.New("HTTP 401"))
	})
	slow := newBlocking() // "x"
	var (
		mu      sync.Mutex
		jobs    = map[string]int64{}
		failed  = map[string]dispatch.Event{}
		nFailed = map[string]int{}
		ready   = make(chan struct{})
	)
	in := newInstance(t, dsn, []broadcast.Channel{flaky, refused, slow}, broadcast.Options{AttemptTimeout: time.Minute},
		dispatch.Config{Workers: 3, JobTimeout: 90 * time.Second,
			Retry: broadcast.RetryPolicy{InitialInterval: time.Hour, MaxInterval: time.Hour},
			OnEvent: func(e dispatch.Event) {
				mu.Lock()
				defer mu.Unlock()
				switch e.Kind {
				case broadcast.EventRetry:
					if e.Channel == "flaky" && jobs["flaky"] == 0 {
						jobs["flaky"] = e.JobID
						close(ready)
					}
				case broadcast.EventAttempt:
					if e.Channel == "x" {
						jobs["x"] = e.JobID
					}
				case broadcast.EventFailed:
					failed[e.Channel] = e
					nFailed[e.Channel]++
				}
			}})
	in.start(t)
	id, err := in.d.Enqueue(ctx, nil, update(1))
	require.NoError(t, err)
	for _, c := range []<-chan struct{}{ready, slow.entered} {
		select {
		case <-c:
		case <-ctx.Done():
			t.Fatal("the jobs did not run")
		}
	}

	operator, err := river.NewClient(riverpgxv5.New(in.pool), &river.Config{})
	require.NoError(t, err)
	mu.Lock()
	cancel := []int64{jobs["flaky"], jobs["x"]}
	mu.Unlock()
	for _, job := range cancel {
		_, err = operator.JobCancel(ctx, job)
		require.NoError(t, err)
	}

	rep, err := in.d.Wait(ctx, id)
	require.Error(t, err)
	require.Len(t, rep.Results, 3)
	waiting, gaveUp, running := rep.Results[0], rep.Results[1], rep.Results[2]
	assert.ErrorIs(t, waiting.Err, dispatch.ErrCancelledByOperator, "cancelled while waiting to retry")
	assert.ErrorContains(t, waiting.Err, "HTTP 503", "its last attempt's error")
	assert.True(t, broadcast.IsPermanent(waiting.Err), "it will not run again")
	assert.NotErrorIs(t, gaveUp.Err, dispatch.ErrCancelledByOperator, "failed, not cancelled")
	assert.ErrorContains(t, gaveUp.Err, "HTTP 401")
	assert.ErrorIs(t, running.Err, dispatch.ErrCancelledByOperator, "cancelled while it ran")
	// River records its own error for a run the cancel reached, not the
	// run's: the run kept the attempt's.
	assert.ErrorContains(t, running.Err, "last attempt: ", "the attempt's own error")
	assert.ErrorContains(t, running.Err, context.Canceled.Error(), "the attempt's own error")
	assert.Equal(t, int32(1), slow.cancelled.Load(), "its attempt was cut short")
	mu.Lock()
	defer mu.Unlock()
	assert.ErrorIs(t, failed["x"].Err, dispatch.ErrCancelledByOperator, "its Event says so too")
	// River gives its ErrorHandler its own error for the run the cancel
	// reached, which was judged already: no second EventFailed.
	assert.Equal(t, 1, nFailed["x"], "one EventFailed for the run")
}

// River's cleaner deletes finished jobs (completed and cancelled ones
// after a day, by default): Report then answers from the Store where it
// can (delivered, with the receipt), and says where it cannot.
func TestReportAfterRiverDeletedTheJobs(t *testing.T) {
	ctx := waitCtx(t)
	dsn := newSchema(t)
	ok := newCounting("ok")
	refused := broadcast.ChannelFunc("refused", func(context.Context, broadcast.Message) (broadcast.Receipt, error) {
		return broadcast.Receipt{}, broadcast.Permanent(errors.New("HTTP 401"))
	})
	in := newInstance(t, dsn, []broadcast.Channel{ok, refused}, broadcast.Options{}, dispatch.Config{Workers: 2})
	in.start(t)
	id, err := in.d.Enqueue(ctx, nil, update(1))
	require.NoError(t, err)
	before, err := in.d.Wait(ctx, id)
	require.Error(t, err, "refused")
	receipt := before.Results[0].Receipt
	require.NotEmpty(t, receipt.ID)

	deleted := func(state string) {
		t.Helper()
		// As River's cleaner does, once the retention period is over.
		_, err := in.pool.Exec(ctx, "DELETE FROM river_job WHERE state = $1", state)
		require.NoError(t, err)
	}
	check := func(rep *broadcast.Report, done bool) {
		t.Helper()
		assert.True(t, done)
		require.Len(t, rep.Results, 2, "every channel")
		assert.Equal(t, "ok", rep.Results[0].Channel)
		assert.NoError(t, rep.Results[0].Err)
		assert.Equal(t, receipt.ID, rep.Results[0].Receipt.ID, "the Store's receipt")
		assert.Equal(t, "refused", rep.Results[1].Channel)
	}

	deleted("completed") // the delivered channel's job only
	rep, done, err := in.d.Report(ctx, id)
	require.NoError(t, err)
	check(rep, done)
	assert.ErrorContains(t, rep.Results[1].Err, "HTTP 401", "from its job")
	assert.Equal(t, update(1).IncidentID, rep.IncidentID)

	deleted("cancelled") // no job left
	rep, done, err = in.d.Report(ctx, id)
	require.NoError(t, err)
	check(rep, done)
	assert.ErrorIs(t, rep.Results[1].Err, dispatch.ErrJobDeleted, "not delivered, or not recorded: no one knows")
	rep, err = in.d.Wait(ctx, id)
	assert.ErrorIs(t, err, dispatch.ErrJobDeleted)
	require.NotNil(t, rep)
	check(rep, true)

	// The failed channel's job deleted first (it finished first), while
	// the delivered one's is left: the failed channel is not left out.
	id3, err := in.d.Enqueue(ctx, nil, update(3))
	require.NoError(t, err)
	_, err = in.d.Wait(ctx, id3)
	require.Error(t, err, "refused")
	deleted("cancelled")
	rep, done, err = in.d.Report(ctx, id3)
	require.NoError(t, err)
	assert.True(t, done)
	require.Len(t, rep.Results, 2, "every channel the update was enqueued for")
	assert.Equal(t, "refused", rep.Results[1].Channel)
	assert.ErrorIs(t, rep.Results[1].Err, dispatch.ErrJobDeleted)
	_, err = in.d.Wait(ctx, id3)
	assert.ErrorIs(t, err, dispatch.ErrJobDeleted, "Wait does not report success")

	_, _, err = in.d.Report(ctx, "u-9")
	assert.ErrorIs(t, err, dispatch.ErrNoJobs, "never enqueued")
	// Enqueued in a transaction not committed yet: no record either.
	err = pgx.BeginFunc(ctx, in.pool, func(tx pgx.Tx) error {
		id, err := in.d.Enqueue(ctx, tx, update(2))
		require.NoError(t, err)
		_, _, err = in.d.Report(ctx, id)
		assert.ErrorIs(t, err, dispatch.ErrNoJobs, "not committed")
		return errors.New("rolled back")
	})
	require.Error(t, err)
}

// A running job an operator cancels is cancelled by River when the attempt
// fails, even where the run is not told of the cancel (PollOnly: River
// cannot LISTEN for it): its Event says so, as Report does, instead of a
// retry that never comes.
func TestOperatorsCancelUnheardByTheRunIsItsEvent(t *testing.T) {
	ctx := waitCtx(t)
	dsn := newSchema(t)
	entered, release := make(chan struct{}), make(chan struct{})
	x := broadcast.ChannelFunc("x", func(context.Context, broadcast.Message) (broadcast.Receipt, error) {
		close(entered)
		<-release
		return broadcast.Receipt{}, errors.New("HTTP 503")
	})
	var (
		mu     sync.Mutex
		job    int64
		events []dispatch.Event
	)
	in := newInstance(t, dsn, []broadcast.Channel{x}, broadcast.Options{AttemptTimeout: time.Minute},
		dispatch.Config{Workers: 1, JobTimeout: 90 * time.Second, PollOnly: true,
			Retry: broadcast.RetryPolicy{InitialInterval: time.Hour, MaxInterval: time.Hour},
			OnEvent: func(e dispatch.Event) {
				mu.Lock()
				defer mu.Unlock()
				job = e.JobID
				events = append(events, e)
			}})
	in.start(t)
	id, err := in.d.Enqueue(ctx, nil, update(1))
	require.NoError(t, err)
	select {
	case <-entered:
	case <-ctx.Done():
		t.Fatal("the job did not run")
	}
	operator, err := river.NewClient(riverpgxv5.New(in.pool), &river.Config{})
	require.NoError(t, err)
	mu.Lock()
	cancel := job
	mu.Unlock()
	_, err = operator.JobCancel(ctx, cancel)
	require.NoError(t, err)
	close(release)

	rep, err := in.d.Wait(ctx, id)
	require.Error(t, err)
	assert.ErrorIs(t, rep.Results[0].Err, dispatch.ErrCancelledByOperator)
	assert.Equal(t, 1, strings.Count(rep.Results[0].Err.Error(), dispatch.ErrCancelledByOperator.Error()),
		"Report names the cancel once: %v", rep.Results[0].Err)
	assert.ErrorContains(t, rep.Results[0].Err, "last attempt: HTTP 503")
	mu.Lock()
	defer mu.Unlock()
	last := events[len(events)-1]
	assert.Equal(t, broadcast.EventFailed, last.Kind, "the job will not run again: %+v", last)
	assert.ErrorIs(t, last.Err, dispatch.ErrCancelledByOperator)
	assert.ErrorContains(t, last.Err, "HTTP 503", "the attempt's error")
	assert.Zero(t, last.Delay)
}

// An empty update ID is refused, naming the argument: River's filter on
// the jobs' metadata would otherwise match every job, and the Report mix
// the channels of other updates.
func TestReportRefusesAnEmptyUpdateID(t *testing.T) {
	ctx := waitCtx(t)
	dsn := newSchema(t)
	in := newInstance(t, dsn, []broadcast.Channel{broadcast.ChannelFunc("a", nil)}, broadcast.Options{}, dispatch.Config{Workers: 2})
	_, err := in.d.Enqueue(ctx, nil, update(1))
	require.NoError(t, err)
	require.NoError(t, in.d.Retract(ctx, nil, "u-1"))

	check := func(name string, rep *broadcast.Report, err error) {
		t.Helper()
		assert.Nil(t, rep, name)
		assert.ErrorIs(t, err, broadcast.ErrInvalidUpdate, name)
		assert.ErrorContains(t, err, "updateID", name)
	}
	rep, _, err := in.d.Report(ctx, "")
	check("Report", rep, err)
	rep, _, err = in.d.RetractReport(ctx, "")
	check("RetractReport", rep, err)
	rep, err = in.d.Wait(ctx, "")
	check("Wait", rep, err)
	rep, err = in.d.WaitRetract(ctx, "")
	check("WaitRetract", rep, err)
}

// A job waiting without using up an attempt says why in Report, and
// until when: an update held back by the platform's rate limit, and a
// correction waiting for its original's delivery. Once the job ran again,
// the reason is gone.
func TestReportSaysWhyAJobWaits(t *testing.T) {
	ctx := waitCtx(t)
	ch := &holding{hold: "u-1"}
	in, next := holdingInstance(t, ch)

	id, err := in.d.Enqueue(ctx, nil, update(1))
	require.NoError(t, err)
	e := next(broadcast.JobSend)
	require.True(t, e.Kind == broadcast.EventRetry && e.Snoozed, "held for an hour: %+v", e)
	got := waitingErr(t, in, id)
	assert.ErrorIs(t, got, dispatch.ErrPending)
	assert.ErrorContains(t, got, "waiting until ")
	assert.ErrorContains(t, got, "HTTP 429", "the platform's answer")

	fixed := update(2)
	fixed.IncidentID, fixed.Body = update(1).IncidentID, "Corrected: the CDN, not the API."
	cid, err := in.d.Correct(ctx, nil, id, fixed)
	require.NoError(t, err)
	require.True(t, next(broadcast.JobCorrect).Snoozed, "the correction waits for its original")
	got = waitingErr(t, in, cid)
	assert.ErrorIs(t, got, dispatch.ErrPending)
	assert.ErrorContains(t, got, "waiting for the delivery of update u-1")

	bringForward(t, in.pool, dispatch.KindSend) // the hour is up
	_, err = in.d.Wait(ctx, id)
	require.NoError(t, err)
	_, err = in.d.Wait(ctx, cid)
	require.NoError(t, err)
	rep, done, err := in.d.Report(ctx, id)
	require.NoError(t, err)
	assert.True(t, done)
	assert.NoError(t, rep.Results[0].Err, "delivered: no reason to wait is left")
}

// waitingErr is the Result error of update id's one job once River has
// recorded the end of its run (the Event comes first): while it is not
// running any more.
func waitingErr(t *testing.T, in *instance, id string) error {
	t.Helper()
	ctx := waitCtx(t)
	for {
		rep, done, err := in.d.Report(ctx, id)
		require.NoError(t, err)
		require.False(t, done)
		if got := rep.Results[0].Err; !strings.Contains(got.Error(), "(running)") && got.Error() != dispatch.ErrPending.Error() {
			return got
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the job's run did not end: %v", rep.Results[0].Err)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// A job whose args cannot be decoded (left by another version, or edited
// by hand) does not fail the update's Report: the other jobs are
// reported, and the undecodable one is named by its ID, under its channel
// when that much of its args can be read, else under no channel. Before,
// Report failed for the whole update.
func TestReportNamesAJobWhoseArgsCannotBeDecoded(t *testing.T) {
	ctx := waitCtx(t)
	dsn := newSchema(t)
	in := newInstance(t, dsn, []broadcast.Channel{newCounting("x"), newCounting("y"), newCounting("z")},
		broadcast.Options{}, dispatch.Config{Workers: 1})
	id, err := in.d.Enqueue(ctx, nil, update(1))
	require.NoError(t, err)
	var yJob, zJob int64
	require.NoError(t, in.pool.QueryRow(ctx, `UPDATE river_job SET args = jsonb_set(args, '{job}', '"not a job"')
		WHERE args->>'channel' = 'y' RETURNING id`).Scan(&yJob))
	require.NoError(t, in.pool.QueryRow(ctx, `UPDATE river_job SET args = jsonb_set(args, '{channel}', '42')
		WHERE args->>'channel' = 'z' RETURNING id`).Scan(&zJob))

	rep, done, err := in.d.Report(ctx, id)
	require.NoError(t, err)
	assert.False(t, done)
	require.Len(t, rep.Results, 3, "x, y, and z's job under no channel")
	x, y, unknown := rep.Results[0], rep.Results[1], rep.Results[2]
	assert.Equal(t, "x", x.Channel)
	assert.ErrorIs(t, x.Err, dispatch.ErrPending)
	assert.NotContains(t, x.Err.Error(), "decoded")
	assert.Equal(t, "y", y.Channel)
	assert.ErrorIs(t, y.Err, dispatch.ErrPending)
	assert.Contains(t, y.Err.Error(), fmt.Sprintf("job %d: its args cannot be decoded", yJob))
	assert.Equal(t, "", unknown.Channel)
	assert.ErrorIs(t, unknown.Err, dispatch.ErrPending)
	assert.Contains(t, unknown.Err.Error(), fmt.Sprintf("job %d: its args cannot be decoded", zJob))
	assert.Equal(t, "cdn-errors-1", rep.IncidentID)
}

// Jobs whose channel cannot be decoded share the empty channel name in
// the Report: Watch called fn for one of them alone, as if for one
// channel. It calls fn once for each.
func TestWatchCallsFnForEveryJobUnderNoChannel(t *testing.T) {
	ctx := waitCtx(t)
	dsn := newSchema(t)
	in := newInstance(t, dsn, []broadcast.Channel{newCounting("x"), newCounting("y"), newCounting("z")},
		broadcast.Options{}, dispatch.Config{Workers: 1})
	id, err := in.d.Enqueue(ctx, nil, update(1))
	require.NoError(t, err)
	// Not started: the jobs are finished by hand, x's delivered, y's and
	// z's, whose channels cannot be read, given up.
	tag, err := in.pool.Exec(ctx, `UPDATE river_job SET args = jsonb_set(args, '{channel}', '42'),
		state = 'cancelled', finalized_at = now() WHERE args->>'channel' IN ('y', 'z')`)
	require.NoError(t, err)
	require.EqualValues(t, 2, tag.RowsAffected())
	_, err = in.pool.Exec(ctx, `UPDATE river_job SET state = 'completed', finalized_at = now() WHERE args->>'channel' = 'x'`)
	require.NoError(t, err)

	var watched []broadcast.Result
	rep, err := in.d.Watch(ctx, id, func(r broadcast.Result) { watched = append(watched, r) })
	require.Error(t, err, "two jobs given up")
	require.Len(t, rep.Results, 3)
	require.Len(t, watched, 3, "x, and each job under no channel")
	assert.Equal(t, "x", watched[0].Channel)
	assert.Equal(t, "", watched[1].Channel)
	assert.Equal(t, "", watched[2].Channel)
	assert.NotEqual(t, watched[1].Err.Error(), watched[2].Err.Error(), "each names its own job")
}
