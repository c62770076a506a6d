package matrix

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// editIDs returns the IDs of the edits in the fake.
func editIDs(f *fakeServer) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, e := range f.events {
		if e.kind == "edit" {
			out = append(out, e.id)
		}
	}
	return out
}

// A 404 M_NOT_FOUND to the redaction of an edit the Channel made moments
// ago does not count as redacted: the specification gives PUT
// /rooms/{roomId}/redact/{eventId}/{txnId} no 404 at all, and accepts a
// redaction of an event the server has not received yet, to be applied
// once it has (room versions 3 and later, Handling redactions), so the
// answer says the homeserver does not know the edit yet, not that it is
// gone. The room fails for now, and the retry, under the same transaction
// IDs, redacts the edit.
func TestRetractOfEditNotFoundYetFailsForNow(t *testing.T) {
	f, ch := newTestPair(t, confConfig(""))
	f.relLag = 1
	ctx := context.Background()
	r := postedAndEdited(t, ch, "fix")
	ids := editIDs(f)
	f.mu.Lock()
	f.redactNotFound = map[string]bool{}
	for _, id := range ids {
		f.redactNotFound[id] = true
	}
	f.mu.Unlock()

	err := ch.Retract(ctx, r)
	require.Error(t, err)
	assert.False(t, broadcast.IsPermanent(err), "%v", err)
	assert.Contains(t, err.Error(), "redact the edit")
	assert.Len(t, visibleEdits(f), 2, "not redacted yet")

	f.mu.Lock()
	f.redactNotFound = nil
	f.mu.Unlock()
	require.NoError(t, ch.Retract(ctx, r))
	assert.Empty(t, visibleEdits(f))
}

// Likewise for the post itself, whose receipt is moments old.
func TestRetractOfPostNotFoundYetFailsForNow(t *testing.T) {
	f, ch := newTestPair(t, confConfig(""))
	ctx := context.Background()
	r, err := ch.Send(ctx, broadcast.NewMessage(incident(1, broadcast.StatusInvestigating, "original")))
	require.NoError(t, err)
	f.mu.Lock()
	f.redactNotFound = map[string]bool{r.Meta[confTargets[0]]: true}
	f.mu.Unlock()

	err = ch.Retract(ctx, r)
	require.Error(t, err)
	assert.False(t, broadcast.IsPermanent(err), "%v", err)
	assert.Len(t, f.timeline()[confTargets[0]], 1, "not redacted yet")
}

// An event made a minute or more ago that the homeserver answers 404
// M_NOT_FOUND for is gone (purged from the room's history by a retention
// policy or an admin's purge): it counts as redacted, as a post whose
// homeserver no longer knows it is gone for Edit (see editable).
func TestRetractOfOldEventNotFoundCountsAsRedacted(t *testing.T) {
	f, ch := newTestPair(t, confConfig(""))
	ctx := context.Background()
	r := postedAndEdited(t, ch, "fix")
	ids := editIDs(f)
	f.mu.Lock()
	f.redactNotFound = map[string]bool{r.Meta[confTargets[0]]: true}
	for _, id := range ids {
		f.redactNotFound[id] = true
	}
	f.mu.Unlock()
	later := r.Time.Add(recentPost)
	ch.s.now = func() time.Time { return later }

	require.NoError(t, ch.Retract(ctx, r))
	assert.Empty(t, f.timeline()[confTargets[1]], "the other room's post is redacted")
	assert.Empty(t, ch.editsMade(post{room: confRooms[confTargets[0]], event: r.Meta[confTargets[0]]}))
}
