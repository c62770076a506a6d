package broadcast_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// threadsOf returns the Threads ch was given, in order.
func threadsOf(ch *receivers) []broadcast.Thread {
	ch.mu.Lock()
	defer ch.mu.Unlock()
	return append([]broadcast.Thread(nil), ch.threads...)
}

// The targets that refused a correction posted in the thread, tried again
// by a Correct again after a newer update was posted, get the correction
// in the thread its first targets got it in: after the post they followed
// (the original's), under the thread's first post. Before, they were given
// the newer update as the post to follow, which came after the correction.
func TestCorrectAgainGivesRefusedTargetsTheThreadOfTheFirst(t *testing.T) {
	ctx := context.Background()
	ch := &receivers{targets: []string{"a", "b"}}
	b := newBroadcaster(t, broadcast.Options{Retry: broadcast.RetryPolicy{MaxAttempts: 1}}, ch)
	u1, u2, _, fixed := threadOfThree()

	sendRefusedCorrection(t, b, ch, u1, fixed)
	_, err := b.Send(ctx, u2)
	require.NoError(t, err)
	rep, err := b.Correct(ctx, "u1", fixed)
	require.NoError(t, err)
	assert.Equal(t, []string{"b"}, rep.Results[0].Delivered)

	threads := threadsOf(ch)
	require.Len(t, threads, 4)
	first := threads[1]
	assert.Equal(t, "u1", first.Root.UpdateID)
	assert.Equal(t, "u1", first.Last.UpdateID)
	again := threads[3]
	assert.Equal(t, first.Root.UpdateID, again.Root.UpdateID, "b gets the correction under the thread's first post, as a did")
	assert.Equal(t, first.Last.UpdateID, again.Last.UpdateID, "b gets the correction after u1, as a did, not after u2")
	assert.Equal(t, "post-u1", again.Last.ID)
}

// A correction that was the incident's first post on the channel (its
// original never reached it), refused by a target or not reached there
// (the target down), then tried there again after a newer update started
// the thread, is given no thread, as its first targets got it. Before,
// the channel was given the newer update as Last with no Root (refused),
// or as Root with no Last (down): a thread no post ever had, under which
// a channel that threads posted the correction as a reply to the newer
// update, which came after it.
func TestCorrectAgainOfAFirstPostGetsNoThread(t *testing.T) {
	for name, b := range map[string]map[string]bool{"refused": nil, "down": {"b": true}} {
		t.Run(name, func(t *testing.T) {
			refused := map[string]bool{"b": true}
			if b != nil {
				refused = nil
			}
			ctx := context.Background()
			ch := &receivers{targets: []string{"a", "b"}}
			br := newBroadcaster(t, broadcast.Options{Retry: broadcast.RetryPolicy{MaxAttempts: 1}}, ch, &script{name: "other"})
			u1, u2, u3, fixed := threadOfThree()

			ch.set(nil, map[string]bool{"a": true, "b": true})
			_, err := br.Send(ctx, u1)
			require.Error(t, err, "hooks is down; other has u1")
			ch.set(refused, b)
			_, err = br.Correct(ctx, "u1", fixed)
			require.Error(t, err, "b refuses the correction, or is down")
			ch.set(nil, nil)
			_, err = br.Send(ctx, u2)
			require.NoError(t, err)
			require.Len(t, threadsOf(ch), 3)
			require.True(t, threadsOf(ch)[1].IsZero(), "the correction was the first post on a")

			rep, err := br.Correct(ctx, "u1", fixed)
			require.NoError(t, err)
			assert.Equal(t, []string{"b"}, rep.Results[0].Delivered)
			threads := threadsOf(ch)
			require.Len(t, threads, 4)
			assert.Equal(t, broadcast.Thread{}, threads[3], "b gets the correction as a got it: the first post")

			_, err = br.Send(ctx, u3)
			require.NoError(t, err)
			threads = threadsOf(ch)
			if b != nil { // refused, the correction on a is the thread's first post
				assert.Equal(t, "u2", threads[4].Root.UpdateID, "not reached on b, the correction is in no thread")
			}
			assert.Equal(t, "u2", threads[4].Last.UpdateID, "u3 follows u2, not the correction")
		})
	}
}

// So it is when the correction's own mark was lost (ErrNotRecorded, its
// receipt saved): the Correct again tries the refused target in the
// thread its first targets got it in, and the newer update stays the
// thread's latest post. Before, the target was given the newer update as
// the post to follow, and the correction became the thread's latest post,
// which the incident's next update replied to.
func TestCorrectAgainAfterALostMarkKeepsTheCorrectionsPlace(t *testing.T) {
	ctx := context.Background()
	ch := &receivers{targets: []string{"a", "b"}}
	st := markFailsOnce()
	st.markFailed.Store(true) // not the original's mark
	b := newBroadcaster(t, broadcast.Options{Store: st, Retry: broadcast.RetryPolicy{MaxAttempts: 1}}, ch)
	u1, u2, u3, fixed := threadOfThree()

	_, err := b.Send(ctx, u1)
	require.NoError(t, err)
	st.markFailed.Store(false)
	ch.set(map[string]bool{"b": true}, nil)
	_, err = b.Correct(ctx, "u1", fixed)
	require.ErrorIs(t, err, broadcast.ErrNotRecorded)
	ch.set(nil, nil)
	_, err = b.Send(ctx, u2)
	require.NoError(t, err)

	rep, err := b.Correct(ctx, "u1", fixed)
	require.NoError(t, err)
	assert.Equal(t, []string{"b"}, rep.Results[0].Delivered)
	threads := threadsOf(ch)
	require.Len(t, threads, 4)
	assert.Equal(t, "u1", threads[3].Root.UpdateID)
	assert.Equal(t, "u1", threads[3].Last.UpdateID, "b gets the correction after u1, as a did")

	th, err := b.Thread(ctx, "inc", "hooks")
	require.NoError(t, err)
	assert.Equal(t, "u2", th.Last.UpdateID, "u2 was posted after the correction")
	_, err = b.Send(ctx, u3)
	require.NoError(t, err)
	assert.Equal(t, "u2", threadsOf(ch)[4].Last.UpdateID, "u3 replies to u2, not to the correction")
}
