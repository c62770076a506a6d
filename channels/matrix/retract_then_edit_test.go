package matrix

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// visibleEdits returns the edits in the fake that are not redacted.
func visibleEdits(f *fakeServer) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, e := range f.events {
		if e.kind == "edit" && !e.redacted {
			out = append(out, e.id+" in "+e.room)
		}
	}
	return out
}

// A correction after a retraction redacted the post leaves no edit in
// the room, also where the homeserver still serves the post as it was
// before its redaction: the specification leaves an m.replace of a
// redacted event unredacted ("the subsequent edits are not actually
// redacted themselves", client-server API, Redactions of edited events),
// and clients without edits show it as a "* " message. The Channel
// refuses the edit of a post its Retract redacted, for good, saying it
// was retracted.
func TestEditAfterRetractIsRefused(t *testing.T) {
	f, ch := newTestPair(t, confConfig(""))
	ctx := context.Background()
	r, err := ch.Send(ctx, broadcast.NewMessage(incident(1, broadcast.StatusInvestigating, "original")))
	require.NoError(t, err)
	require.NoError(t, ch.Retract(ctx, r))
	f.mu.Lock()
	f.staleRedaction = map[string]bool{}
	for _, target := range confTargets {
		f.staleRedaction[r.Meta[target]] = true
	}
	f.mu.Unlock()

	_, err = ch.Edit(ctx, broadcast.NewMessage(incident(2, broadcast.StatusIdentified, "fix")), r)
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err), "%v", err)
	assert.True(t, errors.Is(err, broadcast.ErrRetracted), "%v", err)
	assert.Empty(t, visibleEdits(f))
}

// A correction that edits the post while a retraction of it runs (the
// Channel is safe for concurrent use), after the retraction listed the
// post's edits and before it redacted the post, leaves no edit behind
// once the retraction succeeded: the retraction redacts the edits made
// while it ran, rather than keep them for a retry that never comes.
func TestEditWhileRetractRanIsRedacted(t *testing.T) {
	f := newFakeServer(t, confToken, confRooms)
	f.relLag = 1
	var editErr error
	ch, r := editedBeforeRedaction(t, f, func(err error) { editErr = err })

	require.NoError(t, ch.Retract(context.Background(), r))
	require.NoError(t, editErr, "made before the post was redacted")
	assert.Empty(t, visibleEdits(f))
	assert.Empty(t, ch.editsMade(post{room: confRooms[confTargets[0]], event: r.Meta[confTargets[0]]}),
		"nothing left to remember")
}
