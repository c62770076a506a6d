package broadcast_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// An attempt ended by AttemptTimeout keeps what the channel's error says:
// its retry hint and its pending targets; only ErrAttemptTimeout matches,
// not the context's deadline.
func TestAttemptTimeoutKeepsChannelError(t *testing.T) {
	ch := broadcast.ChannelFunc("hooks", func(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		f := broadcast.NewFanout(m, []string{"a", "b"})
		for _, i := range f.Todo() {
			if i == 0 {
				f.Report(i, broadcast.RetryAfter(errors.New("429 slow down"), 10*time.Minute))
				continue
			}
			<-ctx.Done()
			f.Report(i, ctx.Err())
		}
		return broadcast.Receipt{}, f.Err()
	})
	b := newBroadcaster(t, broadcast.Options{AttemptTimeout: 50 * time.Millisecond,
		Retry: broadcast.RetryPolicy{MaxAttempts: 1}}, ch)
	rep, err := b.Send(context.Background(), validUpdate())
	require.Error(t, err)
	r := rep.Results[0]
	assert.ErrorIs(t, r.Err, broadcast.ErrAttemptTimeout)
	assert.NotErrorIs(t, r.Err, context.DeadlineExceeded, "not the caller's deadline")
	d, ok := broadcast.RetryDelay(r.Err)
	assert.True(t, ok, "the platform's hint survives: %v", r.Err)
	assert.Equal(t, 10*time.Minute, d)
	var pending []string
	for _, p := range r.Pending {
		pending = append(pending, p.Target)
	}
	assert.ElementsMatch(t, []string{"a", "b"}, pending)
	assert.False(t, broadcast.IsPermanent(r.Err))
}

// failingMarks is a Store whose marks cannot be written.
type failingMarks struct{ *broadcast.MemoryStore }

func (failingMarks) Mark(context.Context, string, string, string, error) error {
	return errors.New("disk full")
}

// A delivery the Store could not record is Permanent, for RunJob's
// caller too: retrying would deliver again.
func TestNotRecordedIsNotRetriedByJobs(t *testing.T) {
	var n atomic.Int32
	ch := broadcast.ChannelFunc("x", func(context.Context, broadcast.Message) (broadcast.Receipt, error) {
		n.Add(1)
		return broadcast.Receipt{ID: "1"}, nil
	})
	b := newBroadcaster(t, broadcast.Options{Store: failingMarks{broadcast.NewMemoryStore()}}, ch)
	jobs, err := b.Jobs(broadcast.JobSend, validUpdate(), "")
	require.NoError(t, err)
	r := b.RunJob(context.Background(), jobs[0], 1)
	require.ErrorIs(t, r.Err, broadcast.ErrNotRecorded)
	assert.True(t, broadcast.IsPermanent(r.Err), "RunJob's caller retries what is not Permanent")
	assert.EqualValues(t, 1, n.Load())
}

// RunJob refuses a Job that Jobs would not make (another version's kind,
// a damaged update) instead of sending it, and runs nothing after Close.
func TestRunJobRefusesWhatJobsWouldNotMake(t *testing.T) {
	var n atomic.Int32
	ch := broadcast.ChannelFunc("x", func(context.Context, broadcast.Message) (broadcast.Receipt, error) {
		n.Add(1)
		return broadcast.Receipt{}, nil
	})
	b := newBroadcaster(t, broadcast.Options{}, ch)
	jobs, err := b.Jobs(broadcast.JobSend, validUpdate(), "")
	require.NoError(t, err)
	noIncident, noTime := jobs[0].Update, jobs[0].Update
	noIncident.IncidentID, noTime.Time = "", time.Time{}
	for _, j := range []broadcast.Job{
		{Kind: "edit", Channel: "x", Update: jobs[0].Update},
		{Kind: broadcast.JobSend, Channel: "x", Update: noIncident},
		{Kind: broadcast.JobSend, Channel: "x", Update: noTime},
		{Kind: broadcast.JobSend, Channel: "x", Update: broadcast.Update{ID: "u1"}},
		{Kind: broadcast.JobSend, Channel: "x"},
		{Kind: broadcast.JobCorrect, Channel: "x", Update: jobs[0].Update},
	} {
		r := b.RunJob(context.Background(), j, 1)
		assert.True(t, broadcast.IsPermanent(r.Err), "%+v: %v", j, r.Err)
	}
	assert.Zero(t, n.Load(), "nothing sent")

	require.NoError(t, b.Close())
	r := b.RunJob(context.Background(), jobs[0], 1)
	assert.ErrorIs(t, r.Err, broadcast.ErrClosed)
	assert.False(t, broadcast.IsPermanent(r.Err), "another instance runs it")
	assert.Zero(t, n.Load(), "nothing sent after Close")
}

