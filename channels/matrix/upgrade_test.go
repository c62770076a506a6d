package matrix

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// upgrade moves the alias of f's conformance room to a new room, as a
// room upgrade does, and leaves the account joined to the new room only
// when joined is true; the old room refuses its posts.
func upgrade(f *fakeServer, alias, now string, joined bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	old := f.aliases[alias]
	f.aliases[alias] = now
	if old != now {
		f.replaced[old] = now
	}
	f.targets[now] = alias
	f.joined = slices.DeleteFunc(f.joined, func(r string) bool { return r == old })
	if joined {
		f.joined = append(f.joined, now)
	}
}

// A room upgraded to a new version takes its aliases along, and the old
// room refuses posts (403): the channel, which resolved the alias before,
// looks it up again and posts the update to the room it names now, in
// the same attempt. A room that refuses while its alias still names it is
// not posted to twice.
func TestAliasMovedToAnUpgradedRoom(t *testing.T) {
	const alias, now = "#status:example.org", "!Nw4Up:example.org"
	f, ch := newTestPair(t, confConfig(""))
	ctx := context.Background()
	first, err := ch.Send(ctx, broadcast.NewMessage(incident(1, broadcast.StatusInvestigating, "a")))
	require.NoError(t, err)
	require.Equal(t, confRooms[alias], first.Meta[metaRoom+alias])

	upgrade(f, alias, now, true)
	m := broadcast.NewMessage(incident(2, broadcast.StatusIdentified, "b"))
	m.Thread = broadcast.Thread{Root: first, Last: first}
	r, err := ch.Send(ctx, m)
	require.NoError(t, err)
	done, failure := m.Ledger.Done(alias)
	assert.True(t, done)
	assert.Empty(t, failure)
	assert.Equal(t, now, r.Meta[metaRoom+alias])
	got := f.Received()
	require.Len(t, got, 4)
	assert.Equal(t, alias, got[3].Target)
	assert.Equal(t, r.Meta[alias], got[3].ID)
	assert.Empty(t, got[3].ReplyTo, "the thread's root is in the old room: the post starts one")

	upgrade(f, alias, now, false) // the account left the new room too
	m = broadcast.NewMessage(incident(3, broadcast.StatusMonitoring, "c"))
	_, err = ch.Send(ctx, m)
	require.NoError(t, err, "the other room got it")
	_, failure = m.Ledger.Done(alias)
	assert.Contains(t, failure, "M_FORBIDDEN (http 403)")
	sends := 0
	for _, q := range f.requests {
		if q.method == "PUT" && strings.HasPrefix(q.path, roomPath(now, "send")) {
			sends++
		}
	}
	assert.Equal(t, 2, sends, "one post of the second update, one refused of the third: no second try in the same room")
}

// Check looks every alias up afresh: one that moved to a room the account
// has not joined fails, although the room it named before is joined.
func TestCheckResolvesAliasesAfresh(t *testing.T) {
	const alias, now = "#status:example.org", "!Nw4Up:example.org"
	f, ch := newTestPair(t, confConfig(""))
	require.NoError(t, ch.Check(context.Background()))
	upgrade(f, alias, now, false)
	f.mu.Lock()
	f.joined = append(f.joined, confRooms[alias]) // still in the old room
	f.mu.Unlock()
	err := ch.Check(context.Background())
	require.Error(t, err)
	assert.Contains(t, err.Error(), alias+": "+fakeUser+" has not joined the room "+now)
}

// Check says which room replaced an upgraded room configured by its ID:
// the account is still joined to the old room, which refuses its posts.
func TestCheckUpgradedRoom(t *testing.T) {
	const room, now = "!ops7Kq:example.org", "!Nw4Up:example.org"
	f, ch := newTestPair(t, confConfig(""))
	f.mu.Lock()
	f.replaced[room] = now
	f.mu.Unlock()
	err := ch.Check(context.Background())
	require.Error(t, err)
	assert.Equal(t, "matrix: check: "+room+": the room was upgraded to "+now+" (update Config.Rooms)", err.Error())
}

// A room configured by its ID and upgraded since refuses posts: the post
// follows the room's m.room.tombstone to its replacement, once the account
// has joined that room, and later posts go there at once; until then the
// error names the new room.
func TestRoomUpgradeFollowed(t *testing.T) {
	const room, now = "!ops7Kq:example.org", "!Nw4Up:example.org"
	f, ch := newTestPair(t, confConfig(""))
	ctx := context.Background()
	f.mu.Lock()
	f.replaced[room] = now // the account is still joined to the old room
	f.targets[now] = room
	f.mu.Unlock()
	m := broadcast.NewMessage(incident(1, broadcast.StatusInvestigating, "a"))
	_, err := ch.Send(ctx, m)
	require.NoError(t, err, "the alias's room got it")
	_, failure := m.Ledger.Done(room)
	assert.Contains(t, failure, "the room "+now+", which replaced "+room+": M_FORBIDDEN (http 403)")

	f.mu.Lock()
	f.joined = append(f.joined, now)
	f.mu.Unlock()
	m = broadcast.NewMessage(incident(2, broadcast.StatusIdentified, "b"))
	r, err := ch.Send(ctx, m)
	require.NoError(t, err)
	_, failure = m.Ledger.Done(room)
	assert.Empty(t, failure)
	assert.Equal(t, now, r.Meta[metaRoom+room])
	assert.Equal(t, permalink(post{room: now, event: r.Meta[room]}), r.URL, "the first room's post, in the new room")

	before := len(f.requestLog())
	_, err = ch.Send(ctx, broadcast.NewMessage(incident(3, broadcast.StatusMonitoring, "c")))
	require.NoError(t, err)
	for _, q := range f.requestLog()[before:] {
		assert.NotContains(t, q.path, url.PathEscape(room), "the old room is not asked again")
	}
}

// A post in a room upgraded since cannot be edited there (the old room
// refuses the account's events): that room's edit fails with
// broadcast.ErrNotEditable, so that the Broadcaster posts the correction
// anew, which follows the upgrade; the other room's post is edited.
func TestEditInUpgradedRoomIsNotEditable(t *testing.T) {
	const room, now = "!ops7Kq:example.org", "!Nw4Up:example.org"
	f, ch := newTestPair(t, confConfig(""))
	ctx := context.Background()
	prev, err := ch.Send(ctx, broadcast.NewMessage(incident(1, broadcast.StatusInvestigating, "a")))
	require.NoError(t, err)
	f.mu.Lock()
	f.replaced[room] = now
	f.mu.Unlock()
	_, err = ch.Edit(ctx, broadcast.NewMessage(incident(2, broadcast.StatusInvestigating, "fixed")), prev)
	require.Error(t, err)
	assert.ErrorIs(t, err, broadcast.ErrNotEditable)
	var te *broadcast.TargetsError
	require.ErrorAs(t, err, &te)
	require.Len(t, te.Pending, 1, "left for the Broadcaster to post anew")
	assert.Equal(t, room, te.Pending[0].Target)
	assert.Empty(t, te.Failures)
}
