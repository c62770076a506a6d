package matrix

import (
	"context"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A post the homeserver no longer knows (purged from the room's history
// by a retention policy or an admin's purge) is gone already: Retract
// counts it as redacted. Synapse answers /relations of such an event
// with 404 M_UNKNOWN "Unknown parent event.", not M_NOT_FOUND, and takes
// its redaction.
func TestRetractOfAPurgedPostOnSynapse(t *testing.T) {
	f, ch := newTestPair(t, confConfig(""))
	f.synapseUnknown = true
	ctx := context.Background()
	r, err := ch.Send(ctx, broadcast.NewMessage(incident(1, broadcast.StatusInvestigating, "a")))
	require.NoError(t, err)
	purged := r.Meta[confTargets[0]]
	f.mu.Lock()
	f.events = slices.DeleteFunc(f.events, func(e *fakeEvent) bool { return e.id == purged })
	f.mu.Unlock()

	require.NoError(t, ch.Retract(ctx, r), "the purged post is gone already")
	assert.Empty(t, f.timeline()[confTargets[1]], "the other room's post is redacted")
}
