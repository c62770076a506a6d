package broadcast_test

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// The ID of an update sent with a Time of its own (of which the Store
// keeps no record of its first Send), given to a Correct by mistake, is no
// correction's ID: a later Send of the update, to reach a channel it
// missed, was failed for good on the channels that had it, as "the ID of a
// correction of update a, delivered on this channel", which it was not.
func TestTimedUpdatesIDGivenToACorrectStaysItsOwn(t *testing.T) {
	ctx := context.Background()
	b := newBroadcaster(t, broadcast.Options{}, &script{name: "irc"})
	a, x := validUpdate(), validUpdate()
	a.ID, x.ID, x.Body = "a", "x", "Another update."
	a.Time = time.Now().UTC().Add(-2 * time.Minute)
	x.Time = a.Time.Add(time.Minute)
	for _, u := range []broadcast.Update{a, x} {
		_, err := b.Send(ctx, u)
		require.NoError(t, err)
	}
	fix := correctionOf("x")
	_, _ = b.Correct(ctx, "a", fix) // Skipped: see Correct

	rep, err := b.Send(ctx, x)
	require.NoError(t, err)
	assert.True(t, rep.Results[0].Skipped)
}

// ctxKey keys a value of a caller's context.
type ctxKey struct{}

// The lock of the record of what a correction corrects is taken with the
// caller's end, not its values, as that of the record of an update's
// first Send is: those are for the locks of deliveries (pgstore's
// WithLockLost, whose loss package dispatch reports as the job's).
func TestCorrectionRecordsLockHoldsNoValues(t *testing.T) {
	var locks broadcast.Locks
	var leaked, taken atomic.Int32
	lock := func(ctx context.Context, k broadcast.LockKey) (func(), error) {
		if strings.HasPrefix(k.UpdateID, "\x00corrects\x00") {
			taken.Add(1)
			if ctx.Value(ctxKey{}) != nil {
				leaked.Add(1)
			}
		}
		return locks.Lock(ctx, k)
	}
	ch := &script{name: "irc"}
	b := newBroadcaster(t, broadcast.Options{Lock: lock}, ch)
	ctx := context.WithValue(context.Background(), ctxKey{}, "job")
	a := validUpdate()
	a.ID = "a"
	_, err := b.Send(ctx, a)
	require.NoError(t, err)
	fix := correctionOf("fix")
	jobs, err := b.Jobs(broadcast.JobCorrect, fix, "a")
	require.NoError(t, err)
	require.NoError(t, b.RunJob(ctx, jobs[0], 1).Err)
	fix.ID = "fix2"
	_, err = b.Correct(ctx, "a", fix)
	require.NoError(t, err)
	assert.Equal(t, int32(2), taken.Load())
	assert.Zero(t, leaked.Load())
}

// claimFailing is a Store that cannot read or write (as set) the record of
// what a correction corrects: of correction "fix" only when it reads, as
// a record up a correction's chain that cannot be read fails the attempt
// (see Message.Current).
type claimFailing struct {
	*broadcast.MemoryStore
	read, write bool
}

func (s claimFailing) Receipt(ctx context.Context, updateID, channel string) (broadcast.Receipt, bool, error) {
	if s.read && updateID == "\x00corrects\x00fix" {
		return broadcast.Receipt{}, false, errFlaky
	}
	return s.MemoryStore.Receipt(ctx, updateID, channel)
}

func (s claimFailing) SaveReceipt(ctx context.Context, incidentID, updateID string, r broadcast.Receipt) error {
	if s.write && strings.HasPrefix(updateID, "\x00corrects\x00") {
		return errFlaky
	}
	return s.MemoryStore.SaveReceipt(ctx, incidentID, updateID, r)
}

// A Store that cannot read or write the record lets a correction through,
// given a Time or not, and a Correct of it again, for the channel that
// missed it, posts it there only.
func TestCorrectionGoesWithoutItsRecord(t *testing.T) {
	for _, timed := range []bool{false, true} {
		for _, s := range []claimFailing{{read: true}, {write: true}} {
			ctx := context.Background()
			s.MemoryStore = broadcast.NewMemoryStore()
			irc, x := &script{name: "irc"}, &script{name: "x"}
			b := newBroadcaster(t, broadcast.Options{Store: s, Retry: broadcast.RetryPolicy{MaxAttempts: 1}}, irc, x)
			a := validUpdate()
			a.ID = "a"
			_, err := b.Send(ctx, a)
			require.NoError(t, err)
			x.errs = []error{nil, errFlaky}
			fix := correctionOf("fix")
			if timed {
				fix.Time = time.Now().UTC()
			}
			_, err = b.Correct(ctx, "a", fix)
			require.ErrorIs(t, err, errFlaky)
			rep, err := b.Correct(ctx, "a", fix)
			require.NoError(t, err)
			assert.True(t, rep.Results[0].Skipped)
			assert.False(t, rep.Results[1].Skipped)
			assert.Equal(t, 2, irc.count())
			assert.Equal(t, 3, x.count())
		}
	}
}

