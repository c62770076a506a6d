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

// atomValid checks: every entry updated >= published; feed updated >= every entry's updated.
func atomValid(t *testing.T, s *statuspage.Site) {
	t.Helper()
	for path, f := range s.Feeds {
		for _, it := range f.Items {
			if it.PublishedParsed != nil && it.UpdatedParsed != nil {
				assert.False(t, it.UpdatedParsed.Before(*it.PublishedParsed), "%s %s: updated %v before published %v", path, it.GUID, it.UpdatedParsed, it.PublishedParsed)
			}
			if f.UpdatedParsed != nil && it.UpdatedParsed != nil {
				assert.False(t, f.UpdatedParsed.Before(*it.UpdatedParsed), "%s: feed updated %v before entry %s's %v", path, f.UpdatedParsed, it.GUID, it.UpdatedParsed)
			}
		}
	}
}

func feedUpdated(s *statuspage.Site, path string) time.Time {
	f := s.Feeds[path]
	if f == nil || f.UpdatedParsed == nil {
		return time.Time{}
	}
	return f.UpdatedParsed.UTC()
}

// Retracting the only update naming a component takes the whole incident
// out of that component's feed: the feed must not go back in time when
// another update of the incident is dated ahead of the clock (as for an edit).
func TestRetractLeavingAComponentAheadMovesItsFeed(t *testing.T) {
	p := newPage(t, statuspage.Config{})
	p.now = t0.Add(-time.Hour)
	r1 := p.send(update("a", "a1", 0, broadcast.StatusInvestigating, comp("API", broadcast.ComponentDegraded)))
	u2 := update("a", "a2", 0, broadcast.StatusIdentified)
	u2.Time = t0.Add(5 * time.Minute) // ahead of the clock
	p.now = t0
	p.send(u2)
	before := feedUpdated(p.site(), "components/api.atom")
	require.Equal(t, u2.Time, before)
	require.NoError(t, p.ch.Retract(context.Background(), r1))
	s := p.site()
	after := feedUpdated(s, "components/api.atom")
	assert.False(t, after.Before(before), "API feed's updated went back from %v to %v", before, after)
	atomValid(t, s)
}

// An edit whose correction Time lies between the entry's change and a
// newer update's: the feed's updated moves past every entry's.
func TestEditBetweenUpdatesMovesTheFeed(t *testing.T) {
	p := newPage(t, statuspage.Config{})
	r := p.send(update("a", "a1", 0, broadcast.StatusInvestigating))
	p.send(update("a", "a2", 10, broadcast.StatusIdentified))
	before := feedUpdated(p.site(), "history.atom")
	fix := update("a", "a1-fix", 5, broadcast.StatusInvestigating)
	fix.Body = "Fixed"
	_, err := p.ch.Edit(context.Background(), broadcast.NewMessage(fix), r)
	require.NoError(t, err)
	s := p.site()
	atomValid(t, s)
	assert.True(t, feedUpdated(s, "history.atom").After(before), "feed updated %v did not move past %v on an edit at %v", feedUpdated(s, "history.atom"), before, p.now)
}
