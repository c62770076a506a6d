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

// After the retraction of an incident's latest post, the next update
// replies to the latest post still up, not to the incident's first: on a
// channel that chains replies (Mastodon, Bluesky, X, e-mail) the thread
// then reads in order, with no branch off its first post.
func TestReplyAfterTheLatestPostIsRetracted(t *testing.T) {
	stores := map[string]func(t *testing.T) broadcast.Store{
		"memory": func(*testing.T) broadcast.Store { return broadcast.NewMemoryStore() },
		"bolt": func(t *testing.T) broadcast.Store {
			s, err := boltstore.Open(t.TempDir()+"/outagecast.db", nil)
			require.NoError(t, err)
			return s
		},
	}
	for _, tt := range []struct {
		name      string
		sent      int      // updates u1… sent first
		retracted []string // then retracted, in order
		wantLast  string   // the post the next update replies to
		wantRoot  string
	}{
		{"the latest", 3, []string{"u3"}, "chat-2", "chat-1"},
		{"the two latest", 4, []string{"u4", "u3"}, "chat-2", "chat-1"},
		{"the two latest, older first", 4, []string{"u3", "u4"}, "chat-2", "chat-1"},
		{"all but the first", 3, []string{"u3", "u2"}, "chat-1", "chat-1"},
		{"the latest and one before it", 4, []string{"u2", "u4"}, "chat-3", "chat-1"},
		{"the first and the latest", 3, []string{"u1", "u3"}, "chat-2", ""},
	} {
		for storeName, open := range stores {
			t.Run(tt.name+"/"+storeName, func(t *testing.T) {
				chat := &editable{script: script{name: "chat"}}
				b := newBroadcaster(t, broadcast.Options{Store: open(t)}, chat)
				ctx := context.Background()
				send := func(n int) {
					t.Helper()
					u := validUpdate()
					u.ID, u.IncidentID = fmt.Sprintf("u%d", n), "cdn"
					_, err := b.Send(ctx, u)
					require.NoError(t, err)
				}
				for n := 1; n <= tt.sent; n++ {
					send(n)
				}
				for _, id := range tt.retracted {
					_, err := b.Retract(ctx, id)
					require.NoError(t, err)
				}
				send(tt.sent + 1)
				m := chat.message(tt.sent)
				assert.Equal(t, tt.wantLast, m.Thread.Last.ID, "the post replied to")
				assert.Equal(t, tt.wantRoot, m.Thread.Root.ID, "the thread's first post")

				// The one after replies to it, as before.
				send(tt.sent + 2)
				assert.Equal(t, fmt.Sprintf("chat-%d", tt.sent+1), chat.message(tt.sent+1).Thread.Last.ID)
			})
		}
	}
}
