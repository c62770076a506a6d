package dispatch

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

func TestOutcomeMapsResultsToRiver(t *testing.T) {
	d := &Dispatcher{cfg: Config{Retry: broadcast.RetryPolicy{MaxAttempts: 3, InitialInterval: time.Second,
		MaxInterval: time.Minute, MaxElapsed: time.Hour}}}
	d.retry = retryPolicy{RetryPolicy: d.cfg.Retry}
	fresh := &rivertype.JobRow{Attempt: 1, MaxAttempts: 3, CreatedAt: time.Now()}
	last := &rivertype.JobRow{Attempt: 3, MaxAttempts: 3 + maxRescues, CreatedAt: time.Now()}
	// Runs cut short by a dead worker, taken back by River's rescuer: not
	// attempts.
	rescue := rivertype.AttemptError{Error: rescuedError}
	rescuedLast := &rivertype.JobRow{Attempt: 5, MaxAttempts: 3 + maxRescues, CreatedAt: time.Now(),
		Errors: []rivertype.AttemptError{{Error: "503"}, rescue, rescue}}
	rescuedEarlier := &rivertype.JobRow{Attempt: 4, MaxAttempts: 3 + maxRescues, CreatedAt: time.Now(),
		Errors: []rivertype.AttemptError{rescue, rescue}}
	// Enqueued without room for rescues: River would discard it.
	riversLast := &rivertype.JobRow{Attempt: 2, MaxAttempts: 2, CreatedAt: time.Now()}
	old := &rivertype.JobRow{Attempt: 1, MaxAttempts: 3, CreatedAt: time.Now().Add(-2 * time.Hour)}
	transient := errors.New("503")
	var snooze *rivertype.JobSnoozeError
	var cancel *rivertype.JobCancelError

	tests := []struct {
		name  string
		row   *rivertype.JobRow
		res   broadcast.Result
		kind  broadcast.EventKind
		check func(t *testing.T, err error, e Event)
	}{
		{"delivered", fresh, broadcast.Result{Receipt: broadcast.Receipt{ID: "1"}}, broadcast.EventDelivered,
			func(t *testing.T, err error, e Event) { assert.NoError(t, err); assert.Equal(t, "1", e.Receipt.ID) }},
		{"skipped", fresh, broadcast.Result{Skipped: true}, broadcast.EventSkipped,
			func(t *testing.T, err error, _ Event) { assert.NoError(t, err) }},
		{"permanent cancels", fresh, broadcast.Result{Err: broadcast.Permanent(errors.New("401"))}, broadcast.EventFailed,
			func(t *testing.T, err error, _ Event) { assert.ErrorAs(t, err, &cancel) }},
		{"retry-after snoozes", fresh, broadcast.Result{Err: broadcast.RetryAfter(errors.New("429"), 7*time.Second)},
			broadcast.EventRetry, func(t *testing.T, err error, e Event) {
				if assert.ErrorAs(t, err, &snooze) {
					assert.Equal(t, 7*time.Second, snooze.Duration)
				}
				assert.True(t, e.Snoozed)
			}},
		{"transient retries", fresh, broadcast.Result{Err: transient}, broadcast.EventRetry,
			func(t *testing.T, err error, e Event) {
				assert.Same(t, transient, err)
				assertBackoff(t, time.Second, e.Delay)
				assert.False(t, e.Snoozed)
			}},
		{"last attempt gives up", last, broadcast.Result{Err: transient}, broadcast.EventFailed,
			func(t *testing.T, err error, e Event) {
				assert.ErrorAs(t, err, &cancel)
				assert.ErrorIs(t, e.Err, transient)
				assert.Contains(t, e.Err.Error(), "gave up after 3 attempts")
			}},
		{"rescued last attempt gives up", rescuedLast, broadcast.Result{Err: transient}, broadcast.EventFailed,
			func(t *testing.T, err error, e Event) {
				assert.ErrorAs(t, err, &cancel)
				assert.ErrorIs(t, e.Err, transient)
				assert.Contains(t, e.Err.Error(), "gave up after 3 attempts")
			}},
		{"rescued runs are not attempts", rescuedEarlier, broadcast.Result{Err: transient}, broadcast.EventRetry,
			func(t *testing.T, err error, e Event) {
				assert.Same(t, transient, err)
				assertBackoff(t, 2*time.Second, e.Delay, "after attempt 2")
			}},
		{"River's last attempt gives up", riversLast, broadcast.Result{Err: transient}, broadcast.EventFailed,
			func(t *testing.T, err error, e Event) {
				assert.ErrorAs(t, err, &cancel)
				assert.ErrorIs(t, e.Err, transient)
			}},
		{"retry-after on the last attempt snoozes", rescuedLast, broadcast.Result{Err: broadcast.RetryAfter(transient, time.Second)},
			broadcast.EventRetry, func(t *testing.T, err error, e Event) {
				assert.ErrorAs(t, err, &snooze)
				assert.True(t, e.Snoozed)
			}},
		{"waiting for the channel past JobTimeout snoozes, even on the last attempt", last,
			broadcast.Result{Err: fmt.Errorf("%w: %w", broadcast.ErrBusy, context.DeadlineExceeded)},
			broadcast.EventRetry, func(t *testing.T, err error, e Event) {
				if assert.ErrorAs(t, err, &snooze) {
					assert.Equal(t, time.Second, snooze.Duration, "Retry.InitialInterval")
				}
				assert.True(t, e.Snoozed, "no attempt used: the channel was not tried")
			}},
		{"waiting for the channel past MaxElapsed gives up", old,
			broadcast.Result{Err: fmt.Errorf("%w: %w", broadcast.ErrBusy, context.DeadlineExceeded)},
			broadcast.EventFailed, func(t *testing.T, err error, e Event) {
				assert.ErrorAs(t, err, &cancel)
				assert.ErrorIs(t, e.Err, broadcast.ErrBusy)
			}},
		// A fan-out under a platform's rate limit (Synapse's rc_message:
		// 0.2/s, burst 10) reaches a few more targets each run.
		{"a retry that reached targets snoozes, even on the last attempt", last,
			broadcast.Result{Err: transient, Delivered: []string{"!b:example.org"}}, broadcast.EventRetry,
			func(t *testing.T, err error, e Event) {
				if assert.ErrorAs(t, err, &snooze) {
					assert.Equal(t, 4*time.Second, snooze.Duration, "the wait after attempt 3")
				}
				assert.True(t, e.Snoozed, "no attempt used: it made progress")
			}},
		{"a first run that reached targets counts", fresh,
			broadcast.Result{Err: transient, Delivered: []string{"!a:example.org"}}, broadcast.EventRetry,
			func(t *testing.T, err error, e Event) {
				assert.Same(t, transient, err)
				assert.False(t, e.Snoozed)
			}},
		{"a retry that reached targets past MaxElapsed gives up", &rivertype.JobRow{Attempt: 2, MaxAttempts: 3,
			CreatedAt: time.Now().Add(-2 * time.Hour)},
			broadcast.Result{Err: transient, Delivered: []string{"!b:example.org"}}, broadcast.EventFailed,
			func(t *testing.T, err error, e Event) {
				assert.ErrorAs(t, err, &cancel)
				assert.Contains(t, e.Err.Error(), "gave up")
			}},
		{"past MaxElapsed gives up", old, broadcast.Result{Err: transient}, broadcast.EventFailed,
			func(t *testing.T, err error, e Event) {
				assert.ErrorAs(t, err, &cancel)
				assert.ErrorIs(t, e.Err, transient)
				assert.Contains(t, e.Err.Error(), "gave up")
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var e Event
			kind, err := d.outcome(context.Background(), tt.row, tt.res, &e)
			assert.Equal(t, tt.kind, kind)
			tt.check(t, err, e)
		})
	}

	ctx, stop := context.WithCancel(context.Background())
	stop()
	var e Event
	kind, err := d.outcome(ctx, fresh, broadcast.Result{Err: context.Canceled}, &e)
	assert.Equal(t, broadcast.EventRetry, kind)
	if assert.ErrorAs(t, err, &snooze) {
		assert.Zero(t, snooze.Duration, "stopping: run again at once elsewhere")
	}

	// Stopped past Retry.MaxElapsed with no wait asked for: run again at
	// once too, as Stop says, not given up.
	snooze = nil
	kind, err = d.outcome(ctx, old, broadcast.Result{Err: context.Canceled}, &e)
	assert.Equal(t, broadcast.EventRetry, kind)
	if assert.ErrorAs(t, err, &snooze) {
		assert.Zero(t, snooze.Duration, "stopping past MaxElapsed: run again at once elsewhere")
	}

	// An operator cancelled the running job through River: given up, and
	// the Event says by whom.
	rctx, cancelJob := context.WithCancelCause(context.Background())
	cancelJob(river.ErrJobCancelledRemotely)
	kind, err = d.outcome(rctx, fresh, broadcast.Result{Err: context.Canceled}, &e)
	assert.Equal(t, broadcast.EventFailed, kind)
	assert.ErrorAs(t, err, &cancel)
	assert.ErrorIs(t, e.Err, ErrCancelledByOperator)

	// The Broadcaster closed under the job while the instance is
	// stopping: the same as stopping.
	snooze = nil
	kind, err = d.outcome(ctx, fresh, broadcast.Result{Err: broadcast.ErrClosed}, &e)
	assert.Equal(t, broadcast.EventRetry, kind)
	if assert.ErrorAs(t, err, &snooze) {
		assert.Zero(t, snooze.Duration)
	}
}

