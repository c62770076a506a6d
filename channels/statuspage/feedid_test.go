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

// An entry's id must never change (RFC 4287, section 4.2.6): a reader
// holding the entry under one id shows the update again, twice, under
// another. An update retracted and sent again with a Time on another day
// (an update sent without a Time gets the time it is sent) is the same
// update: its entry comes back under the id of the retraction's notice
// that readers hold, also from a Channel made again on the directory.
func TestEntryIDStableWhenSentAgainOnAnotherDay(t *testing.T) {
	p := newPage(t, statuspage.Config{})
	u := update("a", "a1", 0, broadcast.StatusInvestigating, comp("API", broadcast.ComponentDegraded))
	r := p.send(u)
	const id = "tag:status.example.com,2025-03-14:update/a1"
	require.NotNil(t, item(p.site().Feeds["history.atom"], id))

	p.now = t0.Add(48 * time.Hour)
	require.NoError(t, p.ch.Retract(context.Background(), r))
	u.Time = p.now // sent again two days later
	p.send(u)

	again := newPage(t, statuspage.Config{Dir: p.dir})
	again.now = p.now
	assertOneEntryWithID(t, id, p, again)
	// Another update of that day gets an id of its own.
	p.send(update("a", "a2", 0, broadcast.StatusIdentified))
	f := p.site().Feeds["history.atom"]
	require.Len(t, f.Items, 2)
	assert.NotEqual(t, f.Items[0].GUID, f.Items[1].GUID)
}

// assertOneEntryWithID checks that, on each of pages, the feed of all
// updates and API's feed hold one entry, the update's, whose id is id,
// and that it is not shown retracted.
func assertOneEntryWithID(t *testing.T, id string, pages ...*page) {
	t.Helper()
	for _, q := range pages {
		site := q.site()
		for _, path := range []string{"history.atom", "components/api.atom"} {
			f := site.Feeds[path]
			require.Len(t, f.Items, 1, "%s: one entry, the update's", path)
			assert.Equal(t, id, f.Items[0].GUID, path)
			assert.NotContains(t, f.Items[0].Title, "Retracted", path)
		}
	}
}
