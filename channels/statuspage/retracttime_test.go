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

// An update retracted within the second it was written, or while its
// Time (another machine's clock, a little ahead) is still ahead of the
// page's clock, is still a change: its entry's updated moves past the
// update's, or readers keep the wrong update, and the feed's updated
// does not go back.
func TestRetractAheadMovesUpdated(t *testing.T) {
	p := newPage(t, statuspage.Config{})
	u := update("a", "a1", 0, broadcast.StatusInvestigating, comp("API", broadcast.ComponentDegraded))
	u.Time = t0.Add(2 * time.Minute) // ahead of the page's clock, t0
	r := p.send(u)
	require.NoError(t, p.ch.Retract(context.Background(), r))

	s := p.site()
	for _, path := range []string{"history.atom", "components/api.atom"} {
		f := s.Feeds[path]
		require.Len(t, f.Items, 1, path)
		assert.True(t, f.Items[0].UpdatedParsed.After(u.Time), "%s: the retracted entry's updated %v, after the update's", path, f.Items[0].UpdatedParsed)
		assert.True(t, f.UpdatedParsed.After(u.Time), "%s: the feed's updated %v, after the update's", path, f.UpdatedParsed)
	}
}

// An edit that takes a component off an update whose Time is ahead of
// the page's clock takes the update out of the component's feed: the
// feed's updated moves on past the update's, never back.
func TestEditDropsComponentAheadMovesUpdated(t *testing.T) {
	p := newPage(t, statuspage.Config{})
	u := update("a", "a1", 0, broadcast.StatusInvestigating, comp("API", broadcast.ComponentDegraded))
	u.Time = t0.Add(2 * time.Minute) // ahead of the page's clock, t0
	r := p.send(u)
	fix := u
	fix.ID, fix.Components = "a1-fix", nil // API was named by mistake
	_, err := p.ch.Edit(context.Background(), broadcast.NewMessage(fix), r)
	require.NoError(t, err)

	api := p.site().Feeds["components/api.atom"]
	assert.Empty(t, api.Items)
	assert.True(t, api.UpdatedParsed.After(u.Time), "API's feed's updated %v, after the update's", api.UpdatedParsed)
}
