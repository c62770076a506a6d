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
