package statuspage_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/statuspage"
)

// A page moved to another host (BaseURL changed, the company renamed)
// gave every entry a new id, the tag URI of the new host: feed readers,
// which know an entry by its id, showed every past update again as new,
// and kept the retracted ones' wrong text, their tombstones naming ids
// they never held. RFC 4287, section 4.2.6: an entry's id must not
// change when its feed is relocated or republished. The ids keep the
// host the page was first written with; the links follow BaseURL.
func TestFeedIDsKeepTheirHostWhenThePageMoves(t *testing.T) {
	p := newPage(t, statuspage.Config{})
	p.send(update("a", "a1", 0, broadcast.StatusInvestigating, comp("API", broadcast.ComponentMajorOutage)))
	r := p.send(update("a", "a2", 1, broadcast.StatusIdentified))
	before := feedIDs(t, p)

	q := newPage(t, statuspage.Config{Dir: p.dir, BaseURL: "https://status.example.org/"})
	require.NoError(t, q.ch.Rebuild(context.Background()))
	assert.Equal(t, before, feedIDs(t, q), "after a Rebuild at the new host")

	q.send(update("a", "a3", 2, broadcast.StatusMonitoring))
	require.NoError(t, q.ch.Retract(context.Background(), r))
	ids := feedIDs(t, q)
	assert.Equal(t, before["a1"], ids["a1"])
	assert.Equal(t, before["a2"], ids["a2"], "the retracted update's entry")
	assert.Equal(t, "tag:status.example.com,2025-03-14:update/a3", ids["a3"], "a new update's, of the page's first host")
	site := q.site()
	assert.Contains(t, string(site.Files["history.atom"]), `<deleted-entry xmlns="http://purl.org/atompub/tombstones/1.0" ref="`+before["a2"]+`"`, "the tombstone")
	for _, it := range site.Feeds["history.atom"].Items {
		assert.Regexp(t, `^https://status\.example\.org/`, it.Link, "links follow BaseURL")
	}
}

// feedIDs returns the ids of the entries of the page's feed of all
// updates, by the entries' titles' update ID (the tests' bodies).
func feedIDs(t *testing.T, p *page) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, it := range p.site().Feeds["history.atom"].Items {
		out[it.GUID[len(it.GUID)-2:]] = it.GUID
	}
	return out
}
