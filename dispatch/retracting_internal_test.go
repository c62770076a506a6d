package dispatch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// deletions is a channel whose posts live in memory and whose deletions
// fail with the errors of fails, in turn, before they succeed.
type deletions struct {
	mu    sync.Mutex
	fails []error
	live  []string // update IDs of the posts up, in the order posted
}

func (c *deletions) Name() string { return "x" }

func (c *deletions) Send(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.live = append(c.live, m.Update.ID)
	return broadcast.Receipt{ID: "post-" + m.Update.ID}, nil
}

func (c *deletions) Retract(_ context.Context, prev broadcast.Receipt) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.fails) > 0 {
		err := c.fails[0]
		c.fails = c.fails[1:]
		return err
	}
	for i, id := range c.live {
		if "post-"+id == prev.ID {
			c.live = append(c.live[:i], c.live[i+1:]...)
			break
		}
	}
	return nil
}

func (c *deletions) posts() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.live...)
}

// A JobRetract of a newer update whose deletion failed transiently waits
// to be retried; an older update's JobSend run meanwhile on the channel
// waits for it, without using up an attempt, rather than be Superseded by
// the post the retry then deletes: before, nothing was in flight between
// the retries, the older update was Superseded for good, the retry
// deleted the newer post, and neither update stayed out there. Once the
// retraction ends, the older update is posted when the newer post is
// gone, and Superseded when it stays (the deletion refused for good, or
// the JobRetract given up).
func TestOlderJobWaitsForTheRetriesOfAJobRetract(t *testing.T) {
	unavailable := errors.New("503 service unavailable")
	for _, tt := range []struct {
		name  string
		fails []error
		// then ends the retraction after its first attempt; it reports
		// whether the newer post was deleted.
		then func(t *testing.T, d *Dispatcher, b *broadcast.Broadcaster, retract broadcast.Job) bool
	}{
		{"deleted on the retry", []error{unavailable},
			func(t *testing.T, _ *Dispatcher, b *broadcast.Broadcaster, retract broadcast.Job) bool {
				require.NoError(t, b.RunJob(context.Background(), retract, 2).Err)
				return true
			}},
		{"refused for good on the retry", []error{unavailable, broadcast.Permanent(errors.New("403 forbidden"))},
			func(t *testing.T, _ *Dispatcher, b *broadcast.Broadcaster, retract broadcast.Job) bool {
				res := b.RunJob(context.Background(), retract, 2)
				require.True(t, broadcast.IsPermanent(res.Err), "%v", res.Err)
				return false
			}},
		{"given up by the queue", []error{unavailable, unavailable},
			func(t *testing.T, d *Dispatcher, b *broadcast.Broadcaster, retract broadcast.Job) bool {
				last := &rivertype.JobRow{Attempt: 2, MaxAttempts: 2 + maxRescues, CreatedAt: time.Now()}
				res := b.RunJob(context.Background(), retract, 2)
				e := Event{Job: retract.Kind}
				e.Channel, e.UpdateID = retract.Channel, retract.Update.ID
				kind, err := d.outcome(context.Background(), last, res, &e)
				require.Equal(t, broadcast.EventFailed, kind)
				_ = d.finish(context.Background(), last, e, kind, err)
				return false
			}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := &deletions{fails: tt.fails}
			b, err := broadcast.New([]broadcast.Channel{c}, broadcast.Options{Store: broadcast.NewMemoryStore()})
			require.NoError(t, err)
			defer b.Close()
			d := &Dispatcher{cfg: Config{Broadcaster: b, Retry: broadcast.RetryPolicy{MaxAttempts: 2, InitialInterval: time.Second,
				MaxInterval: time.Minute, MaxElapsed: time.Hour}}}
			d.retry = retryPolicy{RetryPolicy: d.cfg.Retry}
			ctx := context.Background()
			newer, older, retract := retractionJobs(t, b)
			first := &rivertype.JobRow{Attempt: 1, MaxAttempts: 2 + maxRescues, CreatedAt: time.Now()}

			require.NoError(t, b.RunJob(ctx, newer[0], 1).Err)
			res := b.RunJob(ctx, retract[0], 1)
			require.ErrorIs(t, res.Err, unavailable)
			require.False(t, broadcast.IsPermanent(res.Err), "the retraction is retried")

			res = b.RunJob(ctx, older[0], 1)
			assert.False(t, res.Superseded, "superseded by a post whose retraction is under way")
			require.Error(t, res.Err, "the older update waits for the retraction")
			var e Event
			kind, err := d.outcome(ctx, first, res, &e)
			assert.Equal(t, broadcast.EventRetry, kind)
			var snooze *rivertype.JobSnoozeError
			assert.ErrorAs(t, err, &snooze, "snoozed: no attempt used up")
			assert.True(t, e.Snoozed)
			assert.Equal(t, []string{"newer"}, c.posts())

			deleted := tt.then(t, d, b, retract[0])
			res = b.RunJob(ctx, older[0], 1)
			require.NoError(t, res.Err)
			if deleted {
				assert.False(t, res.Superseded)
				assert.Equal(t, []string{"older"}, c.posts(), "the newer post deleted, the older one posted")
			} else {
				assert.True(t, res.Superseded, "the newer post stays: the older update is not posted after it")
				assert.Equal(t, []string{"newer"}, c.posts())
			}
		})
	}
}

