//go:build integration

package dispatch_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/dispatch"
)

// counting is a channel that counts its deliveries per update and answers
// with the errors of fail, in turn, before delivering.
type counting struct {
	name string
	mu   sync.Mutex
	sent map[string]int
	fail []error
}

func newCounting(name string, fail ...error) *counting {
	return &counting{name: name, sent: map[string]int{}, fail: fail}
}

func (c *counting) Name() string { return c.name }

func (c *counting) Send(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.fail) > 0 {
		err := c.fail[0]
		c.fail = c.fail[1:]
		return broadcast.Receipt{}, err
	}
	c.sent[m.Update.ID]++
	return broadcast.Receipt{ID: fmt.Sprintf("%s-%s-%d", c.name, m.Update.ID, c.sent[m.Update.ID]),
		URL: "https://example.com/" + m.Update.ID}, nil
}

func (c *counting) count(id string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sent[id]
}

func waitCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func TestEnqueueInTheCallersTransaction(t *testing.T) {
	ctx := waitCtx(t)
	dsn := newSchema(t)
	x, mail := newCounting("x"), newCounting("email")
	in := newInstance(t, dsn, []broadcast.Channel{x, mail}, broadcast.Options{}, dispatch.Config{Workers: 2})
	in.start(t)

	// Rolled back: nothing queued, nothing delivered.
	tx, err := in.pool.Begin(ctx)
	require.NoError(t, err)
	id, err := in.d.Enqueue(ctx, tx, update(1))
	require.NoError(t, err)
	assert.Equal(t, "u-1", id)
	_, _, err = in.d.Report(ctx, id)
	require.ErrorIs(t, err, dispatch.ErrNoJobs, "not visible before commit")
	require.NoError(t, tx.Rollback(ctx))
	_, _, err = in.d.Report(ctx, id)
	require.ErrorIs(t, err, dispatch.ErrNoJobs, "rolled back with the caller's change")

	// Committed: delivered once per channel.
	tx, err = in.pool.Begin(ctx)
	require.NoError(t, err)
	_, err = tx.Exec(ctx, "CREATE TABLE incident_log (note text)") // the caller's own change
	require.NoError(t, err)
	_, err = in.d.Enqueue(ctx, tx, update(1))
	require.NoError(t, err)
	require.NoError(t, tx.Commit(ctx))
	rep, err := in.d.Wait(ctx, id)
	require.NoError(t, err)
	require.Len(t, rep.Results, 2)
	assert.Equal(t, "x", rep.Results[0].Channel, "the Broadcaster's order")
	assert.Equal(t, "x-u-1-1", rep.Results[0].Receipt.ID, "receipt from the Store")
	assert.Equal(t, "cdn-errors-1", rep.IncidentID)
	assert.Equal(t, 1, rep.Results[0].Attempts)
	assert.False(t, rep.Finished.Before(rep.Started))
	assert.Equal(t, 0, x.count("u-0"))
	assert.Equal(t, 1, x.count("u-1"))
	assert.Equal(t, 1, mail.count("u-1"))

	// Enqueued again after delivery (nil tx: its own transaction): nothing
	// new is queued or sent.
	_, err = in.d.Enqueue(ctx, nil, update(1))
	require.NoError(t, err)
	rep, err = in.d.Wait(ctx, id)
	require.NoError(t, err)
	assert.False(t, rep.Results[0].Skipped, "the same job as before")
	assert.Equal(t, 1, x.count("u-1"))

	// Other content under the ID in use is refused, not dropped unsaid.
	other := update(1)
	other.Body = "Another text."
	_, err = in.d.Enqueue(ctx, nil, other)
	require.ErrorIs(t, err, dispatch.ErrIDInUse)
	other = update(1)
	other.Time = time.Now().Add(-time.Hour) // the Time aside, the same update
	_, err = in.d.Enqueue(ctx, nil, other)
	require.NoError(t, err)
}

