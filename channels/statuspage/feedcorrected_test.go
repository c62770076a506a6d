package statuspage_test

import (
	"context"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/statuspage"
)

// A correction that gives a component its status back without naming it
// (the wrong update said "API: major outage"; the correction says nothing
// of the API, which so is operational again) changes the component's
// status: the update concerns it, and the component's feed has the
// corrected update in full, as the feed of all updates has it, its
// updated at the correction. (Before, the API's feed had a short entry
// of it, "Affects 1 component.", as of an update that concerns it not.)
// A correction that leaves the status the component had (an earlier
// update gave it the same) does not concern it.
func TestCorrectionGivingAComponentItsStatusBackConcernsIt(t *testing.T) {
	p := newPage(t, statuspage.Config{})
	p.send(update("a", "a1", 0, broadcast.StatusInvestigating,
		comp("API", broadcast.ComponentOperational), comp("Web", broadcast.ComponentDegraded),
		comp("DB", broadcast.ComponentMajorOutage)))
	wrong := p.send(update("a", "a2", 5, broadcast.StatusIdentified,
		comp("API", broadcast.ComponentMajorOutage), comp("Web", broadcast.ComponentMajorOutage),
		comp("DB", broadcast.ComponentMajorOutage)))
	p.send(update("a", "a3", 10, broadcast.StatusMonitoring, comp("Web", broadcast.ComponentDegraded)))

	p.now = t0.Add(time.Minute)
	fix := update("a", "a2", 5, broadcast.StatusIdentified, comp("Web", broadcast.ComponentMajorOutage))
	fix.Body = "Only the web front end is down."
	_, err := p.ch.Edit(context.Background(), broadcast.NewMessage(fix), wrong)
	require.NoError(t, err)

	site := p.site()
	assert.Equal(t, "Operational", components(t, site.Pages["index.html"])["API"], "the API's status is back")
	all := itemOf(t, site.Feeds["history.atom"], "a2")
	api := itemOf(t, site.Feeds["components/api.atom"], "a2")
	assert.Equal(t, all.Content, api.Content, "the API's feed: the correction in full")
	assert.Equal(t, all.Categories, api.Categories, "the API's feed")
	assert.Contains(t, api.Content, "Only the web front end is down.", "the API's feed")
	assert.Equal(t, t0.Add(time.Minute), *api.UpdatedParsed, "the API's feed: updated at the correction")

	db := itemOf(t, site.Feeds["components/db.atom"], "a2")
	assert.Contains(t, db.Content, "Read the update in full on the incident page.",
		"the DB's feed: the DB's status stays what a1 gave it")
	assert.Equal(t, t0.Add(time.Minute), *db.UpdatedParsed, "the DB's feed: updated at the correction")
}

// correctedAPI is the page of TestCorrectionGivingAComponentItsStatusBackConcernsIt
// after its correction, its updates naming the API as api: a2 said
// "api: major outage", its correction, at t0+1m, names the web front end
// only, so a2 gave the API its status back (see entry.Returned).
func correctedAPI(t *testing.T, cfg statuspage.Config) (*page, broadcast.Receipt) {
	t.Helper()
	p := newPage(t, cfg)
	p.send(update("a", "a1", 0, broadcast.StatusInvestigating,
		comp("api", broadcast.ComponentOperational), comp("Web", broadcast.ComponentDegraded)))
	wrong := p.send(update("a", "a2", 5, broadcast.StatusIdentified,
		comp("api", broadcast.ComponentMajorOutage), comp("Web", broadcast.ComponentMajorOutage)))
	p.send(update("a", "a3", 10, broadcast.StatusMonitoring, comp("Web", broadcast.ComponentDegraded)))
	p.now = t0.Add(time.Minute)
	fix := update("a", "a2", 5, broadcast.StatusIdentified, comp("Web", broadcast.ComponentMajorOutage))
	fix.Body = "Only the web front end is down."
	_, err := p.ch.Edit(context.Background(), broadcast.NewMessage(fix), wrong)
	require.NoError(t, err)
	api := itemOf(t, p.site().Feeds["components/api.atom"], "a2")
	require.Contains(t, api.Content, "Only the web front end is down.", "the API's feed: the correction in full")
	return p, wrong
}

