//go:build integration

package matrix_test

// These tests run against a real Dendrite homeserver started by
// scripts/dendrite.sh, which prints the environment variables they read. A
// missing variable fails the test: run them through the project's
// integration script, or by hand with
//
//	eval "$(scripts/dendrite.sh start)"
//	go test -race -tags integration -run Integration ./channels/matrix/
//	scripts/dendrite.sh stop
//
// Every check reads the rooms back through the client-server API, as a
// second user (the reader) who joined them. TestIntegrationConformance
// runs the conformance suite (channeltest.Run) against the homeserver so
// too, but for what only the channel's account or its requests can tell
// (see roomsBackend): the transaction ID of each post, which the
// homeserver gives the sending device alone, and the order of the posts
// and which sends it answered, a repeated transaction counting again.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/broadcast/boltstore"
	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/channels/matrix"
	"github.com/outagecast/outagecast/redact"
)

func env(t *testing.T, name string) string {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		t.Fatalf("%s is not set: start the server with eval \"$(scripts/dendrite.sh start)\"", name)
	}
	return v
}

var seq atomic.Int64

// unique returns a name no other test (or earlier run) uses.
func unique(prefix string) string {
	return fmt.Sprintf("%s%d-%d", prefix, time.Now().UnixNano()%1_000_000_000, seq.Add(1))
}

// server is the homeserver under test and its users.
type server struct {
	t                    *testing.T
	client               *http.Client
	url                  string
	bot, reader          *user // bot: the channel's account
	botToken, limitedTok string
	password, botUserID  string
}

// as returns the user of token.
func (s *server) as(token string) *user {
	return &user{t: s.t, base: s.url, token: token, client: s.client}
}

func newServer(t *testing.T) *server {
	s := &server{t: t, url: env(t, "OUTAGECAST_DENDRITE_URL"), botToken: env(t, "OUTAGECAST_DENDRITE_TOKEN"),
		limitedTok: env(t, "OUTAGECAST_DENDRITE_LIMITED_TOKEN"), password: env(t, "OUTAGECAST_DENDRITE_PASSWORD"),
		botUserID: env(t, "OUTAGECAST_DENDRITE_USER")}
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	s.client = &http.Client{Transport: tr, Timeout: 30 * time.Second}
	s.bot = s.as(s.botToken)
	s.reader = s.as(env(t, "OUTAGECAST_DENDRITE_READER_TOKEN"))
	env(t, "OUTAGECAST_DENDRITE_READER")
	return s
}

// user calls the client-server API as one account, for setting up rooms
// and reading them back.
type user struct {
	t      *testing.T
	base   string
	token  string
	client *http.Client
}

// call makes a request and decodes the answer into out; it returns the
// status.
func (u *user) call(method, path string, body, out any) int {
	u.t.Helper()
	status, _, err := u.try(method, path, body, out)
	require.NoError(u.t, err)
	return status
}

// try makes a request and decodes a 200's answer into out; it returns the
// status and the answer, and an error for a request that failed or an
// answer that does not decode. It does not fail the test: a Backend's
// methods may be called where that is not allowed.
func (u *user) try(method, path string, body, out any) (int, []byte, error) {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, u.base+path, r)
	if err != nil {
		return 0, nil, err
	}
	if u.token != "" {
		req.Header.Set("Authorization", "Bearer "+u.token)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := u.client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, raw, err
	}
	if out != nil && resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(raw, out); err != nil {
			return resp.StatusCode, raw, fmt.Errorf("%s %s: %w: %s", method, path, err, raw)
		}
	}
	return resp.StatusCode, raw, nil
}

// must makes a request that must succeed.
func (u *user) must(method, path string, body, out any) {
	u.t.Helper()
	require.Equal(u.t, http.StatusOK, u.call(method, path, body, out), "%s %s", method, path)
}

// room creates a public room as u with a new alias, which other joins; it
// returns the room ID and the alias.
func (u *user) room(other *user) (string, string) {
	u.t.Helper()
	name := unique("status-")
	var created struct {
		RoomID string `json:"room_id"`
	}
	u.must("POST", "/_matrix/client/v3/createRoom", map[string]any{"preset": "public_chat", "room_alias_name": name}, &created)
	if other != nil {
		other.must("POST", "/_matrix/client/v3/join/"+url.PathEscape(created.RoomID), map[string]any{}, nil)
	}
	return created.RoomID, "#" + name + ":localhost"
}

// event is a room event as the client-server API returns it.
type event struct {
	EventID  string          `json:"event_id"`
	Type     string          `json:"type"`
	Sender   string          `json:"sender"`
	Content  json.RawMessage `json:"content"`
	Unsigned json.RawMessage `json:"unsigned"`
}

// content is what the tests read of an m.room.message.
type content struct {
	MsgType       string          `json:"msgtype"`
	Body          string          `json:"body"`
	Format        string          `json:"format"`
	FormattedBody string          `json:"formatted_body"`
	Mentions      json.RawMessage `json:"m.mentions"`
	NewContent    *content        `json:"m.new_content"`
	RelatesTo     *struct {
		RelType       string `json:"rel_type"`
		EventID       string `json:"event_id"`
		IsFallingBack bool   `json:"is_falling_back"`
		InReplyTo     *struct {
			EventID string `json:"event_id"`
		} `json:"m.in_reply_to"`
	} `json:"m.relates_to"`
}