// A Broadcaster closed while its Dispatcher runs: the job waits
// Retry.InitialInterval, without using an attempt, for another instance to
// take it (run at once, it would come straight back here), and the
// Logger says why, once.
func TestOutcomeOfAClosedBroadcasterWaits(t *testing.T) {
	var log bytes.Buffer
	d := &Dispatcher{cfg: Config{Retry: broadcast.RetryPolicy{MaxAttempts: 3, InitialInterval: 3 * time.Second,
		MaxInterval: time.Minute, MaxElapsed: time.Hour}, Logger: slog.New(slog.NewTextHandler(&log, nil))}}
	d.retry = retryPolicy{RetryPolicy: d.cfg.Retry}
	last := &rivertype.JobRow{Attempt: 3, MaxAttempts: 3 + maxRescues, CreatedAt: time.Now()}
	old := &rivertype.JobRow{Attempt: 1, MaxAttempts: 3 + maxRescues, CreatedAt: time.Now().Add(-2 * time.Hour)}
	for _, row := range []*rivertype.JobRow{last, old} { // old: past Retry.MaxElapsed, never given up for this
		var e Event
		kind, err := d.outcome(context.Background(), row, broadcast.Result{Err: broadcast.ErrClosed}, &e)
		assert.Equal(t, broadcast.EventRetry, kind, "not given up on the last attempt: none was used")
		var snooze *rivertype.JobSnoozeError
		if assert.ErrorAs(t, err, &snooze) {
			assert.Equal(t, 3*time.Second, snooze.Duration, "Retry.InitialInterval")
		}
		assert.True(t, e.Snoozed)
		assert.ErrorIs(t, e.Err, broadcast.ErrClosed)
	}
	assert.Equal(t, 1, strings.Count(log.String(), "Broadcaster is closed"), "logged once: %s", log.String())
}

// A run the channel's own Close cut short (broadcast.ErrChannelClosed,
// which the Broadcaster's Result keeps from being Permanent) waits, never
// 0, without using the attempt, even the last (for as long as the job has
// existed, within Retry's intervals: see
// TestClosedChannelSnoozeGrowsWithTheJobsAge); and, as any snooze, not
// past Retry.MaxElapsed.
func TestOutcomeOfAClosedChannelWaitsTheBackoff(t *testing.T) {
	d := &Dispatcher{cfg: Config{Retry: broadcast.RetryPolicy{MaxAttempts: 3, InitialInterval: 3 * time.Second,
		MaxInterval: time.Minute, MaxElapsed: time.Hour}}}
	d.retry = retryPolicy{RetryPolicy: d.cfg.Retry}
	closed := fmt.Errorf("attempt 1: %w", broadcast.ClosedError("x: channel closed"))
	for name, c := range map[string]struct {
		row  *rivertype.JobRow
		want time.Duration
	}{
		"first": {&rivertype.JobRow{Attempt: 1, MaxAttempts: 3 + maxRescues, CreatedAt: time.Now()}, 3 * time.Second},
		"last":  {&rivertype.JobRow{Attempt: 3, MaxAttempts: 3 + maxRescues, CreatedAt: time.Now().Add(-time.Minute)}, time.Minute},
	} {
		var e Event
		kind, err := d.outcome(context.Background(), c.row, broadcast.Result{Err: closed}, &e)
		assert.Equal(t, broadcast.EventRetry, kind, "%s: not given up: no attempt was used", name)
		var snooze *rivertype.JobSnoozeError
		if assert.ErrorAs(t, err, &snooze, name) {
			assert.GreaterOrEqual(t, snooze.Duration, c.want, "%s: the job's age, within Retry's intervals", name)
			assert.Equal(t, snooze.Duration, e.Delay, name)
		}
		assert.True(t, e.Snoozed, name)
		assert.ErrorIs(t, e.Err, broadcast.ErrChannelClosed, name)
	}

	// A longer wait the platform asked for in the run stands.
	var e Event
	fresh := &rivertype.JobRow{Attempt: 1, MaxAttempts: 3 + maxRescues, CreatedAt: time.Now()}
	_, err := d.outcome(context.Background(), fresh, broadcast.Result{Err: broadcast.RetryAfter(closed, 30*time.Second)}, &e)
	var snooze *rivertype.JobSnoozeError
	if assert.ErrorAs(t, err, &snooze) {
		assert.Equal(t, 30*time.Second, snooze.Duration)
	}

	// Past Retry.MaxElapsed: given up, saying why.
	e = Event{}
	old := &rivertype.JobRow{Attempt: 1, MaxAttempts: 3 + maxRescues, CreatedAt: time.Now().Add(-time.Hour - time.Second)}
	kind, err := d.outcome(context.Background(), old, broadcast.Result{Err: closed}, &e)
	assert.Equal(t, broadcast.EventFailed, kind)
	var cancel *rivertype.JobCancelError
	assert.ErrorAs(t, err, &cancel)
	assert.ErrorContains(t, e.Err, "Retry.MaxElapsed")
	assert.ErrorIs(t, e.Err, broadcast.ErrChannelClosed)
}

