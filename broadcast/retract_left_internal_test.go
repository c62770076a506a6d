package broadcast

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// recordJobs returns two Broadcasters sharing a Store (Retry.MaxElapsed
// 1m, AttemptTimeout 10s) over p, the Job retracting a newer update of an
// incident posted there, and the Job sending an older update of it.
func recordJobs(t *testing.T, p *platform) (b1, b2 *Broadcaster, retract, older Job) {
	t.Helper()
	shared := NewMemoryStore()
	opts := Options{Store: shared, Lock: shared.Lock, AttemptTimeout: 10 * time.Second,
		Retry: RetryPolicy{MaxAttempts: 3, InitialInterval: time.Second, MaxInterval: time.Second, MaxElapsed: time.Minute}}
	b1, err := New([]Channel{view{p}}, opts)
	require.NoError(t, err)
	b2, err = New([]Channel{view{p}}, opts)
	require.NoError(t, err)
	base := time.Now().Add(-time.Hour).UTC()
	newer, err := b1.Jobs(JobSend, Update{ID: "newer", IncidentID: "cdn", Title: "CDN errors",
		Status: StatusIdentified, Time: base.Add(time.Minute)}, "")
	require.NoError(t, err)
	require.NoError(t, b1.RunJob(context.Background(), newer[0], 1).Err)
	rs, err := b1.Jobs(JobRetract, Update{}, "newer")
	require.NoError(t, err)
	os, err := b2.Jobs(JobSend, Update{ID: "older", IncidentID: "cdn", Title: "CDN errors",
		Status: StatusInvestigating, Time: base}, "")
	require.NoError(t, err)
	return b1, b2, rs[0], os[0]
}

// waits asserts that a run of the older update's Job waited for the
// retraction: no attempt, not Superseded.
func waits(t *testing.T, res Result, when string) {
	t.Helper()
	assert.False(t, res.Superseded, "%s: superseded while the retraction is under way", when)
	assert.True(t, NotTried(res.Err), "%s: the run waits for the retraction: %v", when, res.Err)
}

// A retraction's record in the Store that nothing ends (its process died
// during a Retract, or its queued Job was deleted between runs) stops
// counting once the retraction could no longer be under way: its
// RetryPolicy.MaxElapsed plus AttemptTimeout after its last attempt, which
// each attempt puts off. Before, it counted for ever: every older update
// of the incident on the channel waited until its own MaxElapsed and
// failed, where it was Superseded before the record existed.
func TestALeftRetractionRecordStopsCounting(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := &platform{deleting: func(int) error { return errors.New("503 service unavailable") }}
		b1, b2, retract, older := recordJobs(t, p)
		defer b1.Close()
		defer b2.Close()
		ctx := context.Background()

		require.Error(t, b1.RunJob(ctx, retract, 1).Err, "the deletion is to be retried")
		waits(t, b2.RunJob(ctx, older, 1), "at once")
		time.Sleep(50 * time.Second)
		require.Error(t, b1.RunJob(ctx, retract, 2).Err, "retried: the record is put off")
		time.Sleep(50 * time.Second) // past the first run's 70s
		waits(t, b2.RunJob(ctx, older, 1), "within 70s of the retry")

		// The Job is never run again (its process died, it was deleted).
		time.Sleep(21 * time.Second)
		res := b2.RunJob(ctx, older, 1)
		require.NoError(t, res.Err)
		assert.True(t, res.Superseded, "the newer post stays: the older update is not posted after it")
		assert.Equal(t, []string{"newer"}, p.posts())
	})
}

// A caller whose runs of a JobRetract may be further apart than the
// Broadcaster's own RetryPolicy allows (a queue with a Retry of its own)
// passes WithJobEnd: the record counts until then plus AttemptTimeout,
// so that an older update does not take the retraction for ended between
// two of its runs, find the newer post up and be Superseded, while the
// next run deletes that post.
func TestWithJobEndKeepsTheRecordBetweenRuns(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := &platform{deleting: func(n int) error {
			if n == 1 {
				return errors.New("429 too many requests")
			}
			return nil
		}}
		b1, b2, retract, older := recordJobs(t, p)
		defer b1.Close()
		defer b2.Close()
		ctx := context.Background()

		require.Error(t, b1.RunJob(WithJobEnd(ctx, time.Now().Add(2*time.Hour)), retract, 1).Err)
		time.Sleep(time.Hour) // a queue's snooze, far past MaxElapsed
		waits(t, b2.RunJob(ctx, older, 1), "an hour later")
		require.NoError(t, b1.RunJob(WithJobEnd(ctx, time.Now().Add(time.Hour)), retract, 2).Err)
		res := b2.RunJob(ctx, older, 1)
		require.NoError(t, res.Err)
		assert.False(t, res.Superseded)
		assert.Equal(t, []string{"older"}, p.posts(), "the newer post deleted, the older one posted")

		// Past end plus AttemptTimeout, a record left counts no more.
		b3, b4, retract, older := recordJobs(t, &platform{deleting: func(int) error { return errors.New("503") }})
		defer b3.Close()
		defer b4.Close()
		require.Error(t, b3.RunJob(WithJobEnd(ctx, time.Now().Add(2*time.Hour)), retract, 1).Err)
		time.Sleep(2*time.Hour + 11*time.Second)
		res = b4.RunJob(ctx, older, 1)
		require.NoError(t, res.Err)
		assert.True(t, res.Superseded)
	})
}
