package matrix

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/redact"
)

// newTestPair returns a fake homeserver with the conformance rooms and a
// channel of cfg (its Homeserver set to the fake), its clock fixed.
// postedAndEdited posts the first update of the test incident on ch and
// edits it once, with the text fix, and returns the post's receipt.
func postedAndEdited(t *testing.T, ch *Channel, fix string) broadcast.Receipt {
	t.Helper()
	ctx := context.Background()
	r, err := ch.Send(ctx, broadcast.NewMessage(incident(1, broadcast.StatusInvestigating, "original")))
	require.NoError(t, err)
	_, err = ch.Edit(ctx, broadcast.NewMessage(incident(2, broadcast.StatusIdentified, fix)), r)
	require.NoError(t, err)
	return r
}

func newTestPair(t *testing.T, cfg Config) (*fakeServer, *Channel) {
	t.Helper()
	f := newFakeServer(t, confToken, confRooms)
	cfg.Homeserver = f.srv.URL
	ch := newTestChannel(t, cfg)
	ch.s.now = func() time.Time { return time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC) }
	return f, ch
}

// The requests on the wire, as the client-server API documents them.
func TestRequests(t *testing.T) {
	f, ch := newTestPair(t, confConfig(""))
	ctx := context.Background()
	m := broadcast.NewMessage(incident(1, broadcast.StatusInvestigating, "Errors in Europe."))
	r, err := ch.Send(ctx, m)
	require.NoError(t, err)
	require.NoError(t, ch.Retract(ctx, r))
	require.NoError(t, ch.Check(ctx))

	var got []string
	for _, req := range f.requestLog() {
		got = append(got, req.method+" "+req.path)
		assert.Equal(t, "Bearer "+confToken, req.header.Get("Authorization"), req.path)
		assert.Equal(t, UserAgent, req.header.Get("User-Agent"), req.path)
		assert.Equal(t, "application/json", req.header.Get("Accept"), req.path)
		if req.method == "PUT" {
			assert.Equal(t, "application/json", req.header.Get("Content-Type"), req.path)
		} else {
			assert.Empty(t, req.body, req.path)
		}
	}
	ev := func(target string) string { return r.Meta[target] }
	room2 := confRooms["#status:example.org"]
	assert.Equal(t, []string{
		"GET /_matrix/client/v3/rooms/%21ops7Kq:example.org/state/m.room.tombstone/",
		"PUT /_matrix/client/v3/rooms/%21ops7Kq:example.org/send/m.room.message/" + m.Key(confTargets[0]),
		"GET /_matrix/client/v3/directory/room/%23status:example.org",
		"GET /_matrix/client/v3/rooms/%21Zb3xQw:example.org/state/m.room.tombstone/",
		"PUT /_matrix/client/v3/rooms/%21Zb3xQw:example.org/send/m.room.message/" + sendKey(m.Key(confTargets[1]), confTargets[1], room2),
		"GET /_matrix/client/v3/account/whoami",
		"GET /_matrix/client/v1/rooms/%21ops7Kq:example.org/relations/" + ev(confTargets[0]) + "/m.replace",
		"PUT /_matrix/client/v3/rooms/%21ops7Kq:example.org/redact/" + ev(confTargets[0]) + "/" +
			redactKey(confTargets[0], ev(confTargets[0])),
		"GET /_matrix/client/v1/rooms/%21Zb3xQw:example.org/relations/" + ev(confTargets[1]) + "/m.replace",
		"PUT /_matrix/client/v3/rooms/%21Zb3xQw:example.org/redact/" + ev(confTargets[1]) + "/" + redactKey(room2, ev(confTargets[1])),
		"GET /_matrix/client/v3/account/whoami",
		"GET /_matrix/client/v3/rooms/%21ops7Kq:example.org/state/m.room.member/@status-bot:example.org",
		"GET /_matrix/client/v3/rooms/%21ops7Kq:example.org/state/m.room.tombstone/",
		"GET /_matrix/client/v3/directory/room/%23status:example.org",
		"GET /_matrix/client/v3/rooms/%21Zb3xQw:example.org/state/m.room.member/@status-bot:example.org",
		"GET /_matrix/client/v3/rooms/%21Zb3xQw:example.org/state/m.room.tombstone/",
	}, got, "each post looks at its room's tombstone first; the alias is resolved once for posting; "+
		"Check looks it up afresh, and at the account's membership and each room's tombstone")
	log := f.requestLog()
	assert.JSONEq(t, `{}`, string(log[7].body), "a redaction's body")
}

