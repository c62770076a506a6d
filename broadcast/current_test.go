package broadcast_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// Message.Current is false only for a correction of an update older than
// the thread's latest post: a status shown apart from the posts would go
// back in time.
func TestMessageCurrent(t *testing.T) {
	for _, c := range []struct {
		name         string
		id, corrects string
		last         string // Thread.Last.UpdateID
		current      bool
	}{
		{"first update", "u1", "", "", true},
		{"later update", "u2", "", "u1", true},
		{"correction of the latest", "c1", "u2", "u2", true},
		{"correction with no thread", "c1", "u1", "", true},
		{"the correction is the latest", "c1", "u1", "c1", true},
		{"correction of an earlier update", "c1", "u1", "u2", false},
	} {
		m := broadcast.Message{Update: broadcast.Update{ID: c.id, Corrects: c.corrects}}
		m.Thread.Last.UpdateID = c.last
		assert.Equal(t, c.current, m.Current(), c.name)
	}
}

// currentRecorder is a channel that cannot edit: every correction is
// posted in the thread. It records Message.Current of each Send.
type currentRecorder struct {
	mu      sync.Mutex
	n       int
	current []bool
}

func (c *currentRecorder) Name() string { return "chat" }

func (c *currentRecorder) Send(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	c.current = append(c.current, m.Current())
	return broadcast.Receipt{ID: fmt.Sprint("p", c.n)}, nil
}

// Through a Broadcaster, a correction is current unless an update newer
// than its original was posted: a second correction of the latest update,
// which follows the first in the thread, is current too; a correction of
// an earlier update is not. The rule used to look at the thread's latest
// post alone, and took the second correction for one of an older update.
func TestMessageCurrentThroughBroadcaster(t *testing.T) {
	ch := &currentRecorder{}
	b := newBroadcaster(t, broadcast.Options{}, ch)
	first := sendStatus(t, b, broadcast.StatusInvestigating, "Looking.")
	second := sendStatus(t, b, broadcast.StatusIdentified, "A bad deploy.")
	correctBody(t, b, second.UpdateID, "A bad config push.")
	correctBody(t, b, second.UpdateID, "A bad config push, in the EU only.")
	correctBody(t, b, first.UpdateID, "Looking, EU only.")

	ch.mu.Lock()
	defer ch.mu.Unlock()
	assert.Equal(t, []bool{true, true, true, true, false}, ch.current)
}

// A correction posted on a channel that never had its original (the
// original's post failed there, or the channel was added since) is not
// current when the channel's latest post is of a newer update than the
// original: the Store's record of the Time the original was first sent
// with tells, as no receipt of the original on that channel can. A status
// page added after the incident's first update reopened a resolved
// incident this way.
func TestMessageCurrentOfAnOriginalTheChannelNeverHad(t *testing.T) {
	var fail sync.Map
	rec := &currentRecorder{}
	x := broadcast.ChannelFunc("x", func(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		if _, ok := fail.Load(m.Update.ID); ok {
			return broadcast.Receipt{}, broadcast.Permanent(errors.New("503 over capacity"))
		}
		return rec.Send(ctx, m)
	})
	b := newBroadcaster(t, broadcast.Options{}, x, broadcast.ChannelFunc("y", noop))
	ctx := context.Background()
	a, n := olderAndNewer("n")
	fail.Store("a", true)
	_, err := b.Send(ctx, a)
	require.Error(t, err) // x never had a
	_, err = b.Send(ctx, n)
	require.NoError(t, err)
	c := a
	c.ID, c.Time, c.Body = "c", n.Time.Add(time.Minute), "We were investigating elevated error rates in Europe."
	_, err = b.Correct(ctx, "a", c)
	require.NoError(t, err)

	rec.mu.Lock()
	defer rec.mu.Unlock()
	assert.Equal(t, []bool{true, false}, rec.current) // n, then the correction of a, older than n
}

// A correction of a correction says its chain's first update's status:
// it is not current when that update is older than the thread's latest
// post, also when the correction it corrects is that post. Here the
// incident was resolved; the first correction of its investigating update
// is posted after the resolution, and so is the correction of that
// correction, which was current, and would have set the incident's
// status shown apart from the posts back to investigating. A chain of
// corrections of the latest update stays current.
func TestMessageCurrentOfCorrectionOfStaleCorrection(t *testing.T) {
	ch := &currentRecorder{}
	b := newBroadcaster(t, broadcast.Options{}, ch)
	first := sendStatus(t, b, broadcast.StatusInvestigating, "Looking.")
	sendStatus(t, b, broadcast.StatusResolved, "Fixed.")
	c1 := correctBody(t, b, first.UpdateID, "Looking, EU only.")
	c2 := correctBody(t, b, c1.UpdateID, "Looking, EU and US.")
	correctBody(t, b, c2.UpdateID, "Looking, EU, US and APAC.")

	ch2 := &currentRecorder{}
	b2 := newBroadcaster(t, broadcast.Options{}, ch2)
	latest := sendStatus(t, b2, broadcast.StatusInvestigating, "Looking.")
	c1 = correctBody(t, b2, latest.UpdateID, "Looking, EU only.")
	c2 = correctBody(t, b2, c1.UpdateID, "Looking, EU and US.")
	correctBody(t, b2, c2.UpdateID, "Looking, EU, US and APAC.")

	ch.mu.Lock()
	defer ch.mu.Unlock()
	assert.Equal(t, []bool{true, true, false, false, false}, ch.current, "corrections of the older update")
	ch2.mu.Lock()
	defer ch2.mu.Unlock()
	assert.Equal(t, []bool{true, true, true, true}, ch2.current, "corrections of the latest update")
}