func (e event) content(t *testing.T) content {
	t.Helper()
	var c content
	require.NoError(t, json.Unmarshal(e.Content, &c))
	return c
}

// event fetches one event as u. Right after the send, the homeserver may
// not show it to u yet (404): it is asked again until it does.
func (u *user) event(room, id string) event {
	u.t.Helper()
	var e event
	path := "/_matrix/client/v3/rooms/" + url.PathEscape(room) + "/event/" + url.PathEscape(id)
	settle(func() bool { return u.call("GET", path, nil, nil) != http.StatusNotFound })
	u.must("GET", path, nil, &e)
	return e
}

// relations lists the events related to id by rel, as u.
func (u *user) relations(room, id, rel string) []event {
	u.t.Helper()
	var page struct {
		Chunk []event `json:"chunk"`
	}
	u.must("GET", "/_matrix/client/v1/rooms/"+url.PathEscape(room)+"/relations/"+url.PathEscape(id)+"/"+rel, nil, &page)
	return page.Chunk
}

// messages returns the room's m.room.message events, newest first, as u.
func (u *user) messages(room string) []event {
	u.t.Helper()
	var page struct {
		Chunk []event `json:"chunk"`
	}
	u.must("GET", "/_matrix/client/v3/rooms/"+url.PathEscape(room)+"/messages?dir=b&limit=100", nil, &page)
	var out []event
	for _, e := range page.Chunk {
		if e.Type == "m.room.message" {
			out = append(out, e)
		}
	}
	return out
}

// settle waits, up to a generous bound, until ok holds: Dendrite applies
// a sent event to its room and sync views asynchronously, so a read right
// after a send can still show the room as it was. The assertions that
// follow decide; settle only gives the server time.
func settle(ok func() bool) {
	for deadline := time.Now().Add(30 * time.Second); !ok() && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
	}
}

func newChannel(t *testing.T, s *server, token string, rooms ...string) *matrix.Channel {
	t.Helper()
	ch, err := matrix.New(matrix.Config{Name: "ops-matrix", Homeserver: s.url, AccessToken: redact.NewSecret(token), Rooms: rooms})
	require.NoError(t, err)
	t.Cleanup(func() { _ = ch.Close() })
	return ch
}

// newBroadcaster is a Broadcaster, closed at the test's end, of one
// channel posting as the bot to rooms.
func newBroadcaster(t *testing.T, s *server, rooms ...string) *broadcast.Broadcaster {
	t.Helper()
	b, err := broadcast.New([]broadcast.Channel{newChannel(t, s, s.botToken, rooms...)}, broadcast.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })
	return b
}

func update(incident string, n int, status broadcast.Status, body string) broadcast.Update {
	return broadcast.Update{ID: fmt.Sprintf("%s-u%d", incident, n), IncidentID: incident,
		Title: "Elevated error rates on the CDN <b>@room</b>", Status: status, Body: body,
		URL:  "https://status.example.com/incidents/" + incident,
		Time: time.Now().UTC().Add(time.Duration(n) * time.Second)}
}

// An incident's life through a Broadcaster, in two rooms (one named by
// alias): the first post, two replies in its thread, a correction edited
// in, the first post retracted; each read back by the reader.
func TestIntegrationIncident(t *testing.T) {
	s := newServer(t)
	ctx := context.Background()
	room1, _ := s.bot.room(s.reader)
	room2, alias2 := s.bot.room(s.reader)
	ch := newChannel(t, s, s.botToken, room1, alias2)
	require.NoError(t, ch.Check(ctx))
	b, err := broadcast.New([]broadcast.Channel{ch}, broadcast.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })
	inc := unique("inc-")
	rooms := map[string]string{room1: room1, alias2: room2}

	var receipts []broadcast.Receipt
	for i, status := range []broadcast.Status{broadcast.StatusInvestigating, broadcast.StatusIdentified, broadcast.StatusMonitoring} {
		rep, err := b.Send(ctx, update(inc, i+1, status, fmt.Sprintf("Step %d of the investigation.", i+1)))
		require.NoError(t, err)
		receipts = append(receipts, rep.Results[0].Receipt)
	}
	for target, room := range rooms {
		posts := make([]string, 3)
		for i, r := range receipts {
			posts[i] = r.Meta[target]
			require.NotEmpty(t, posts[i], "post %d in %s", i+1, target)
		}
		first := s.reader.event(room, posts[0])
		assert.Equal(t, s.botUserID, first.Sender)
		c := first.content(t)
		assert.Equal(t, "m.text", c.MsgType)
		assert.Contains(t, c.Body, "Investigating: Elevated error rates on the CDN <b>@\u2060room</b>", "@room broken")
		assert.Equal(t, "org.matrix.custom.html", c.Format)
		assert.Contains(t, c.FormattedBody, "<strong>Investigating: Elevated error rates on the CDN &lt;b&gt;@\u2060room&lt;/b&gt;</strong>")
		assert.JSONEq(t, `{}`, string(c.Mentions))
		assert.Nil(t, c.RelatesTo, "the first post starts the thread")

		settle(func() bool { return len(s.reader.relations(room, posts[0], "m.thread")) >= 2 })
		thread := s.reader.relations(room, posts[0], "m.thread")
		require.Len(t, thread, 2, "the two later updates are in the first post's thread in %s", target)
		replyTo := map[string]string{}
		for _, e := range thread {
			rel := e.content(t).RelatesTo
			require.NotNil(t, rel)
			assert.Equal(t, "m.thread", rel.RelType)
			assert.Equal(t, posts[0], rel.EventID)
			assert.True(t, rel.IsFallingBack)
			replyTo[e.EventID] = rel.InReplyTo.EventID
		}
		assert.Equal(t, map[string]string{posts[1]: posts[0], posts[2]: posts[1]}, replyTo,
			"for clients without threads, each replies to the thread's latest post")
	}

	fix := update(inc, 4, broadcast.StatusIdentified, "Correction: a certificate rotation, not a config push.")
	_, err = b.Correct(ctx, receipts[1].UpdateID, fix)
	require.NoError(t, err)
	for target, room := range rooms {
		settle(func() bool { return len(s.reader.relations(room, receipts[1].Meta[target], "m.replace")) >= 1 })
		edits := s.reader.relations(room, receipts[1].Meta[target], "m.replace")
		require.Len(t, edits, 1, "the correction edits the second post in %s", target)
		c := edits[0].content(t)
		require.NotNil(t, c.NewContent)
		assert.Contains(t, c.NewContent.Body, fix.Body)
		assert.True(t, strings.HasPrefix(c.Body, "* "), c.Body)
		orig := s.reader.event(room, receipts[1].Meta[target]).content(t)
		assert.Contains(t, orig.Body, "Step 2", "the server keeps the original; clients apply the edit")
	}

	_, err = b.Retract(ctx, receipts[0].UpdateID)
	require.NoError(t, err)
	for target, room := range rooms {
		settle(func() bool {
			return strings.Contains(string(s.reader.event(room, receipts[0].Meta[target]).Unsigned), "redacted_because")
		})
		gone := s.reader.event(room, receipts[0].Meta[target])
		assert.JSONEq(t, `{}`, string(gone.Content), "the first post's content is redacted in %s", target)
		assert.Contains(t, string(gone.Unsigned), "redacted_because")
		assert.Len(t, s.reader.relations(room, receipts[0].Meta[target], "m.thread"), 2, "its thread stays")
		assert.Equal(t, 4, len(s.reader.messages(room)), "3 posts and an edit in %s", target)
	}
}

