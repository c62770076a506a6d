package matrix

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/redact"
)

// reads counts the requests f received for a room's /messages and for
// /sync.
func reads(f *fakeServer) int { return requestsTo(f, "/messages") + requestsTo(f, "/sync") }

// requestsTo counts the requests f received whose path ends with end.
func requestsTo(f *fakeServer, end string) int {
	n := 0
	for _, q := range f.requestLog() {
		if strings.HasSuffix(strings.SplitN(q.path, "?", 2)[0], end) {
			n++
		}
	}
	return n
}

// A retry after a lost answer, once the homeserver forgot the transaction
// ID (it restarted, or kept it only so long), finds the event the lost
// post made among the account's latest events in the room, by its
// transaction ID, and takes it as the post: the room shows it once. A
// homeserver that gives transaction IDs on /messages is read there; one
// that gives them on /sync alone (Dendrite), there.
func TestRetryAfterForgottenTxnPostsOnce(t *testing.T) {
	for _, dendrite := range []bool{false, true} {
		t.Run(map[bool]string{false: "messages", true: "sync"}[dendrite], func(t *testing.T) {
			f := newFakeServer(t, confToken, confRooms)
			f.mu.Lock()
			f.noTxnOnMessages = dendrite
			f.mu.Unlock()
			retryAfterForgottenTxn(t, f)
			assert.Equal(t, dendrite, requestsTo(f, "/sync") > 0)
		})
	}
}

func retryAfterForgottenTxn(t *testing.T, f *fakeServer) {
	cfg := confConfig(f.srv.URL)
	cfg.HTTPClient = &http.Client{Transport: &loseFirstPost{next: http.DefaultTransport}}
	ch := newTestChannel(t, cfg)
	ctx := context.Background()

	m := broadcast.NewMessage(incident(1, broadcast.StatusInvestigating, "a"))
	_, err := ch.Send(ctx, m)
	require.Error(t, err, "the first room's answer was lost")
	require.False(t, broadcast.IsPermanent(err))
	room := confRooms[confTargets[0]]
	require.Len(t, postsIn(f, room), 1, "the homeserver made the post")

	f.forget()
	restarted := newTestChannel(t, confConfig(f.srv.URL))
	m.Attempt = 2
	r, err := restarted.Send(ctx, m)
	require.NoError(t, err)
	posts := postsIn(f, room)
	assert.Len(t, posts, 1, "one post in the room")
	require.NotEmpty(t, posts)
	assert.Equal(t, posts[0], r.Meta[confTargets[0]])
	assert.Equal(t, posts[0], r.ID)
	for _, target := range confTargets {
		assert.Len(t, f.timeline()[target], 1, target)
	}
	assert.Equal(t, 1, sendsTo(f, room), "no second PUT once the event is found")
}

// proxyFailsFirstPost answers the first post with a proxy's 502, without
// passing it on to the homeserver.
type proxyFailsFirstPost struct {
	failed atomic.Bool
	next   http.RoundTripper
}

func (p *proxyFailsFirstPost) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method == http.MethodPut && strings.Contains(req.URL.Path, "/send/") && p.failed.CompareAndSwap(false, true) {
		return &http.Response{StatusCode: http.StatusBadGateway, Header: http.Header{"Content-Type": {"text/html"}},
			Body: io.NopCloser(strings.NewReader("<html><body><h1>502 Bad Gateway</h1></body></html>")), Request: req}, nil
	}
	return p.next.RoundTrip(req)
}

// A first attempt sends its posts without reading any room: the look-up
// costs only a retry of a post whose outcome is unknown.
func TestFirstAttemptReadsNoRoom(t *testing.T) {
	f, ch := newTestPair(t, confConfig(""))
	_, err := ch.Send(context.Background(), broadcast.NewMessage(incident(1, broadcast.StatusInvestigating, "a")))
	require.NoError(t, err)
	assert.Zero(t, reads(f))
	assert.Len(t, f.Received(), 2)
}

