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

// An incident's updated_at is when the incident was last updated
// (Statuspage's API: "The timestamp when the incident was updated at"):
// an update of it written, edited or sent again, or one retracted. When
// that change makes another update begin or end the incident's giving
// statuses (entry.Turned), the other update's entry changes in some
// components' feeds only; the incident in the JSON, and its page, change
// no more than they would without it. So the incident's updated_at, and
// its page's "Last updated", are those of the change, not the time the
// other update turned: here the edit of a, a correction written at
// 11:30, which makes b turn at 13:00.
func TestIncidentUpdatedAtNotMovedByATurn(t *testing.T) {
	p := newPage(t, statuspage.Config{})
	p.send(update("x", "a", 0, broadcast.StatusInvestigating, comp("C1", broadcast.ComponentMajorOutage)))
	p.send(update("x", "b", 1, broadcast.StatusIdentified, comp("C2", broadcast.ComponentDegraded)))
	p.send(update("x", "c", 2, broadcast.StatusMonitoring, comp("C1", broadcast.ComponentOperational)))

	p.now = t0.Add(time.Hour)
	_, err := p.ch.Edit(context.Background(), broadcast.NewMessage(
		update("x", "a", 30, broadcast.StatusResolved, comp("C1", broadcast.ComponentMajorOutage))),
		broadcast.Receipt{ID: "a"})
	require.NoError(t, err)
	site := p.site()
	require.Equal(t, p.now, *itemOf(t, site.Feeds["components/c1.atom"], "b").UpdatedParsed,
		"the test's premise: b turned, its entry in C1's feed changed")

	edited := apiUpdate(t, site, "x", "a")["updated_at"]
	require.Equal(t, t0.Add(-30*time.Minute).Format(apiTimeLayout), edited, "the test's premise: a edited at its correction's time")
	inc := apiIncident(site, "x")
	require.NotNil(t, inc)
	assert.Equal(t, edited, inc["updated_at"], "the incident's updated_at: the edit's, its latest change")
	var last string
	for _, tm := range statuspage.Find(statuspage.FindClass(site.Pages["incidents/x.html"], "site")[1], "time") {
		last = statuspage.Attr(tm, "datetime")
	}
	assert.Equal(t, t0.Add(-30*time.Minute).Format(time.RFC3339), last, "the incident page's Last updated")
}
