package matrix

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
)

// A retraction whose redaction of an edit fails for now, retried, redacts
// that edit, though the homeserver does not list it in /relations (yet):
// the channel remembers the edits it made until they are redacted, not
// merely until a retraction tried them.
func TestRetractRetriedRedactsEditNotListed(t *testing.T) {
	f, ch := newTestPair(t, confConfig(""))
	f.relLag = 1
	ctx := context.Background()
	r, err := ch.Send(ctx, broadcast.NewMessage(incident(1, broadcast.StatusInvestigating, "original")))
	require.NoError(t, err)
	_, err = ch.Edit(ctx, broadcast.NewMessage(incident(2, broadcast.StatusIdentified, "fix")), r)
	require.NoError(t, err)
	edits := func() []*fakeEvent {
		f.mu.Lock()
		defer f.mu.Unlock()
		var out []*fakeEvent
		for _, e := range f.events {
			if e.kind == "edit" {
				out = append(out, e)
			}
		}
		return out
	}
	require.Len(t, edits(), 2, "one edit in each room")
	fail := map[string]channeltest.Failure{}
	for _, e := range edits() {
		fail[e.id] = channeltest.FailTransient
	}
	f.mu.Lock()
	f.failRedactOf = fail
	f.mu.Unlock()

	err = ch.Retract(ctx, r)
	require.Error(t, err)
	require.False(t, broadcast.IsPermanent(err), "%v", err)
	assert.Contains(t, err.Error(), "redact the edit")

	f.mu.Lock()
	f.failRedactOf = nil
	f.mu.Unlock()
	require.NoError(t, ch.Retract(ctx, r))
	for _, e := range edits() {
		f.mu.Lock()
		assert.True(t, e.redacted, "the edit %s in %s", e.id, e.room)
		f.mu.Unlock()
	}
	for _, target := range confTargets {
		assert.Empty(t, f.timeline()[target])
	}
}