// A retry whose look-up fails (the room's /messages answers 502) posts as
// it would without one: under the same transaction ID, which a homeserver
// that still remembers it answers with the event made before, and which
// makes the post where the earlier attempt did not.
func TestFailedLookupStillPosts(t *testing.T) {
	ctx := context.Background()
	room := confRooms[confTargets[0]]

	t.Run("made before", func(t *testing.T) {
		f := newFakeServer(t, confToken, confRooms)
		cfg := confConfig(f.srv.URL)
		cfg.HTTPClient = &http.Client{Transport: &loseFirstPost{next: http.DefaultTransport}}
		m := broadcast.NewMessage(incident(1, broadcast.StatusInvestigating, "a"))
		_, err := newTestChannel(t, cfg).Send(ctx, m)
		require.Error(t, err)
		f.mu.Lock()
		f.failMessages = channeltest.FailTransient
		f.mu.Unlock()
		m.Attempt = 2
		r, err := newTestChannel(t, confConfig(f.srv.URL)).Send(ctx, m)
		require.NoError(t, err)
		assert.Positive(t, reads(f), "the look-up was tried")
		assert.Len(t, postsIn(f, room), 1, "the homeserver answered with the event it made")
		assert.Equal(t, postsIn(f, room)[0], r.Meta[confTargets[0]])
	})

	t.Run("not made before", func(t *testing.T) {
		f := newFakeServer(t, confToken, confRooms)
		cfg := confConfig(f.srv.URL)
		cfg.HTTPClient = &http.Client{Transport: &proxyFailsFirstPost{next: http.DefaultTransport}}
		ch := newTestChannel(t, cfg)
		m := broadcast.NewMessage(incident(1, broadcast.StatusInvestigating, "a"))
		_, err := ch.Send(ctx, m)
		require.Error(t, err)
		require.False(t, broadcast.IsPermanent(err))
		require.Empty(t, postsIn(f, room))
		f.mu.Lock()
		f.failMessages = channeltest.FailTransient
		f.mu.Unlock()
		m.Attempt = 2
		r, err := ch.Send(ctx, m)
		require.NoError(t, err)
		assert.Positive(t, reads(f), "the look-up was tried")
		require.Len(t, postsIn(f, room), 1, "posted")
		assert.Equal(t, postsIn(f, room)[0], r.Meta[confTargets[0]])
	})
}

// The look-up finds a post by its transaction ID among the account's
// latest events in the room, past other events of its own, and not
// through another access token, to which the homeserver does not give the
// transaction ID.
func TestSentFindsOwnTransaction(t *testing.T) {
	const other = "syt_b3RoZXI_Qm9vb29vb29v_2bXk"
	f, ch := newTestPair(t, confConfig(""))
	f.mu.Lock()
	f.otherToken = other
	f.mu.Unlock()
	ctx := context.Background()
	room := confRooms[confTargets[0]]
	event, err := ch.send(ctx, room, "txn-sought", encode(message(msgText, "sought", "", nil)))
	require.NoError(t, err)
	for i := range lookbackPage + 3 {
		_, err := ch.send(ctx, room, "txn-later-"+string(rune('a'+i)), encode(message(msgText, "later", "", nil)))
		require.NoError(t, err)
	}
	got, ok, err := ch.sent(ctx, room, "txn-sought")
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, event, got)
	_, ok, err = ch.sent(ctx, room, "txn-never")
	require.NoError(t, err)
	assert.False(t, ok)
	assert.Zero(t, requestsTo(f, "/sync"), "/messages gives transaction IDs: nothing more to read")

	cfg := confConfig(f.srv.URL)
	cfg.AccessToken = redact.NewSecret(other)
	otherCh := newTestChannel(t, cfg)
	_, ok, err = otherCh.sent(ctx, room, "txn-sought")
	require.NoError(t, err)
	assert.False(t, ok, "another access token is not given the transaction ID")

	// As Dendrite: transaction IDs on /sync alone.
	f.mu.Lock()
	f.noTxnOnMessages = true
	f.mu.Unlock()
	got, ok, err = ch.sent(ctx, room, "txn-sought")
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, event, got)
	_, ok, err = otherCh.sent(ctx, room, "txn-sought")
	require.NoError(t, err)
	assert.False(t, ok, "another access token is not given the transaction ID")
}

// An edit whose answer was lost is not made twice by a retry once the
// homeserver forgot its transaction ID: the retry finds it in the room.
func TestEditRetryAfterForgottenTxnEditsOnce(t *testing.T) {
	f, ch := newTestPair(t, confConfig(""))
	ctx := context.Background()
	r, err := ch.Send(ctx, broadcast.NewMessage(incident(1, broadcast.StatusInvestigating, "a")))
	require.NoError(t, err)

	cfg := confConfig(f.srv.URL)
	cfg.HTTPClient = &http.Client{Transport: &loseFirstPost{next: http.DefaultTransport}}
	m := broadcast.NewMessage(incident(2, broadcast.StatusInvestigating, "a, corrected"))
	_, err = newTestChannel(t, cfg).Edit(ctx, m, r)
	require.Error(t, err, "the first room's edit answer was lost")
	require.False(t, broadcast.IsPermanent(err))

	f.forget()
	m.Attempt = 2
	_, err = newTestChannel(t, confConfig(f.srv.URL)).Edit(ctx, m, r)
	require.NoError(t, err)
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, target := range confTargets {
		e := f.event(r.Meta[target])
		require.NotNil(t, e, target)
		assert.Len(t, e.edits, 1, "%s: one edit", target)
	}
}