// A Job whose update was not cleaned (hand-made, or from another version)
// reaches the channel cleaned, as Jobs would have made it.
func TestRunJobCleansTheUpdate(t *testing.T) {
	var got broadcast.Update
	ch := broadcast.ChannelFunc("x", func(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		got = m.Update
		return broadcast.Receipt{ID: "1"}, nil
	})
	b := newBroadcaster(t, broadcast.Options{}, ch)
	jobs, err := b.Jobs(broadcast.JobSend, validUpdate(), "")
	require.NoError(t, err)
	j := jobs[0]
	j.Update.Title = "\x1b]0;pwned\x07CDN \x1b[31mdown"
	r := b.RunJob(context.Background(), j, 1)
	require.NoError(t, r.Err)
	assert.Equal(t, "CDN down", got.Title)
}

// A Ledger target "" would be the channel's own mark in the Store: it is
// answered as failed and never marked, so the other targets are still
// retried and the Send does not pass for complete.
func TestEmptyLedgerTargetIsRefused(t *testing.T) {
	var calls atomic.Int32
	ch := broadcast.ChannelFunc("mail", func(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		calls.Add(1)
		assert.Error(t, m.Ledger.MarkDelivered(""))
		f := broadcast.NewFanout(m, []string{"", "b@example.com"})
		for _, i := range f.Todo() {
			f.Report(i, errors.New("451 try later"))
		}
		return broadcast.Receipt{}, f.Err()
	})
	b := newBroadcaster(t, broadcast.Options{Retry: broadcast.RetryPolicy{MaxAttempts: 2, InitialInterval: time.Millisecond}}, ch)
	rep, err := b.Send(context.Background(), validUpdate())
	require.Error(t, err)
	r := rep.Results[0]
	assert.False(t, r.Skipped)
	assert.EqualValues(t, 2, calls.Load(), "b@example.com retried")
	require.NotEmpty(t, r.Failures)
	assert.Equal(t, "", r.Failures[0].Target)

	done, failure := broadcast.NewMessage(validUpdate()).Ledger.Done("")
	assert.True(t, done, "NewMessage's Ledger answers alike")
	assert.Contains(t, failure, "a target must have a name")
}

// A Title or component name of escape sequences only is missing: Clean
// would hand the channels an empty one.
func TestTitleBlankOnceCleanedIsMissing(t *testing.T) {
	u := validUpdate()
	u.Title = "\x1b[31m\x1b[0m"
	assert.ErrorContains(t, u.Validate(), "Title: missing")
	u = validUpdate()
	u.Components = []broadcast.Component{{Name: "\x1b[1m \x07", Status: broadcast.ComponentDegraded}}
	assert.ErrorContains(t, u.Validate(), "Components[0].Name: missing")
}

// A channel that marks Permanent the error our attempt timeout caused is
// retried all the same, as AttemptTimeout says.
func TestAttemptTimeoutRetriedEvenIfMarkedPermanent(t *testing.T) {
	var calls atomic.Int32
	ch := broadcast.ChannelFunc("x", func(ctx context.Context, _ broadcast.Message) (broadcast.Receipt, error) {
		if calls.Add(1) == 1 {
			<-ctx.Done()
			return broadcast.Receipt{}, broadcast.Permanent(fmt.Errorf("x: %w", ctx.Err()))
		}
		return broadcast.Receipt{}, nil
	})
	b := newBroadcaster(t, broadcast.Options{AttemptTimeout: 50 * time.Millisecond}, ch)
	_, err := b.Send(context.Background(), validUpdate())
	require.NoError(t, err)
	assert.EqualValues(t, 2, calls.Load())
}

