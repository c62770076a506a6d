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