// downRoom is a transport that answers 503 for every event sent to one
// room, as a homeserver having a bad moment there, and passes the rest on.
type downRoom struct {
	room string
	next http.RoundTripper
}

func (d downRoom) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method == http.MethodPut && strings.Contains(req.URL.Path, "/rooms/"+d.room+"/send/") {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return &http.Response{StatusCode: http.StatusServiceUnavailable, Request: req,
			Header: http.Header{"Content-Type": {"application/json"}},
			Body:   io.NopCloser(strings.NewReader(`{"errcode":"M_UNKNOWN","error":"try again"}`))}, nil
	}
	return d.next.RoundTrip(req)
}

// An update that reached one room before the program stopped is finished
// after the restart by a new Broadcaster and Channel over the same bolt
// file: the receipt names the events in both rooms, and Retract redacts
// both, each read back by the reader.
func TestIntegrationRestartNamesEveryRoom(t *testing.T) {
	s := newServer(t)
	ctx := context.Background()
	room1, _ := s.bot.room(s.reader)
	room2, _ := s.bot.room(s.reader)
	path := t.TempDir() + "/outagecast.db"
	u := update(unique("inc-"), 1, broadcast.StatusInvestigating, "Half the rooms, then a restart.")

	store, err := boltstore.Open(path, nil)
	require.NoError(t, err)
	down := &http.Client{Transport: downRoom{room: room2, next: s.client.Transport}}
	ch, err := matrix.New(matrix.Config{Name: "ops-matrix", Homeserver: s.url, AccessToken: redact.NewSecret(s.botToken),
		Rooms: []string{room1, room2}, HTTPClient: down})
	require.NoError(t, err)
	b, err := broadcast.New([]broadcast.Channel{ch}, broadcast.Options{Store: store, Retry: broadcast.RetryPolicy{MaxAttempts: 1}})
	require.NoError(t, err)
	_, err = b.Send(ctx, u)
	require.Error(t, err, "the second room answered 503")
	require.NoError(t, b.Close())
	require.NoError(t, store.Close())

	store, err = boltstore.Open(path, nil)
	require.NoError(t, err)
	t.Cleanup(func() { _ = store.Close() })
	b, err = broadcast.New([]broadcast.Channel{newChannel(t, s, s.botToken, room1, room2)}, broadcast.Options{Store: store})
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })
	rep, err := b.Send(ctx, u)
	require.NoError(t, err)
	r := rep.Results[0].Receipt
	for _, room := range []string{room1, room2} {
		require.NotEmpty(t, r.Meta[room], "the receipt names the event in %s", room)
		settle(func() bool { return len(s.reader.messages(room)) >= 1 })
		msgs := s.reader.messages(room)
		require.Len(t, msgs, 1, "one post in %s", room)
		assert.Equal(t, r.Meta[room], msgs[0].EventID)
	}
	assert.Equal(t, r.Meta[room1], r.ID, "the first room's event, posted before the restart")

	_, err = b.Retract(ctx, u.ID)
	require.NoError(t, err)
	for _, room := range []string{room1, room2} {
		settle(func() bool {
			return strings.Contains(string(s.reader.event(room, r.Meta[room]).Unsigned), "redacted_because")
		})
		assert.Contains(t, string(s.reader.event(room, r.Meta[room]).Unsigned), "redacted_because",
			"the post in %s is redacted", room)
	}
}