// The Receipt names the first room's event, links to it, and records
// every room's event, the room ID of an alias, and thread roots.
func TestReceipt(t *testing.T) {
	_, ch := newTestPair(t, confConfig(""))
	ctx := context.Background()
	r1, err := ch.Send(ctx, broadcast.NewMessage(incident(1, broadcast.StatusInvestigating, "a")))
	require.NoError(t, err)
	id1, id2 := r1.Meta[confTargets[0]], r1.Meta[confTargets[1]]
	assert.Equal(t, broadcast.Receipt{Channel: "ops-matrix", ID: id1,
		URL:  "https://matrix.to/#/%21ops7Kq:example.org/" + id1 + "?via=example.org",
		Time: time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC),
		Meta: map[string]string{confTargets[0]: id1, confTargets[1]: id2, "room #status:example.org": "!Zb3xQw:example.org"},
	}, r1)
	assert.NotEqual(t, id1, id2)

	m := broadcast.NewMessage(incident(2, broadcast.StatusIdentified, "b"))
	m.Thread = broadcast.Thread{Root: r1, Last: r1}
	r2, err := ch.Send(ctx, m)
	require.NoError(t, err)
	assert.Equal(t, id1, r2.Meta["root "+confTargets[0]])
	assert.Equal(t, id2, r2.Meta["root "+confTargets[1]])
	assert.Equal(t, "https://matrix.to/#/%21Zb3xQw:example.org/$ev?via=example.org",
		permalink(post{target: "#status:example.org", room: "!Zb3xQw:example.org", event: "$ev"}, "other.example"),
		"the server of the room ID, not the account's")
	assert.Equal(t, "https://matrix.to/#/%21opaque/$e%2Fv?via=example.org",
		permalink(post{target: "!opaque", room: "!opaque", event: "$e/v"}, "example.org"),
		"a room ID without a server (room version 12): the account's; an event ID with a slash")
	assert.Equal(t, "https://matrix.to/#/%21opaque/$ev", permalink(post{target: "!opaque", room: "!opaque", event: "$ev"}, ""),
		"the account's server not known")
}

// Each room threads under its own first post of the incident; for
// clients without threads, a post replies to the thread's latest post.
// A room the incident's first post missed threads under the first post
// it got.
func TestThreadPerRoom(t *testing.T) {
	f, ch := newTestPair(t, confConfig(""))
	ctx := context.Background()
	f.FailTarget(confTargets[1], channeltest.FailRejected) // the first post misses the alias's room
	r1, err := ch.Send(ctx, broadcast.NewMessage(incident(1, broadcast.StatusInvestigating, "a")))
	require.NoError(t, err, "one room got it; the other failed for good")
	f.FailTarget(confTargets[1], channeltest.FailNone)
	require.NotContains(t, r1.Meta, confTargets[1])

	m2 := broadcast.NewMessage(incident(2, broadcast.StatusIdentified, "b"))
	m2.Thread = broadcast.Thread{Root: r1, Last: r1}
	r2, err := ch.Send(ctx, m2)
	require.NoError(t, err)
	m3 := broadcast.NewMessage(incident(3, broadcast.StatusMonitoring, "c"))
	m3.Thread = broadcast.Thread{Root: r1, Last: r2}
	r3, err := ch.Send(ctx, m3)
	require.NoError(t, err)

	rel := func(i int) relation {
		var c content
		require.NoError(t, json.Unmarshal(sendBodies(f)[i], &c))
		if c.RelatesTo == nil {
			return relation{}
		}
		return *c.RelatesTo
	}
	// Sends: [r1 room0], [r2 room0, r2 room1], [r3 room0, r3 room1].
	assert.Equal(t, relation{}, rel(0), "the incident's first post starts the thread")
	assert.Equal(t, *thread(r1.Meta[confTargets[0]], r1.Meta[confTargets[0]]), rel(1))
	assert.Equal(t, relation{}, rel(2), "the first post in the room the first update missed starts its thread")
	assert.Equal(t, *thread(r1.Meta[confTargets[0]], r2.Meta[confTargets[0]]), rel(3), "root: Root; reply to: Last")
	assert.Equal(t, *thread(r2.Meta[confTargets[1]], r2.Meta[confTargets[1]]), rel(4), "root: Last's post there")
	assert.Equal(t, r2.Meta[confTargets[1]], r3.Meta["root "+confTargets[1]])
}