func TestRetryDelaysDoubleUpToTheCap(t *testing.T) {
	p := retryPolicy{RetryPolicy: broadcast.RetryPolicy{InitialInterval: time.Second, MaxInterval: 10 * time.Second}}
	assert.Equal(t, []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 10 * time.Second, 10 * time.Second},
		[]time.Duration{p.delay(1), p.delay(2), p.delay(3), p.delay(4), p.delay(5), p.delay(100)})
	for range 100 {
		next := time.Until(p.NextRetry(&rivertype.JobRow{Attempt: 3}))
		assert.True(t, next > time.Second && next <= 10*time.Second, "4s ±50%%, capped: %v", next)
		// Runs rescued from dead workers are not attempts.
		rescued := []rivertype.AttemptError{{Error: rescuedError}, {Error: rescuedError}}
		next = time.Until(p.NextRetry(&rivertype.JobRow{Attempt: 5, Errors: rescued}))
		assert.True(t, next > time.Second && next <= 10*time.Second, "after attempt 3: 4s ±50%%, capped: %v", next)
	}
}

// A delay doubled past what a Duration holds is MaxInterval, not the short
// wait the overflow wraps to: 13h7m59s doubled 24 times wraps to 1m34s.
func TestRetryDelayDoesNotOverflow(t *testing.T) {
	initial := 13*time.Hour + 7*time.Minute + 59*time.Second
	p := retryPolicy{RetryPolicy: broadcast.RetryPolicy{InitialInterval: initial, MaxInterval: 24 * time.Hour}}
	assert.Equal(t, initial, p.delay(1))
	for attempt := 2; attempt <= MaxAttempts; attempt++ {
		if d := p.delay(attempt); d != 24*time.Hour {
			t.Fatalf("delay(%d) = %v, want MaxInterval", attempt, d)
		}
	}
	huge := retryPolicy{RetryPolicy: broadcast.RetryPolicy{InitialInterval: time.Second, MaxInterval: math.MaxInt64}}
	for attempt := 1; attempt <= 100; attempt++ {
		assert.GreaterOrEqual(t, huge.delay(attempt), huge.delay(max(attempt-1, 1)), "attempt %d", attempt)
		assert.True(t, huge.NextRetry(&rivertype.JobRow{Attempt: attempt}).After(time.Now()), "attempt %d", attempt)
	}
}

// The jitter never takes a retry past Retry.MaxElapsed after the job was
// enqueued: outcome allowed it on the delay before jitter.
func TestRetryNeverPastMaxElapsed(t *testing.T) {
	p := retryPolicy{RetryPolicy: broadcast.RetryPolicy{InitialInterval: 4 * time.Minute, MaxInterval: time.Hour, MaxElapsed: 5 * time.Minute}}
	created := time.Now()
	for range 100 {
		next := p.NextRetry(&rivertype.JobRow{Attempt: 1, CreatedAt: created})
		assert.False(t, next.After(created.Add(p.MaxElapsed)), "%v after enqueue", next.Sub(created))
	}
}

// River takes a retry NextRetry puts before its instance's own clock for a
// policy's mistake, and schedules the job by its default policy instead:
// attempt⁴ seconds, 81s at the third attempt for a backoff of 4s, 21
// minutes at the sixth for one of 32s. An instance ahead of the database
// by more than half a backoff (the jitter's least) put its retries there,
// as the database's time plus the backoff is. Its retries are due at its
// own time at the earliest: late by its lead over the database, as its
// snoozes are, and no later.
func TestRetryOfAnInstanceAheadOfTheDatabaseIsNotRiversDefault(t *testing.T) {
	const ahead = 30 * time.Second
	p := retryPolicy{RetryPolicy: broadcast.RetryPolicy{InitialInterval: time.Second, MaxInterval: 5 * time.Minute,
		MaxElapsed: time.Hour}, clock: &dbClock{}}
	dbNow := time.Now().Add(-ahead)
	p.clock.sync(&rivertype.JobRow{AttemptedAt: &dbNow})
	for attempt := 1; attempt <= 6; attempt++ {
		row := &rivertype.JobRow{Attempt: attempt, CreatedAt: dbNow}
		before := time.Now() // as River's job executor takes it, before NextRetry
		next := p.NextRetry(row)
		assert.False(t, next.Before(before), "attempt %d: due %v before the instance's clock", attempt, before.Sub(next))
		assert.WithinRange(t, next, before, time.Now().Add(p.delay(attempt)*3/2), "attempt %d", attempt)
	}
}

// A correction or a retraction that cannot look for its original's
// delivery (the database cannot be read) did not try the channel: the
// failed read is this instance's, not the channel's, and uses up no
// attempt. It is snoozed, even at the last attempt Retry allows, and
// given up only past Retry.MaxElapsed. Counted as an attempt, a database
// failover of a minute used up the attempts of every correction waiting to
// run, which then ended failed without the channel ever being tried.
func TestAwaitingJobThatCannotReadItsOriginalUsesNoAttempt(t *testing.T) {
	for _, kind := range []broadcast.JobKind{broadcast.JobCorrect, broadcast.JobRetract} {
		t.Run(string(kind), func(t *testing.T) {
			d, events := failingDispatcher(t)
			job := broadcast.Job{Kind: kind, Update: broadcast.Update{ID: "u-2"}, Original: "u-1", Channel: "x"}
			last := &rivertype.JobRow{ID: 7, Attempt: 3, MaxAttempts: 3 + maxRescues, CreatedAt: time.Now()}
			err := d.work(context.Background(), last, job)
			var snooze *rivertype.JobSnoozeError
			require.ErrorAs(t, err, &snooze, "snoozed, not retried as an attempt nor given up")
			assert.Equal(t, time.Second, snooze.Duration, "Retry.InitialInterval")
			require.Len(t, *events, 1)
			e := (*events)[0]
			assert.Equal(t, broadcast.EventRetry, e.Kind)
			assert.True(t, e.Snoozed)
			assert.ErrorContains(t, e.Err, "look for the delivery")

			*events = nil
			old := &rivertype.JobRow{ID: 8, Attempt: 1, MaxAttempts: 3 + maxRescues, CreatedAt: time.Now().Add(-2 * time.Hour)}
			err = d.work(context.Background(), old, job)
			var cancel *rivertype.JobCancelError
			require.ErrorAs(t, err, &cancel, "given up past Retry.MaxElapsed")
			require.Len(t, *events, 1)
			assert.Equal(t, broadcast.EventFailed, (*events)[0].Kind)
			assert.ErrorContains(t, (*events)[0].Err, "look for the delivery")
		})
	}
}

