package discord

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A correction of the incident's latest update changes the status the
// first post's card shows as current, as each later update does: the card
// said "Resolved" after a correction to "Monitoring" before.
func TestEditOfLatestMovesRootCard(t *testing.T) {
	for _, forum := range []bool{false, true} {
		t.Run(map[bool]string{false: "text channel", true: "forum"}[forum], func(t *testing.T) {
			f := newFake(t, fakeOptions{forum: forum})
			ch := newChannel(t, f, func(c *Config) { c.Forum = forum })
			root := send(t, ch, fullUpdate, broadcast.Thread{})
			later := send(t, ch, resolvedUpdate, broadcast.Thread{Root: root, Last: root})
			require.Equal(t, "Resolved", f.message(0).embeds[0].Fields[0].Value)

			fix := resolvedUpdate
			fix.ID, fix.Corrects, fix.Status = "u_fix", resolvedUpdate.ID, broadcast.StatusMonitoring
			m := broadcast.NewMessage(fix)
			m.Thread = broadcast.Thread{Root: root, Last: later}
			r, err := ch.Edit(context.Background(), m, later)
			require.NoError(t, err)
			assert.Equal(t, later.ID, r.ID)
			assert.NotContains(t, r.Meta, metaRootUpdate)
			assert.Equal(t, "Monitoring", f.message(1).embeds[0].Fields[0].Value, "the corrected message")
			card := f.message(0).embeds[0]
			assert.Equal(t, "Monitoring", card.Fields[0].Value, "the first post's card follows the correction")
			assert.Equal(t, "Current status", card.Footer.Text)
			assert.Contains(t, f.message(0).content, "We found the cause", "the first post's text is unchanged")
		})
	}
}

// A correction of an update that is not the latest leaves the first
// post's card, which shows a later status, alone.
func TestEditOfEarlierLeavesRootCard(t *testing.T) {
	f := newFake(t, fakeOptions{})
	ch := newChannel(t, f, nil)
	root := send(t, ch, fullUpdate, broadcast.Thread{})
	second := fullUpdate
	second.ID, second.Status, second.Time = "u_second", broadcast.StatusMonitoring, fullUpdate.Time.Add(time.Minute)
	r2 := send(t, ch, second, broadcast.Thread{Root: root, Last: root})
	last := send(t, ch, resolvedUpdate, broadcast.Thread{Root: root, Last: r2})

	fix := second
	fix.ID, fix.Corrects, fix.Status = "u_fix", second.ID, broadcast.StatusIdentified
	m := broadcast.NewMessage(fix)
	m.Thread = broadcast.Thread{Root: root, Last: last}
	n := len(f.sent())
	_, err := ch.Edit(context.Background(), m, r2)
	require.NoError(t, err)
	assert.Len(t, f.sent(), n+1, "one edit, of the corrected message only")
	assert.Equal(t, "Resolved", f.message(0).embeds[0].Fields[0].Value)
}

// After the incident's forum post was deleted, the first message of the
// post the next update started shows the current status: a correction of
// that message keeps its card, as one of the first post does, instead of
// setting it back to the corrected update's status.
func TestEditOfMovedPostStarterKeepsCard(t *testing.T) {
	f := newFake(t, fakeOptions{forum: true})
	ch := newChannel(t, f, nil)
	root := send(t, ch, fullUpdate, broadcast.Thread{})
	f.dropThread(root.ID)
	second := send(t, ch, resolvedUpdate, broadcast.Thread{Root: root, Last: root})
	third := fullUpdate
	third.ID, third.Status, third.Body = "u_third", broadcast.StatusCompleted, "Postmortem published."
	third.Time = resolvedUpdate.Time.Add(time.Hour)
	r3 := send(t, ch, third, broadcast.Thread{Root: root, Last: second})
	starter := f.message(1)
	require.Equal(t, second.ID, starter.id)
	require.Equal(t, "Completed", starter.embeds[0].Fields[0].Value)

	fix := resolvedUpdate
	fix.ID, fix.Corrects, fix.Body = "u_fix", resolvedUpdate.ID, "The rollback is complete; caches are warm."
	m := broadcast.NewMessage(fix)
	m.Thread = broadcast.Thread{Root: root, Last: r3}
	_, err := ch.Edit(context.Background(), m, second)
	require.NoError(t, err)
	starter = f.message(1)
	assert.Contains(t, starter.content, "caches are warm")
	assert.Equal(t, "Completed", starter.embeds[0].Fields[0].Value, "the card shows the current status")
	assert.Equal(t, "Current status", starter.embeds[0].Footer.Text)
}

// A correction posted anew (its original deleted by hand, or no longer
// editable) is a Send of an update that corrects another: one of an
// earlier update is no newer status, and leaves the first post's card,
// which shows a later one, alone; one of the latest update moves it, as
// its edit in place does.
func TestCorrectionPostedAnewOfEarlierLeavesRootCard(t *testing.T) {
	cases := []struct {
		name      string
		corrected func(second, last broadcast.Update) broadcast.Update
		want      string
	}{
		{"an earlier update", func(second, _ broadcast.Update) broadcast.Update { return second }, "Resolved"},
		{"the latest update", func(_, last broadcast.Update) broadcast.Update { return last }, "Identified"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFake(t, fakeOptions{})
			ch := newChannel(t, f, nil)
			root := send(t, ch, fullUpdate, broadcast.Thread{})
			second := fullUpdate
			second.ID, second.Status, second.Time = "u_second", broadcast.StatusMonitoring, fullUpdate.Time.Add(time.Minute)
			r2 := send(t, ch, second, broadcast.Thread{Root: root, Last: root})
			last := send(t, ch, resolvedUpdate, broadcast.Thread{Root: root, Last: r2})
			last.UpdateID = resolvedUpdate.ID // as the Broadcaster stores it
			require.Equal(t, "Resolved", f.message(0).embeds[0].Fields[0].Value)

			orig := c.corrected(second, resolvedUpdate)
			fix := orig
			fix.ID, fix.Corrects, fix.Status = "u_fix", orig.ID, broadcast.StatusIdentified
			m := broadcast.NewMessage(fix)
			m.Thread = broadcast.Thread{Root: root, Last: last}
			_, err := ch.Send(context.Background(), m)
			require.NoError(t, err)
			assert.Equal(t, c.want, f.message(0).embeds[0].Fields[0].Value)
		})
	}
}

// With Config.NoRootUpdate the first post's card is its own update's, not
// the current status: a correction of that update corrects its card too,
// later updates or not.
func TestEditOfRootWithNoRootUpdateCorrectsItsCard(t *testing.T) {
	f := newFake(t, fakeOptions{})
	ch := newChannel(t, f, func(c *Config) { c.NoRootUpdate = true })
	root := send(t, ch, fullUpdate, broadcast.Thread{})
	later := send(t, ch, resolvedUpdate, broadcast.Thread{Root: root, Last: root})

	fix := fullUpdate
	fix.ID, fix.Corrects, fix.Status = "u_fix", fullUpdate.ID, broadcast.StatusInvestigating
	m := broadcast.NewMessage(fix)
	m.Thread = broadcast.Thread{Root: root, Last: later}
	_, err := ch.Edit(context.Background(), m, root)
	require.NoError(t, err)
	card := f.message(0).embeds[0]
	assert.Equal(t, "Investigating", card.Fields[0].Value, "the card says what the corrected update says")
	assert.Nil(t, card.Footer, "not marked current")
	assert.Equal(t, "Resolved", f.message(1).embeds[0].Fields[0].Value, "the later update is left alone")
}