// A retried transaction (an answer lost, the update sent again under the
// same access token) gets the same events, and the rooms show one post
// each.
func TestRetriedTransactionPostsOnce(t *testing.T) {
	f, ch := newTestPair(t, confConfig(""))
	u := incident(1, broadcast.StatusInvestigating, "a")
	r1, err := ch.Send(context.Background(), broadcast.NewMessage(u))
	require.NoError(t, err)
	again := broadcast.NewMessage(u)
	again.Attempt = 2
	r2, err := ch.Send(context.Background(), again)
	require.NoError(t, err)
	assert.Equal(t, r1.Meta, r2.Meta)
	for _, target := range confTargets {
		assert.Len(t, f.timeline()[target], 1, target)
	}
}

// An alias the directory does not know fails its room for good; the
// other room gets the update.
func TestUnknownAlias(t *testing.T) {
	cfg := confConfig("")
	cfg.Rooms = []string{confTargets[0], "#nowhere:example.org"}
	_, ch := newTestPair(t, cfg)
	m := broadcast.NewMessage(incident(1, broadcast.StatusInvestigating, "a"))
	_, err := ch.Send(context.Background(), m)
	require.NoError(t, err, "the Fanout rule: the failure is in the Ledger")
	done, failure := m.Ledger.Done("#nowhere:example.org")
	assert.True(t, done)
	assert.Contains(t, failure, "resolve alias: M_NOT_FOUND (http 404)")
	done, failure = m.Ledger.Done(confTargets[0])
	assert.True(t, done)
	assert.Empty(t, failure)
}

// A retry of a partly failed Send reaches the rooms left; its Receipt
// records the events of both attempts, also when another Channel (after a
// restart, or on another instance) makes it: they are in the Ledger. So
// Retract reaches them all.
func TestRetryReceiptHoldsEveryRoom(t *testing.T) {
	cfg := confConfig("")
	f, ch := newTestPair(t, cfg)
	m := broadcast.NewMessage(incident(1, broadcast.StatusInvestigating, "a"))
	f.FailTarget(confTargets[1], channeltest.FailRateLimited)
	first, err := ch.Send(context.Background(), m)
	wait, ok := broadcast.RetryDelay(err)
	require.True(t, ok, "%v", err)
	assert.Equal(t, 3*time.Second, wait, "Retry-After wins over retry_after_ms")
	assert.True(t, first.IsZero(), "a failed Send returns no receipt")
	f.FailTarget(confTargets[1], channeltest.FailNone)

	cfg.Homeserver = f.srv.URL
	restarted := newTestChannel(t, cfg)
	m.Attempt = 2
	r, err := restarted.Send(context.Background(), m)
	require.NoError(t, err)
	got := f.Received()
	require.Len(t, got, 2, "one event per room")
	for _, d := range got {
		assert.Equal(t, d.ID, r.Meta[d.Target], "%s: its event", d.Target)
	}
	assert.Equal(t, r.Meta[confTargets[0]], r.ID, "the first room's event")

	require.NoError(t, restarted.Retract(context.Background(), r))
	for _, d := range f.Received() {
		assert.True(t, d.Deleted, "%s: redacted", d.Target)
	}
}

func TestNoticeMsgtype(t *testing.T) {
	cfg := confConfig("")
	cfg.Notice = true
	f, ch := newTestPair(t, cfg)
	r, err := ch.Send(context.Background(), broadcast.NewMessage(incident(1, broadcast.StatusInvestigating, "a")))
	require.NoError(t, err)
	_, err = ch.Edit(context.Background(), broadcast.NewMessage(incident(2, broadcast.StatusIdentified, "b")), r)
	require.NoError(t, err)
	for _, b := range sendBodies(f) {
		var c content
		require.NoError(t, json.Unmarshal(b, &c))
		assert.Equal(t, msgNotice, c.MsgType)
		if c.NewContent != nil {
			assert.Equal(t, msgNotice, c.NewContent.MsgType)
		}
	}
}