// Two instances sharing a Store and Options.Lock run the Job of one
// correction on one channel at once (a queue's job rescued while it ran):
// it is posted once, and neither run fails.
func TestCorrectionJobOnTwoInstances(t *testing.T) {
	ctx := context.Background()
	store := broadcast.NewMemoryStore()
	ch := &script{name: "irc"}
	one := newBroadcaster(t, broadcast.Options{Store: store, Lock: store.Lock}, ch)
	two := newBroadcaster(t, broadcast.Options{Store: store, Lock: store.Lock}, ch)
	a := validUpdate()
	a.ID = "a"
	_, err := one.Send(ctx, a)
	require.NoError(t, err)
	fix := correctionOf("fix")
	jobs, err := one.Jobs(broadcast.JobCorrect, fix, "a")
	require.NoError(t, err)
	var wg sync.WaitGroup
	res := make([]broadcast.Result, 2)
	for i, b := range []*broadcast.Broadcaster{one, two} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res[i] = b.RunJob(ctx, jobs[0], 1)
		}()
	}
	wg.Wait()
	require.NoError(t, res[0].Err)
	require.NoError(t, res[1].Err)
	assert.True(t, res[0].Skipped != res[1].Skipped, "one posts, the other finds it done")
	assert.Equal(t, 2, ch.count())
}

// Two instances correcting two updates with one correction ID at once:
// one corrects its update, the other is refused, naming ID.
func TestCorrectionsSharingAnIDOnTwoInstances(t *testing.T) {
	ctx := context.Background()
	store := broadcast.NewMemoryStore()
	ch := &script{name: "irc"}
	one := newBroadcaster(t, broadcast.Options{Store: store, Lock: store.Lock}, ch)
	two := newBroadcaster(t, broadcast.Options{Store: store, Lock: store.Lock}, ch)
	sendTwo(t, one, "a", "b")
	fix := correctionOf("fix")
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i, b := range []*broadcast.Broadcaster{one, two} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rep, err := b.Correct(ctx, []string{"a", "b"}[i], fix)
			if err == nil {
				assert.False(t, rep.Results[0].Skipped)
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	if errs[0] != nil {
		errs[0], errs[1] = errs[1], errs[0]
	}
	require.NoError(t, errs[0])
	var fe *broadcast.FieldError
	require.ErrorAs(t, errs[1], &fe)
	assert.Equal(t, "ID", fe.Field)
	assert.Equal(t, 3, ch.count())
}

// firstClaimFailing is a Store that cannot write the first record of what
// a correction corrects.
type firstClaimFailing struct {
	*broadcast.MemoryStore
	failed *atomic.Bool
}

func (s firstClaimFailing) SaveReceipt(ctx context.Context, incidentID, updateID string, r broadcast.Receipt) error {
	if strings.HasPrefix(updateID, "\x00corrects\x00") && !s.failed.Swap(true) {
		return errFlaky
	}
	return s.MemoryStore.SaveReceipt(ctx, incidentID, updateID, r)
}

// A correction delivered whose record could not be written is not
// recorded later as the correction of another update whose Correct is
// given its ID: nothing says which it corrects, and the record would
// refuse the Correct again of the correction, for the channel it missed.
func TestUnrecordedCorrectionIsNotClaimedByAnother(t *testing.T) {
	ctx := context.Background()
	store := firstClaimFailing{broadcast.NewMemoryStore(), new(atomic.Bool)}
	irc, x := &script{name: "irc"}, &script{name: "x"}
	b := newBroadcaster(t, broadcast.Options{Store: store, Retry: broadcast.RetryPolicy{MaxAttempts: 1}}, irc, x)
	sendTwo(t, b, "a", "b")
	x.errs = []error{nil, nil, errFlaky}
	fix := correctionOf("fix")
	_, err := b.Correct(ctx, "a", fix)
	require.ErrorIs(t, err, errFlaky)

	_, _ = b.Correct(ctx, "b", fix) // by mistake: Skipped on irc, where fix was delivered
	rep, err := b.Correct(ctx, "a", fix)
	require.NoError(t, err, "the Correct again of fix, for the channel it missed")
	assert.True(t, rep.Results[0].Skipped)
}

// A correction whose record of what it corrects could not be written
// before it ran gets it written once it ran: its ID given to the Correct
// of another update is refused, naming ID, where that Correct was
// Skipped on every channel (the ID delivered) without an error, and the
// other update stayed wrong. A Correct again of the same correction is
// let through (Skipped where done), and so is a queue's Job of it.
func TestUnwrittenCorrectionRecordIsWrittenAfterwards(t *testing.T) {
	for _, job := range []bool{false, true} {
		ctx := context.Background()
		store := firstClaimFailing{broadcast.NewMemoryStore(), new(atomic.Bool)}
		ch := &script{name: "irc"}
		b := newBroadcaster(t, broadcast.Options{Store: store}, ch)
		sendTwo(t, b, "a", "b")
		fix := correctionOf("fix")
		correctAs(t, b, job, "a", fix)
		require.True(t, store.failed.Load(), "the record's first write failed")

		rep, err := b.Correct(ctx, "b", fix)
		var fe *broadcast.FieldError
		require.ErrorAs(t, err, &fe, "the Correct of b was %+v", rep)
		assert.Equal(t, "ID", fe.Field)
		assert.Contains(t, fe.Problem, `"a"`)

		rep, err = b.Correct(ctx, "a", fix)
		require.NoError(t, err)
		assert.True(t, rep.Results[0].Skipped)
		assert.Equal(t, 3, ch.count())
	}
}

// correctAs corrects original with fix through b, as a JobCorrect run
// once when job, else with Correct, and requires it to succeed.
func correctAs(t *testing.T, b *broadcast.Broadcaster, job bool, original string, fix broadcast.Update) {
	t.Helper()
	ctx := context.Background()
	if job {
		jobs, err := b.Jobs(broadcast.JobCorrect, fix, original)
		require.NoError(t, err)
		require.NoError(t, b.RunJob(ctx, jobs[0], 1).Err)
		return
	}
	_, err := b.Correct(ctx, original, fix)
	require.NoError(t, err)
}
