package broadcast_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A post whose receipt has Meta, retracted by an earlier version (which
// keyed the mark of a retracted post by its id alone), stays retracted
// after an upgrade: an in-place correction retracted then deleted its
// original's post too, and a later update must not reply to it.
func TestRetractedPostMarkOfAnEarlierVersionStillCounts(t *testing.T) {
	// What an earlier version wrote when it retracted an in-place
	// correction of a1 (the same post): the mark keyed by the post's id.
	earlierMarkCounts(t, "\x00retracted post\x005")
}

// A post whose receipt has Meta, retracted by an earlier version that
// keyed the mark by the post's id and whole Meta, stays retracted after
// an upgrade that keys it by the Meta's digest.
func TestRetractedPostMarkWithWholeMetaStillCounts(t *testing.T) {
	// What the earlier version wrote when it retracted a1's post.
	earlierMarkCounts(t, "\x00retracted post\x005\x00meta\x004:chat;3:ops;")
}

// earlierMarkCounts sends a1, a post of id 5 in chat "ops", marks key as
// an earlier version marked its retraction, and checks that a2, of the
// same incident, does not reply to it.
func earlierMarkCounts(t *testing.T, key string) {
	t.Helper()
	ch := &perChat{name: "telegram", threads: map[string]broadcast.Thread{},
		posts: map[string]broadcast.Receipt{
			"a1": {ID: "5", Meta: map[string]string{"chat": "ops"}},
			"a2": {ID: "6", Meta: map[string]string{"chat": "ops"}},
		}}
	store := broadcast.NewMemoryStore()
	b := newBroadcaster(t, broadcast.Options{Store: store}, ch)
	send(t, b, "a1", "inc-a")
	require.NoError(t, store.Mark(context.Background(), key, "telegram", "", nil))
	send(t, b, "a2", "inc-a")
	assert.True(t, ch.threads["a2"].Last.IsZero(), "a1's post was deleted: %+v", ch.threads["a2"].Last)
}
