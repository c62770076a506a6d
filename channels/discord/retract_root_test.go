package discord

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// threeUpdates sends an incident's updates Identified, Monitoring and
// Resolved, each after the one before, and returns their receipts.
func threeUpdates(t *testing.T, ch *Channel) (root, second, third broadcast.Receipt) {
	t.Helper()
	root = send(t, ch, fullUpdate, broadcast.Thread{})
	u := fullUpdate
	u.ID, u.Status, u.Time = "u_second", broadcast.StatusMonitoring, fullUpdate.Time.Add(time.Minute)
	second = send(t, ch, u, broadcast.Thread{Root: root, Last: root})
	third = send(t, ch, resolvedUpdate, broadcast.Thread{Root: root, Last: second})
	return root, second, third
}

// Retracting the incident's latest update sets the first post's card back
// to the status of the latest update still up: a "Resolved" posted by
// mistake and retracted left the card saying "Resolved", green, as the
// current status.
func TestRetractOfLatestRestoresRootCard(t *testing.T) {
	for _, forum := range []bool{false, true} {
		t.Run(map[bool]string{false: "text channel", true: "forum"}[forum], func(t *testing.T) {
			f := newFake(t, fakeOptions{forum: forum})
			ch := newChannel(t, f, func(c *Config) { c.Forum = forum })
			_, second, third := threeUpdates(t, ch)
			require.Equal(t, "Resolved", f.message(0).embeds[0].Fields[0].Value)

			require.NoError(t, ch.Retract(context.Background(), third))
			card := f.message(0).embeds[0]
			assert.Equal(t, "Monitoring", card.Fields[0].Value, "the card shows the latest update still up")
			assert.Equal(t, colorMajor, card.Color)
			require.NotNil(t, card.Footer)
			assert.Equal(t, "Current status", card.Footer.Text)

			require.NoError(t, ch.Retract(context.Background(), second))
			card = f.message(0).embeds[0]
			assert.Equal(t, "Identified", card.Fields[0].Value, "back to the first update's status")
			require.NotNil(t, card.Footer)
			assert.Equal(t, "Current status", card.Footer.Text)
			assert.Contains(t, f.message(0).content, "We found the cause", "the first post's text is unchanged")
		})
	}
}

// Retracting an update that is not the latest leaves the first post's
// card, which shows a later status, alone.
func TestRetractOfEarlierLeavesRootCard(t *testing.T) {
	f := newFake(t, fakeOptions{})
	ch := newChannel(t, f, nil)
	_, second, third := threeUpdates(t, ch)
	require.NoError(t, ch.Retract(context.Background(), second))
	assert.Equal(t, "Resolved", f.message(0).embeds[0].Fields[0].Value)

	// The latest retracted next, the card shows the first update's
	// status: the one before it is gone.
	require.NoError(t, ch.Retract(context.Background(), third))
	assert.Equal(t, "Identified", f.message(0).embeds[0].Fields[0].Value)
}

// With NoRootUpdate the first post's card is its own: a retraction does
// not touch it.
func TestRetractWithNoRootUpdate(t *testing.T) {
	f := newFake(t, fakeOptions{})
	ch := newChannel(t, f, func(c *Config) { c.NoRootUpdate = true })
	_, _, third := threeUpdates(t, ch)
	n := len(f.sent())
	require.NoError(t, ch.Retract(context.Background(), third))
	assert.Len(t, f.sent(), n+1, "the deletion only")
	assert.Equal(t, "Identified", f.message(0).embeds[0].Fields[0].Value)
}

// After the incident's forum post was deleted, the updates go on in the
// post the next one started, whose first message shows the current
// status: a retraction of the latest sets that card back.
func TestRetractInTheForumPostAfterTheFirstWasGone(t *testing.T) {
	f := newFake(t, fakeOptions{forum: true})
	ch := newChannel(t, f, func(c *Config) { c.Forum = true })
	root := send(t, ch, fullUpdate, broadcast.Thread{})
	f.dropThread(root.ID)
	second := send(t, ch, resolvedUpdate, broadcast.Thread{Root: root, Last: root})
	third := fullUpdate
	third.ID, third.Status, third.Time = "u_third", broadcast.StatusMonitoring, resolvedUpdate.Time.Add(time.Hour)
	r := send(t, ch, third, broadcast.Thread{Root: root, Last: second})
	require.Equal(t, "Monitoring", f.message(1).embeds[0].Fields[0].Value, "the new post's first message")

	require.NoError(t, ch.Retract(context.Background(), r))
	card := f.message(1).embeds[0]
	assert.Equal(t, "Resolved", card.Fields[0].Value, "its own update again")
	require.NotNil(t, card.Footer)
	assert.Equal(t, "Current status", card.Footer.Text)
}
