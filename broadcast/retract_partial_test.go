package broadcast_test

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// rooms posts to several rooms through a Fanout, naming each room's post
// in its receipt's Meta (as Slack and Matrix do), and deletes the posts a
// receipt names. Rooms listed in down fail transiently.
type rooms struct {
	name  string
	rooms []string

	mu       sync.Mutex
	down     map[string]bool
	posted   []string
	retracts []broadcast.Receipt
}

func (c *rooms) Name() string { return c.name }

func (c *rooms) Send(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	f := broadcast.NewFanout(m, c.rooms)
	for _, i := range f.Todo() {
		room := c.rooms[i]
		c.mu.Lock()
		down := c.down[room]
		if !down {
			c.posted = append(c.posted, room)
		}
		c.mu.Unlock()
		if down {
			f.Report(i, errFlaky)
			continue
		}
		f.Posted(i, roomPost(room))
	}
	if err := f.Err(); err != nil {
		return broadcast.Receipt{}, err
	}
	return f.Receipt(), nil
}

// roomPost is the receipt of a post to room, naming it in its Meta as
// "post." and the room.
func roomPost(room string) broadcast.Receipt {
	return broadcast.Receipt{ID: "post-" + room, Meta: map[string]string{"post." + room: "post-" + room}}
}

func (c *rooms) Retract(_ context.Context, prev broadcast.Receipt) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.retracts = append(c.retracts, prev)
	return nil
}

// An update that reached some of a channel's rooms, while the others still
// failed, is out there: Retract deletes what was posted instead of
// skipping the channel because it has no receipt of the whole delivery.
func TestRetractOfAPartialFanOut(t *testing.T) {
	ch := &rooms{name: "chat", rooms: []string{"ops", "eng", "support"}, down: map[string]bool{"support": true}}
	b := newBroadcaster(t, broadcast.Options{Retry: broadcast.RetryPolicy{MaxAttempts: 1}}, ch)
	u := validUpdate()
	u.ID = "wrong-partial"

	rep, err := b.Send(context.Background(), u)
	require.Error(t, err, "support is down")
	assert.ElementsMatch(t, []string{"ops", "eng"}, rep.Results[0].Delivered)

	ret, err := b.Retract(context.Background(), "wrong-partial")
	require.NoError(t, err)
	assert.False(t, ret.Results[0].Skipped, "two rooms show the update: it must be deleted there")
	ch.mu.Lock()
	require.Len(t, ch.retracts, 1)
	prev := ch.retracts[0]
	ch.mu.Unlock()
	assert.Equal(t, "post-ops", prev.Meta["post.ops"])
	assert.Equal(t, "post-eng", prev.Meta["post.eng"])
	assert.NotContains(t, prev.Meta, "post.support")
	assert.Equal(t, "wrong-partial", prev.UpdateID)
}

// A retracted update is never posted again: a Send of it afterwards (an
// operator re-running the announcement for the channel that missed it)
// posts it nowhere, and says why.
func TestRetractedUpdateIsNotSentAgain(t *testing.T) {
	slack := &editable{script: script{name: "slack"}}
	late := &editable{script: script{name: "late", errs: []error{errFlaky}}}
	b := newBroadcaster(t, broadcast.Options{Retry: broadcast.RetryPolicy{MaxAttempts: 1}}, slack, late)
	u := validUpdate()
	u.ID = "wrong-again"

	_, err := b.Send(context.Background(), u)
	require.Error(t, err, "late missed it")
	ret, err := b.Retract(context.Background(), "wrong-again")
	require.Error(t, err, "late's attempt may have posted it: its outcome is unknown")
	require.NoError(t, ret.Results[0].Err)
	assert.ErrorContains(t, ret.Results[1].Err, "outcome unknown")
	require.Len(t, slack.retracts, 1)

	rep, err := b.Send(context.Background(), u)
	require.Error(t, err, "the update was retracted")
	assert.True(t, broadcast.IsPermanent(rep.Results[1].Err), "late: %v", rep.Results[1].Err)
	assert.ErrorContains(t, rep.Results[1].Err, "retracted")
	assert.True(t, rep.Results[0].Skipped, "slack posted it, and it was deleted")
	assert.Equal(t, 1, late.count(), "late never gets the retracted update")
	assert.Equal(t, 1, slack.count(), "slack does not get it again")
}

// RetractedOn names the channels on which an update was retracted: where
// Retract deleted its post, and where it kept a channel that had not posted
// it from posting it later. A channel that cannot delete its post still
// has it, and is not named; an update never retracted has none.
func TestRetractedOn(t *testing.T) {
	slack := &editable{script: script{name: "slack"}}
	late := &editable{script: script{name: "late", errs: []error{errFlaky}}}
	irc := &script{name: "irc"}
	b := newBroadcaster(t, broadcast.Options{Retry: broadcast.RetryPolicy{MaxAttempts: 1}}, slack, late, irc)
	u := validUpdate()
	u.ID = "wrong"
	ctx := context.Background()

	_, err := b.Send(ctx, u)
	require.Error(t, err, "late missed it")
	names, err := b.RetractedOn(ctx, "wrong")
	require.NoError(t, err)
	assert.Empty(t, names, "not retracted yet")

	_, err = b.Retract(ctx, "wrong")
	require.ErrorIs(t, err, broadcast.ErrNotSupported, "irc keeps its post")
	names, err = b.RetractedOn(ctx, "wrong")
	require.NoError(t, err)
	assert.Equal(t, []string{"slack", "late"}, names)
	names, err = b.RetractedOn(ctx, "other")
	require.NoError(t, err)
	assert.Empty(t, names)

	require.NoError(t, b.Close())
	_, err = b.RetractedOn(ctx, "wrong")
	assert.ErrorIs(t, err, broadcast.ErrClosed)
}

