package statuspage_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/statuspage"
)

// Whether a component's feed has an update in full can change with the
// incident's other updates (see TestComponentFeedFullOnlyWhereTheUpdateConcernsIt):
// retracting the first update makes the next one the first, which begins
// the incident's giving statuses, and a resolution retracted leaves the
// reopening after it one that does not. Feed readers keep the entries
// they fetched and take one again only when its updated moves on: an
// entry whose content changes so must have a later updated.
func TestComponentFeedEntryChangedByAnotherUpdateMovesOn(t *testing.T) {
	for _, tc := range []struct {
		name    string
		updates []broadcast.Update
		retract string // the update whose retraction changes "b"
	}{
		{"first retracted", []broadcast.Update{
			update("x", "a", 0, broadcast.StatusInvestigating, comp("C1", broadcast.ComponentMajorOutage)),
			update("x", "b", 1, broadcast.StatusIdentified, comp("C2", broadcast.ComponentDegraded)),
			update("x", "c", 2, broadcast.StatusMonitoring, comp("C1", broadcast.ComponentOperational)),
		}, "a"},
		{"resolution retracted", []broadcast.Update{
			update("x", "a", 0, broadcast.StatusInvestigating, comp("C1", broadcast.ComponentMajorOutage), comp("C2", broadcast.ComponentMajorOutage)),
			update("x", "r", 1, broadcast.StatusResolved),
			update("x", "b", 2, broadcast.StatusInvestigating, comp("C2", broadcast.ComponentDegraded)),
		}, "r"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newPage(t, statuspage.Config{})
			for _, u := range tc.updates {
				p.send(u)
			}
			before := itemOf(t, p.site().Feeds["components/c1.atom"], "b")
			p.now = p.now.Add(time.Hour)
			require.NoError(t, p.ch.Retract(context.Background(), broadcast.Receipt{ID: tc.retract}))
			after := itemOf(t, p.site().Feeds["components/c1.atom"], "b")
			require.NotEqual(t, before.Content, after.Content, "the test's premise: C1's entry of b changed")
			assert.Equal(t, before.GUID, after.GUID, "its id")
			require.NotNil(t, before.UpdatedParsed)
			require.NotNil(t, after.UpdatedParsed)
			assert.True(t, after.UpdatedParsed.After(*before.UpdatedParsed),
				"C1's entry of b changed (%q to %q) at the same updated %s", before.Content, after.Content, after.Updated)
		})
	}
}

// An entry whose updated in a component's feed is when another update's
// retraction made it turn its incident (see
// TestComponentFeedEntryChangedByAnotherUpdateMovesOn) keeps that updated
// when Config.Components names the component in another case ("C1"
// written, "c1" configured), and the one it names too: the rename moves
// the entry to the feed of the name configured, with its content (the
// names aside) and updated as they were, not
// back to when the update was written, which would put it behind the
// entries it was ahead of.
func TestTurnedEntryKeepsItsUpdatedThroughARename(t *testing.T) {
	p := newPage(t, statuspage.Config{})
	p.send(update("x", "a", 0, broadcast.StatusInvestigating, comp("C1", broadcast.ComponentMajorOutage)))
	p.send(update("x", "b", 1, broadcast.StatusIdentified, comp("C2", broadcast.ComponentDegraded)))
	p.send(update("x", "c", 2, broadcast.StatusMonitoring, comp("C1", broadcast.ComponentOperational)))
	p.now = t0.Add(time.Hour)
	require.NoError(t, p.ch.Retract(context.Background(), broadcast.Receipt{ID: "a"}))
	before := itemOf(t, p.site().Feeds["components/c1.atom"], "b")
	require.Equal(t, t0.Add(time.Hour), *before.UpdatedParsed, "the test's premise: b turned at the retraction")

	for _, rename := range []struct{ configured, other string }{{"c1", "C2"}, {"c1", "c2"}} {
		q := newPage(t, statuspage.Config{Dir: p.dir,
			Components: []statuspage.ComponentInfo{{Name: rename.configured}, {Name: rename.other}}})
		q.now = t0.Add(2 * time.Hour)
		require.NoError(t, q.ch.Rebuild(context.Background()))
		var feed *gofeed.Feed
		for _, f := range q.site().Feeds {
			if f.Title == "Service status: "+rename.configured {
				feed = f
			}
		}
		after := itemOf(t, feed, "b")
		// The names as configured; a rename moves no entry's updated
		// (see TestCorrectionGivingAComponentItsStatusBackSurvivesARename).
		assert.True(t, strings.EqualFold(before.Content, after.Content),
			"%v: b's entry in the renamed component's feed: %q, then %q", rename, before.Content, after.Content)
		assert.Equal(t, *before.UpdatedParsed, *after.UpdatedParsed, "%v: b's updated there", rename)
		assert.Equal(t, "b", updateIDOf(feed.Items[0].GUID), "%v: b first, as before", rename)
	}
}

// updateIDOf is the update ID an entry's id ends with.
func updateIDOf(id string) string {
	_, u, _ := strings.Cut(id, ":update/")
	return u
}