// An edit replaces the original post in every room, and the Receipt it
// returns names the originals, so a second correction replaces them too.
func TestEditTwice(t *testing.T) {
	f, ch := newTestPair(t, confConfig(""))
	ctx := context.Background()
	r, err := ch.Send(ctx, broadcast.NewMessage(incident(1, broadcast.StatusInvestigating, "original")))
	require.NoError(t, err)
	e1, err := ch.Edit(ctx, broadcast.NewMessage(incident(2, broadcast.StatusIdentified, "first fix")), r)
	require.NoError(t, err)
	assert.Equal(t, r.Meta, e1.Meta)
	_, err = ch.Edit(ctx, broadcast.NewMessage(incident(3, broadcast.StatusIdentified, "second fix")), e1)
	require.NoError(t, err)
	for _, target := range confTargets {
		tl := f.timeline()[target]
		require.Len(t, tl, 1)
		assert.Contains(t, tl[0], "second fix")
	}
}

func TestEditAndRetractNeedAnEvent(t *testing.T) {
	_, ch := newTestPair(t, confConfig(""))
	prev := broadcast.Receipt{Channel: "ops-matrix", ID: "$x", Meta: map[string]string{"#status:example.org": "$x"}}
	_, err := ch.Edit(context.Background(), broadcast.NewMessage(incident(1, broadcast.StatusInvestigating, "a")), prev)
	assert.True(t, broadcast.IsPermanent(err), "an alias without its room ID: %v", err)
	assert.ErrorIs(t, err, errNoEvent)
	err = ch.Retract(context.Background(), broadcast.Receipt{ID: "$x"})
	assert.True(t, broadcast.IsPermanent(err), "%v", err)
	assert.ErrorIs(t, err, errNoEvent)
}

// Retract: an event already gone (its post made a minute or more ago: see
// TestRetractOfPostNotFoundYetFailsForNow) is no error; a room that
// refuses for good while the other redacts makes a Permanent error naming
// it.
func TestRetract(t *testing.T) {
	f, ch := newTestPair(t, confConfig(""))
	ctx := context.Background()
	r, err := ch.Send(ctx, broadcast.NewMessage(incident(1, broadcast.StatusInvestigating, "a")))
	require.NoError(t, err)
	gone := r
	gone.Meta = map[string]string{confTargets[0]: "$nosuchevent"}
	gone.Time = r.Time.Add(-recentPost)
	assert.NoError(t, ch.Retract(ctx, gone), "M_NOT_FOUND: gone already")

	f.FailTarget(confTargets[1], channeltest.FailRejected)
	err = ch.Retract(ctx, r)
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err))
	var te *broadcast.TargetsError
	require.True(t, errors.As(err, &te))
	require.Len(t, te.Failures, 1)
	assert.Equal(t, confTargets[1], te.Failures[0].Target)
	assert.Equal(t, []string{}, append([]string{}, f.timeline()[confTargets[0]]...), "redacted in the first room")
	assert.Len(t, f.timeline()[confTargets[1]], 1, "still there in the second")
}

func TestCheck(t *testing.T) {
	f, ch := newTestPair(t, confConfig(""))
	require.NoError(t, ch.Check(context.Background()))

	f.mu.Lock()
	f.joined = []string{"!ops7Kq:example.org"}
	f.mu.Unlock()
	err := ch.Check(context.Background())
	require.EqualError(t, err, "matrix: check: #status:example.org: @status-bot:example.org has not joined the room !Zb3xQw:example.org")

	cfg := confConfig("")
	cfg.Rooms = []string{"#nowhere:example.org", "!elsewhere:example.org"}
	_, ch = newTestPair(t, cfg)
	err = ch.Check(context.Background())
	require.Error(t, err)
	assert.Equal(t, "matrix: check: #nowhere:example.org: resolve alias: M_NOT_FOUND (http 404): Room alias not found.; "+
		"!elsewhere:example.org: @status-bot:example.org has not joined the room !elsewhere:example.org", err.Error())
	var e *Error
	require.True(t, errors.As(err, &e), "the directory's answer, found through the joined errors")
	assert.Equal(t, "M_NOT_FOUND", e.Code)

	f, ch = newTestPair(t, confConfig(""))
	f.Fail(channeltest.FailUnauthorized)
	err = ch.Check(context.Background())
	assert.True(t, broadcast.IsPermanent(err))
	assert.True(t, strings.HasPrefix(err.Error(), "matrix: check: whoami: M_UNKNOWN_TOKEN (http 401)"), err.Error())
}