// A cancelled job's error tells an operator's cancel (River's
// Client.JobCancel marks the job's metadata) from the retry policy's, and
// gives the last attempt's error: the run's own, which its output keeps,
// when River recorded the cancel's error instead (the cancel reached the
// run before River recorded its end, or cut the attempt under way).
func TestCancelledTellsAnOperatorFromThePolicy(t *testing.T) {
	at := []byte(`{"cancel_attempted_at":"2026-12-01T10:00:00Z"}`)
	remote := rivertype.AttemptError{Error: "JobCancelError: job cancelled remotely"}
	remote2 := rivertype.AttemptError{Attempt: 2, Error: remote.Error}
	tests := []struct {
		name     string
		row      *rivertype.JobRow
		out      output
		operator bool
		want     string
	}{
		{"policy gave up", &rivertype.JobRow{Metadata: []byte(`{}`), Errors: []rivertype.AttemptError{
			{Error: "HTTP 503"}, {Error: "JobCancelError: gave up after 2 attempts: HTTP 503"}}},
			output{}, false, "gave up after 2 attempts: HTTP 503"},
		{"waiting to retry", &rivertype.JobRow{Metadata: at, Errors: []rivertype.AttemptError{{Error: "HTTP 503"}}},
			output{}, true, "dispatch: cancelled by an operator at 2026-12-01T10:00:00Z; last attempt: HTTP 503"},
		{"running", &rivertype.JobRow{Metadata: at, Errors: []rivertype.AttemptError{{Error: "HTTP 503"}, remote}},
			output{}, true, "dispatch: cancelled by an operator at 2026-12-01T10:00:00Z; last attempt: HTTP 503"},
		{"before any attempt", &rivertype.JobRow{Metadata: at, Errors: []rivertype.AttemptError{}},
			output{}, true, "dispatch: cancelled by an operator at 2026-12-01T10:00:00Z"},
		{"on its first attempt", &rivertype.JobRow{Metadata: at, Errors: []rivertype.AttemptError{remote}},
			output{}, true, "dispatch: cancelled by an operator at 2026-12-01T10:00:00Z"},
		{"on its second attempt, which failed", &rivertype.JobRow{Metadata: at, Errors: []rivertype.AttemptError{
			{Attempt: 1, Error: "HTTP 500"}, remote2}},
			output{Error: "HTTP 503", ErrorAttempt: 2}, true,
			"dispatch: cancelled by an operator at 2026-12-01T10:00:00Z; last attempt: HTTP 503"},
		{"on its second attempt, which left no error", &rivertype.JobRow{Metadata: at, Errors: []rivertype.AttemptError{
			{Attempt: 1, Error: "HTTP 500"}, remote2}},
			output{Error: "HTTP 500", ErrorAttempt: 1}, true,
			"dispatch: cancelled by an operator at 2026-12-01T10:00:00Z; last attempt: HTTP 500"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := cancelled(tt.row, tt.out)
			assert.Equal(t, tt.operator, errors.Is(err, ErrCancelledByOperator))
			assert.EqualError(t, err, tt.want)
		})
	}
}

// An instance whose clock is off from the database's: the job's times
// (CreatedAt, AttemptedAt) are the database's, so Retry.MaxElapsed is
// measured by the database's clock too, and the next retry is scheduled by
// it (River compares scheduled_at with the database's now()). With this
// instance's clock, one 5 hours ahead gave a job 1 minute old up as past
// MaxElapsed, and one 5 hours behind never gave up a job 2 hours old, and
// scheduled its retries 5 hours in the past: at once, without backoff.
func TestMaxElapsedIsByTheDatabasesClock(t *testing.T) {
	for _, tt := range []struct {
		name      string
		skew, age time.Duration
		kind      broadcast.EventKind
	}{
		{"instance 5h ahead, job 1m old: retried", 5 * time.Hour, time.Minute, broadcast.EventRetry},
		{"instance 5h behind, job 2m old: retried", -5 * time.Hour, 2 * time.Minute, broadcast.EventRetry},
		{"instance 5h behind, job 2h old: given up", -5 * time.Hour, 2 * time.Hour, broadcast.EventFailed},
		{"instance 5h ahead, job 2h old: given up", 5 * time.Hour, 2 * time.Hour, broadcast.EventFailed},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d, events := failingDispatcher(t)
			jobs, err := d.cfg.Broadcaster.Jobs(broadcast.JobSend, broadcast.Update{Title: "CDN", Status: broadcast.StatusInvestigating}, "")
			require.NoError(t, err)
			dbNow := time.Now().Add(-tt.skew).Round(0) // as read from the database: no monotonic reading
			row := &rivertype.JobRow{ID: 7, Attempt: 1, MaxAttempts: 3 + maxRescues, CreatedAt: dbNow.Add(-tt.age), AttemptedAt: &dbNow}

			_ = d.work(context.Background(), row, jobs[0])
			require.NotEmpty(t, *events)
			last := (*events)[len(*events)-1]
			assert.Equal(t, tt.kind, last.Kind, "%v", last.Err)
			if tt.kind == broadcast.EventRetry {
				due := dbNow
				if tt.skew > 0 {
					// River refuses a retry due before its instance's
					// clock: late by the instance's lead, and no more.
					due = time.Now()
				}
				next := d.retry.NextRetry(row)
				assert.WithinRange(t, next, due, due.Add(d.cfg.Retry.MaxInterval+time.Minute),
					"scheduled by the database's clock, within MaxInterval")
			}
		})
	}
}

// The EventRetry of a run River retries by the backoff says the wait River
// schedules: the jittered one NextRetry gives, not the backoff before its
// jitter of ±50% (2s for a retry River ran after 1.2s, or 2.9s).
func TestRetryEventDelayIsTheWaitScheduled(t *testing.T) {
	d, events := failingDispatcher(t)
	jobs, err := d.cfg.Broadcaster.Jobs(broadcast.JobSend, broadcast.Update{Title: "CDN", Status: broadcast.StatusInvestigating}, "")
	require.NoError(t, err)
	for id := int64(1); id <= 20; id++ {
		now := time.Now()
		row := &rivertype.JobRow{ID: id, Attempt: 2, MaxAttempts: 3 + maxRescues, CreatedAt: now, AttemptedAt: &now}
		require.Error(t, d.work(context.Background(), row, jobs[0]))
		e := (*events)[len(*events)-1]
		require.Equal(t, broadcast.EventRetry, e.Kind, "job %d: %v", id, e.Err)
		require.False(t, e.Snoozed, "job %d", id)
		wait := d.retry.NextRetry(row).Sub(d.retry.now()) // as River asks once the run returned
		assert.InDelta(t, wait, e.Delay, float64(100*time.Millisecond), "job %d: Delay %v, River's wait %v", id, e.Delay, wait)
	}
}

// assertBackoff asserts that delay is the backoff's wait, want, with its
// jitter (±50%).
func assertBackoff(t *testing.T, want, delay time.Duration, msgAndArgs ...any) {
	t.Helper()
	assert.GreaterOrEqual(t, delay, want/2, msgAndArgs...)
	assert.LessOrEqual(t, delay, want*3/2, msgAndArgs...)
}

// failingDispatcher returns a Dispatcher (not started; its pool reaches
// no server) whose one channel fails transiently, and the Events of its
// runs. Retry: 3 attempts, 1s doubling to 1m, MaxElapsed 1h.
// strayDispatcher returns a Dispatcher without River of channels, whose
// Events are appended to events, and its strayFailures middleware:
// Retry 3 attempts, 1s to 1m apart, within an hour.
func strayDispatcher(events *[]Event, channels ...string) (*Dispatcher, *strayFailures) {
	d := &Dispatcher{cfg: Config{Retry: broadcast.RetryPolicy{MaxAttempts: 3, InitialInterval: time.Second,
		MaxInterval: time.Minute, MaxElapsed: time.Hour}, Logger: slog.New(slog.DiscardHandler),
		OnEvent: func(e Event) { *events = append(*events, e) }}, channels: channels}
	d.retry = retryPolicy{RetryPolicy: d.cfg.Retry}
	return d, &strayFailures{d: d}
}