func TestReplicasEnqueueTheSameUpdateAtOnce(t *testing.T) {
	ctx := waitCtx(t)
	dsn := newSchema(t)
	x, mail := newCounting("x"), newCounting("email")
	var replicas []*instance
	for range 2 {
		in := newInstance(t, dsn, []broadcast.Channel{x, mail}, broadcast.Options{}, dispatch.Config{Workers: 4})
		in.start(t)
		replicas = append(replicas, in)
	}
	// Each replica enqueues every update from several goroutines at once,
	// as two instances receiving the same alert would.
	const updates = 20
	var wg sync.WaitGroup
	for _, in := range replicas {
		for range 3 {
			wg.Go(func() {
				for n := range updates {
					_, err := in.d.Enqueue(ctx, nil, update(n))
					assert.NoError(t, err)
				}
			})
		}
	}
	wg.Wait()
	for n := range updates {
		rep, err := replicas[n%2].d.Wait(ctx, update(n).ID)
		require.NoError(t, err)
		require.Len(t, rep.Results, 2)
		assert.Equal(t, 1, x.count(update(n).ID), "one delivery to x of %s", update(n).ID)
		assert.Equal(t, 1, mail.count(update(n).ID), "one delivery to email of %s", update(n).ID)
	}
	var jobs int
	require.NoError(t, replicas[0].pool.QueryRow(ctx, "SELECT count(*) FROM river_job").Scan(&jobs))
	assert.Equal(t, 2*updates, jobs, "one job per update and channel")
}

func TestRetryAfterSnoozesWithoutUsingAttempts(t *testing.T) {
	ctx := waitCtx(t)
	dsn := newSchema(t)
	var limited atomic.Int32
	rc := newReceiver(t, 0)
	rc.respond = func(w http.ResponseWriter, _ string) bool {
		if limited.Add(1) > 2 {
			return false
		}
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusTooManyRequests)
		return true
	}
	var mu sync.Mutex
	var events []dispatch.Event
	in := newInstance(t, dsn, newHooks(rc.URL, 1, 1, 1), broadcast.Options{}, dispatch.Config{
		Workers: 1,
		Retry:   broadcast.RetryPolicy{MaxAttempts: 1}, // a used-up attempt would discard the job
		OnEvent: func(e dispatch.Event) {
			mu.Lock()
			defer mu.Unlock()
			events = append(events, e)
		},
	})
	in.start(t)

	id, err := in.d.Enqueue(ctx, nil, update(1))
	require.NoError(t, err)
	rep, err := in.d.Wait(ctx, id)
	require.NoError(t, err, "delivered after two snoozes")
	assert.Equal(t, 1, rep.Results[0].Attempts)
	assert.Len(t, rc.deliveries()["/hook/0/0"], 3, "two 429s, then the delivery")

	mu.Lock()
	defer mu.Unlock()
	var kinds []broadcast.EventKind
	for _, e := range events {
		kinds = append(kinds, e.Kind)
		if e.Kind == broadcast.EventRetry {
			assert.True(t, e.Snoozed)
			assert.Equal(t, time.Second, e.Delay, "Retry-After")
			assert.Equal(t, 1, e.Attempt)
		}
		assert.Equal(t, "hooks-0", e.Channel)
		assert.False(t, e.Enqueued.IsZero())
	}
	assert.Equal(t, []broadcast.EventKind{broadcast.EventAttempt, broadcast.EventRetry, broadcast.EventAttempt,
		broadcast.EventRetry, broadcast.EventAttempt, broadcast.EventDelivered}, kinds)
}