// failingMarkOf is a Store that cannot write the marks of one target.
type failingMarkOf struct {
	broadcast.Store
	target string
}

func (s failingMarkOf) Mark(ctx context.Context, u, ch, target string, f error) error {
	if target == s.target {
		return errors.New("disk full")
	}
	return s.Store.Mark(ctx, u, ch, target, f)
}

// A lost mark does not make a job with pending targets Permanent: they
// would never be retried.
func TestNotRecordedKeepsPendingTargetsRetried(t *testing.T) {
	ch := broadcast.ChannelFunc("x", func(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		f := broadcast.NewFanout(m, []string{"a", "b"})
		for _, i := range f.Todo() {
			if i == 0 {
				f.Report(i, nil)
			} else {
				f.Report(i, errors.New("503"))
			}
		}
		return broadcast.Receipt{}, f.Err()
	})
	b := newBroadcaster(t, broadcast.Options{Store: failingMarkOf{broadcast.NewMemoryStore(), "a"}}, ch)
	jobs, err := b.Jobs(broadcast.JobSend, validUpdate(), "")
	require.NoError(t, err)
	res := b.RunJob(context.Background(), jobs[0], 1)
	require.ErrorIs(t, res.Err, broadcast.ErrNotRecorded)
	assert.False(t, broadcast.IsPermanent(res.Err), "b is pending: %v", res.Err)
	require.Len(t, res.Pending, 1)
	assert.Equal(t, "b", res.Pending[0].Target)
}

// flakyDone is a Store whose first read of target a's mark fails.
type flakyDone struct {
	*broadcast.MemoryStore
	failed atomic.Bool
}

func (s *flakyDone) Done(ctx context.Context, u, ch, target string) (bool, string, error) {
	if target == "a" && s.failed.CompareAndSwap(false, true) {
		return false, "", errors.New("store busy")
	}
	return s.MemoryStore.Done(ctx, u, ch, target)
}

// When one target's mark cannot be read, the attempt's error still carries
// what the channel said of the others: its RetryAfter, and its pending
// targets, to which the unread one is added.
func TestUnreadMarkKeepsTheChannelsRetryAfter(t *testing.T) {
	ch := broadcast.ChannelFunc("hooks", func(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		f := broadcast.NewFanout(m, []string{"a", "b"})
		for _, i := range f.Todo() {
			f.Report(i, broadcast.RetryAfter(errors.New("429 Too Many Requests"), 10*time.Minute))
		}
		return broadcast.Receipt{}, f.Err()
	})
	b := newBroadcaster(t, broadcast.Options{Store: &flakyDone{MemoryStore: broadcast.NewMemoryStore()}}, ch)
	jobs, err := b.Jobs(broadcast.JobSend, validUpdate(), "")
	require.NoError(t, err)
	r := b.RunJob(context.Background(), jobs[0], 1)
	require.Error(t, r.Err)
	assert.False(t, broadcast.IsPermanent(r.Err))
	d, ok := broadcast.RetryDelay(r.Err)
	assert.True(t, ok, "%v", r.Err)
	assert.Equal(t, 10*time.Minute, d)
	assert.ErrorContains(t, r.Err, "store busy")
	var pending []string
	for _, p := range r.Pending {
		pending = append(pending, p.Target)
	}
	assert.ElementsMatch(t, []string{"a", "b"}, pending)
	assert.NotContains(t, r.Err.Error(), "earlier attempt", "a's mark was not read: it did not fail before")
	assert.Contains(t, r.Err.Error(), "2 pending, 0 failed permanently")
}
