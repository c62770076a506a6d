package matrix

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A retraction right after a correction edited the post redacts that
// edit too, though the homeserver does not list it in /relations yet:
// Dendrite answers the edit's send once its room server has the event,
// and lists it only once its sync API has applied it, moments later (a
// retraction right after a correction left the correction's text
// readable about one time in ten, against Dendrite v0.13.8). The edits
// this channel made are redacted whether listed or not.
func TestRetractRedactsEditNotListedYet(t *testing.T) {
	f, ch := newTestPair(t, confConfig(""))
	f.relLag = 1
	ctx := context.Background()
	r := postedAndEdited(t, ch, "fix")

	require.NoError(t, ch.Retract(ctx, r))
	f.mu.Lock()
	defer f.mu.Unlock()
	edits := 0
	for _, e := range f.events {
		if e.kind == "edit" || e.kind == "post" {
			assert.True(t, e.redacted, "the %s %s in %s", e.kind, e.id, e.room)
			if e.kind == "edit" {
				edits++
			}
		}
	}
	assert.Equal(t, 2, edits, "one edit in each room")
}
