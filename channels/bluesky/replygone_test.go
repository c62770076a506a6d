package bluesky

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/ratelimit"
	"github.com/outagecast/outagecast/channels/internal/ratelimit/ratelimittest"
	"github.com/outagecast/outagecast/redact"
)

// A reply to a post that is gone (deleted in the app, not by Retract) is
// one Bluesky's AppView cannot reach from the thread: the thread view
// stops at the deleted post, so the update, and every later one replying
// to it, is missing from the incident's thread. The channel checks the
// post it replies to: gone, it replies to the thread's first post; that
// gone too, it starts a new thread. The Receipt names the post dropped.
func TestReplyToDeletedPost(t *testing.T) {
	f := newFakePDS(t)
	ch := newTestChannel(t, f)
	send := func(i int, th broadcast.Thread) broadcast.Receipt { return sendNumbered(t, ch, i, th) }
	lastReply := func() *replyRef {
		creates := f.received("com.atproto.repo.createRecord")
		return createInput(t, creates[len(creates)-1]).Record.Reply
	}
	first := send(0, broadcast.Thread{})
	second := send(1, broadcast.Thread{Root: first, Last: first})
	require.NoError(t, ch.Retract(context.Background(), second)) // as if deleted in the app

	third := send(2, broadcast.Thread{Root: first, Last: second})
	reply := lastReply()
	require.NotNil(t, reply, "still in the incident's thread")
	assert.Equal(t, first.Meta["uri"], reply.Parent.URI, "under the thread's first post")
	assert.Equal(t, first.Meta["uri"], reply.Root.URI)
	assert.Equal(t, second.Meta["uri"], third.Meta["reply_dropped"])
	assert.Equal(t, first.Meta["uri"], third.Meta["root_uri"])

	require.NoError(t, ch.Retract(context.Background(), first))
	require.NoError(t, ch.Retract(context.Background(), third))
	fourth := send(3, broadcast.Thread{Root: first, Last: third})
	assert.Nil(t, lastReply(), "every post of the thread is gone: a new thread")
	assert.Equal(t, third.Meta["uri"], fourth.Meta["reply_dropped"])
	assert.Equal(t, fourth.Meta["uri"], fourth.Meta["root_uri"])
}

// A check that cannot tell (the read fails for now) leaves the reply as
// it was: the update goes out.
func TestReplyKeptWhenTheCheckFails(t *testing.T) {
	f := newFakePDS(t)
	ch := newTestChannel(t, f)
	first, err := ch.Send(context.Background(), broadcast.NewMessage(testUpdate()))
	require.NoError(t, err)
	f.set(func(f *fakePDS) {
		f.readFailure = &xrpcAnswer{status: http.StatusBadGateway, name: "UpstreamFailure", message: "Upstream Failure"}
	})
	u := testUpdate()
	u.ID, u.Time = "", fixedNow.Add(time.Minute)
	m := broadcast.NewMessage(u)
	m.Thread = broadcast.Thread{Root: first, Last: first}
	r, err := ch.Send(context.Background(), m)
	require.NoError(t, err)
	assert.Empty(t, r.Meta["reply_dropped"])
	creates := f.received("com.atproto.repo.createRecord")
	reply := createInput(t, creates[len(creates)-1]).Record.Reply
	require.NotNil(t, reply)
	assert.Equal(t, first.Meta["uri"], reply.Parent.URI)
}

// A reply whose login fails logs in once, as a post does: the check of
// the post replied to makes no login of its own (the login limit is
// tight).
func TestReplyLogsInOnceWhenLoginFails(t *testing.T) {
	f := newFakePDS(t)
	ch := newTestChannel(t, f)
	first, err := ch.Send(context.Background(), broadcast.NewMessage(testUpdate()))
	require.NoError(t, err)

	other := newTestChannel(t, f, func(c *Config) { c.AppPassword = redact.NewSecret("wrong-pass-word-1234") })
	u := testUpdate()
	u.ID, u.Time = "", fixedNow.Add(time.Minute)
	m := broadcast.NewMessage(u)
	m.Thread = broadcast.Thread{Root: first, Last: first}
	_, err = other.Send(context.Background(), m)
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err), "a refused login: %v", err)
	assert.Len(t, f.received("com.atproto.server.createSession"), 2, "one login each")
}