// A correction of a post someone redacted by hand is posted anew in that
// room, in the thread, and edits the post in the other: a redacted
// original hides every edit of it ("Redacting the original message in
// effect removes the message, including all subsequent edits, from the
// visible timeline", client-server API, Event replacements, Redactions of
// edited events: https://spec.matrix.org/latest/client-server-api/#redactions-of-edited-events),
// so an edit there would reach nobody.
func TestCorrectionOfRedactedPostIsPostedAnew(t *testing.T) {
	f, ch := newTestPair(t, confConfig(""))
	b, err := broadcast.New([]broadcast.Channel{ch}, broadcast.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })
	ctx := context.Background()
	orig := incident(1, broadcast.StatusInvestigating, "a config push")
	rep, err := b.Send(ctx, orig)
	require.NoError(t, err)
	first := rep.Results[0].Receipt.Meta[confTargets[0]]
	f.mu.Lock()
	f.event(first).redacted = true
	f.mu.Unlock()

	fix := incident(2, broadcast.StatusInvestigating, "a certificate rotation")
	rep, err = b.Correct(ctx, orig.ID, fix)
	require.NoError(t, err)
	require.NoError(t, rep.Results[0].Err)
	tl := f.timeline()
	require.Len(t, tl[confTargets[0]], 1, "the correction, posted anew where the original is gone")
	assert.Contains(t, tl[confTargets[0]][0], "a certificate rotation")
	require.Len(t, tl[confTargets[1]], 1, "the original, edited, in the other room")
	assert.Contains(t, tl[confTargets[1]][0], "a certificate rotation")
	for _, e := range f.Received() {
		if e.Target == confTargets[0] && strings.Contains(e.Text, "certificate") {
			assert.Equal(t, first, e.ReplyTo, "in the incident's thread")
		}
	}
}

// The homeserver bundles an original's latest edit with it (client-server
// API, Server-side aggregation of m.replace relationships:
// https://spec.matrix.org/latest/client-server-api/#server-side-aggregation-of-mreplace-relationships),
// so the answer about a post of the longest update, edited once, holds
// two events near the size limit: a second correction reads it whole.
func TestSecondCorrectionOfTheLongestUpdate(t *testing.T) {
	f, ch := newTestPair(t, confConfig(""))
	ctx := context.Background()
	long := strings.Repeat("All traffic is served again from the primary region. ", broadcast.MaxBodyLength/50)
	r, err := ch.Send(ctx, broadcast.NewMessage(incident(1, broadcast.StatusInvestigating, long)))
	require.NoError(t, err)
	_, err = ch.Edit(ctx, broadcast.NewMessage(incident(2, broadcast.StatusIdentified, "first fix. "+long)), r)
	require.NoError(t, err)
	_, err = ch.Edit(ctx, broadcast.NewMessage(incident(3, broadcast.StatusIdentified, "second fix. "+long)), r)
	require.NoError(t, err)
	for _, target := range confTargets {
		tl := f.timeline()[target]
		require.Len(t, tl, 1)
		assert.True(t, strings.HasPrefix(tl[0], "Identified"), tl[0][:40])
		assert.Contains(t, tl[0], "second fix")
	}
}

// An edit's transaction ID is its own, not the one the correction gets
// when it is posted anew. A homeserver answers a PUT under a transaction
// ID it has seen with the event it made then, posting nothing ("the
// server should ... return the same response as the original request",
// client-server API, Transaction identifiers:
// https://spec.matrix.org/latest/client-server-api/#transaction-identifiers).
// So when an edit went through but its answer was lost, and the original
// was redacted before the retry, the correction posted anew under the
// edit's transaction ID would get the hidden edit back, and reach nobody.
func TestCorrectionPostedAnewAfterALostEditAnswer(t *testing.T) {
	f, ch := newTestPair(t, confConfig(""))
	ctx := context.Background()
	r, err := ch.Send(ctx, broadcast.NewMessage(incident(1, broadcast.StatusInvestigating, "a config push")))
	require.NoError(t, err)
	fix := incident(2, broadcast.StatusInvestigating, "a certificate rotation")
	// The edit reaches the homeserver in both rooms; its answer is lost, so
	// the retry starts with a fresh Ledger.
	_, err = ch.Edit(ctx, broadcast.NewMessage(fix), r)
	require.NoError(t, err)
	edits := f.requestLog()
	f.mu.Lock()
	f.event(r.Meta[confTargets[0]]).redacted = true
	f.mu.Unlock()

	retry := broadcast.NewMessage(fix)
	retry.Attempt = 2
	_, err = ch.Edit(ctx, retry, r)
	require.ErrorIs(t, err, broadcast.ErrPostGone, "the original is gone in the first room")
	var again []string
	for _, req := range f.requestLog()[len(edits):] {
		if req.method == "PUT" {
			again = append(again, req.path)
		}
	}
	require.Len(t, again, 1, "the second room's edit, retried")
	assert.Contains(t, pathsOf(edits), again[0], "under the same transaction ID as the first time")

	// The Broadcaster then posts the correction anew where the edit failed.
	anew := broadcast.NewMessage(fix)
	anew.Thread = broadcast.Thread{Root: r, Last: r}
	_, err = ch.Send(ctx, anew)
	require.NoError(t, err)
	tl := f.timeline()
	require.Len(t, tl[confTargets[0]], 1, "the correction, posted anew")
	assert.Contains(t, tl[confTargets[0]][0], "a certificate rotation")
}