// A run that did not try the channel leaves the job's output as the run
// before it recorded it: what is still pending and what failed stays in
// Report. A JobSend run that only waited for a retraction under way
// overwrote it with an empty one, and Report dropped the job's Pending
// and Failures lists for as long as the wait lasted, where runs that met
// ErrBusy or ErrClosed kept them.
func TestARunThatWaitedKeepsTheOutput(t *testing.T) {
	c := &deletions{fails: []error{errors.New("503 service unavailable")}}
	b, err := broadcast.New([]broadcast.Channel{c}, broadcast.Options{Store: broadcast.NewMemoryStore()})
	require.NoError(t, err)
	defer b.Close()
	ctx := context.Background()
	newer, older, retract := retractionJobs(t, b)
	require.NoError(t, b.RunJob(ctx, newer[0], 1).Err)
	require.Error(t, b.RunJob(ctx, retract[0], 1).Err)
	waited := b.RunJob(ctx, older[0], 2)
	require.Error(t, waited.Err, "the older update waits for the retraction")

	before := output{Delivered: 1, Failures: []failure{{Target: "a@example.com", Error: "550 no such user"}},
		Pending: []failure{{Target: "b@example.com", Error: "421 try later"}}}
	meta, err := json.Marshal(map[string]any{"output": before})
	require.NoError(t, err)
	row := &rivertype.JobRow{ID: 7, Attempt: 2, MaxAttempts: 3 + maxRescues, CreatedAt: time.Now(), Metadata: meta}
	for name, res := range map[string]broadcast.Result{
		"waited for a retraction": waited,
		"busy":                    {Channel: "x", Err: fmt.Errorf("%w: %w", broadcast.ErrBusy, context.DeadlineExceeded)},
		"closed":                  {Channel: "x", Err: broadcast.ErrClosed},
	} {
		assert.True(t, broadcast.NotTried(res.Err), "%s: %v", name, res.Err)
		assert.Equal(t, before, runOutput(row, res), "%s: the earlier run's output stands", name)
	}
	tried := broadcast.Result{Channel: "x", Err: errors.New("503"), Pending: []broadcast.TargetFailure{
		{Target: "b@example.com", Err: errors.New("503")}}}
	assert.False(t, broadcast.NotTried(tried.Err))
	assert.Equal(t, []failure{{Target: "b@example.com", Error: "503"}}, runOutput(row, tried).Pending, "a run that tried says")
}

// The time a retraction job runs no more is far ahead for a Retry.MaxElapsed
// of math.MaxInt64 ("no limit"): adding RescueAfter to what is left of it
// overflowed a Duration, and a job just enqueued ended some 292 years ago,
// so its record counted only the Broadcaster's own MaxElapsed, and an older
// update's job took the retraction for ended between two of its runs.
func TestJobEndOfAnUnlimitedRetry(t *testing.T) {
	d := &Dispatcher{cfg: Config{Retry: broadcast.RetryPolicy{MaxElapsed: math.MaxInt64}, RescueAfter: DefaultRescueAfter}}
	d.retry = retryPolicy{RetryPolicy: d.cfg.Retry}
	end := d.jobEnd(&rivertype.JobRow{CreatedAt: time.Now()})
	assert.True(t, end.After(time.Now().AddDate(200, 0, 0)), "ends %v", end)
}

// retractionJobs makes, on b, the jobs of two updates of one incident,
// "newer" and "older", and of the retraction of "newer": one job each,
// for b's one channel.
func retractionJobs(t *testing.T, b *broadcast.Broadcaster) (newer, older, retract []broadcast.Job) {
	t.Helper()
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	newer, err := b.Jobs(broadcast.JobSend, broadcast.Update{ID: "newer", IncidentID: "cdn", Title: "CDN errors",
		Status: broadcast.StatusIdentified, Time: base.Add(time.Hour)}, "")
	require.NoError(t, err)
	older, err = b.Jobs(broadcast.JobSend, broadcast.Update{ID: "older", IncidentID: "cdn", Title: "CDN errors",
		Status: broadcast.StatusInvestigating, Time: base}, "")
	require.NoError(t, err)
	retract, err = b.Jobs(broadcast.JobRetract, broadcast.Update{}, "newer")
	require.NoError(t, err)
	return newer, older, retract
}
