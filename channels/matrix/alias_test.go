package matrix

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
)

// moveAlias points alias at the room now, which the account has joined,
// without an upgrade: the room it named before stays open to posts, as
// when a room's admins make a new room and move the alias there.
func moveAlias(f *fakeServer, alias, now string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.aliases[alias] = now
	f.targets[now] = alias
	f.joined = append(f.joined, now)
}

// An alias moved to another room is followed by the next update, though
// the room it named before still takes the account's posts: that room is
// where its readers no longer look. The update starts a thread in the new
// room.
func TestAliasMovedWithoutUpgradeIsFollowed(t *testing.T) {
	const alias, now = "#status:example.org", "!Mv5Nw:example.org"
	f, ch := newTestPair(t, confConfig(""))
	ctx := context.Background()
	first, err := ch.Send(ctx, broadcast.NewMessage(incident(1, broadcast.StatusInvestigating, "a")))
	require.NoError(t, err)
	require.Equal(t, confRooms[alias], first.Meta[metaRoom+alias])

	moveAlias(f, alias, now)
	m := broadcast.NewMessage(incident(2, broadcast.StatusIdentified, "b"))
	m.Thread = broadcast.Thread{Root: first, Last: first}
	r, err := ch.Send(ctx, m)
	require.NoError(t, err)
	assert.Equal(t, now, r.Meta[metaRoom+alias], "posted in the room the alias names now")
	assert.Empty(t, r.Meta[metaRoot+alias], "a new thread there")
}

// A room directory that fails for now (a 502, a rate limit) does not hold
// a post to an alias resolved before: it goes to the room the alias named
// last. An alias the directory no longer knows fails its room for good.
func TestAliasDirectoryFailing(t *testing.T) {
	const alias = "#status:example.org"
	f, ch := newTestPair(t, confConfig(""))
	ctx := context.Background()
	_, err := ch.Send(ctx, broadcast.NewMessage(incident(1, broadcast.StatusInvestigating, "a")))
	require.NoError(t, err)

	for _, failure := range []channeltest.Failure{channeltest.FailTransient, channeltest.FailRateLimited} {
		f.mu.Lock()
		f.failDirectory = failure
		f.mu.Unlock()
		m := broadcast.NewMessage(incident(2, broadcast.StatusIdentified, "b"))
		r, err := ch.Send(ctx, m)
		require.NoError(t, err, failure)
		assert.Equal(t, confRooms[alias], r.Meta[metaRoom+alias], failure)
	}

	f.mu.Lock()
	f.failDirectory = channeltest.FailNone
	delete(f.aliases, alias)
	f.mu.Unlock()
	m := broadcast.NewMessage(incident(3, broadcast.StatusMonitoring, "c"))
	_, err = ch.Send(ctx, m)
	require.NoError(t, err, "the room by ID got it")
	_, failure := m.Ledger.Done(alias)
	assert.Contains(t, failure, "resolve alias: M_NOT_FOUND (http 404)")
}
