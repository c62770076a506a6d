package matrix

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A post with more edits than Retract lists (room members may add
// m.replace events to any post, as many as they like, newer than the
// account's own) is redacted, but Retract does not say it is done: it
// fails for good, saying that edits were left unchecked, since the
// correction's text may stay readable.
func TestRetractOfAPostWithTooManyEditsSaysSo(t *testing.T) {
	f, ch := newTestPair(t, confConfig(""))
	ctx := context.Background()
	r := postedAndEdited(t, ch, "the correction")
	room1 := confRooms[confTargets[0]]
	for range maxEditPages*editsPerPage + 1 {
		addForeignEdit(t, f, room1, r.Meta[confTargets[0]])
	}
	err := ch.Retract(ctx, r)
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err), "%v", err)
	assert.Contains(t, err.Error(), "edits")
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, e := range f.events {
		if e.room == room1 && e.kind != "edit" && e.id == r.Meta[confTargets[0]] {
			assert.True(t, e.redacted, "the post itself is redacted")
		}
	}
}
