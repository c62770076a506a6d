package matrix

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
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

// An alias of another server that the homeserver cannot resolve over
// federation (turned off, as in a Dendrite with disable_federation, or
// the server unreachable) is answered as Dendrite answers it: 500
// M_UNKNOWN "Internal Server Error", as any failure of its own. Nothing
// in it tells a lasting refusal from a passing one, so the room fails for
// now, with an error that names the alias's lookup, and the other room
// gets the update.
func TestAliasOfUnreachableServerIsTransient(t *testing.T) {
	const remote = "#status:elsewhere.example"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.Contains(r.URL.Path, "/directory/room/"):
			answer(w, http.StatusInternalServerError, `{"errcode":"M_UNKNOWN","error":"Internal Server Error"}`)
		case strings.Contains(r.URL.Path, "/state/m.room.tombstone"):
			answer(w, http.StatusNotFound, `{"errcode":"M_NOT_FOUND","error":"Event not found"}`)
		case strings.Contains(r.URL.Path, "/send/m.room.message/"):
			answer(w, http.StatusOK, `{"event_id":"$ev1"}`)
		default:
			answer(w, http.StatusNotFound, `{"errcode":"M_UNRECOGNIZED","error":"Unrecognized request"}`)
		}
	}))
	t.Cleanup(srv.Close)
	cfg := confConfig(srv.URL)
	cfg.Rooms = []string{"!ops7Kq:example.org", remote}
	ch := newTestChannel(t, cfg)
	m := broadcast.NewMessage(incident(1, broadcast.StatusInvestigating, "a"))
	_, err := ch.Send(context.Background(), m)
	require.Error(t, err)
	assert.False(t, broadcast.IsPermanent(err), "retried: the answer does not say the alias is out of reach for good")
	assert.Contains(t, err.Error(), "resolve alias: M_UNKNOWN (http 500): Internal Server Error")
	done, _ := m.Ledger.Done("!ops7Kq:example.org")
	assert.True(t, done, "the room by ID got the update")
}
