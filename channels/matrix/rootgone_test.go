package matrix

import (
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
)

// purge removes the event id from f, as a retention policy or an admin's
// purge removes it from a room's history: the homeserver no longer knows
// it.
func purge(f *fakeServer, id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.events = slices.DeleteFunc(f.events, func(e *fakeEvent) bool { return e.id == id })
}

// inThread is the Message of update n of the incident, in the thread of
// root, after last.
func inThread(n int, status broadcast.Status, text string, root, last broadcast.Receipt) broadcast.Message {
	m := broadcast.NewMessage(incident(n, status, text))
	m.Thread = broadcast.Thread{Root: root, Last: last}
	return m
}

// rootPurged posts the incident's first update in both rooms of ch, and
// purges it from the first room's history, confTargets[0]'s.
func rootPurged(t *testing.T) (*fakeServer, *Channel, broadcast.Receipt) {
	t.Helper()
	f, ch := newTestPair(t, confConfig(""))
	first, err := ch.Send(context.Background(), broadcast.NewMessage(incident(1, broadcast.StatusInvestigating, "a")))
	require.NoError(t, err)
	purge(f, first.Meta[confTargets[0]])
	return f, ch, first
}

// firstTwo posts the incident's first update in both rooms of ch, and its
// second in the first's thread.
func firstTwo(t *testing.T) (f *fakeServer, ch *Channel, first, second broadcast.Receipt) {
	t.Helper()
	f, ch = newTestPair(t, confConfig(""))
	ctx := context.Background()
	first, err := ch.Send(ctx, broadcast.NewMessage(incident(1, broadcast.StatusInvestigating, "a")))
	require.NoError(t, err)
	second, err = ch.Send(ctx, inThread(2, broadcast.StatusIdentified, "b", first, first))
	require.NoError(t, err)
	return f, ch, first, second
}

// setFailEvent makes f's event reads answer as fail says.
func setFailEvent(f *fakeServer, fail channeltest.Failure) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failEvent = fail
}

// relationOf returns the m.relates_to of the event id in f.
func relationOf(f *fakeServer, id string) *relation {
	f.mu.Lock()
	defer f.mu.Unlock()
	if e := f.event(id); e != nil {
		return e.content.RelatesTo
	}
	return nil
}

// A thread whose root was purged from a room's history, with no reply of
// it left, is refused by Synapse (400 M_UNKNOWN "Can't send relation to
// unknown event") for every post in it. Before, the update failed that
// room for good, and was lost there; now the root, read back, is found
// gone (404 M_NOT_FOUND), and the update is posted without the thread, as
// a thread of its own, which the next update replies in, without another
// refusal. The other room keeps its thread.
func TestThreadRootPurgedStartsANewThread(t *testing.T) {
	f, ch, first := rootPurged(t)
	ctx := context.Background()
	purged, kept := confTargets[0], confTargets[1]

	second, err := ch.Send(ctx, inThread(2, broadcast.StatusIdentified, "b", first, first))
	require.NoError(t, err, "the update is posted in the room whose thread is gone")
	require.NotEmpty(t, second.Meta[purged])
	assert.Nil(t, relationOf(f, second.Meta[purged]), "posted without the thread: a new thread")
	assert.Empty(t, second.Meta[metaRoot+purged], "the receipt records the post as a root")
	assert.Equal(t, first.Meta[kept], second.Meta[metaRoot+kept], "the other room keeps its thread")

	before := sendsTo(f, confRooms[purged])
	third, err := ch.Send(ctx, inThread(3, broadcast.StatusMonitoring, "c", first, second))
	require.NoError(t, err)
	assert.Equal(t, second.Meta[purged], third.Meta[metaRoot+purged], "the next update replies in the new thread")
	rel := relationOf(f, third.Meta[purged])
	require.NotNil(t, rel)
	assert.Equal(t, relThread, rel.RelType)
	assert.Equal(t, second.Meta[purged], rel.EventID)
	assert.Equal(t, 1, sendsTo(f, confRooms[purged])-before, "one post, not refused first")
	assert.Equal(t, first.Meta[kept], third.Meta[metaRoot+kept])
}

