package matrix

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// sendsTo counts the posts and edits f received for room.
func sendsTo(f *fakeServer, room string) int {
	n := 0
	for _, q := range f.requestLog() {
		if strings.Contains(q.path, "/rooms/"+url.PathEscape(room)+"/send/") {
			n++
		}
	}
	return n
}

// Two configured rooms that lead to one room (a room upgraded to the room
// another target names, as when Config.Rooms got the new room and kept
// the old; an alias of a configured room ID) get each update once there:
// the second target records the first one's post. A correction edits it
// once.
func TestTwoTargetsInOneRoomPostOnce(t *testing.T) {
	const old, alias = "!ops7Kq:example.org", "#status:example.org"
	now := confRooms[alias]
	f, ch := newTestPair(t, confConfig(""))
	ctx := context.Background()
	f.mu.Lock()
	f.replaced[old] = now // upgraded to the alias's room, which the account has joined
	f.mu.Unlock()

	m := broadcast.NewMessage(incident(1, broadcast.StatusInvestigating, "a"))
	r, err := ch.Send(ctx, m)
	require.NoError(t, err)
	assert.Equal(t, 1, sendsTo(f, now), "one post in the room")
	assert.Equal(t, r.Meta[old], r.Meta[alias], "both targets record the post")
	for _, target := range []string{old, alias} {
		done, failure := m.Ledger.Done(target)
		assert.True(t, done, target)
		assert.Empty(t, failure, target)
	}

	m2 := broadcast.NewMessage(incident(2, broadcast.StatusIdentified, "b"))
	m2.Thread = broadcast.Thread{Root: r, Last: r}
	r2, err := ch.Send(ctx, m2)
	require.NoError(t, err)
	assert.Equal(t, 2, sendsTo(f, now), "the follow-up once too")
	assert.Equal(t, r.Meta[old], r2.Meta[metaRoot+alias], "in the thread")

	_, err = ch.Edit(ctx, broadcast.NewMessage(incident(3, broadcast.StatusIdentified, "c")), r2)
	require.NoError(t, err)
	assert.Equal(t, 3, sendsTo(f, now), "one edit")
	require.NoError(t, ch.Retract(ctx, r2))
}
