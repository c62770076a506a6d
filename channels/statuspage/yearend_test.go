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

// An update dated in the last second of the year 9999, which
// broadcast.Update.Validate accepts, can be edited and retracted: no
// later second has an RFC 3339 form, so the change keeps that second
// rather than failing to write the state.
func TestLastSecondOfYear9999(t *testing.T) {
	p := newPage(t, statuspage.Config{})
	u := update("a", "a1", 0, broadcast.StatusInvestigating, comp("API", broadcast.ComponentDegraded))
	u.Time = time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)
	require.NoError(t, u.Validate())
	r := p.send(u)

	fix := u
	fix.ID, fix.Body, fix.Components = "a1-fix", "Corrected text.", nil
	_, err := p.ch.Edit(context.Background(), broadcast.NewMessage(fix), r)
	require.NoError(t, err, "Edit")
	s := p.site()
	require.Len(t, s.Feeds["history.atom"].Items, 1)
	assert.Contains(t, s.Feeds["history.atom"].Items[0].Content, "Corrected text.")
	assert.Empty(t, s.Feeds["components/api.atom"].Items, "API's feed, the component edited out")

	require.NoError(t, p.ch.Retract(context.Background(), r), "Retract")
	s = p.site()
	assert.NotContains(t, s.Updates(), "a1")
	f := s.Feeds["history.atom"]
	require.Len(t, f.Items, 1, "the retraction's notice")
	assert.NotContains(t, f.Items[0].Content, "Corrected text.")
	assert.Equal(t, u.Time, f.UpdatedParsed.UTC(), "the feed's updated: the last second RFC 3339 writes")

	// Sent again, the update is back.
	p.send(u)
	assert.Contains(t, p.site().Updates(), "a1")
}
