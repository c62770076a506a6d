package matrix

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
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

// loseFirstPost passes a post on to the server and loses its answer, once,
// as a connection reset after the homeserver made the event does.
type loseFirstPost struct {
	lost atomic.Bool
	next http.RoundTripper
}

func (l *loseFirstPost) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := l.next.RoundTrip(req)
	if err == nil && req.Method == http.MethodPut && strings.Contains(req.URL.Path, "/send/") && l.lost.CompareAndSwap(false, true) {
		_ = resp.Body.Close()
		return nil, errors.New("connection reset by peer")
	}
	return resp, err
}

// postsIn returns the events f made in room that are posts.
func postsIn(f *fakeServer, room string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, e := range f.events {
		if e.room == room && e.kind == "post" {
			out = append(out, e.id)
		}
	}
	return out
}

// When the answer to the first target's post is lost, the homeserver may
// have made it: a later target that leads to the same room does not post
// under its own transaction ID in that attempt, which would make a second
// event there; it waits for the retry, where the first target's
// transaction ID gets the event made, and records it.
func TestTwoTargetsInOneRoomLostAnswerPostOnce(t *testing.T) {
	f, cfg, old, alias, now := oneRoomLosingFirstAnswer(t)
	ch := newTestChannel(t, cfg)
	ctx := context.Background()

	m := broadcast.NewMessage(incident(1, broadcast.StatusInvestigating, "a"))
	_, err := ch.Send(ctx, m)
	require.Error(t, err, "the first target's answer was lost")
	assert.False(t, broadcast.IsPermanent(err))
	m.Attempt = 2
	r, err := ch.Send(ctx, m)
	require.NoError(t, err)
	posts := postsIn(f, now)
	assert.Len(t, posts, 1, "one post in the room")
	require.NotEmpty(t, posts)
	assert.Equal(t, posts[0], r.Meta[old])
	assert.Equal(t, posts[0], r.Meta[alias])
}

// The post that may have been made is not forgotten by the next attempt:
// there (after a restart, here), the first target fails before it posts
// (the old room's m.room.tombstone cannot be read for now), and the later
// target, leading to the same room, posts. It posts under the same
// transaction ID as the first target's lost post, which the homeserver
// answers with the event it made then, instead of making a second one.
func TestTwoTargetsInOneRoomLostAnswerThenFirstFailsPostOnce(t *testing.T) {
	f, cfg, old, alias, now := oneRoomLosingFirstAnswer(t)
	ctx := context.Background()

	m := broadcast.NewMessage(incident(1, broadcast.StatusInvestigating, "a"))
	_, err := newTestChannel(t, cfg).Send(ctx, m)
	require.Error(t, err, "the first target's answer was lost")
	require.Len(t, postsIn(f, now), 1, "the homeserver made the post")

	restarted := newTestChannel(t, confConfig(f.srv.URL))
	f.FailTarget(old, channeltest.FailTransient)
	m.Attempt = 2
	_, err = restarted.Send(ctx, m)
	require.Error(t, err, "the first target failed for now")
	f.FailTarget(old, channeltest.FailNone)
	m.Attempt = 3
	r, err := restarted.Send(ctx, m)
	require.NoError(t, err)

	posts := postsIn(f, now)
	assert.Len(t, posts, 1, "one post in the room")
	require.NotEmpty(t, posts)
	assert.Equal(t, posts[0], r.Meta[old])
	assert.Equal(t, posts[0], r.Meta[alias])
}

// oneRoomLosingFirstAnswer is a homeserver where the configured room old,
// upgraded, was replaced by now, which alias names too, so that both lead
// to one room, and a Config for it whose first post's answer is lost.
func oneRoomLosingFirstAnswer(t *testing.T) (f *fakeServer, cfg Config, old, alias, now string) {
	old, alias = "!ops7Kq:example.org", "#status:example.org"
	now = confRooms[alias]
	f = newFakeServer(t, confToken, confRooms)
	f.mu.Lock()
	f.replaced[old] = now
	f.mu.Unlock()
	cfg = confConfig(f.srv.URL)
	cfg.HTTPClient = &http.Client{Transport: &loseFirstPost{next: http.DefaultTransport}}
	return f, cfg, old, alias, now
}
