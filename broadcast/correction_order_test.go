package broadcast_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A correction of an older update, posted anew with its own (default, now)
// Time, fixes that older post: it is no newer status of the incident. A
// newer update that missed the channel and is sent again afterwards (the
// way to retry a channel) is still posted there, not Superseded by the
// correction.
func TestCorrectionPostedAnewSupersedesNoNewerUpdate(t *testing.T) {
	var fail sync.Map // update ID -> true: refuse it for good
	x := &script{name: "x"}
	b := newBroadcaster(t, broadcast.Options{}, refusing("x", x, &fail))
	ctx := context.Background()
	a, b2 := olderAndNewer("b")
	_, err := b.Send(ctx, a)
	require.NoError(t, err)
	fail.Store("x/b", true)
	_, err = b.Send(ctx, b2)
	require.Error(t, err, "b missed x")
	fail.Delete("x/b")

	fix := a
	fix.ID, fix.Time, fix.Body = "a-fix", time.Time{}, "We are investigating elevated error rates in Europe."
	rep, err := b.Correct(ctx, "a", fix)
	require.NoError(t, err)
	require.False(t, rep.Results[0].Edited)

	rep, err = b.Send(ctx, b2) // the same update again, to retry x

	require.NoError(t, err)
	assert.False(t, rep.Results[0].Superseded, "b is newer than a, which the correction fixes")
	assert.Equal(t, 3, x.count(), "a, the correction, b")
}

// A retry of a newer update waiting out a rate limit is not stopped by a
// correction of an older update posted meanwhile.
func TestCorrectionPostedAnewDoesNotStopANewerRetry(t *testing.T) {
	x := limitedOnce("b", 200*time.Millisecond)
	b := newBroadcaster(t, broadcast.Options{}, x)
	ctx := context.Background()
	a, b2 := olderAndNewer("b")
	_, err := b.Send(ctx, a)
	require.NoError(t, err)
	done := make(chan *broadcast.Report, 1)
	go func() {
		rep, err := b.Send(ctx, b2)
		assert.NoError(t, err)
		done <- rep
	}()
	<-x.waiting
	fix := a
	fix.ID, fix.Time, fix.Body = "a-fix", time.Time{}, "We are investigating elevated error rates in Europe."
	_, err = b.Correct(ctx, "a", fix)
	require.NoError(t, err)
	rep := <-done
	assert.False(t, rep.Results[0].Superseded, "b is newer than a")
	assert.Equal(t, 1, x.posts("b"))
}

// On a channel the original did not reach, a correction the channel's
// Route selects is its first post of the incident: it takes the
// original's place in the incident's order all the same.
func TestCorrectionFirstOnAChannelSupersedesNoNewerUpdate(t *testing.T) {
	var fail sync.Map
	x, y := &script{name: "x"}, &script{name: "y"}

	b := newBroadcaster(t, broadcast.Options{Routes: map[string]broadcast.Route{
		"y": {Statuses: []broadcast.Status{broadcast.StatusIdentified}},
	}}, x, refusing("y", y, &fail))
	ctx := context.Background()
	a, b2 := olderAndNewer("b")
	rep, err := b.Send(ctx, a)
	require.NoError(t, err)
	require.True(t, rep.Results[1].NotSelected)
	fail.Store("y/b", true)
	_, err = b.Send(ctx, b2)
	require.Error(t, err, "b missed y")
	fail.Delete("y/b")

	fix := a // the status was wrong: identified already
	fix.ID, fix.Time, fix.Status = "a-fix", time.Time{}, broadcast.StatusIdentified
	_, err = b.Correct(ctx, "a", fix)
	require.NoError(t, err)
	require.Equal(t, 1, y.count(), "the route selects the correction on y")

	rep, err = b.Send(ctx, b2)
	require.NoError(t, err)
	assert.False(t, rep.Results[1].Superseded, "b is newer than a, which the correction fixes")
	assert.Equal(t, 2, y.count())
}

// A correction posted on a channel where its original still waits to
// retry stops that retry: the wrong text is never posted after its
// correction.
func TestCorrectionStopsItsOriginalsRetry(t *testing.T) {
	for _, timed := range []bool{false, true} {
		t.Run(map[bool]string{false: "default Time", true: "original's Time"}[timed], func(t *testing.T) {
			x := limitedOnce("a", 300*time.Millisecond)
			y := &script{name: "y"}
			b := newBroadcaster(t, broadcast.Options{}, x, y)
			ctx := context.Background()
			a := validUpdate()
			a.ID, a.IncidentID, a.Time = "a", "inc", time.Now().Add(-time.Minute).UTC()
			done := make(chan *broadcast.Report, 1)
			go func() {
				rep, err := b.Send(ctx, a)
				assert.NoError(t, err)
				done <- rep
			}()
			<-x.waiting
			// Delivered on y and recorded: Correct reads the record, which
			// follows the channel's call.
			require.Eventually(t, func() bool {
				on, err := b.ReachedOn(ctx, "a")
				return err == nil && slices.Contains(on, "y")
			}, 10*time.Second, time.Millisecond)
			require.Equal(t, 1, y.count())
			fix := a
			fix.ID, fix.Body = "a-fix", "We are investigating elevated error rates in Europe."
			if !timed {
				fix.Time = time.Time{}
			}
			_, err := b.Correct(ctx, "a", fix)
			require.NoError(t, err)
			rep := <-done
			assert.True(t, rep.Results[0].Superseded, "a is not posted after its correction")
			assert.Zero(t, x.posts("a"))
		})
	}
}

