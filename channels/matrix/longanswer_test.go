package matrix

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// An update as long as an event allows, and full of "<" and "&" (a pasted
// HTML error page, a log of XML), is edited twice and retracted. A
// homeserver written in Go (Dendrite) answers events with encoding/json,
// which writes each "<", ">" and "&" as six bytes ("\u003c"): the event
// read back before an edit, with its latest edit bundled, and a page of
// its edits listed before a retraction, are then several times the
// 65,536 bytes an event is limited to in the homeserver's own encoding.
// Such answers were cut, and the edit or retraction failed on every
// attempt, as a transient error.
func TestEditAndRetractUpdateFullOfMarkup(t *testing.T) {
	f, ch := newTestPair(t, confConfig(""))
	ctx := context.Background()
	body := func(s string) string { return strings.Repeat(s, 70000/len(s)) }
	r, err := ch.Send(ctx, broadcast.NewMessage(incident(1, broadcast.StatusInvestigating, body("<&"))))
	require.NoError(t, err)
	for i, b := range []string{body("<b>&"), body("&<")} {
		_, err := ch.Edit(ctx, broadcast.NewMessage(incident(2+i, broadcast.StatusIdentified, b)), r)
		require.NoError(t, err, "edit %d", i+1)
	}
	require.NoError(t, ch.Retract(ctx, r))
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, e := range f.events {
		if e.kind != "redaction" {
			assert.True(t, e.redacted, "%s %s", e.kind, e.id)
		}
	}
}
