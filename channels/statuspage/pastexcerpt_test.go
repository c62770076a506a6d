package statuspage_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/statuspage"
)

// A closed incident among the front page's past incidents reads
// "Resolved <time>: " and an excerpt of the update that resolved it. A
// correction of an earlier update, made after that (Message.Current
// false), says what that update should have said, not where the incident
// stands: the line gave its words ("Resolved …: We are investigating
// errors in the EU only."), as the incident's latest update, where the
// status and the time beside them are the resolution's.
func TestPastIncidentExcerptIsNotAStaleCorrection(t *testing.T) {
	p := newPage(t, statuspage.Config{})
	first := update("a", "a1", 0, broadcast.StatusInvestigating)
	first.Body = "We are investigating errors."
	p.send(first)
	resolved := update("a", "a2", 30, broadcast.StatusResolved)
	resolved.Body = "The errors are fixed."
	p.send(resolved)
	fix := update("a", "a1-fix", 40, broadcast.StatusInvestigating)
	fix.Corrects, fix.Body = "a1", "We are investigating errors in the EU only."
	m := broadcast.NewMessage(fix)
	m.Thread.Last.UpdateID = "a2"
	require.False(t, m.Current())
	_, err := p.ch.Send(context.Background(), m)
	require.NoError(t, err)

	s := p.site()
	require.Contains(t, s.Updates(), "a1-fix", "the correction is listed")
	past := statuspage.Find(statuspage.FindID(s.Pages["index.html"], "history"), "li")
	require.Len(t, past, 1)
	line := statuspage.Text(past[0])
	assert.Contains(t, line, "Resolved")
	assert.Contains(t, line, "The errors are fixed.", "the excerpt of the resolution")
	assert.NotContains(t, line, "EU only", "the excerpt of the correction")
}
