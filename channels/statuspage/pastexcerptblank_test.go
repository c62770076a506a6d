package statuspage_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/statuspage"
)

// The excerpt of a past incident is the first line of its update that
// shows something. A first line of format characters only (a zero-width
// space, a bidi mark pasted from a chat), which the update's page leaves
// out as it shows nothing, was the excerpt: the line read "Resolved
// <time>: " and nothing after it.
func TestPastIncidentExcerptSkipsInvisibleLine(t *testing.T) {
	p := newPage(t, statuspage.Config{})
	u := update("a", "a1", 0, broadcast.StatusResolved)
	u.Body = "\u200b\u200e\nThe errors are fixed."
	p.send(u)

	past := statuspage.Find(statuspage.FindID(p.index(), "history"), "li")
	require.Len(t, past, 1)
	assert.Contains(t, statuspage.Text(past[0]), ": The errors are fixed.")
}