// A correction of a correction takes its place in the incident's order
// too: right after the update first corrected, not at the time of either
// Correct.
func TestCorrectionOfACorrectionSupersedesNoNewerUpdate(t *testing.T) {
	var fail sync.Map
	x := &script{name: "x"}
	b := newBroadcaster(t, broadcast.Options{}, refusing("x", x, &fail))
	ctx := context.Background()
	a, b2 := olderAndNewer("b")
	_, err := b.Send(ctx, a)
	require.NoError(t, err)
	fix := a
	fix.ID, fix.Time, fix.Body = "a-fix", time.Time{}, "We are investigating elevated error rates in Europe."
	_, err = b.Correct(ctx, "a", fix)
	require.NoError(t, err)
	fail.Store("x/b", true)
	_, err = b.Send(ctx, b2)
	require.Error(t, err, "b missed x")
	fail.Delete("x/b")
	fix2 := fix
	fix2.ID, fix2.Body = "a-fix-2", "We are investigating elevated error rates in western Europe."
	rep, err := b.Correct(ctx, "a-fix", fix2)
	require.NoError(t, err)
	require.False(t, rep.Results[0].Edited)
	assert.Equal(t, "a-fix", x.message(2).Update.Corrects)

	rep, err = b.Send(ctx, b2)
	require.NoError(t, err)
	assert.False(t, rep.Results[0].Superseded, "b is newer than a, which both corrections fix")
	assert.Equal(t, 4, x.count())
}

// A correction posted after the thread's latest post takes that post's
// Time, and loses the tie to an update of that Time sent afterwards: d,
// waiting out a rate limit while a is corrected, is posted, not
// Superseded, as another instance (the Store's thread alone) would have it.
func TestCorrectionAtTheLatestPostsTimeSupersedesNoUpdateOfThatTime(t *testing.T) {
	x := limitedOnce("d", 300*time.Millisecond)
	b := newBroadcaster(t, broadcast.Options{}, x)
	ctx := context.Background()
	a, b2 := olderAndNewer("b")
	d := b2
	d.ID, d.Status = "d", broadcast.StatusMonitoring // b's Time, sent after it: newer
	for _, u := range []broadcast.Update{a, b2} {
		_, err := b.Send(ctx, u)
		require.NoError(t, err)
	}
	done := make(chan *broadcast.Report, 1)
	go func() {
		rep, err := b.Send(ctx, d)
		assert.NoError(t, err)
		done <- rep
	}()
	<-x.waiting
	fix := a
	fix.ID, fix.Time, fix.Body = "a-fix", time.Time{}, "We are investigating elevated error rates in Europe."
	_, err := b.Correct(ctx, "a", fix)
	require.NoError(t, err)
	rep := <-done
	assert.False(t, rep.Results[0].Superseded, "d is newer than b and than a")
	assert.Equal(t, 1, x.posts("d"))
}

// olderAndNewer returns two updates of one incident from an hour ago: a,
// and the update newer (ID newer) a quarter of an hour later, saying the
// cause was identified.
func olderAndNewer(newer string) (a, n broadcast.Update) {
	t0 := time.Now().Add(-time.Hour).UTC()
	a, n = validUpdate(), validUpdate()
	a.ID, a.IncidentID, a.Time = "a", "inc", t0
	n.ID, n.IncidentID, n.Time, n.Status = newer, "inc", t0.Add(15*time.Minute), broadcast.StatusIdentified
	return a, n
}

// limited is channel x, which answers the first attempt of one update with
// a 429 asking to wait (and says so on waiting), and posts every other.
type limited struct {
	broadcast.Channel
	waiting chan struct{}
	mu      sync.Mutex
	posted  map[string]int
}

// limitedOnce returns channel x holding back the first attempt of update
// id for wait.
func limitedOnce(id string, wait time.Duration) *limited {
	l := &limited{waiting: make(chan struct{}, 1), posted: map[string]int{}}
	held := false
	l.Channel = broadcast.ChannelFunc("x", func(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		l.mu.Lock()
		defer l.mu.Unlock()
		if m.Update.ID == id && !held {
			held = true
			l.waiting <- struct{}{}
			return broadcast.Receipt{}, broadcast.RetryAfter(errors.New("429"), wait)
		}
		l.posted[m.Update.ID]++
		return broadcast.Receipt{ID: m.Update.ID}, nil
	})
	return l
}

// posts is how many times x posted update id.
func (l *limited) posts(id string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.posted[id]
}