func failingDispatcher(t *testing.T) (*Dispatcher, *[]Event) {
	t.Helper()
	return dispatcherFailingWith(t, errors.New("503"))
}

// dispatcherFailingWith is failingDispatcher whose channel fails with
// failure.
func dispatcherFailingWith(t *testing.T, failure error) (*Dispatcher, *[]Event) {
	t.Helper()
	pcfg, err := pgxpool.ParseConfig("postgres://outagecast@127.0.0.1:1/none?sslmode=disable&pool_max_conns=5&connect_timeout=2")
	require.NoError(t, err)
	pool, err := pgxpool.NewWithConfig(context.Background(), pcfg)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	b, err := broadcast.New([]broadcast.Channel{broadcast.ChannelFunc("x",
		func(context.Context, broadcast.Message) (broadcast.Receipt, error) {
			return broadcast.Receipt{}, failure
		})},
		broadcast.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })
	events := &[]Event{}
	d, err := New(Config{Pool: pool, Broadcaster: b, Store: broadcast.NewMemoryStore(), Workers: 1,
		Retry:         broadcast.RetryPolicy{MaxAttempts: 3, InitialInterval: time.Second, MaxInterval: time.Minute, MaxElapsed: time.Hour},
		ReconnectWait: -1, // no server will answer: fail at once
		OnEvent:       func(e Event) { *events = append(*events, e) }})
	require.NoError(t, err)
	return d, events
}

// River schedules a snooze by the clock of the instance that snoozed the
// job (its job executor sets scheduled_at to its own time.Now() plus the
// snooze), and runs the job once scheduled_at is past by the database's
// clock: a snooze for a 429's Retry-After of 7s, made by an instance 5
// hours behind the database, ran the job at once, 7s before the platform
// allowed; one a little ahead ran it late by as much. dispatch snoozes by
// the database's clock: River's scheduled_at is the database's time plus
// the delay, whenever that can be said with a duration (not below 0).
func TestSnoozeIsByTheDatabasesClock(t *testing.T) {
	const wait = time.Minute
	for _, tt := range []struct {
		name string
		skew time.Duration
	}{
		{"instance 5h behind", -5 * time.Hour},
		{"instance 30s ahead", 30 * time.Second},
		{"instance in step", 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d, events := dispatcherFailingWith(t, broadcast.RetryAfter(errors.New("429"), wait))
			jobs, err := d.cfg.Broadcaster.Jobs(broadcast.JobSend, broadcast.Update{Title: "CDN", Status: broadcast.StatusInvestigating}, "")
			require.NoError(t, err)
			dbNow := time.Now().Add(-tt.skew).Round(0) // as read from the database: no monotonic reading
			row := &rivertype.JobRow{ID: 7, Attempt: 1, MaxAttempts: 3 + maxRescues, CreatedAt: dbNow, AttemptedAt: &dbNow}

			err = d.work(context.Background(), row, jobs[0])
			var snooze *rivertype.JobSnoozeError
			require.ErrorAs(t, err, &snooze)
			scheduled := time.Now().Add(snooze.Duration) // as River's job executor computes it
			assert.WithinRange(t, scheduled, dbNow.Add(wait), dbNow.Add(wait+15*time.Second),
				"scheduled Retry-After after the database's now")
			require.NotEmpty(t, *events)
			assert.Equal(t, wait, (*events)[len(*events)-1].Delay, "the Event's Delay is the wait itself")
		})
	}
}

// A RetryAfter hint that asks for no wait, or less than the backoff's (a
// 503 with "Retry-After: 0", a date already past, a channel's own short
// hint), must not run the job again at once, again and again, without
// ever using an attempt: the wait is the backoff's, as within a Send.
func TestShortRetryAfterIsNoBusyLoop(t *testing.T) {
	d := &Dispatcher{cfg: Config{Retry: broadcast.RetryPolicy{MaxAttempts: 3, InitialInterval: time.Second,
		MaxInterval: time.Minute, MaxElapsed: time.Hour}}}
	d.retry = retryPolicy{RetryPolicy: d.cfg.Retry}
	unavailable := errors.New("503 Service Unavailable")
	second := &rivertype.JobRow{Attempt: 2, MaxAttempts: 3 + maxRescues, CreatedAt: time.Now()}

	t.Run("no wait", func(t *testing.T) {
		var e Event
		kind, err := d.outcome(context.Background(), second, broadcast.Result{Err: broadcast.RetryAfter(unavailable, 0)}, &e)
		assert.Equal(t, broadcast.EventRetry, kind)
		var snooze *rivertype.JobSnoozeError
		assert.False(t, errors.As(err, &snooze), "an ordinary retry, which uses up an attempt")
		assert.ErrorIs(t, err, unavailable)
		assert.False(t, e.Snoozed)
		assertBackoff(t, 2*time.Second, e.Delay, "the backoff's wait after attempt 2")
	})
	t.Run("shorter than the backoff", func(t *testing.T) {
		var e Event
		kind, err := d.outcome(context.Background(), second,
			broadcast.Result{Err: broadcast.RetryAfter(unavailable, time.Millisecond)}, &e)
		assert.Equal(t, broadcast.EventRetry, kind)
		var snooze *rivertype.JobSnoozeError
		if assert.ErrorAs(t, err, &snooze) {
			assert.Equal(t, 2*time.Second, snooze.Duration, "the backoff's wait after attempt 2")
		}
		assert.True(t, e.Snoozed)
		assert.Equal(t, 2*time.Second, e.Delay)
	})
}

// An Event's Time is by the database's clock, as far as this instance can
// tell, as its Enqueued is: the time from Enqueue to delivery
// (dispatch/metrics' histogram) read 5 hours on an instance 5 hours ahead
// of the database, and nothing (below zero) on one behind it.
func TestEventTimeIsByTheDatabasesClock(t *testing.T) {
	for _, skew := range []time.Duration{5 * time.Hour, -5 * time.Hour, 0} {
		t.Run(fmt.Sprint(skew), func(t *testing.T) {
			d, events := dispatcherFailingWith(t, nil)
			jobs, err := d.cfg.Broadcaster.Jobs(broadcast.JobSend, broadcast.Update{Title: "CDN", Status: broadcast.StatusInvestigating}, "")
			require.NoError(t, err)
			dbNow := time.Now().Add(-skew).Round(0) // as read from the database: no monotonic reading
			row := &rivertype.JobRow{ID: 7, Attempt: 1, MaxAttempts: 3 + maxRescues, CreatedAt: dbNow.Add(-2 * time.Second), AttemptedAt: &dbNow}

			require.NoError(t, d.work(context.Background(), row, jobs[0]))
			require.NotEmpty(t, *events)
			e := (*events)[len(*events)-1]
			require.Equal(t, broadcast.EventDelivered, e.Kind, "%v", e.Err)
			assert.WithinRange(t, e.Time, e.Enqueued.Add(2*time.Second), e.Enqueued.Add(time.Minute),
				"delivered 2s after it was enqueued, by the database's clock")
		})
	}
}

// markLost is a Store whose writes of delivered marks fail: the database
// went away right after the post.
type markLost struct{ *broadcast.MemoryStore }

func (s markLost) Mark(ctx context.Context, updateID, channel, target string, failure error) error {
	if failure == nil && !strings.HasPrefix(target, "\x00") {
		return errors.New("connection reset by peer")
	}
	return s.MemoryStore.Mark(ctx, updateID, channel, target, failure)
}

