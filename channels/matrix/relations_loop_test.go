package matrix

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A homeserver whose /relations tokens go round (the last page's
// next_batch leads back to the first: A→B→A→B) has shown every edit it
// lists once a token repeats: Retract stops there, redacts each edit once
// and the post, and is done, rather than page a thousand times and then
// fail for good claiming thousands of edits left unchecked.
func TestRetractStopsWhenRelationsTokensGoRound(t *testing.T) {
	f, ch := newTestPair(t, confConfig(""))
	ctx := context.Background()
	r, err := ch.Send(ctx, broadcast.NewMessage(incident(1, broadcast.StatusInvestigating, "original")))
	require.NoError(t, err)
	for i := range 2 {
		_, err = ch.Edit(ctx, broadcast.NewMessage(incident(2+i, broadcast.StatusIdentified, "correction")), r)
		require.NoError(t, err)
	}
	f.mu.Lock()
	f.relMax, f.relWrap = 1, true
	f.requests = nil
	f.mu.Unlock()

	require.NoError(t, ch.Retract(ctx, r))

	f.mu.Lock()
	defer f.mu.Unlock()
	pages, redactions := map[string]int{}, map[string]int{}
	for _, q := range f.requests {
		switch {
		case strings.Contains(q.path, "/relations/"):
			pages[q.path[:strings.Index(q.path, "/relations/")]]++
		case strings.Contains(q.path, "/redact/"):
			redactions[q.path]++
		}
	}
	for room, n := range pages {
		assert.LessOrEqual(t, n, 3, "pages of /relations read in %s", room)
	}
	for path, n := range redactions {
		assert.Equal(t, 1, n, "redactions of %s", path)
	}
	for _, e := range f.events {
		if e.kind == "post" || e.kind == "edit" {
			assert.True(t, e.redacted, "%s %s is redacted", e.kind, e.id)
		}
	}
}