// A retried transaction ID under the same access token gets the same
// event, and the room shows one post; under a new login's token the same
// transaction ID is a new event: why the channel keeps one token.
func TestIntegrationRetriedTransaction(t *testing.T) {
	s := newServer(t)
	ctx := context.Background()
	room, _ := s.bot.room(s.reader)
	ch := newChannel(t, s, s.botToken, room)
	u := update(unique("inc-"), 1, broadcast.StatusInvestigating, "Once only.")
	r1, err := ch.Send(ctx, broadcast.NewMessage(u))
	require.NoError(t, err)
	lost := broadcast.NewMessage(u) // the answer was lost: nothing says it was delivered
	lost.Attempt = 2
	r2, err := ch.Send(ctx, lost)
	require.NoError(t, err)
	assert.Equal(t, r1.ID, r2.ID, "the same transaction ID, the same event")
	settle(func() bool { return len(s.reader.messages(room)) >= 1 })
	assert.Equal(t, 1, len(s.reader.messages(room)))

	var login struct {
		AccessToken string `json:"access_token"`
	}
	anon := s.as("")
	anon.must("POST", "/_matrix/client/v3/login", map[string]any{"type": "m.login.password",
		"identifier": map[string]string{"type": "m.id.user", "user": s.botUserID}, "password": s.password}, &login)
	fresh := s.as(login.AccessToken)
	t.Cleanup(func() { fresh.call("POST", "/_matrix/client/v3/logout", map[string]any{}, nil) })
	r3, err := newChannel(t, s, login.AccessToken, room).Send(ctx, broadcast.NewMessage(u))
	require.NoError(t, err)
	assert.NotEqual(t, r1.ID, r3.ID, "another token: the homeserver does not know the transaction ID")
	settle(func() bool { return len(s.reader.messages(room)) >= 2 })
	assert.Equal(t, 2, len(s.reader.messages(room)))
}

// The longest update makes an event the homeserver takes, read back
// whole in its URL; content the channel did not shorten is refused with
// 413 M_TOO_LARGE, so the limit is real.
func TestIntegrationLongestUpdate(t *testing.T) {
	s := newServer(t)
	ctx := context.Background()
	room, _ := s.bot.room(s.reader)
	ch := newChannel(t, s, s.botToken, room)
	body := strings.Repeat(`<a href="x">&amp;</a> 👩🏽‍💻 "q" `, broadcast.MaxBodyLength/24)
	u := update(unique("inc-"), 1, broadcast.StatusInvestigating, body)
	r, err := ch.Send(ctx, broadcast.NewMessage(u))
	require.NoError(t, err)
	c := s.reader.event(room, r.ID).content(t)
	assert.True(t, strings.Contains(c.Body, "…"), "shortened")
	assert.Contains(t, c.Body, u.URL, "the URL, whole")
	_, err = ch.Edit(ctx, broadcast.NewMessage(update(u.IncidentID, 2, broadcast.StatusIdentified, "Fix: "+body)), r)
	require.NoError(t, err, "an edit holds the text twice, and fits too")

	raw := map[string]string{"msgtype": "m.text", "body": strings.Repeat("x", matrix.MaxEventBytes)}
	status := s.bot.call("PUT", "/_matrix/client/v3/rooms/"+url.PathEscape(room)+"/send/m.room.message/"+unique("t"), raw, nil)
	assert.Equal(t, http.StatusRequestEntityTooLarge, status)
}

// Refusals are final and name the room; a rate limit waits as long as
// the homeserver says; no error shows the token.
func TestIntegrationErrors(t *testing.T) {
	s := newServer(t)
	ctx := context.Background()
	joined, _ := s.bot.room(nil)
	elsewhere, _ := s.reader.room(nil) // the bot is not in it
	nowhere := "#nowhere-" + unique("x") + ":localhost"
	ch := newChannel(t, s, s.botToken, joined, elsewhere, nowhere)
	m := broadcast.NewMessage(update(unique("inc-"), 1, broadcast.StatusInvestigating, "x"))
	_, err := ch.Send(ctx, m)
	require.NoError(t, err, "one room got it; the others are failed in the Ledger")
	for _, target := range []string{elsewhere, nowhere} {
		done, failure := m.Ledger.Done(target)
		assert.True(t, done)
		assert.NotEmpty(t, failure, target)
	}
	_, failure := m.Ledger.Done(elsewhere)
	assert.Contains(t, failure, "M_FORBIDDEN (http 403)")
	err = ch.Check(ctx)
	require.Error(t, err)
	assert.Contains(t, err.Error(), s.botUserID+" has not joined the room "+elsewhere)
	assert.Contains(t, err.Error(), "resolve alias: M_NOT_FOUND (http 404)")

	const bad = "syt_bm90IGEgdG9rZW4_ZmFrZWZha2VmYWtl_0AbCdE"
	err = newChannel(t, s, bad, joined).Check(ctx)
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err))
	assert.Contains(t, err.Error(), "M_UNKNOWN_TOKEN (http 401)")
	channeltest.AssertNoSecret(t, err.Error(), bad)

	limited := newChannel(t, s, s.limitedTok, joined)
	var limit error
	for range 12 { // Dendrite allows 5 a minute on whoami
		limit = limited.Check(ctx) // fails also because the user is in no room
		if _, ok := broadcast.RetryDelay(limit); ok {
			break
		}
	}
	wait, ok := broadcast.RetryDelay(limit)
	require.True(t, ok, "Dendrite's rate limit: %v", limit)
	assert.Equal(t, time.Minute, wait, "retry_after_ms of Dendrite's cool-off")
	assert.False(t, broadcast.IsPermanent(limit))
	var e *matrix.Error
	require.True(t, errors.As(limit, &e))
	assert.Equal(t, "M_LIMIT_EXCEEDED", e.Code)
}

