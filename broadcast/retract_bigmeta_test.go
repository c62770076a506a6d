package broadcast_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
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
	meta := chatsMeta(2000)
	ch := &perChat{name: "telegram", threads: map[string]broadcast.Thread{},
		posts: map[string]broadcast.Receipt{
			"a1": {ID: "5", Meta: meta},
			"a2": {ID: "6", Meta: map[string]string{"chat": "ops"}},
		}}
	b, _ := onBolt(t, ch)
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
	meta := chatsMeta(2000)
	ch := &perChat{name: "telegram", threads: map[string]broadcast.Thread{},
		posts: map[string]broadcast.Receipt{"a1": {ID: "5", Meta: meta}, "a2": {ID: "6", Meta: meta}}}
	b, _ := onBolt(t, ch)
	send(t, b, "a1", "inc-a")
	send(t, b, "a2", "inc-a")
	assert.Equal(t, "5", ch.threads["a2"].Last.ID, "a2 replies to a1's post")
}

// A post retracted by an earlier version, on a bolt Store, whose receipt's
// Meta made a key of more than 16 KiB (about 600 Telegram chats), which
// bolt took: that version keyed the mark by the whole Meta. After an
// upgrade that keys it by the Meta's digest, the mark still counts, and a
// later update of the incident does not reply to the deleted post.
func TestRetractedPostMarkWithLargeWholeMetaStillCounts(t *testing.T) {
	meta := chatsMeta(620)
	ch := &perChat{name: "telegram", threads: map[string]broadcast.Thread{},
		posts: map[string]broadcast.Receipt{
			"a1": {ID: "5", Meta: meta},
			"a2": {ID: "6", Meta: map[string]string{"chat": "ops"}},
		}}
	b, store := onBolt(t, ch)
	send(t, b, "a1", "inc-a")
	// What the earlier version wrote when it retracted a1's post.
	legacy := []byte("\x00retracted post\x005\x00meta\x00")
	for _, k := range slices.Sorted(maps.Keys(meta)) {
		legacy = fmt.Appendf(legacy, "%d:%s;%d:%s;", len(k), k, len(meta[k]), meta[k])
	}
	require.Greater(t, len(legacy), 16<<10)
	require.NoError(t, store.Mark(context.Background(), string(legacy), "telegram", "", nil))
	send(t, b, "a2", "inc-a")
	assert.True(t, ch.threads["a2"].Last.IsZero(), "a1's post was deleted: %v", ch.threads["a2"].Last.ID)
}

// The keys of earlier versions read for a post whose Meta makes one just
// short of the bound stay within a bolt Store's limit, with a channel name
// of the longest: sending, retracting and sending again read them all.
func TestLegacyKeysAtTheBoundOnBolt(t *testing.T) {
	const bound = 32<<10 - 2*broadcast.MaxNameLength
	meta := map[string]string{}
	size := len("\x00retracted post\x005\x00meta\x00")
	for i := 0; ; i++ {
		k, v := fmt.Sprintf("chat:%d", i), "x"
		n := len(fmt.Sprintf("%d:%s;%d:%s;", len(k), k, len(v), v))
		if size+n > bound-100 {
			l := bound - size - len("3:pad;:;")
			for len(fmt.Sprintf("3:pad;%d:;", l))+l > bound-size {
				l-- // the key of the longest Meta read
			}
			meta["pad"] = strings.Repeat("p", l)
			size += len(fmt.Sprintf("3:pad;%d:%s;", l, meta["pad"]))
			break
		}
		meta[k], size = v, size+n
	}
	require.Equal(t, bound, size)
	ch := &perChat{name: strings.Repeat("t", broadcast.MaxNameLength), threads: map[string]broadcast.Thread{},
		posts: map[string]broadcast.Receipt{
			"a1": {ID: "5", Meta: meta},
			"a2": {ID: "6", Meta: meta},
			"a3": {ID: "7", Meta: meta},
		}}
	b, _ := onBolt(t, ch)
	send(t, b, "a1", "inc-a")
	send(t, b, "a2", "inc-a")
	rep, err := b.Retract(context.Background(), "a2")
	require.NoError(t, err)
	require.NoError(t, rep.Results[0].Err)
	send(t, b, "a3", "inc-a")
	assert.Equal(t, "5", ch.threads["a3"].Last.ID, "a3 follows a1, a2 retracted")
}

// chatsMeta is the Meta of a post to n chats: each chat's message id.
func chatsMeta(n int) map[string]string {
	meta := make(map[string]string, n)
	for i := range n {
		meta[fmt.Sprintf("chat:-100%010d", i)] = fmt.Sprint(1_000_000 + i)
	}
	return meta
}

// onBolt returns a Broadcaster of ch on a bolt Store of its own, and the
// Store.
func onBolt(t *testing.T, ch broadcast.Channel) (*broadcast.Broadcaster, broadcast.Store) {
	t.Helper()
	store, err := boltstore.Open(t.TempDir()+"/outagecast.db", nil)
	require.NoError(t, err)
	return newBroadcaster(t, broadcast.Options{Store: store}, ch), store
}

// A post whose platform id is longer than a bolt Store's keys hold (40
// KiB, with and without a Meta): the incident's later updates are sent,
// reading whether that post was retracted, and it can be retracted, the
// next update then starting a new thread. Before, the key of the mark
// that the post was deleted held the whole id: the post was delivered,
// and every later update of the incident on the channel, and its
// Retract, failed for good reading it.
func TestPostWithALongIDOnBolt(t *testing.T) {
	long := strings.Repeat("7", 40<<10)
	for name, meta := range map[string]map[string]string{"without Meta": nil, "with Meta": {"chat": "ops"}} {
		t.Run(name, func(t *testing.T) {
			ch := &perChat{name: "telegram", threads: map[string]broadcast.Thread{},
				posts: map[string]broadcast.Receipt{
					"a1": {ID: long, Meta: meta},
					"a2": {ID: "8", Meta: meta},
					"a3": {ID: "9", Meta: meta},
				}}
			b, _ := onBolt(t, ch)
			send(t, b, "a1", "inc-a")
			send(t, b, "a2", "inc-a")
			assert.Equal(t, long, ch.threads["a2"].Root.ID, "a2 follows a1")
			rep, err := b.Retract(context.Background(), "a1")
			require.NoError(t, err)
			require.NoError(t, rep.Results[0].Err)
			assert.False(t, rep.Results[0].Skipped)
			_, err = b.Retract(context.Background(), "a2")
			require.NoError(t, err)
			send(t, b, "a3", "inc-a")
			assert.True(t, ch.threads["a3"].Last.IsZero(), "a1's and a2's posts were deleted: %.20s", ch.threads["a3"].Last.ID)
		})
	}
}