// A run that delivered in full, whose mark the Store could not write,
// completes its job as delivered, with the Broadcaster's ErrNotRecorded
// in its Event and output, as a Send reports it; it used to be cancelled
// as a permanent failure. A run that also left targets to reach is
// retried: those did not get the update.
func TestOutcomeOfADeliveryNotRecorded(t *testing.T) {
	whole := broadcast.ChannelFunc("x", func(context.Context, broadcast.Message) (broadcast.Receipt, error) {
		return broadcast.Receipt{ID: "post-1", URL: "https://x.example/post-1"}, nil
	})
	part := broadcast.ChannelFunc("rooms", func(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		f := broadcast.NewFanout(m, []string{"a", "b"})
		f.Report(0, nil)
		f.Report(1, errors.New("HTTP 503"))
		return broadcast.Receipt{}, f.Err()
	})
	b, err := broadcast.New([]broadcast.Channel{whole, part},
		broadcast.Options{Store: markLost{broadcast.NewMemoryStore()}})
	require.NoError(t, err)
	defer b.Close()
	jobs, err := b.Jobs(broadcast.JobSend, broadcast.Update{Title: "CDN errors", Status: broadcast.StatusInvestigating}, "")
	require.NoError(t, err)
	d := &Dispatcher{cfg: Config{Retry: broadcast.RetryPolicy{MaxAttempts: 3, InitialInterval: time.Second,
		MaxInterval: time.Minute, MaxElapsed: time.Hour}}}
	d.retry = retryPolicy{RetryPolicy: d.cfg.Retry}
	row := &rivertype.JobRow{Attempt: 1, MaxAttempts: 3 + maxRescues, CreatedAt: time.Now()}

	res := b.RunJob(context.Background(), jobs[0], 1)
	require.ErrorIs(t, res.Err, broadcast.ErrNotRecorded)
	var e Event
	kind, err := d.outcome(context.Background(), row, res, &e)
	assert.Equal(t, broadcast.EventDelivered, kind)
	assert.NoError(t, err, "the job completes: enqueued again, it queues nothing")
	assert.ErrorIs(t, e.Err, broadcast.ErrNotRecorded)
	assert.Equal(t, "post-1", e.Receipt.ID)
	out := newOutput(res)
	assert.Contains(t, out.NotRecorded, "connection reset by peer")
	require.NotNil(t, out.Receipt)
	assert.Equal(t, "post-1", out.Receipt.ID)

	res = b.RunJob(context.Background(), jobs[1], 1)
	require.ErrorIs(t, res.Err, broadcast.ErrNotRecorded)
	kind, err = d.outcome(context.Background(), row, res, &e)
	assert.Equal(t, broadcast.EventRetry, kind, "target b is still to reach")
	assert.Error(t, err)
	assert.Empty(t, newOutput(res).NotRecorded)
}

// An attempt cut short by the instance stopping runs again at once
// elsewhere, but not before a wait the platform asked for in it: a fan-out
// whose endpoints answered 429 with Retry-After before the cancel reached
// the others ran again at once on another instance, hitting them again
// within their wait.
func TestStoppingKeepsTheRetryAfterWait(t *testing.T) {
	d := &Dispatcher{cfg: Config{Retry: broadcast.RetryPolicy{MaxAttempts: 3, InitialInterval: time.Second,
		MaxInterval: time.Minute, MaxElapsed: time.Hour}}}
	d.retry = retryPolicy{RetryPolicy: d.cfg.Retry}
	fresh := &rivertype.JobRow{Attempt: 1, MaxAttempts: 3 + maxRescues, CreatedAt: time.Now()}
	ctx, stop := context.WithCancel(context.Background())
	stop()
	res := broadcast.Result{Err: broadcast.RetryAfter(errors.Join(errors.New("hooks-1: HTTP 429"), context.Canceled), 30*time.Second),
		Pending: []broadcast.TargetFailure{{Target: "hooks-1", Err: errors.New("HTTP 429")}}}
	var e Event
	kind, err := d.outcome(ctx, fresh, res, &e)
	assert.Equal(t, broadcast.EventRetry, kind)
	var snooze *rivertype.JobSnoozeError
	if assert.ErrorAs(t, err, &snooze) {
		assert.Equal(t, 30*time.Second, snooze.Duration, "the platform's wait")
	}
	assert.True(t, e.Snoozed, "no attempt used up")
	assert.Equal(t, 30*time.Second, e.Delay)
}

// River's rescuer and scheduler go by the clock of the instance that
// leads them, not by the database's: one ahead by minutes takes live
// workers' jobs for dead ones, and they run twice. An instance whose runs
// find its clock off says so, once; nothing did.
func TestAClockOffFromTheDatabasesIsReported(t *testing.T) {
	for _, tt := range []struct {
		skew time.Duration
		warn bool
	}{{5 * time.Minute, true}, {-5 * time.Minute, true}, {0, false}} {
		t.Run(fmt.Sprint(tt.skew), func(t *testing.T) {
			d, _ := dispatcherFailingWith(t, nil)
			var log bytes.Buffer
			d.cfg.Logger = slog.New(slog.NewTextHandler(&log, nil))
			jobs, err := d.cfg.Broadcaster.Jobs(broadcast.JobSend, broadcast.Update{Title: "CDN", Status: broadcast.StatusInvestigating}, "")
			require.NoError(t, err)
			for range 2 {
				dbNow := time.Now().Add(-tt.skew).Round(0) // as read from the database: no monotonic reading
				row := &rivertype.JobRow{ID: 7, Attempt: 1, MaxAttempts: 3 + maxRescues, CreatedAt: dbNow, AttemptedAt: &dbNow}
				require.NoError(t, d.work(context.Background(), row, jobs[0]))
			}
			if !tt.warn {
				assert.NotContains(t, log.String(), "clock")
				return
			}
			assert.Equal(t, 1, strings.Count(log.String(), "this instance's clock is off from the database's"), "once: %s", log.String())
			assert.Contains(t, log.String(), "keep the clocks in sync")
		})
	}
}

// panickingHandler is a Logger's handler that panics on every record.
type panickingHandler struct{ slog.Handler }

func (panickingHandler) Handle(context.Context, slog.Record) error { panic("Logger bug") }

// A run that panics after work decided the job's next step (here in a
// Logger's handler, as one given to New no longer can, telling of
// OnEvent's own panic on the delivery's event) is not taken for a stray failure: the job, delivered and
// recorded, is not given up, and no EventFailed follows EventDelivered,
// although the run was the job's last attempt.
func TestPanicAfterTheOutcomeIsNoStrayFailure(t *testing.T) {
	var kinds []broadcast.EventKind
	d := &Dispatcher{cfg: Config{Retry: broadcast.RetryPolicy{MaxAttempts: 3, InitialInterval: time.Second,
		MaxInterval: time.Minute, MaxElapsed: time.Hour}, Logger: slog.New(panickingHandler{slog.NewTextHandler(io.Discard, nil)}),
		OnEvent: func(e Event) {
			kinds = append(kinds, e.Kind)
			if e.Kind == broadcast.EventDelivered {
				panic("OnEvent bug")
			}
		}}}
	d.retry = retryPolicy{RetryPolicy: d.cfg.Retry}
	last := &rivertype.JobRow{Attempt: 3, MaxAttempts: 3, CreatedAt: time.Now()}
	m := &strayFailures{d: d}
	assert.PanicsWithValue(t, "a string", func() {
		_ = m.Work(context.Background(), last, func(ctx context.Context) error {
			return d.finish(ctx, last, Event{}, broadcast.EventDelivered, nil)
		})
	}, "left to River, which records the panic, as package panictext shows it")
	assert.Equal(t, []broadcast.EventKind{broadcast.EventDelivered}, kinds)
}

