package matrix

import (
	"cmp"
	"context"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
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

// Check names the last room of a chain of upgrades (A→B→C), where posts
// go, and says that rooms whose tombstones lead back to one another
// (A→B→A) keep the posts in the configured room.
func TestCheckUpgradeChainAndLoop(t *testing.T) {
	const room, mid, last = "!ops7Kq:example.org", "!Nw4Up:example.org", "!Zk2Lt:example.org"
	f, ch := newTestPair(t, confConfig(""))
	f.mu.Lock()
	f.replaced[room], f.replaced[mid] = mid, last
	f.joined = append(f.joined, mid) // the account followed the first upgrade
	f.mu.Unlock()
	err := ch.Check(context.Background())
	require.Error(t, err)
	assert.Equal(t, "matrix: check: "+room+": the room was upgraded to "+mid+", and that room since, to "+last+
		" (update Config.Rooms)", err.Error())

	f.mu.Lock()
	f.replaced[mid] = room
	f.mu.Unlock()
	err = ch.Check(context.Background())
	require.Error(t, err)
	assert.Equal(t, "matrix: check: "+room+": the room's m.room.tombstone names "+mid+
		", whose replacements lead back to it: posts stay in this room", err.Error())
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
	assert.Equal(t, permalink(post{room: now, event: r.Meta[room]}, ""), r.URL, "the first room's post, in the new room")

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

// A room upgraded since, where the account may still post (it created the
// room, and an upgrade raises the power to post only to 50), is followed
// to its replacement all the same, as clients follow it: the old room is
// closed to everyone else and read by no one. Before, the post went to the
// old room as long as it was accepted there, alias or room ID alike.
func TestUpgradedRoomFollowedWhileStillAccepting(t *testing.T) {
	const room, alias = "!ops7Kq:example.org", "#status:example.org"
	const roomNow, aliasNow = "!Nw4Up:example.org", "!Nw5Up:example.org"
	f, ch := newTestPair(t, confConfig(""))
	ctx := context.Background()
	first, err := ch.Send(ctx, broadcast.NewMessage(incident(1, broadcast.StatusInvestigating, "a")))
	require.NoError(t, err)
	oldAliasRoom := first.Meta[metaRoom+alias]
	require.NotEmpty(t, oldAliasRoom)

	f.mu.Lock()
	f.replaced[room], f.admin[room] = roomNow, true
	f.targets[roomNow] = room
	f.joined = append(f.joined, roomNow)
	f.mu.Unlock()
	upgrade(f, alias, aliasNow, true)
	f.mu.Lock()
	f.joined = append(f.joined, oldAliasRoom) // still in the old room, and may post there
	f.admin[oldAliasRoom] = true
	f.mu.Unlock()

	m := broadcast.NewMessage(incident(2, broadcast.StatusIdentified, "b"))
	m.Thread = broadcast.Thread{Root: first, Last: first}
	r, err := ch.Send(ctx, m)
	require.NoError(t, err)
	assert.Equal(t, roomNow, r.Meta[metaRoom+room], "posted in the room that replaced %s", room)
	assert.Equal(t, aliasNow, r.Meta[metaRoom+alias], "posted in the room %s names now", alias)
	for _, e := range f.events {
		if e.kind == "post" && (e.room == room || e.room == oldAliasRoom) {
			assert.Equal(t, first.Meta[f.targets[e.room]], e.id, "no second post in the old room %s", e.room)
		}
	}
}

// A post in a room upgraded since cannot be redacted there by an account
// without power (an upgrade raises the power to send any event, a
// redaction among them, to 50): Retract fails that room permanently and
// says why, naming the room that replaced it, instead of a bare
// M_FORBIDDEN, which reads as if the account had lost the room, or
// Dendrite's 500, which reads as a failure worth retrying for the next ten
// minutes. It does not redact in the new room, where the post is not.
func TestRetractInUpgradedRoom(t *testing.T) {
	const room, now = "!ops7Kq:example.org", "!Nw4Up:example.org"
	f, ch := newTestPair(t, confConfig(""))
	ctx := context.Background()
	prev, err := ch.Send(ctx, broadcast.NewMessage(incident(1, broadcast.StatusInvestigating, "a")))
	require.NoError(t, err)
	f.mu.Lock()
	f.replaced[room] = now
	f.joined = append(f.joined, now)
	f.mu.Unlock()
	for _, dendrite := range []bool{false, true} {
		f.mu.Lock()
		f.redact500 = dendrite // Dendrite answers 500, which alone would be retried for ever
		f.mu.Unlock()
		err = ch.Retract(ctx, prev)
		require.Error(t, err)
		assert.True(t, broadcast.IsPermanent(err), "%v", err)
		assert.Contains(t, err.Error(), "the room was upgraded to "+now+", which left the account's power level 0 "+
			"in the room is below the 50 a redaction needs")
	}
	for _, q := range f.requestLog() {
		assert.NotContains(t, q.path, url.PathEscape(now), "nothing to redact in the new room")
	}
}

// Rooms whose tombstones name each other (A→B→A) have no replacement to
// settle in: each post goes to the same room, in one thread, instead of
// to the other room at every post (each starting a thread of its own).
func TestTombstoneLoopKeepsOneRoom(t *testing.T) {
	const room, other = "!ops7Kq:example.org", "!Nw4Up:example.org"
	f, ch := newTestPair(t, confConfig(""))
	ctx := context.Background()
	f.mu.Lock()
	f.replaced[room], f.replaced[other] = other, room
	f.admin[room], f.admin[other] = true, true // both still take the account's posts
	f.targets[other] = room
	f.joined = append(f.joined, other)
	f.mu.Unlock()

	var th broadcast.Thread
	var rooms []string
	for i := range 3 {
		m := broadcast.NewMessage(incident(i+1, broadcast.StatusInvestigating, "x"))
		m.Thread = th
		r, err := ch.Send(ctx, m)
		require.NoError(t, err)
		if i == 0 {
			th.Root = r
		}
		th.Last = r
		rooms = append(rooms, cmp.Or(r.Meta[metaRoom+room], room))
	}
	assert.Equal(t, []string{rooms[0], rooms[0], rooms[0]}, rooms, "every post in one room")
	got := f.Received()
	var roots []string
	for _, d := range got {
		if d.Target == room {
			roots = append(roots, d.ReplyTo)
		}
	}
	require.Len(t, roots, 3)
	assert.Equal(t, []string{"", th.Root.Meta[room], th.Root.Meta[room]}, roots, "one thread")
}

// A failure to read a room's m.room.tombstone that a retry may get past
// (502, a rate limit, a transport error) fails the room for now: the post
// is not made in a room that may have been replaced, where the account
// may still post (it keeps its power there) and no one reads. The retry
// posts it in the room that replaced it.
func TestTombstoneReadFailsForNow(t *testing.T) {
	const room, now = "!ops7Kq:example.org", "!Nw4Up:example.org"
	for _, failure := range []channeltest.Failure{channeltest.FailTransient, channeltest.FailRateLimited} {
		f, ch := newTestPair(t, confConfig(""))
		ctx := context.Background()
		f.mu.Lock()
		f.replaced[room], f.admin[room] = now, true
		f.targets[now] = room
		f.joined = append(f.joined, now)
		f.failTombstone = failure
		f.mu.Unlock()

		m := broadcast.NewMessage(incident(1, broadcast.StatusInvestigating, "a"))
		_, err := ch.Send(ctx, m)
		require.Error(t, err, "%v", failure)
		assert.False(t, broadcast.IsPermanent(err), "%v", err)
		done, _ := m.Ledger.Done(room)
		assert.False(t, done, "left for a retry")
		f.mu.Lock()
		for _, e := range f.events {
			assert.NotEqual(t, room, e.room, "nothing posted in the old room")
		}
		f.failTombstone = channeltest.FailNone
		f.mu.Unlock()

		r, err := ch.Send(ctx, m)
		require.NoError(t, err)
		assert.Equal(t, now, r.Meta[metaRoom+room])
	}
}

// A post in a room upgraded since, where the account may still post (it
// keeps its power there), is not edited in place: the old room is read by
// no one, as Send knows when it follows the upgrade. Edit fails that room
// with broadcast.ErrNotEditable, so that the correction is posted anew in
// the room that replaced it, where readers see it.
func TestEditInUpgradedRoomStillAcceptingIsNotEditable(t *testing.T) {
	const room, now = "!ops7Kq:example.org", "!Nw4Up:example.org"
	f, ch := newTestPair(t, confConfig(""))
	ctx := context.Background()
	prev, err := ch.Send(ctx, broadcast.NewMessage(incident(1, broadcast.StatusInvestigating, "a")))
	require.NoError(t, err)
	f.mu.Lock()
	f.replaced[room], f.admin[room] = now, true
	f.targets[now] = room
	f.joined = append(f.joined, now)
	f.mu.Unlock()

	m := broadcast.NewMessage(incident(2, broadcast.StatusInvestigating, "fixed"))
	_, err = ch.Edit(ctx, m, prev)
	require.Error(t, err)
	assert.ErrorIs(t, err, broadcast.ErrNotEditable)
	assert.Contains(t, err.Error(), "the room was upgraded to "+now)
	var te *broadcast.TargetsError
	require.ErrorAs(t, err, &te)
	require.Len(t, te.Pending, 1)
	assert.Equal(t, room, te.Pending[0].Target)
	f.mu.Lock()
	for _, e := range f.events {
		assert.False(t, e.kind == "edit" && e.room == room, "no edit in the old room")
	}
	f.mu.Unlock()

	m.Thread = broadcast.Thread{Root: prev, Last: prev}
	r, err := ch.Send(ctx, m)
	require.NoError(t, err)
	assert.Equal(t, now, r.Meta[metaRoom+room], "the correction posted anew in the new room")
}

// An alias that still names a room upgraded since (an alias of another
// server, which the upgrade did not move) is followed to the replacement
// as a room ID is; when the account has not joined that room, the post
// fails naming it, and is not made in the old room through the alias,
// though the account may still post there: no one reads it.
func TestAliasOfUpgradedRoomNotMovedFailsInTheNewRoom(t *testing.T) {
	const alias, now = "#status:example.org", "!Nw4Up:example.org"
	f, ch := newTestPair(t, confConfig(""))
	ctx := context.Background()
	old := confRooms[alias]
	f.mu.Lock()
	f.replaced[old], f.admin[old] = now, true // the alias still names the old room
	f.targets[now] = alias
	f.mu.Unlock()

	for i := range 2 {
		m := broadcast.NewMessage(incident(i+1, broadcast.StatusInvestigating, "a"))
		_, err := ch.Send(ctx, m)
		require.NoError(t, err, "the other room got it")
		done, failure := m.Ledger.Done(alias)
		assert.True(t, done)
		assert.Contains(t, failure, "the room "+now+", which replaced "+old+": M_FORBIDDEN (http 403)")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, e := range f.events {
		assert.NotEqual(t, old, e.room, "nothing posted in the old room")
	}
}

// Homeservers keep transaction IDs per access token, some whatever the
// room. A post made in a room that was upgraded since, and made again
// (its answer lost, or its mark in the Store), goes to the room that
// replaced it: under the transaction ID of the first post, such a
// homeserver answered with the old room's event, and the update never
// reached the new room. The transaction ID is the room's own, and stays
// the same for every retry in one room.
func TestRoomUpgradeAfterPostGetsItsOwnTransaction(t *testing.T) {
	const room, now = "!ops7Kq:example.org", "!Nw4Up:example.org"
	f, ch := newTestPair(t, confConfig(""))
	f.mu.Lock()
	f.txnAnyRoom = true
	f.mu.Unlock()
	ctx := context.Background()
	u := incident(1, broadcast.StatusInvestigating, "a")
	first, err := ch.Send(ctx, broadcast.NewMessage(u))
	require.NoError(t, err)

	f.mu.Lock()
	f.replaced[room] = now
	f.targets[now] = room
	f.joined = append(f.joined, now)
	f.mu.Unlock()
	// The same update, its first delivery not recorded.
	r, err := ch.Send(ctx, broadcast.NewMessage(u))
	require.NoError(t, err)
	assert.Equal(t, now, r.Meta[metaRoom+room])
	assert.NotEqual(t, first.Meta[room], r.Meta[room], "a new event, in the new room")
	posts := 0
	for _, e := range f.events {
		if e.kind == "post" && e.room == now {
			posts++
		}
	}
	assert.Equal(t, 1, posts, "the update is in the new room")

	// Once more, as after a lost answer, in the same room.
	again, err := ch.Send(ctx, broadcast.NewMessage(u))
	require.NoError(t, err)
	assert.Equal(t, r.Meta[room], again.Meta[room], "the same transaction: the same event")
}