// A correction of a post redacted by hand is posted anew in the thread
// there, since a redacted original hides its edits; in the other room it
// edits the post.
func TestIntegrationCorrectionOfRedactedPost(t *testing.T) {
	s := newServer(t)
	ctx := context.Background()
	room1, _ := s.bot.room(s.reader)
	room2, _ := s.bot.room(s.reader)
	b := newBroadcaster(t, s, room1, room2)
	inc := unique("inc-")
	rep, err := b.Send(ctx, update(inc, 1, broadcast.StatusInvestigating, "A config push."))
	require.NoError(t, err)
	orig := rep.Results[0].Receipt
	s.bot.must("PUT", "/_matrix/client/v3/rooms/"+url.PathEscape(room1)+"/redact/"+url.PathEscape(orig.Meta[room1])+"/"+unique("r"),
		map[string]any{"reason": "posted too early"}, nil)
	settle(func() bool {
		return strings.Contains(string(s.bot.event(room1, orig.Meta[room1]).Unsigned), "redacted_because")
	})

	fix := update(inc, 2, broadcast.StatusInvestigating, "A certificate rotation.")
	rep, err = b.Correct(ctx, orig.UpdateID, fix)
	require.NoError(t, err)
	anew := rep.Results[0].Receipt.Meta[room1]
	require.NotEmpty(t, anew, "the correction's own post in %s", room1)
	c := s.reader.event(room1, anew).content(t)
	assert.Contains(t, c.Body, "A certificate rotation.")
	require.NotNil(t, c.RelatesTo)
	assert.Equal(t, "m.thread", c.RelatesTo.RelType)
	assert.Equal(t, orig.Meta[room1], c.RelatesTo.EventID, "in the thread of the redacted post")
	settle(func() bool { return len(s.reader.relations(room2, orig.Meta[room2], "m.replace")) >= 1 })
	assert.Len(t, s.reader.relations(room2, orig.Meta[room2], "m.replace"), 1, "edited in %s", room2)
	assert.Len(t, s.reader.messages(room2), 2, "the post and its edit in %s", room2)
}

// A room upgraded to a new room version (as room admins did for version
// 12) moves its alias to the new room and restricts the old one: the
// account can no longer post there (403 M_FORBIDDEN). Once the account has
// joined the new room, a channel configured with the alias, which resolved
// it to the old room before the upgrade, posts the next update to the new
// room, and Check looks the alias up again too, instead of saying all is
// well while every post fails.
func TestIntegrationAliasOfUpgradedRoom(t *testing.T) {
	s := newServer(t)
	ctx := context.Background()
	old, alias := s.reader.room(s.bot) // the bot may post, but not administer
	ch := newChannel(t, s, s.botToken, alias)
	require.NoError(t, ch.Check(ctx))
	inc := unique("inc-")
	r, err := ch.Send(ctx, broadcast.NewMessage(update(inc, 1, broadcast.StatusInvestigating, "Before the upgrade.")))
	require.NoError(t, err)
	require.Equal(t, old, r.Meta["room "+alias])

	var upgraded struct {
		RoomID string `json:"replacement_room"`
	}
	s.reader.must("POST", "/_matrix/client/v3/rooms/"+url.PathEscape(old)+"/upgrade", map[string]any{"new_version": "10"}, &upgraded)
	require.NotEmpty(t, upgraded.RoomID)
	var dir struct {
		RoomID string `json:"room_id"`
	}
	settle(func() bool {
		s.bot.call("GET", "/_matrix/client/v3/directory/room/"+url.PathEscape(alias), nil, &dir)
		return dir.RoomID == upgraded.RoomID
	})
	require.Equal(t, upgraded.RoomID, dir.RoomID, "the alias moved to the new room")
	err = ch.Check(ctx)
	require.Error(t, err, "the account has not joined the new room")
	assert.Contains(t, err.Error(), "has not joined the room "+upgraded.RoomID)

	s.bot.must("POST", "/_matrix/client/v3/join/"+url.PathEscape(upgraded.RoomID), map[string]any{}, nil)
	require.NoError(t, ch.Check(ctx))
	r, err = ch.Send(ctx, broadcast.NewMessage(update(inc, 2, broadcast.StatusIdentified, "After the upgrade.")))
	require.NoError(t, err)
	assert.Equal(t, upgraded.RoomID, r.Meta["room "+alias])
	assert.Contains(t, s.reader.event(upgraded.RoomID, r.Meta[alias]).content(t).Body, "After the upgrade.")
}

