package statuspage_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/statuspage"
)

// A retracted update sent again to the Channel (not through a
// Broadcaster, whose Store would skip it) is live again everywhere: the
// page shows it, and so must the feeds. Readers hold the entry's
// "Retracted" notice, updated at the retraction, and fetch the entry
// again only when its updated moves past that: so the entry's updated,
// the JSON's updated_at and the incident's "Last updated" all move past
// the retraction, and the feeds' updated too.
func TestRetractedThenSentAgainIsLiveEverywhere(t *testing.T) {
	p := newPage(t, statuspage.Config{})
	u := update("a", "a2", 10, broadcast.StatusIdentified, comp("API", broadcast.ComponentDegraded))
	p.send(update("a", "a1", 0, broadcast.StatusInvestigating, comp("API", broadcast.ComponentDegraded)))
	r := p.send(u)

	p.now = t0.Add(5 * time.Minute)
	require.NoError(t, p.ch.Retract(context.Background(), r))
	retracted := p.now

	p.now = t0.Add(6 * time.Minute)
	p.send(u)
	site := p.site()
	assert.Contains(t, site.Updates(), "a2", "the page shows it again")

	const id = "tag:status.example.com,2025-03-14:update/a2"
	for _, path := range []string{"history.atom", "components/api.atom"} {
		f := site.Feeds[path]
		e := item(f, id)
		require.NotNil(t, e, path)
		assert.False(t, strings.HasPrefix(e.Title, "Retracted"), "%s: title %q", path, e.Title)
		assert.Contains(t, e.Content, "Update a2 of a.", path)
		assert.True(t, e.UpdatedParsed.After(retracted), "%s: the entry's updated %v moves past the retraction's %v", path, e.UpdatedParsed, retracted)
		assert.Equal(t, u.Time, e.PublishedParsed.UTC(), "%s: published is still when it was written", path)
		assert.Equal(t, id, f.Items[0].GUID, "%s: its latest change", path)
		assert.True(t, f.UpdatedParsed.After(retracted), "%s: the feed's updated %v", path, f.UpdatedParsed)
		assert.Empty(t, tombstones(t, site.Files[path]), path)
	}

	inc := site.JSON["api/v2/incidents.json"].(map[string]any)["incidents"].([]any)[0].(map[string]any)
	upd := inc["incident_updates"].([]any)[0].(map[string]any)
	require.Equal(t, "a2", upd["id"])
	for what, v := range map[string]any{"the update's updated_at": upd["updated_at"], "the incident's updated_at": inc["updated_at"]} {
		at, err := time.Parse(time.RFC3339, v.(string))
		require.NoError(t, err)
		assert.True(t, at.After(retracted), "%s %v moves past the retraction", what, at)
	}
	assert.Equal(t, u.Time.UTC().Format(apiTimeLayout), upd["created_at"], "created_at is still when it was written")
}

// The same within the second of the retraction: whole seconds in the
// feed, and still a change.
func TestRetractedThenSentAgainWithinTheSecond(t *testing.T) {
	p := newPage(t, statuspage.Config{})
	u := update("a", "a1", 0, broadcast.StatusInvestigating)
	r := p.send(u)
	p.now = t0.Add(5 * time.Minute)
	require.NoError(t, p.ch.Retract(context.Background(), r))
	p.now = t0.Add(5*time.Minute + 300*time.Millisecond)
	p.send(u)
	e := item(p.site().Feeds["history.atom"], "tag:status.example.com,2025-03-14:update/a1")
	require.NotNil(t, e)
	assert.True(t, e.UpdatedParsed.After(t0.Add(5*time.Minute)), "updated %v", e.UpdatedParsed)
}