// A component whose status a correction gave back keeps the update in
// full in its feed when Config.Components names it in another case ("api"
// in the updates, "API" configured): the name recorded of it is renamed
// with those of the components the updates name.
func TestCorrectionGivingAComponentItsStatusBackSurvivesARename(t *testing.T) {
	p, _ := correctedAPI(t, statuspage.Config{})

	q := newPage(t, statuspage.Config{Dir: p.dir, Components: []statuspage.ComponentInfo{{Name: "API"}}})
	q.now = t0.Add(2 * time.Minute)
	require.NoError(t, q.ch.Rebuild(context.Background()))
	site := q.site()
	assert.Equal(t, "Operational", components(t, site.Pages["index.html"])["API"])
	var feed *gofeed.Feed // the API's, as configured
	for _, f := range site.Feeds {
		if f.Title == "Service status: API" {
			feed = f
		}
	}
	api := itemOf(t, feed, "a2")
	assert.Contains(t, api.Content, "Only the web front end is down.", "the API's feed: the correction in full")
	assert.Equal(t, t0.Add(time.Minute), *api.UpdatedParsed, "the API's feed: updated at the correction")
}

// A second correction naming the component again has the update in full
// in its feed, naming it; a third that takes it out again keeps it so:
// the component's status was given back, whatever the corrections since.
func TestCorrectionPuttingAComponentBackConcernsIt(t *testing.T) {
	p, r := correctedAPI(t, statuspage.Config{})

	p.now = t0.Add(2 * time.Minute)
	back := update("a", "a2", 5, broadcast.StatusIdentified,
		comp("api", broadcast.ComponentPartialOutage), comp("Web", broadcast.ComponentMajorOutage))
	back.Body = "The API is partly down after all."
	_, err := p.ch.Edit(context.Background(), broadcast.NewMessage(back), r)
	require.NoError(t, err)
	api := itemOf(t, p.site().Feeds["components/api.atom"], "a2")
	assert.Contains(t, api.Content, "The API is partly down after all.", "the API's feed")
	assert.Contains(t, api.Content, "api (Partial outage)", "the API's feed")
	assert.Equal(t, t0.Add(2*time.Minute), *api.UpdatedParsed, "the API's feed")

	p.now = t0.Add(3 * time.Minute)
	out := update("a", "a2", 5, broadcast.StatusIdentified, comp("Web", broadcast.ComponentMajorOutage))
	out.Body = "Only the web front end is down, really."
	_, err = p.ch.Edit(context.Background(), broadcast.NewMessage(out), r)
	require.NoError(t, err)
	api = itemOf(t, p.site().Feeds["components/api.atom"], "a2")
	assert.Contains(t, api.Content, "Only the web front end is down, really.", "the API's feed: in full")
	assert.Equal(t, t0.Add(3*time.Minute), *api.UpdatedParsed, "the API's feed")
}

// A retraction of the corrected update reaches the feed of the component
// it gave its status back: its entry there says it was withdrawn, under
// its id, with a tombstone, as in the feed of all updates.
func TestRetractionOfACorrectionGivingAComponentItsStatusBack(t *testing.T) {
	p, r := correctedAPI(t, statuspage.Config{})
	id := itemOf(t, p.site().Feeds["components/api.atom"], "a2").GUID

	p.now = t0.Add(2 * time.Minute)
	require.NoError(t, p.ch.Retract(context.Background(), r))
	site := p.site()
	api := itemOf(t, site.Feeds["components/api.atom"], "a2")
	assert.Equal(t, id, api.GUID, "its id")
	assert.Contains(t, api.Content, "Retracted", "the API's feed")
	assert.NotContains(t, api.Content, "web front end", "the API's feed")
	assert.Contains(t, tombstones(t, site.Files["components/api.atom"]), tombstone{Ref: id, When: "2025-03-14T12:02:00Z"},
		"the API's feed")
}