// A room configured by its ID and upgraded since refuses the account's
// posts (403): Check says the room was replaced, and by which, instead of
// passing because the account is still joined to the old room; a post
// follows the upgrade to the new room once the account has joined it,
// and its error names the new room until then.
func TestIntegrationCheckUpgradedRoom(t *testing.T) {
	s := newServer(t)
	ctx := context.Background()
	old, _ := s.reader.room(s.bot)
	ch := newChannel(t, s, s.botToken, old)
	require.NoError(t, ch.Check(ctx))
	var upgraded struct {
		RoomID string `json:"replacement_room"`
	}
	s.reader.must("POST", "/_matrix/client/v3/rooms/"+url.PathEscape(old)+"/upgrade", map[string]any{"new_version": "10"}, &upgraded)
	settle(func() bool { return ch.Check(ctx) != nil })
	err := ch.Check(ctx)
	require.Error(t, err)
	assert.Contains(t, err.Error(), old+": the room was upgraded to "+upgraded.RoomID+" (update Config.Rooms)")

	inc := unique("inc-")
	_, err = ch.Send(ctx, broadcast.NewMessage(update(inc, 1, broadcast.StatusInvestigating, "x")))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "M_FORBIDDEN (http 403)", "the old room refuses posts, the new one too")
	assert.Contains(t, err.Error(), "the room "+upgraded.RoomID+", which replaced "+old)

	s.bot.must("POST", "/_matrix/client/v3/join/"+url.PathEscape(upgraded.RoomID), map[string]any{}, nil)
	r, err := ch.Send(ctx, broadcast.NewMessage(update(inc, 2, broadcast.StatusInvestigating, "Posted in the new room.")))
	require.NoError(t, err, "the post follows the upgrade, as clients do")
	assert.Equal(t, upgraded.RoomID, r.Meta["room "+old])
	assert.Contains(t, s.reader.event(upgraded.RoomID, r.Meta[old]).content(t).Body, "Posted in the new room.")
}

// A correction of a post in a room upgraded since is posted anew, in the
// room that replaced it (which the account joined): the old room refuses
// the edit.
func TestIntegrationCorrectionAfterUpgrade(t *testing.T) {
	s := newServer(t)
	ctx := context.Background()
	old, _ := s.reader.room(s.bot)
	b := newBroadcaster(t, s, old)
	inc := unique("inc-")
	rep, err := b.Send(ctx, update(inc, 1, broadcast.StatusInvestigating, "A config push."))
	require.NoError(t, err)
	orig := rep.Results[0].Receipt
	var upgraded struct {
		RoomID string `json:"replacement_room"`
	}
	s.reader.must("POST", "/_matrix/client/v3/rooms/"+url.PathEscape(old)+"/upgrade", map[string]any{"new_version": "10"}, &upgraded)
	s.bot.must("POST", "/_matrix/client/v3/join/"+url.PathEscape(upgraded.RoomID), map[string]any{}, nil)

	rep, err = b.Correct(ctx, orig.UpdateID, update(inc, 2, broadcast.StatusInvestigating, "A certificate rotation."))
	require.NoError(t, err)
	r := rep.Results[0].Receipt
	require.Equal(t, upgraded.RoomID, r.Meta["room "+old], "posted anew in the new room")
	assert.Contains(t, s.reader.event(upgraded.RoomID, r.Meta[old]).content(t).Body, "A certificate rotation.")
}

// A retraction of a post corrected in place redacts its edits too: the
// homeserver leaves them as they were when their original is redacted,
// and their text stays readable, read back here by the reader as each
// edit event.
func TestIntegrationRetractRedactsEdits(t *testing.T) {
	s := newServer(t)
	ctx := context.Background()
	room, _ := s.bot.room(s.reader)
	b := newBroadcaster(t, s, room)
	inc := unique("inc-")
	rep, err := b.Send(ctx, update(inc, 1, broadcast.StatusInvestigating, "A config push."))
	require.NoError(t, err)
	orig := rep.Results[0].Receipt
	fix1 := update(inc, 2, broadcast.StatusInvestigating, "A certificate rotation.")
	corr, err := b.Correct(ctx, orig.UpdateID, fix1)
	require.NoError(t, err)
	require.True(t, corr.Results[0].Edited, "the original was edited, not posted anew")
	fix2 := update(inc, 3, broadcast.StatusInvestigating, "A certificate rotation in one region.")
	corr, err = b.Correct(ctx, fix1.ID, fix2)
	require.NoError(t, err)
	require.True(t, corr.Results[0].Edited, "the original was edited again, not posted anew")
	settle(func() bool { return len(s.reader.relations(room, orig.Meta[room], "m.replace")) >= 2 })
	edits := s.reader.relations(room, orig.Meta[room], "m.replace")
	require.Len(t, edits, 2)

	_, err = b.Retract(ctx, orig.UpdateID)
	require.NoError(t, err)
	for _, id := range []string{orig.Meta[room], edits[0].EventID, edits[1].EventID} {
		settle(func() bool { return strings.Contains(string(s.reader.event(room, id).Unsigned), "redacted_because") })
		e := s.reader.event(room, id)
		assert.Contains(t, string(e.Unsigned), "redacted_because", id)
		assert.JSONEq(t, `{}`, string(e.Content), "the text of %s is gone", id)
	}
	for _, e := range s.reader.messages(room) {
		assert.NotContains(t, string(e.Content), "certificate", "no correction's text is left in the room")
	}
}

