package statuspage_test

import (
	"context"
	"encoding/json"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/statuspage"
)

// A page moved to another host kept its entries' ids, but each feed's
// own id (its URL at the page's first address) and the JSON API's page
// id (made from that address) changed with BaseURL: RFC 4287, section
// 4.2.6, says a feed's id must not change when the feed is relocated
// either, and a tool that knows the page by its page_id took the moved
// page for another one. Both keep the page's first address; the feeds'
// self links and the API's url follow BaseURL.
func TestFeedAndPageIDsKeepTheirAddressWhenThePageMoves(t *testing.T) {
	p := newPage(t, statuspage.Config{Components: []statuspage.ComponentInfo{{Name: "API"}}})
	p.send(update("a", "a1", 0, broadcast.StatusInvestigating, comp("API", broadcast.ComponentMajorOutage)))
	feedsBefore, pageBefore := feedAndPageIDs(t, p)
	require.NotEmpty(t, feedsBefore)

	q := newPage(t, statuspage.Config{Dir: p.dir, BaseURL: "https://status.example.org/new/",
		Components: []statuspage.ComponentInfo{{Name: "API"}}})
	require.NoError(t, q.ch.Rebuild(context.Background()))
	feeds, page := feedAndPageIDs(t, q)
	assert.Equal(t, feedsBefore, feeds, "the feeds' ids after a Rebuild at the new address")
	assert.Equal(t, pageBefore, page, "the API's page id")

	q.send(update("a", "a2", 1, broadcast.StatusIdentified))
	feeds, page = feedAndPageIDs(t, q)
	assert.Equal(t, feedsBefore, feeds, "after a Send")
	assert.Equal(t, pageBefore, page, "after a Send")
	site := q.site()
	assert.Contains(t, string(site.Files["history.atom"]), `href="https://status.example.org/new/history.atom"`, "the self link follows BaseURL")
	var summary struct {
		Page struct{ URL string } `json:"page"`
	}
	require.NoError(t, json.Unmarshal(site.Files["api/v2/summary.json"], &summary))
	assert.Equal(t, "https://status.example.org/new/", summary.Page.URL, "the API's url follows BaseURL")
}

var feedIDRe = regexp.MustCompile(`(?s)^.*?<id>([^<]*)</id>`)

// feedAndPageIDs returns the id of each Atom feed of p's site, by its
// path, and the page id of its JSON API.
func feedAndPageIDs(t *testing.T, p *page) (map[string]string, string) {
	t.Helper()
	site := p.site()
	feeds := map[string]string{}
	for rel := range site.Feeds {
		m := feedIDRe.FindSubmatch(site.Files[rel])
		require.NotNil(t, m, "the id of %s", rel)
		feeds[rel] = string(m[1])
	}
	var summary struct {
		Page struct{ ID string } `json:"page"`
	}
	require.NoError(t, json.Unmarshal(site.Files["api/v2/summary.json"], &summary))
	require.NotEmpty(t, summary.Page.ID)
	return feeds, summary.Page.ID
}
