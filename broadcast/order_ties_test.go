package broadcast_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// Of two updates of an incident with the same Time, the one sent first is
// the older ("ties: the order of Sends"): sent again, it is not posted to
// a target of a fan-out channel that the other reached meanwhile, by this
// Broadcaster or by another sharing the Store.
func TestOlderOfEqualTimesIsNotPostedWhereTheNewerIs(t *testing.T) {
	u1, u2 := orderedUpdates()
	u2.Time = u1.Time
	crossedOnTargets(t, u1, u2, func(t *testing.T, b *broadcast.Broadcaster, ch *fanChannel, rep *broadcast.Report) {
		assert.Equal(t, []string{"u2"}, ch.posted("c"), "u1, sent first, is not posted after u2 on c")
		assert.Equal(t, []string{"c"}, rep.Results[0].SupersededTargets)

		rep, err := b.Send(context.Background(), u2)
		require.NoError(t, err)
		assert.Equal(t, []string{"a"}, rep.Results[0].Delivered, "u2, sent second, goes after u1 on a")
		assert.Equal(t, []string{"u1", "u2"}, ch.posted("a"))
	})
}

// Of two updates of an incident with the same Time, the one sent first
// stays the older when it is sent again: on a channel that posts once, its
// resend after the other was delivered there is Superseded, as it would be
// were the other's Time later; before, the resend counted as a Send after
// the other's, and was posted after it.
func TestResendOfOlderOfEqualTimesIsSuperseded(t *testing.T) {
	ctx := context.Background()
	u1, u2 := orderedUpdates()
	u2.Time = u1.Time
	ch := &script{name: "one", errs: []error{errFlaky}}
	b := newBroadcaster(t, broadcast.Options{Retry: broadcast.RetryPolicy{MaxAttempts: 1}}, ch)

	_, err := b.Send(ctx, u1)
	require.ErrorIs(t, err, errFlaky)
	rep, err := b.Send(ctx, u2)
	require.NoError(t, err)
	require.False(t, rep.Results[0].Superseded)

	rep, err = b.Send(ctx, u1)
	require.NoError(t, err)
	assert.True(t, rep.Results[0].Superseded, "u1, sent first, is not posted after u2")
	assert.Equal(t, 2, ch.count(), "u1's failed attempt and u2's post only")
}

// The same holds for a queue's Jobs run by instances sharing the Store:
// a Job's first run records when the update was first sent, and a later
// run of the older update's Job, on another instance, finds it older than
// the update of equal Time posted since.
func TestJobOfOlderOfEqualTimesIsSupersededOnAnotherInstance(t *testing.T) {
	ctx := context.Background()
	u1, u2 := orderedUpdates()
	u2.Time = u1.Time
	ch := &script{name: "one", errs: []error{errFlaky}}
	opts := broadcast.Options{Store: broadcast.NewMemoryStore()}
	jobs1, err := newBroadcaster(t, opts, ch).Jobs(broadcast.JobSend, u1, "")
	require.NoError(t, err)
	jobs2, err := newBroadcaster(t, opts, ch).Jobs(broadcast.JobSend, u2, "")
	require.NoError(t, err)

	r := newBroadcaster(t, opts, ch).RunJob(ctx, jobs1[0], 1)
	require.ErrorIs(t, r.Err, errFlaky)
	r = newBroadcaster(t, opts, ch).RunJob(ctx, jobs2[0], 1)
	require.NoError(t, r.Err)

	r = newBroadcaster(t, opts, ch).RunJob(ctx, jobs1[0], 2)
	require.NoError(t, r.Err)
	assert.True(t, r.Superseded, "u1, sent first, is not posted after u2")
	assert.Equal(t, 2, ch.count())
}