// Check reads the account's membership in each room: a room it left is
// one it has not joined, though it can still read the room as it was when
// it left.
func TestIntegrationCheckLeftRoom(t *testing.T) {
	s := newServer(t)
	ctx := context.Background()
	stay, _ := s.bot.room(s.reader)
	left, _ := s.reader.room(s.bot)
	ch := newChannel(t, s, s.botToken, stay, left)
	require.NoError(t, ch.Check(ctx))
	s.bot.must("POST", "/_matrix/client/v3/rooms/"+url.PathEscape(left)+"/leave", map[string]any{}, nil)
	settle(func() bool { return ch.Check(ctx) != nil })
	err := ch.Check(ctx)
	require.Error(t, err)
	assert.Equal(t, "matrix: check: "+left+": "+s.botUserID+" has not joined the room "+left+
		` (its membership there is "leave")`, err.Error())
}

// A room upgraded by the account itself (it created the room, and keeps
// the power to post in the old one, which an upgrade raises to 50 for
// everyone else) is followed to the room that replaced it: the next post
// goes where the room's members are now, not to the old room, which still
// accepts it and which no one reads. The post of before the upgrade is
// still retracted where it is, in the old room.
func TestIntegrationUpgradedRoomStillAccepting(t *testing.T) {
	s := newServer(t)
	ctx := context.Background()
	old, _ := s.bot.room(s.reader) // the bot administers the room
	ch := newChannel(t, s, s.botToken, old)
	inc := unique("inc-")
	before, err := ch.Send(ctx, broadcast.NewMessage(update(inc, 1, broadcast.StatusInvestigating, "Before the upgrade.")))
	require.NoError(t, err)

	var upgraded struct {
		RoomID string `json:"replacement_room"`
	}
	s.bot.must("POST", "/_matrix/client/v3/rooms/"+url.PathEscape(old)+"/upgrade", map[string]any{"new_version": "10"}, &upgraded)
	require.NotEmpty(t, upgraded.RoomID)
	s.reader.must("POST", "/_matrix/client/v3/join/"+url.PathEscape(upgraded.RoomID), map[string]any{}, nil)

	m := broadcast.NewMessage(update(inc, 2, broadcast.StatusIdentified, "After the upgrade."))
	m.Thread = broadcast.Thread{Root: before, Last: before}
	r, err := ch.Send(ctx, m)
	require.NoError(t, err)
	assert.Equal(t, upgraded.RoomID, r.Meta["room "+old], "posted in the room that replaced the old one")
	assert.Contains(t, s.reader.event(upgraded.RoomID, r.Meta[old]).content(t).Body, "After the upgrade.")

	require.NoError(t, ch.Retract(ctx, before), "redacted in the old room, where the account still has the power")
	// Dendrite applies a redaction after it answers the request.
	settle(func() bool { return s.reader.event(old, before.Meta[old]).content(t).Body == "" })
	assert.Empty(t, s.reader.event(old, before.Meta[old]).content(t).Body, "the old room's post is redacted")
}

// A post in a room upgraded since by someone else cannot be redacted by
// the account: the upgrade raised the power to send any event in the old
// room, a redaction among them; Dendrite answers it with 500 {"Err":""},
// which alone reads as worth retrying. Retract fails for good and says
// why, and names the new room, which never held the post.
func TestIntegrationRetractInUpgradedRoom(t *testing.T) {
	s := newServer(t)
	ctx := context.Background()
	old, _ := s.reader.room(s.bot) // the bot may post, but not administer
	ch := newChannel(t, s, s.botToken, old)
	r, err := ch.Send(ctx, broadcast.NewMessage(update(unique("inc-"), 1, broadcast.StatusInvestigating, "x")))
	require.NoError(t, err)
	var upgraded struct {
		RoomID string `json:"replacement_room"`
	}
	s.reader.must("POST", "/_matrix/client/v3/rooms/"+url.PathEscape(old)+"/upgrade", map[string]any{"new_version": "10"}, &upgraded)
	s.bot.must("POST", "/_matrix/client/v3/join/"+url.PathEscape(upgraded.RoomID), map[string]any{}, nil)
	err = ch.Retract(ctx, r)
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err), "Dendrite answers 500, but no retry can help: %v", err)
	assert.Contains(t, err.Error(), "the room was upgraded to "+upgraded.RoomID+", which left the account's power level 0")
}

// A correction of a post in a room the account upgraded itself (it keeps
// the power to post, and to edit, in the old room) is not edited in there,
// where no one reads it: it is posted anew in the room that replaced the
// old one, where the room's members are now, and the old post keeps no
// edit.
func TestIntegrationCorrectionInUpgradedRoomStillAccepting(t *testing.T) {
	s := newServer(t)
	ctx := context.Background()
	old, _ := s.bot.room(s.reader) // the bot administers the room
	b := newBroadcaster(t, s, old)
	inc := unique("inc-")
	rep, err := b.Send(ctx, update(inc, 1, broadcast.StatusInvestigating, "A config push."))
	require.NoError(t, err)
	orig := rep.Results[0].Receipt
	var upgraded struct {
		RoomID string `json:"replacement_room"`
	}
	s.bot.must("POST", "/_matrix/client/v3/rooms/"+url.PathEscape(old)+"/upgrade", map[string]any{"new_version": "10"}, &upgraded)
	require.NotEmpty(t, upgraded.RoomID)
	s.reader.must("POST", "/_matrix/client/v3/join/"+url.PathEscape(upgraded.RoomID), map[string]any{}, nil)

	rep, err = b.Correct(ctx, orig.UpdateID, update(inc, 2, broadcast.StatusInvestigating, "A certificate rotation."))
	require.NoError(t, err)
	r := rep.Results[0].Receipt
	require.Equal(t, upgraded.RoomID, r.Meta["room "+old], "posted anew in the new room")
	assert.Contains(t, s.reader.event(upgraded.RoomID, r.Meta[old]).content(t).Body, "A certificate rotation.")
	assert.Empty(t, s.reader.relations(old, orig.Meta[old], "m.replace"), "no edit in the old room")
}