// A root purged while a reply of its thread is left is still taken by
// Synapse as a relation's event (the reply shows the client knew it), so
// the thread goes on under it. A 400 for another reason (a root that
// itself has a relation, which Synapse refuses to start a thread from)
// fails the room for good, as before, without a post outside the thread.
func TestThreadRootRefusalsThatStay(t *testing.T) {
	t.Run("a reply left", func(t *testing.T) {
		f, ch, first, second := firstTwo(t)
		target := confTargets[0]
		purge(f, first.Meta[target])

		third, err := ch.Send(context.Background(), inThread(3, broadcast.StatusMonitoring, "c", first, second))
		require.NoError(t, err)
		assert.Equal(t, first.Meta[target], third.Meta[metaRoot+target], "still the first post's thread")
	})
	t.Run("another reason", func(t *testing.T) {
		f, ch, _, second := firstTwo(t)
		target := confTargets[0]

		// A Thread whose root is a reply: Synapse will not start a
		// thread from it.
		bad := broadcast.Receipt{Channel: ch.Name(), ID: second.Meta[target],
			Meta: map[string]string{target: second.Meta[target]}}
		m := inThread(3, broadcast.StatusMonitoring, "c", bad, bad)
		before := len(postsIn(f, confRooms[target]))
		_, err := ch.Send(context.Background(), m)
		require.NoError(t, err, "the other room got it")
		done, failure := m.Ledger.Done(target)
		assert.True(t, done)
		assert.Contains(t, failure, "Cannot start threads from an event with a relation")
		assert.Len(t, postsIn(f, confRooms[target]), before, "no post outside the thread")
	})
}

// loseRootless loses the answer to the first post made without a thread
// that the homeserver took: the post was made, its client never hears.
type loseRootless struct {
	lost atomic.Bool
	next http.RoundTripper
}

func (l *loseRootless) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.GetBody != nil {
		if rc, err := req.GetBody(); err == nil {
			body, _ = io.ReadAll(rc)
		}
	}
	resp, err := l.next.RoundTrip(req)
	if err == nil && resp.StatusCode == http.StatusOK && req.Method == http.MethodPut &&
		strings.Contains(req.URL.Path, "/send/") && !strings.Contains(string(body), "m.relates_to") &&
		l.lost.CompareAndSwap(false, true) {
		_ = resp.Body.Close()
		return nil, errors.New("connection reset by peer")
	}
	return resp, err
}

// A retry after the answer to the post made without the thread was lost
// posts under the same transaction ID, without the thread at once: the
// room shows the update once, and the receipt records it as the root of
// the new thread, not as a reply to the root that is gone, which would
// send the next update to be refused again and start yet another thread.
func TestThreadRootPurgedRetryPostsOnce(t *testing.T) {
	f, ch, first := rootPurged(t)
	ctx := context.Background()
	target := confTargets[0]
	room := confRooms[target]

	cfg := confConfig(f.srv.URL)
	cfg.HTTPClient = &http.Client{Transport: &loseRootless{next: http.DefaultTransport}}
	lossy := newTestChannel(t, cfg)
	m := inThread(2, broadcast.StatusIdentified, "b", first, first)
	_, err := lossy.Send(ctx, m)
	require.Error(t, err, "the answer was lost")
	require.False(t, broadcast.IsPermanent(err))
	require.Len(t, postsIn(f, room), 1, "the homeserver made the post")

	m.Attempt = 2
	r, err := ch.Send(ctx, m)
	require.NoError(t, err)
	posts := postsIn(f, room)
	assert.Len(t, posts, 1, "one post in the room")
	require.NotEmpty(t, posts)
	assert.Equal(t, posts[0], r.Meta[target])
	assert.Empty(t, r.Meta[metaRoot+target], "recorded as the new thread's root")
}

// When the root cannot be read back for now (a 502, a rate limit), whether
// it is gone is not known yet: the room fails for now, rather than for
// good on the refusal, and the retry posts the update as a new thread.
func TestThreadRootReadBackFailingIsTransient(t *testing.T) {
	f, ch, first := rootPurged(t)
	ctx := context.Background()
	target := confTargets[0]

	setFailEvent(f, channeltest.FailTransient)
	m := inThread(2, broadcast.StatusIdentified, "b", first, first)
	_, err := ch.Send(ctx, m)
	require.Error(t, err)
	assert.False(t, broadcast.IsPermanent(err), "%v", err)
	assert.Contains(t, err.Error(), "the root could not be read back")
	assert.Empty(t, postsIn(f, confRooms[target]), "nothing posted yet")

	setFailEvent(f, channeltest.FailNone)
	m.Attempt = 2
	r, err := ch.Send(ctx, m)
	require.NoError(t, err)
	assert.Len(t, postsIn(f, confRooms[target]), 1)
	assert.Empty(t, r.Meta[metaRoot+target], "a new thread")
}
