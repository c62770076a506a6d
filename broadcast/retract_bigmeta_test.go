package broadcast_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/broadcast/boltstore"
)

// A post whose receipt has a large Meta (a channel fanning out to many
// chats or rooms records each one's message id there) can be retracted
// on a bolt Store, whose keys hold at most 32 KiB: the mark that the post
// was deleted is not keyed by the whole Meta. A later update of the
// incident then starts a new thread rather than reply to the deleted post.
func TestRetractPostWithLargeMeta(t *testing.T) {
	meta := map[string]string{}
	for i := range 2000 {
		meta[fmt.Sprintf("chat:-100%010d", i)] = fmt.Sprintf("%d", 1_000_000+i)
	}
	ch := &perChat{name: "telegram", threads: map[string]broadcast.Thread{},
		posts: map[string]broadcast.Receipt{
			"a1": {ID: "5", Meta: meta},
			"a2": {ID: "6", Meta: map[string]string{"chat": "ops"}},
		}}
	store, err := boltstore.Open(t.TempDir()+"/outagecast.db", nil)
	require.NoError(t, err)
	b := newBroadcaster(t, broadcast.Options{Store: store}, ch)
	send(t, b, "a1", "inc-a")
	rep, err := b.Retract(context.Background(), "a1")
	require.NoError(t, err)
	require.Len(t, rep.Results, 1)
	require.NoError(t, rep.Results[0].Err)
	send(t, b, "a2", "inc-a")
	assert.True(t, ch.threads["a2"].Last.IsZero(), "a1's post was deleted: %v", ch.threads["a2"].Last.ID)
}

// A later update of an incident whose first post's receipt has a large
// Meta is sent on a bolt Store: Send reads whether that post was
// retracted before replying to it.
func TestLaterUpdateAfterPostWithLargeMeta(t *testing.T) {
	meta := map[string]string{}
	for i := range 2000 {
		meta[fmt.Sprintf("chat:-100%010d", i)] = fmt.Sprintf("%d", 1_000_000+i)
	}
	ch := &perChat{name: "telegram", threads: map[string]broadcast.Thread{},
		posts: map[string]broadcast.Receipt{"a1": {ID: "5", Meta: meta}, "a2": {ID: "6", Meta: meta}}}
	store, err := boltstore.Open(t.TempDir()+"/outagecast.db", nil)
	require.NoError(t, err)
	b := newBroadcaster(t, broadcast.Options{Store: store}, ch)
	send(t, b, "a1", "inc-a")
	send(t, b, "a2", "inc-a")
	assert.Equal(t, "5", ch.threads["a2"].Last.ID, "a2 replies to a1's post")
}