// Rooms whose tombstones name each other (state events a room admin can
// send by hand) have no replacement to settle in: every update goes to
// the configured room, in one thread, instead of to each room in turn.
func TestIntegrationTombstoneLoop(t *testing.T) {
	s := newServer(t)
	ctx := context.Background()
	a, _ := s.bot.room(s.reader)
	other, _ := s.bot.room(s.reader)
	for room, to := range map[string]string{a: other, other: a} {
		s.bot.must("PUT", "/_matrix/client/v3/rooms/"+url.PathEscape(room)+"/state/m.room.tombstone/",
			map[string]any{"body": "This room has been replaced", "replacement_room": to}, nil)
	}
	ch := newChannel(t, s, s.botToken, a)
	inc := unique("inc-")
	var th broadcast.Thread
	var posts []string
	for i := range 3 {
		m := broadcast.NewMessage(update(inc, i+1, broadcast.StatusInvestigating, fmt.Sprintf("Step %d.", i+1)))
		m.Thread = th
		r, err := ch.Send(ctx, m)
		require.NoError(t, err)
		assert.Empty(t, r.Meta["room "+a], "update %d posted in the configured room", i+1)
		if i == 0 {
			th.Root = r
		}
		th.Last = r
		posts = append(posts, r.Meta[a])
	}
	settle(func() bool { return len(s.reader.relations(a, posts[0], "m.thread")) >= 2 })
	assert.Len(t, s.reader.relations(a, posts[0], "m.thread"), 2, "the later updates in the first one's thread")
}

// An alias that still names a room replaced since (the tombstone sent by
// hand, which moves no alias) is followed to the replacement, as a room
// ID is: when the account has not joined that room, the post fails naming
// it, rather than go through the alias to the old room, which still takes
// the account's posts and which no one reads.
func TestIntegrationAliasOfReplacedRoomNotMoved(t *testing.T) {
	s := newServer(t)
	ctx := context.Background()
	old, alias := s.bot.room(s.reader) // the bot administers the room
	now, _ := s.reader.room(nil)       // the bot has not joined it
	s.bot.must("PUT", "/_matrix/client/v3/rooms/"+url.PathEscape(old)+"/state/m.room.tombstone/",
		map[string]any{"body": "This room has been replaced", "replacement_room": now}, nil)
	ch := newChannel(t, s, s.botToken, alias)
	m := broadcast.NewMessage(update(unique("inc-"), 1, broadcast.StatusInvestigating, "Not for the old room."))
	_, err := ch.Send(ctx, m)
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err), "%v", err)
	assert.Contains(t, err.Error(), "the room "+now+", which replaced "+old+": M_FORBIDDEN (http 403)")
	for _, e := range s.reader.messages(old) {
		assert.NotContains(t, e.content(t).Body, "Not for the old room.")
	}
}

// A room of version 9 takes power levels written as strings, and Dendrite
// serves them as sent. Where the room's moderators raised the power to
// redact, written so, above the account's, Retract fails for good and
// says why, rather than retry Dendrite's 500 for the next minutes.
func TestIntegrationRetractUnderPowerLevelsWrittenAsStrings(t *testing.T) {
	s := newServer(t)
	ctx := context.Background()
	var created struct {
		RoomID string `json:"room_id"`
	}
	s.reader.must("POST", "/_matrix/client/v3/createRoom", map[string]any{"preset": "public_chat", "room_version": "9"}, &created)
	room := created.RoomID
	s.bot.must("POST", "/_matrix/client/v3/join/"+url.PathEscape(room), map[string]any{}, nil)
	ch := newChannel(t, s, s.botToken, room)
	r, err := ch.Send(ctx, broadcast.NewMessage(update(unique("inc-"), 1, broadcast.StatusInvestigating, "x")))
	require.NoError(t, err)

	var reader struct {
		UserID string `json:"user_id"`
	}
	s.reader.must("GET", "/_matrix/client/v3/account/whoami", nil, &reader)
	s.reader.must("PUT", "/_matrix/client/v3/rooms/"+url.PathEscape(room)+"/state/m.room.power_levels/", map[string]any{
		"users": map[string]any{reader.UserID: "100"}, "users_default": "0", "events_default": "0", "state_default": "50",
		"ban": "50", "kick": "50", "redact": "50", "invite": "0", "events": map[string]any{"m.room.redaction": " 050 ", "m.room.power_levels": "100"},
	}, nil)
	var served map[string]json.RawMessage
	s.bot.must("GET", "/_matrix/client/v3/rooms/"+url.PathEscape(room)+"/state/m.room.power_levels/", nil, &served)
	require.JSONEq(t, `"0"`, string(served["users_default"]), "Dendrite serves the levels as sent")

	err = ch.Retract(ctx, r)
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err), "%v", err)
	assert.Contains(t, err.Error(), "the account's power level 0 in the room is below the 50 a redaction needs")
}