// pathsOf returns the paths of reqs.
func pathsOf(reqs []fakeRequest) []string {
	out := make([]string, len(reqs))
	for i, r := range reqs {
		out[i] = r.path
	}
	return out
}

// A token the homeserver refuses (401 M_UNKNOWN_TOKEN: "the access token
// specified was not recognised", Matrix client-server API, Client
// Authentication) is refused for every room: Send, Edit and Retract stop
// after the first refusal, and the rooms left fail with the same cause,
// for good, without a request each.
func TestTokenRefusedStopsAtTheFirstRoom(t *testing.T) {
	f, good := newTestPair(t, confConfig(""))
	ctx := context.Background()
	r, err := good.Send(ctx, broadcast.NewMessage(incident(1, broadcast.StatusInvestigating, "a")))
	require.NoError(t, err)
	cfg := confConfig(f.srv.URL)
	cfg.AccessToken = redact.NewSecret("syt_revoked_revokedrevoked_0000")
	ch := newTestChannel(t, cfg)

	for _, op := range []struct {
		name string
		do   func() error
	}{
		{"send", func() error {
			_, err := ch.Send(ctx, broadcast.NewMessage(incident(2, broadcast.StatusIdentified, "b")))
			return err
		}},
		{"edit", func() error {
			_, err := ch.Edit(ctx, broadcast.NewMessage(incident(3, broadcast.StatusIdentified, "c")), r)
			return err
		}},
		{"retract", func() error { return ch.Retract(ctx, r) }},
	} {
		t.Run(op.name, func(t *testing.T) {
			before := len(f.requestLog())
			err := op.do()
			require.Error(t, err)
			assert.True(t, broadcast.IsPermanent(err), "%v", err)
			var te *broadcast.TargetsError
			require.ErrorAs(t, err, &te)
			require.Len(t, te.Failures, len(confTargets))
			for _, fl := range te.Failures {
				var e *Error
				require.ErrorAs(t, fl.Err, &e, fl.Target)
				assert.Equal(t, "M_UNKNOWN_TOKEN", e.Code, fl.Target)
			}
			assert.Equal(t, before+1, len(f.requestLog()), "one request")
			channeltest.AssertNoSecret(t, err.Error(), "syt_revoked_revokedrevoked_0000")
		})
	}
}

// An answer that is not a homeserver's (Config.Homeserver names another
// server) would come for every room alike: the rooms left fail with it
// without a request each.
func TestForeignAnswerStopsAtTheFirstRoom(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		calls.Add(1)
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte("<html><body><h1>404 Not Found</h1></body></html>"))
	}))
	t.Cleanup(srv.Close)
	ch := newTestChannel(t, confConfig(srv.URL))
	_, err := ch.Send(context.Background(), broadcast.NewMessage(incident(1, broadcast.StatusInvestigating, "x")))
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err))
	var te *broadcast.TargetsError
	require.ErrorAs(t, err, &te)
	require.Len(t, te.Failures, len(confTargets))
	for _, fl := range te.Failures {
		assert.Contains(t, fl.Err.Error(), "not a homeserver's answer (check Config.Homeserver", fl.Target)
	}
	assert.EqualValues(t, 1, calls.Load(), "one request")
}