// The check of the post replied to never renews the session: a reply
// whose session expired and cannot be renewed tries one refresh, as a
// post does.
func TestReplyRefreshesOnceWhenRefreshFails(t *testing.T) {
	f := newFakePDS(t)
	g := newGatedFront(t, f, "com.atproto.server.refreshSession", func(w http.ResponseWriter) {
		writeXRPC(w, http.StatusBadGateway, "UpstreamFailure", "Upstream Failure")
	})
	close(g.gate)
	ch := newTestChannel(t, f, func(c *Config) { c.Service = g.URL })
	first, err := ch.Send(context.Background(), broadcast.NewMessage(testUpdate()))
	require.NoError(t, err)
	f.expireAccess()

	u := testUpdate()
	u.ID, u.Time = "", fixedNow.Add(time.Minute)
	m := broadcast.NewMessage(u)
	m.Thread = broadcast.Thread{Root: first, Last: first}
	_, err = ch.Send(context.Background(), m)
	require.Error(t, err)
	assert.False(t, broadcast.IsPermanent(err), "a 502 is transient: %v", err)
	assert.Equal(t, 1, g.count(), "one refresh")
}

// The check of the post replied to takes the session once its limits
// allow the read: a session renewed by another call during the wait
// (the one taken before it expired meanwhile) is the one the read is
// made with, and the deleted post is found gone. Before, the read went
// with the session taken before the wait, was refused (ExpiredToken), and
// the post it replied to counted as there: the update went under the
// deleted post, out of the incident's thread.
func TestReplyCheckTakesTheSessionAfterTheWait(t *testing.T) {
	f := newFakePDS(t)
	ch := newTestChannel(t, f)
	c := ratelimittest.New(fixedNow, func() int { return 0 })
	ch.s.now = c.Now
	ctx := context.Background()
	first, err := ch.Send(ctx, broadcast.NewMessage(testUpdate()))
	require.NoError(t, err)
	u := testUpdate()
	u.ID, u.Time = "", fixedNow.Add(time.Minute)
	m := broadcast.NewMessage(u)
	m.Thread = broadcast.Thread{Root: first, Last: first}
	second, err := ch.Send(ctx, m)
	require.NoError(t, err)
	require.NoError(t, ch.Retract(ctx, second)) // as if deleted in the app

	// The IP address's limit is used up; while the check waits for its
	// reset, the access token expires and another call renews the
	// session.
	ch.s.rate.Hold(ratelimit.Every, c.T, 5*time.Minute)
	ch.s.sleep = func(ctx context.Context, d time.Duration) error {
		err := c.Sleep(ctx, d)
		used, _, _ := ch.s.sessions.state()
		f.expireAccess()
		_, rerr := ch.renew(ctx, "check", used)
		require.NoError(t, rerr)
		return err
	}
	u.Time = fixedNow.Add(2 * time.Minute)
	m = broadcast.NewMessage(u)
	m.Thread = broadcast.Thread{Root: first, Last: second}
	third, err := ch.Send(ctx, m)
	require.NoError(t, err)
	assert.Equal(t, []time.Duration{5 * time.Minute}, c.Waits)
	assert.Equal(t, second.Meta["uri"], third.Meta["reply_dropped"], "the deleted post was found gone")
	creates := f.received("com.atproto.repo.createRecord")
	reply := createInput(t, creates[len(creates)-1]).Record.Reply
	require.NotNil(t, reply)
	assert.Equal(t, first.Meta["uri"], reply.Parent.URI, "under the thread's first post")
}

// The check of the post replied to is made with a live session: one whose
// access token expired by its "exp" (hours after the last update, as an
// incident's updates often are) is renewed first, as the post would renew
// it. Before, the check was not made with such a session, the deleted
// post counted as there, and the update went under it, out of the
// incident's thread.
func TestReplyCheckAfterTheTokenExpired(t *testing.T) {
	f := newFakePDS(t)
	f.set(func(f *fakePDS) { f.accessExp = fixedNow.Add(2 * time.Hour) })
	ch := newTestChannel(t, f)
	now := fixedNow
	ch.s.now = func() time.Time { return now }
	first := sendNumbered(t, ch, 0, broadcast.Thread{})
	second := sendNumbered(t, ch, 1, broadcast.Thread{Root: first, Last: first})
	require.NoError(t, ch.Retract(context.Background(), second)) // as if deleted in the app

	now = fixedNow.Add(3 * time.Hour) // the token expired, by its exp
	f.expireAccess()
	f.set(func(f *fakePDS) { f.accessExp = fixedNow.Add(5 * time.Hour) })
	third := sendNumbered(t, ch, 2, broadcast.Thread{Root: first, Last: second})
	assert.Equal(t, second.Meta["uri"], third.Meta["reply_dropped"], "the deleted post was found gone")
	creates := f.received("com.atproto.repo.createRecord")
	reply := createInput(t, creates[len(creates)-1]).Record.Reply
	require.NotNil(t, reply)
	assert.Equal(t, first.Meta["uri"], reply.Parent.URI, "under the thread's first post")
	_, refreshes := f.counts()
	assert.Equal(t, 1, refreshes, "one renewal, for the check and the post")
}