// River fails a run before any middleware sees it when it cannot decode
// the job's row (JobRowDecodeErr) or does not know its kind: strayFailures,
// as River's ErrorHandler, gives such a job up past Retry.MaxElapsed as
// it does a stray failure in Work, with the usual error and EventFailed.
// Within the limits River retries it by the policy, with EventRetry. A failure that went
// through Work was judged there and is left alone. Before, River retried
// such a job at once, again and again, until its MaxAttempts.
func TestStrayFailuresJudgesRunsRiverFailsBeforeTheMiddleware(t *testing.T) {
	var events []Event
	_, m := strayDispatcher(&events)
	args := []byte(`{"job":{"kind":"send","channel":"x","update":{"id":"u-1","incident_id":"i-1"}},"update_id":"u-1","channel":"x"}`)
	old := &rivertype.JobRow{ID: 7, Attempt: 1, MaxAttempts: 13, CreatedAt: time.Now().Add(-2 * time.Hour), EncodedArgs: args}
	decodeErr := errors.New("job row couldn't be decoded: error unmarshaling `errors`: bad")

	res := m.HandleError(context.Background(), old, decodeErr)
	require.NotNil(t, res)
	assert.True(t, res.SetCancelled, "given up")
	require.Len(t, events, 1)
	assert.Equal(t, broadcast.EventFailed, events[0].Kind)
	assert.Equal(t, int64(7), events[0].JobID)
	assert.Equal(t, "x", events[0].Channel)
	assert.Equal(t, "u-1", events[0].UpdateID)
	assert.ErrorIs(t, events[0].Err, decodeErr)
	assert.Contains(t, events[0].Err.Error(), "Retry.MaxElapsed")

	unknown := &rivertype.UnknownJobKindError{Kind: "outagecast_later"}
	events = nil
	res = m.HandleError(context.Background(), old, unknown)
	require.NotNil(t, res)
	assert.True(t, res.SetCancelled)
	require.Len(t, events, 1)
	assert.ErrorIs(t, events[0].Err, unknown)

	events = nil
	young := &rivertype.JobRow{ID: 8, Attempt: 1, MaxAttempts: 13, CreatedAt: time.Now(), EncodedArgs: args}
	assert.Nil(t, m.HandleError(context.Background(), young, unknown), "retried by the policy")
	require.Len(t, events, 1)
	assert.Equal(t, broadcast.EventRetry, events[0].Kind, "retried by the policy")

	// Args that do not even say the job's kind: River's kind does.
	events = nil
	garbled := &rivertype.JobRow{ID: 9, Kind: KindCorrect, Attempt: 1, MaxAttempts: 13, CreatedAt: old.CreatedAt,
		EncodedArgs: []byte(`{"job":"not a job","update_id":"u-2","channel":"x"}`)}
	require.NotNil(t, m.HandleError(context.Background(), garbled, decodeErr))
	require.Len(t, events, 1)
	assert.Equal(t, broadcast.JobCorrect, events[0].Job, "the job's kind, for the metrics")
	assert.Equal(t, "u-2", events[0].UpdateID)
	events = nil

	// An error Work returned, within the limits, is judged already: its
	// EventRetry is Work's.
	err := m.Work(context.Background(), young, func(context.Context) error { return errors.New("503") })
	require.EqualError(t, err, "503", "River records the run's own text")
	assert.Nil(t, m.HandleError(context.Background(), old, err))
	require.Len(t, events, 1)
	assert.Equal(t, broadcast.EventRetry, events[0].Kind)
}

// Report says of a job strayFailures.HandleError gave up (River failed
// its runs before any middleware: a kind this version does not know, a
// row River cannot decode) what its EventFailed said. River records the
// run's own error for it, and Report gave that alone ("job kind is not
// registered in the client's Workers bundle: …"), as if the job had
// failed permanently on its first try.
func TestReportOfAStrayJobGivenUpSaysWhatItsEventSaid(t *testing.T) {
	var events []Event
	d, m := strayDispatcher(&events)
	args := []byte(`{"job":{"kind":"send","channel":"x","update":{"id":"u-1","incident_id":"i-1"}},"update_id":"u-1","channel":"x"}`)
	for _, tt := range []struct {
		name string
		row  *rivertype.JobRow
		err  error
		want string
	}{
		{"unknown kind, past MaxElapsed", &rivertype.JobRow{ID: 7, Kind: "outagecast_later", Attempt: 1, MaxAttempts: 13,
			CreatedAt: time.Now().Add(-2 * time.Hour), EncodedArgs: args},
			&rivertype.UnknownJobKindError{Kind: "outagecast_later"},
			"gave up: the next attempt would start more than Retry.MaxElapsed (1h0m0s) after the job was enqueued; " +
				"last attempt: job kind is not registered in the client's Workers bundle: outagecast_later"},
		{"unknown kind, out of attempts", &rivertype.JobRow{ID: 8, Kind: "outagecast_later", Attempt: 3, MaxAttempts: 13,
			CreatedAt: time.Now(), EncodedArgs: args},
			&rivertype.UnknownJobKindError{Kind: "outagecast_later"},
			"gave up after 3 attempts: job kind is not registered in the client's Workers bundle: outagecast_later"},
		{"row River cannot decode, past River's MaxAttempts", &rivertype.JobRow{ID: 9, Kind: KindSend, Attempt: 2, MaxAttempts: 2,
			CreatedAt: time.Now(), EncodedArgs: args},
			errors.New("job row couldn't be decoded: error unmarshaling `errors`: bad"),
			"gave up after 2 attempts: job row couldn't be decoded: error unmarshaling `errors`: bad"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			events = nil
			res := m.HandleError(context.Background(), tt.row, tt.err)
			require.NotNil(t, res)
			require.True(t, res.SetCancelled)
			require.Len(t, events, 1)
			require.EqualError(t, events[0].Err, tt.want)

			// The job as River then records it: cancelled, with the
			// run's own error.
			row := *tt.row
			row.State = rivertype.JobStateCancelled
			row.Metadata = []byte(`{}`)
			row.Errors = []rivertype.AttemptError{{Attempt: row.Attempt, Error: tt.err.Error()}}
			r, finished, err := d.result(context.Background(), "x", "u-1", &row, false)
			require.NoError(t, err)
			assert.True(t, finished)
			assert.True(t, broadcast.IsPermanent(r.Err))
			assert.EqualError(t, r.Err, tt.want, "as the event said")
		})
	}
}

