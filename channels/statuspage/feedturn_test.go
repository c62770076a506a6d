package statuspage_test

import (
	"context"
	"testing"
	"time"

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
