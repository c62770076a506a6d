package matrix

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// Edits made before a restart are known through /relations alone: a
// retraction by a new Channel reads every page of them (next_batch given
// back as from, client-server API, GET
// /_matrix/client/v1/rooms/{roomId}/relations/{eventId}/{relType}) and
// redacts each, with more edits than a page holds.
func TestRetractAfterRestartPagesThroughEdits(t *testing.T) {
	f, before := newTestPair(t, confConfig(""))
	ctx := context.Background()
	r, err := before.Send(ctx, broadcast.NewMessage(incident(1, broadcast.StatusInvestigating, "original")))
	require.NoError(t, err)
	const edits = 2*editsPerPage + 1
	for i := range edits {
		_, err := before.Edit(ctx, broadcast.NewMessage(incident(2+i, broadcast.StatusIdentified, fmt.Sprintf("fix %d", i))), r)
		require.NoError(t, err)
	}
	cfg := confConfig("")
	cfg.Homeserver = f.srv.URL
	after := newTestChannel(t, cfg)
	require.Empty(t, after.editsMade(post{room: confRooms[confTargets[0]], event: r.Meta[confTargets[0]]}))
	start := len(f.requestLog())

	require.NoError(t, after.Retract(ctx, r))
	pages := map[string]int{}
	for _, req := range f.requestLog()[start:] {
		if i := strings.Index(req.path, "/relations/"); i >= 0 {
			pages[req.path[:i]]++
		}
	}
	assert.Len(t, pages, len(confTargets))
	for room, n := range pages {
		assert.Equal(t, 3, n, "pages of /relations read in %s", room)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, e := range f.events {
		if e.kind == "edit" || e.kind == "post" {
			assert.True(t, e.redacted, "the %s %s in %s", e.kind, e.id, e.room)
			if e.kind == "edit" {
				n++
			}
		}
	}
	assert.Equal(t, edits*len(confTargets), n)
}