// A correction or a retraction waits for its original's delivery as long
// as that is to come, past its own Retry.MaxElapsed. Such a job, past it,
// whose look for the delivery failed once (the database in a failover)
// was given up, although the original was still to come when it last
// read: it reads again, without using an attempt, until the end a job of
// the original enqueued at that read would have. One that never found it
// waiting, or found it so long ago, is given up.
func TestAwaitingJobPastMaxElapsedReadsAgainAfterAFailedRead(t *testing.T) {
	for _, kind := range []broadcast.JobKind{broadcast.JobCorrect, broadcast.JobRetract} {
		t.Run(string(kind), func(t *testing.T) {
			d, events := failingDispatcher(t)
			job := broadcast.Job{Kind: kind, Update: broadcast.Update{ID: "u-2"}, Original: "u-1", Channel: "x"}
			awaited := func(ago time.Duration) *rivertype.JobRow {
				at := time.Now().Add(-ago)
				meta, err := json.Marshal(map[string]any{"output": output{Waiting: "waiting", AwaitedAt: &at}})
				require.NoError(t, err)
				return &rivertype.JobRow{ID: 8, Attempt: 1, MaxAttempts: 3 + maxRescues,
					CreatedAt: time.Now().Add(-2 * time.Hour), Metadata: meta}
			}

			err := d.work(context.Background(), awaited(time.Minute), job)
			var snooze *rivertype.JobSnoozeError
			require.ErrorAs(t, err, &snooze, "read again, not given up")
			assert.Equal(t, time.Second, snooze.Duration, "Retry.InitialInterval")
			require.Len(t, *events, 1)
			assert.Equal(t, broadcast.EventRetry, (*events)[0].Kind)
			assert.True(t, (*events)[0].Snoozed)
			assert.ErrorContains(t, (*events)[0].Err, "look for the delivery")

			*events = nil
			err = d.work(context.Background(), awaited(3*time.Hour), job)
			var cancel *rivertype.JobCancelError
			require.ErrorAs(t, err, &cancel, "found waiting too long ago: given up")
			require.Len(t, *events, 1)
			assert.Equal(t, broadcast.EventFailed, (*events)[0].Kind)
		})
	}
}

// A job given up whose args do not decode in full carried whatever
// channel text they held into its EventFailed, and so into the metrics'
// channel label: a series per text, without bound. It has the channel
// only when that is one of this instance's, "" otherwise; args that
// decode keep theirs.
func TestStrayJobWhoseArgsDoNotDecodeHasNoChannelFragment(t *testing.T) {
	var events []Event
	_, m := strayDispatcher(&events, "x")
	decodeErr := errors.New("job row couldn't be decoded")
	for _, tt := range []struct {
		args, want string
	}{
		{`{"job":"not a job","update_id":"u-2","channel":"edited by hand 8f3a"}`, ""},
		{`{"job":{"kind":"send","channel":7},"update_id":"u-2","channel":"x\ud800"}`, ""},
		{`{"job":"not a job","update_id":"u-2","channel":"x"}`, "x"},
		{`{"job":{"kind":"send","channel":"later"},"update_id":"u-2","channel":"later"}`, "later"},
	} {
		t.Run(tt.args, func(t *testing.T) {
			events = nil
			row := &rivertype.JobRow{ID: 9, Kind: KindSend, Attempt: 1, MaxAttempts: 13,
				CreatedAt: time.Now().Add(-2 * time.Hour), EncodedArgs: []byte(tt.args)}
			require.NotNil(t, m.HandleError(context.Background(), row, decodeErr))
			require.Len(t, events, 1)
			assert.Equal(t, tt.want, events[0].Channel)
			assert.Equal(t, "u-2", events[0].UpdateID)
			assert.Equal(t, broadcast.JobSend, events[0].Job)
		})
	}
}

// A Retry.MaxElapsed of math.MaxInt64 ("no limit") never gives a job up,
// also when this instance reads the database's clock a moment behind the
// job's creation (its offset measured short by another run, a clock
// stepped back): the time left, MaxElapsed less a negative elapsed time,
// overflowed a Duration to a negative one, and a job just enqueued was
// given up at its first failure, past "MaxElapsed (2562047h47m16.854775807s)".
func TestUnlimitedRetryWithJobCreatedAhead(t *testing.T) {
	d := &Dispatcher{cfg: Config{Retry: broadcast.RetryPolicy{MaxAttempts: 3, InitialInterval: time.Second,
		MaxInterval: time.Minute, MaxElapsed: math.MaxInt64}, Logger: slog.New(slog.DiscardHandler)}}
	d.retry = retryPolicy{RetryPolicy: d.cfg.Retry}
	ahead := &rivertype.JobRow{Attempt: 1, MaxAttempts: 3 + maxRescues, CreatedAt: time.Now().Add(time.Second)}

	assert.False(t, d.exhausted(ahead), "exhausted")
	_, ok := d.notTriedWait(ahead, d.retry.now(), time.Second)
	assert.True(t, ok, "notTriedWait: nothing left")

	var e Event
	kind, err := d.outcome(context.Background(), ahead, broadcast.Result{Err: errors.New("503")}, &e)
	assert.Equal(t, broadcast.EventRetry, kind, "%v", e.Err)
	assert.EqualError(t, err, "503")

	e = Event{}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	kind, _ = d.outcome(ctx, ahead, broadcast.Result{Err: broadcast.RetryAfter(errors.New("429"), time.Minute)}, &e)
	assert.Equal(t, broadcast.EventRetry, kind, "stopping: %v", e.Err)

	e = Event{}
	kind, _ = d.unknownChannel(context.Background(), ahead, "gone", &e)
	assert.Equal(t, broadcast.EventRetry, kind, "unknown channel: %v", e.Err)
}

// A snooze is the wait plus this instance's offset from the database's
// clock (see TestSnoozeIsByTheDatabasesClock). With Retry.MaxElapsed near
// the largest Duration ("no limit"), a wait the platform asked for near
// it, of an instance behind the database, overflowed that sum to below
// 0, and the job was snoozed for 0: run again at once, again and again,
// against the platform's wait; so was a job the channel's own Close cut
// short with such a wait. It is now snoozed for the longest Duration.
func TestSnoozeOfTheLongestWaitDoesNotOverflow(t *testing.T) {
	d := &Dispatcher{cfg: Config{Retry: broadcast.RetryPolicy{MaxAttempts: 3, InitialInterval: time.Second,
		MaxInterval: time.Minute, MaxElapsed: math.MaxInt64}, Logger: slog.New(slog.DiscardHandler)}}
	clock := &dbClock{}
	clock.offset.Store(int64(time.Hour)) // the database's clock an hour ahead
	d.retry = retryPolicy{RetryPolicy: d.cfg.Retry, clock: clock}
	const wait = math.MaxInt64 - time.Minute
	for name, failure := range map[string]error{
		"429":            errors.New("429"),
		"channel closed": fmt.Errorf("attempt 1: %w", broadcast.ClosedError("x: channel closed")),
	} {
		row := &rivertype.JobRow{ID: 1, Attempt: 1, MaxAttempts: 3 + maxRescues, CreatedAt: d.retry.now()}
		var e Event
		kind, err := d.outcome(context.Background(), row, broadcast.Result{Err: broadcast.RetryAfter(failure, wait)}, &e)
		require.Equal(t, broadcast.EventRetry, kind, "%s: %v", name, e.Err)
		var snooze *rivertype.JobSnoozeError
		require.ErrorAs(t, err, &snooze, name)
		assert.Equal(t, time.Duration(math.MaxInt64), snooze.Duration, name)
		assert.Equal(t, wait, e.Delay, name)
	}
}