// postsOnly is a channel with rooms whose posts cannot be deleted.
type postsOnly struct{ r *rooms }

func (p postsOnly) Name() string { return p.r.Name() }
func (p postsOnly) Send(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	return p.r.Send(ctx, m)
}

// Unwrap hides the channel on purpose.
func (postsOnly) Unwrap() broadcast.Channel { return nil }

// A channel that cannot delete posts, and reached only some of its rooms,
// still shows the update there after Retract: RetractedOn does not name
// it, although Retract keeps it from posting the update to the others.
func TestRetractedOnLeavesOutPostsThatStay(t *testing.T) {
	chat := postsOnly{&rooms{name: "chat", rooms: []string{"eu", "us"}, down: map[string]bool{"us": true}}}
	b := newBroadcaster(t, broadcast.Options{Retry: broadcast.RetryPolicy{MaxAttempts: 1}}, chat)
	u := validUpdate()
	u.ID = "wrong"
	ctx := context.Background()
	_, err := b.Send(ctx, u)
	require.Error(t, err, "us was down")
	_, err = b.Retract(ctx, "wrong")
	require.ErrorIs(t, err, broadcast.ErrNotSupported)
	names, err := b.RetractedOn(ctx, "wrong")
	require.NoError(t, err)
	assert.Empty(t, names, "eu still shows it")
}

// A post edited in place is the original's and its correction's: when
// Retract of the correction deletes it, RetractedOn names the channel for
// the original too, a Send of the original posts nothing there, and a
// Retract of the original skips it: the post is deleted once.
func TestRetractedOnTheOriginalOfARetractedInPlaceCorrection(t *testing.T) {
	slack := &editable{script: script{name: "slack"}}
	irc := &script{name: "irc"}
	b := newBroadcaster(t, broadcast.Options{}, slack, irc)
	ctx := context.Background()
	u := validUpdate()
	u.ID = "wrong"
	_, err := b.Send(ctx, u)
	require.NoError(t, err)
	fixed := validUpdate()
	fixed.ID = "fixed"
	fixed.Body = "The US region is down."
	_, err = b.Correct(ctx, "wrong", fixed)
	require.NoError(t, err)
	require.Len(t, slack.edits, 1, "slack edited its post in place")

	_, err = b.Retract(ctx, "fixed")
	require.ErrorIs(t, err, broadcast.ErrNotSupported, "irc keeps its posts")
	names, err := b.RetractedOn(ctx, "fixed")
	require.NoError(t, err)
	assert.Equal(t, []string{"slack"}, names)
	names, err = b.RetractedOn(ctx, "wrong")
	require.NoError(t, err)
	assert.Equal(t, []string{"slack"}, names, "the post of the original is the one deleted")

	rep, err := b.Send(ctx, u)
	require.NoError(t, err)
	assert.True(t, rep.Results[0].Skipped, "slack does not post the original again")
	assert.Equal(t, 1, slack.count())

	require.Len(t, slack.retracts, 1)
	rep, err = b.Retract(ctx, "wrong")
	require.ErrorIs(t, err, broadcast.ErrNotSupported, "irc keeps its posts")
	assert.True(t, rep.Results[0].Skipped, "slack's post is gone already")
	assert.Zero(t, rep.Results[0].Attempts)
	assert.Len(t, slack.retracts, 1, "the post is not deleted twice")
}

// ReachedOn names the channels an update reached, wholly or some of their
// rooms: a correction of it goes there whatever their Routes say.
func TestReachedOn(t *testing.T) {
	chat := &rooms{name: "chat", rooms: []string{"ops", "support"}, down: map[string]bool{"support": true}}
	late := &script{name: "late", errs: []error{errFlaky}}
	irc := &script{name: "irc"}
	b := newBroadcaster(t, broadcast.Options{Retry: broadcast.RetryPolicy{MaxAttempts: 1}}, chat, late, irc)
	u := validUpdate()
	u.ID = "half"
	ctx := context.Background()

	_, err := b.Send(ctx, u)
	require.Error(t, err, "support and late missed it")
	names, err := b.ReachedOn(ctx, "half")
	require.NoError(t, err)
	assert.Equal(t, []string{"chat", "irc"}, names, "chat reached ops; late nothing")
	names, err = b.ReachedOn(ctx, "other")
	require.NoError(t, err)
	assert.Empty(t, names)

	require.NoError(t, b.Close())
	_, err = b.ReachedOn(ctx, "half")
	assert.ErrorIs(t, err, broadcast.ErrClosed)
}