func TestPermanentErrorCancelsTheJob(t *testing.T) {
	ctx := waitCtx(t)
	dsn := newSchema(t)
	bad := newCounting("x", broadcast.Permanent(errors.New("401 unauthorized")))
	flaky := newCounting("email", errors.New("503 try later"))
	in := newInstance(t, dsn, []broadcast.Channel{bad, flaky}, broadcast.Options{},
		dispatch.Config{Workers: 2, Retry: broadcast.RetryPolicy{InitialInterval: 10 * time.Millisecond}})
	in.start(t)

	var watched []string
	id, err := in.d.Enqueue(ctx, nil, update(1))
	require.NoError(t, err)
	rep, err := in.d.Watch(ctx, id, func(r broadcast.Result) { watched = append(watched, r.Channel) })
	require.Error(t, err)
	var de *broadcast.DeliveryError
	require.ErrorAs(t, err, &de)
	assert.Equal(t, "x", de.Channel)
	assert.True(t, broadcast.IsPermanent(rep.Results[0].Err))
	assert.Contains(t, rep.Results[0].Err.Error(), "401 unauthorized")
	assert.Equal(t, 1, rep.Results[0].Attempts, "not retried")
	assert.NoError(t, rep.Results[1].Err)
	assert.Equal(t, 2, rep.Results[1].Attempts, "retried after the transient error")
	assert.ElementsMatch(t, []string{"x", "email"}, watched, "each channel once")
}

// editable is a counting channel that can edit and delete its posts.
type editable struct {
	*counting
	edits, retractions atomic.Int32
}

func (e *editable) Edit(_ context.Context, m broadcast.Message, prev broadcast.Receipt) (broadcast.Receipt, error) {
	e.edits.Add(1)
	prev.Meta = map[string]string{"edited": m.Update.ID}
	return prev, nil
}

func (e *editable) Retract(context.Context, broadcast.Receipt) error {
	e.retractions.Add(1)
	return nil
}

func TestCorrectAndRetractAreJobsOfTheirOwn(t *testing.T) {
	ctx := waitCtx(t)
	dsn := newSchema(t)
	ch := &editable{counting: newCounting("slack")}
	var edited atomic.Bool // an EventDelivered said Edited
	in := newInstance(t, dsn, []broadcast.Channel{ch}, broadcast.Options{}, dispatch.Config{Workers: 2,
		OnEvent: func(e dispatch.Event) {
			if e.Kind == broadcast.EventDelivered && e.Edited {
				edited.Store(true)
			}
		}})
	in.start(t)

	id, err := in.d.Enqueue(ctx, nil, update(1))
	require.NoError(t, err)
	_, err = in.d.Wait(ctx, id)
	require.NoError(t, err)

	fixed := update(2)
	fixed.IncidentID = update(1).IncidentID
	fixed.Body = "Corrected: the CDN, not the API."
	cid, err := in.d.Correct(ctx, nil, id, fixed)
	require.NoError(t, err)
	rep, err := in.d.Wait(ctx, cid)
	require.NoError(t, err)
	// Edited in place: the correction's receipt is the original post, as
	// the Store keeps it (with the original's Meta, so that a retraction
	// of either is seen on both).
	assert.Equal(t, "slack-u-1-1", rep.Results[0].Receipt.ID, "edited in place")
	assert.Equal(t, "u-2", rep.Results[0].Receipt.UpdateID)
	assert.True(t, rep.Results[0].Edited, "the Report says it was edited, not posted anew")
	assert.True(t, edited.Load(), "so does the job's EventDelivered")

	require.NoError(t, in.d.Retract(ctx, nil, id))
	require.NoError(t, in.d.Retract(ctx, nil, id), "queued once")
	rep, err = in.d.WaitRetract(ctx, id)
	require.NoError(t, err)
	assert.False(t, rep.Results[0].Skipped)
	assert.Equal(t, int32(1), ch.edits.Load())
	assert.Equal(t, int32(1), ch.retractions.Load())
	assert.Equal(t, 1, ch.count("u-1"))
	assert.Equal(t, 0, ch.count("u-2"), "a correction of an edited post is not posted anew")
}

// A retraction queued while the update's delivery waits to retry waits
// for it, then deletes the post: it does not end as "not posted" and
// leave the post to go up after it.
func TestRetractWaitsForTheDelivery(t *testing.T) {
	ctx := waitCtx(t)
	dsn := newSchema(t)
	ch := &editable{counting: newCounting("slack", errors.New("503 try later"))}
	in := newInstance(t, dsn, []broadcast.Channel{ch}, broadcast.Options{},
		dispatch.Config{Workers: 2, Retry: broadcast.RetryPolicy{InitialInterval: time.Second, MaxInterval: time.Second}})
	in.start(t)

	id, err := in.d.Enqueue(ctx, nil, update(1))
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		ch.mu.Lock()
		defer ch.mu.Unlock()
		return len(ch.fail) == 0
	}, 10*time.Second, 10*time.Millisecond, "the first attempt failed")
	require.NoError(t, in.d.Retract(ctx, nil, id))
	rep, err := in.d.WaitRetract(ctx, id)
	require.NoError(t, err)
	assert.False(t, rep.Results[0].Skipped, "the post was there to delete")
	assert.Equal(t, int32(1), ch.retractions.Load())
	rep, err = in.d.Wait(ctx, id)
	require.NoError(t, err)
	assert.NoError(t, rep.Results[0].Err)
	assert.Equal(t, 1, ch.count(id), "posted once, then deleted")
}

// Two callers enqueueing different content under one ID at the same time
// both pass the check of the jobs already queued (neither sees the other's
// uncommitted jobs); the second's insert then finds the first's jobs. It
// is refused, not reported queued while its content is dropped.
func TestConcurrentEnqueuesOfOtherContentUnderOneID(t *testing.T) {
	ctx := waitCtx(t)
	dsn := newSchema(t)
	x, mail := newCounting("x"), newCounting("email")
	in := newInstance(t, dsn, []broadcast.Channel{x, mail}, broadcast.Options{}, dispatch.Config{Workers: 2})

	for _, own := range []bool{true, false} { // the second caller's tx: its own, or Enqueue's
		first := update(1)
		first.ID = fmt.Sprintf("u-own-%v", own)
		second := first
		second.Body = "Another text."

		tx, err := in.pool.Begin(ctx)
		require.NoError(t, err)
		_, err = in.d.Enqueue(ctx, tx, first)
		require.NoError(t, err)
		var firstPID int
		require.NoError(t, tx.QueryRow(ctx, "SELECT pg_backend_pid()").Scan(&firstPID))

		done := make(chan error, 1)
		go func() {
			var tx2 pgx.Tx
			if own {
				var err error
				if tx2, err = in.pool.Begin(ctx); err != nil {
					done <- err
					return
				}
				defer tx2.Rollback(ctx) //nolint:errcheck // committed below when accepted
			}
			_, err := in.d.Enqueue(ctx, tx2, second)
			if err == nil && tx2 != nil {
				err = tx2.Commit(ctx)
			}
			done <- err
		}()
		// The second insert waits on the first's unique jobs until the
		// first transaction ends: commit once it does.
		require.Eventually(t, func() bool {
			var waiting int
			err := in.pool.QueryRow(ctx, "SELECT count(*) FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))", firstPID).Scan(&waiting)
			return err == nil && waiting > 0
		}, time.Minute, 10*time.Millisecond)
		require.NoError(t, tx.Commit(ctx))
		require.ErrorIs(t, <-done, dispatch.ErrIDInUse, "own tx: %v", own)

		in.start(t)
		rep, err := in.d.Wait(ctx, first.ID)
		require.NoError(t, err)
		for _, r := range rep.Results {
			require.NoError(t, r.Err, r.Channel)
		}
		require.NoError(t, in.d.Stop(ctx))
	}
	assert.Equal(t, 1, x.count("u-own-true"))
	assert.Equal(t, 1, x.count("u-own-false"))
}

// A job not run yet, or run and snoozed, has no error: its Result says it
// is not finished, and no "last attempt" that never failed.
func TestPendingJobWithoutErrorsReportsNoLastAttempt(t *testing.T) {
	ctx := waitCtx(t)
	dsn := newSchema(t)
	in := newInstance(t, dsn, []broadcast.Channel{newCounting("x")}, broadcast.Options{}, dispatch.Config{Workers: 1})
	id, err := in.d.Enqueue(ctx, nil, update(1))
	require.NoError(t, err)
	rep, done, err := in.d.Report(ctx, id)
	require.NoError(t, err)
	assert.False(t, done)
	require.ErrorIs(t, rep.Results[0].Err, dispatch.ErrPending)
	assert.Equal(t, dispatch.ErrPending.Error(), rep.Results[0].Err.Error())
}
