//go:build integration

package matrix_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/channels/matrix"
	"github.com/outagecast/outagecast/redact"
	"github.com/outagecast/outagecast/templates"
)

// The conformance suite against the real homeserver: each channel posts as
// the bot to two new rooms, which the reader created (so that it holds
// the power to change their power levels) and the bot joined, and the back
// end reads them back as the reader sees them.
//
// Harness.Targets is one list for every New, and a room ID names one room
// for ever: the targets are two aliases of this run, which each New moves
// to its own new rooms (the directory answers the channel's look-ups with
// them from then on), so that each New sees a fresh back end.
//
// Harness.Failures lists FailRejected alone: the reader raises the power
// needed to send any event (m.room.message, and m.room.redaction) above
// the bot's, so that the homeserver refuses every post, edit and redaction
// of the bot there (403 M_FORBIDDEN; Dendrite v0.13.8 answers a refused
// redaction with 500 {"Err":""}, which the channel reads as the refusal
// it is), and puts the room's power levels back as they were for
// FailNone. The other classes cannot be produced on demand, for every
// request from then on and no longer: FailUnauthorized (logging the
// token out ends it for good, and a new login's token is another secret
// than Harness.Secrets names), FailRateLimited (Dendrite does not limit
// sending, and the bot is exempt), FailTransient (a 5xx or a reset of
// the homeserver itself), and FailEcho, FailForeign and FailEchoDelivered
// (another server's answers, or a debugging proxy's).
func TestIntegrationConformance(t *testing.T) {
	s := newServer(t)
	run := unique("conf-")
	targets := []string{"#" + run + "-a:localhost", "#" + run + "-b:localhost"}
	txns := startTxnLog(s)
	channeltest.Run(t, channeltest.Harness{
		New: func(t *testing.T) (broadcast.Channel, channeltest.Backend) {
			be := newRoomsBackend(t, s, targets, txns)
			return be.channel(t), be
		},
		Reopen: func(t *testing.T, be channeltest.Backend) broadcast.Channel {
			return be.(*roomsBackend).channel(t)
		},
		Secrets: []string{s.botToken},
		Config: matrix.Config{Name: "ops-matrix", Homeserver: s.url, AccessToken: redact.NewSecret(s.botToken),
			Rooms: targets},
		MaxLength:   matrix.MaxEventBytes,
		Measure:     templates.Bytes,
		ThreadsTo:   channeltest.Root,
		Targets:     targets,
		Posts:       true,
		Keyed:       true,
		Failures:    []channeltest.Failure{channeltest.FailRejected},
		ServerField: "Config.Homeserver",
	})
}

// roomsBackend is the channeltest.Backend of the real homeserver: the
// rooms of one New.
//
// Which posts the homeserver accepted, and in which order, it learns from
// the answers to the channel's sends (see observer): one Delivery per
// send of an m.room.message that is no edit answered with an event ID, a
// repeated transaction again, as the suite counts a channel's posts (a
// homeserver answers a repeat with the first event, and the room shows it
// once; IdempotencyKeyStable's retry after a lost answer is one). Every
// other post of the bot the rooms show, which no answer named (a send
// whose answer the channel's client never got, its request cut or timed
// out, or a request the observer did not see), follows them, oldest first
// in each room: the room's members see it, so the suite counts it. The
// rest it reads as the room's members see it, through the
// client-server API: each room's events with GET /messages as the reader,
// an edit (m.replace, not redacted, of the bot) changing the text of the
// post it edits to its m.new_content's body, the latest edit winning; a
// redaction (unsigned.redacted_because) setting Deleted, whose content
// and relations are then gone; ReplyTo the event ID of the post's m.thread
// relation; Key the post's transaction ID as the bot's own /sync gives it
// (unsigned.transaction_id, which the specification gives the client that
// sent the event alone, and Dendrite on /sync only), less the "." and the
// digest of the post's room matrix.SendKey adds for an alias, when it is
// exactly that digest (else the whole ID, which no Message.Key matches).
// Whether an event is an edit is
// read from the request that sent it: a redaction clears an edit's
// relation as it clears its text, so a redacted edit cannot be told from a
// redacted post afterwards.
type roomsBackend struct {
	t              *testing.T
	url            string
	botToken       string
	botUser        string
	readerUser     string
	reader, bot    *user
	targets, rooms []string          // rooms: the room ID of each target
	target         map[string]string // the target of each room ID
	transport      *http.Transport   // the channels'
	txns           *txnLog

	mu      sync.Mutex
	posts   []accepted
	edits   map[string]bool // event IDs of the edits the homeserver answered a send of
	changes int             // requests of the channels that may have changed a room
	failing map[string]bool // room IDs whose power levels refuse the bot
	cache   []channeltest.Delivery
	cacheAt int // changes when cache was read; -1: none
}

// accepted is a post the homeserver answered a send of.
type accepted struct{ room, event string }

func newRoomsBackend(t *testing.T, s *server, targets []string, txns *txnLog) *roomsBackend {
	t.Helper()
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	be := &roomsBackend{t: t, url: s.url, botToken: s.botToken, botUser: s.botUserID,
		readerUser: env(t, "OUTAGECAST_DENDRITE_READER"),
		reader:     &user{t: t, base: s.url, token: env(t, "OUTAGECAST_DENDRITE_READER_TOKEN"), client: s.client},
		bot:        &user{t: t, base: s.url, token: s.botToken, client: s.client},
		targets:    targets, target: map[string]string{}, transport: tr,
		failing: map[string]bool{}, edits: map[string]bool{}, cacheAt: -1, txns: txns}
	// The rooms are made at once: making one is most of New's time.
	rooms, errs := make([]string, len(targets)), make([]error, len(targets))
	var wg sync.WaitGroup
	for i, alias := range targets {
		wg.Go(func() { rooms[i], errs[i] = be.newRoom(alias) })
	}
	wg.Wait()
	// The bot leaves the rooms at the end: a homeserver that answers an
	// initial /sync for every room joined (Dendrite, whatever the filter)
	// would answer the later tests' look-ups by transaction ID (see
	// matrix.SentFor) with every post of these too.
	t.Cleanup(func() {
		for _, room := range rooms {
			if room == "" {
				continue
			}
			_, err := be.request(be.bot, "POST", "/_matrix/client/v3/rooms/"+url.PathEscape(room)+"/leave",
				map[string]any{}, nil)
			assert.NoErrorf(t, err, "the bot leaving %s", room)
		}
	})
	for i, alias := range targets {
		require.NoErrorf(t, errs[i], "the room of %s", alias)
		be.rooms = append(be.rooms, rooms[i])
		be.target[rooms[i]] = alias
	}
	return be
}

// newRoom makes a room as the reader, with the power levels of
// b.powerLevels(false), which the bot joins, and moves alias to it.
func (b *roomsBackend) newRoom(alias string) (string, error) {
	dir := "/_matrix/client/v3/directory/room/" + url.PathEscape(alias)
	if _, err := b.request(b.reader, "DELETE", dir, nil, nil); err != nil { // 404 for the first New
		return "", err
	}
	var created struct {
		RoomID string `json:"room_id"`
	}
	local, _, _ := strings.Cut(strings.TrimPrefix(alias, "#"), ":")
	if _, err := b.request(b.reader, "POST", "/_matrix/client/v3/createRoom", map[string]any{"preset": "public_chat",
		"room_alias_name": local, "power_level_content_override": b.powerLevels(false)}, &created); err != nil {
		return "", err
	}
	_, err := b.request(b.bot, "POST", "/_matrix/client/v3/join/"+url.PathEscape(created.RoomID), map[string]any{}, nil)
	return created.RoomID, err
}

// request makes a request as u, decoding a 200's answer into out; it
// returns the status, and an error for a failed request and, but for a
// DELETE, a status other than 200.
func (b *roomsBackend) request(u *user, method, path string, body, out any) (int, error) {
	status, raw, err := u.try(method, path, body, out)
	if err == nil && status != http.StatusOK && method != "DELETE" {
		err = fmt.Errorf("%s %s: http %d: %s", method, path, status, raw)
	}
	return status, err
}

// powerLevels is the content of m.room.power_levels of the back end's
// rooms: the reader administers them, and the bot (0) may send messages
// and redact its own (open) or send no event at all (refuse).
func (b *roomsBackend) powerLevels(refuse bool) map[string]any {
	send := 0
	if refuse {
		send = 50
	}
	return map[string]any{"users": map[string]any{b.readerUser: 100}, "users_default": 0,
		"events_default": send, "state_default": 50, "ban": 50, "kick": 50, "redact": 50, "invite": 0,
		"events": map[string]any{"m.room.message": send, "m.room.redaction": send, "m.room.power_levels": 100}}
}

func statePath(room, typ string) string {
	return "/_matrix/client/v3/rooms/" + url.PathEscape(room) + "/state/" + typ + "/"
}

// channel returns a new channel of the run's configuration, posting as the
// bot to the back end's rooms (through the aliases), closed at the test's
// end.
func (b *roomsBackend) channel(t *testing.T) *matrix.Channel {
	t.Helper()
	ch, err := matrix.New(matrix.Config{Name: "ops-matrix", Homeserver: b.url, AccessToken: redact.NewSecret(b.botToken),
		Rooms: b.targets, HTTPClient: &http.Client{Transport: observer{be: b, next: b.transport}}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = ch.Close() })
	return ch
}

// observer passes the channels' requests on, and tells the back end of
// each that may change a room, and of each post the homeserver accepted.
type observer struct {
	be   *roomsBackend
	next http.RoundTripper
}

func (o observer) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method == http.MethodGet {
		return o.next.RoundTrip(req)
	}
	o.be.changed()
	defer o.be.changed()
	room, send := sentTo(req.URL)
	if !send || req.Body == nil {
		return o.next.RoundTrip(req)
	}
	body, err := io.ReadAll(req.Body)
	_ = req.Body.Close()
	if err != nil {
		return nil, err
	}
	req = req.Clone(req.Context())
	req.Body = io.NopCloser(bytes.NewReader(body))
	var c content
	edit := json.Unmarshal(body, &c) == nil && c.RelatesTo != nil && c.RelatesTo.RelType == "m.replace"
	resp, err := o.next.RoundTrip(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		return resp, err
	}
	answer, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(answer))
	if err != nil {
		return nil, err
	}
	var a struct {
		EventID string `json:"event_id"`
	}
	if json.Unmarshal(answer, &a) == nil && a.EventID != "" {
		o.be.accept(room, a.EventID, edit)
	}
	return resp, nil
}

// sentTo returns the room of a send of an m.room.message, and whether u is
// one.
func sentTo(u *url.URL) (string, bool) {
	parts := strings.Split(u.EscapedPath(), "/")
	// "", _matrix, client, v3, rooms, {room}, send, m.room.message, {txn}
	if len(parts) != 9 || parts[4] != "rooms" || parts[6] != "send" || parts[7] != "m.room.message" {
		return "", false
	}
	room, err := url.PathUnescape(parts[5])
	return room, err == nil
}

func (b *roomsBackend) changed() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.changes++
}

func (b *roomsBackend) accept(room, event string, edit bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if edit {
		b.edits[event] = true
	} else {
		b.posts = append(b.posts, accepted{room: room, event: event})
	}
	b.changes++
}

// Received returns the accepted posts as the rooms show them now (see
// roomsBackend).
func (b *roomsBackend) Received() []channeltest.Delivery {
	b.t.Helper()
	b.mu.Lock()
	at, posts, sentEdits := b.changes, slices.Clone(b.posts), maps.Clone(b.edits)
	if b.cacheAt == at {
		defer b.mu.Unlock()
		return slices.Clone(b.cache)
	}
	b.mu.Unlock()

	events, edits := map[string]event{}, map[string]event{}
	var unanswered []accepted // the bot's posts in the rooms, oldest first, that no answer named
	known := map[string]bool{}
	for _, p := range posts {
		known[p.event] = true
	}
	for _, room := range b.rooms {
		timeline := b.timeline(room)
		for _, e := range slices.Backward(timeline) {
			if e.Type == "m.room.message" && e.Sender == b.botUser && !known[e.EventID] && !sentEdits[e.EventID] &&
				!isEdit(e, b.t) {
				unanswered = append(unanswered, accepted{room: room, event: e.EventID})
			}
		}
		for _, e := range timeline {
			if e.Type != "m.room.message" || e.Sender != b.botUser {
				continue
			}
			c := e.content(b.t)
			if rel := c.RelatesTo; rel != nil && rel.RelType == "m.replace" && c.NewContent != nil && !redacted(e) {
				if _, later := edits[rel.EventID]; !later { // newest first
					edits[rel.EventID] = e
				}
				continue
			}
			events[e.EventID] = e
		}
	}
	txns := b.txns.read(b.bot, b.botUser)
	for _, p := range unanswered {
		b.t.Logf("the post %s in %s (%s) was made, though no answer to a send of the channels named it", p.event,
			p.room, b.target[p.room])
	}
	posts = append(posts, unanswered...)
	out := make([]channeltest.Delivery, 0, len(posts))
	for _, p := range posts {
		e, ok := events[p.event]
		require.Truef(b.t, ok, "the post %s the homeserver accepted is not in the room %s", p.event, p.room)
		c := e.content(b.t)
		key := keyOf(txns[p.event], b.target[p.room], p.room)
		d := channeltest.Delivery{ID: p.event, Target: b.target[p.room], Key: key, Deleted: redacted(e), Text: c.Body}
		if c.RelatesTo != nil && c.RelatesTo.RelType == "m.thread" {
			d.ReplyTo = c.RelatesTo.EventID
		}
		shown := e
		if ed, ok := edits[p.event]; ok && !d.Deleted {
			shown, d.Text = ed, ed.content(b.t).NewContent.Body
		}
		d.Parts = []string{b.served(shown)}
		out = append(out, d)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.changes == at {
		b.cache, b.cacheAt = slices.Clone(out), at
	}
	return out
}

// keyOf returns the key the transaction ID txn of a post to target in
// room was made of (see matrix.SendKey), and txn itself, which then names
// no key, when it is not the transaction ID the channel makes of its key
// for target in room: one that differs in its room's part on a retry
// would get a second post from the homeserver.
func keyOf(txn, target, room string) string {
	key, _, _ := strings.Cut(txn, ".")
	if matrix.SendKey(key, target, room) == txn {
		return key
	}
	return txn
}

// isEdit reports whether e is an edit (m.replace) the homeserver still
// shows as one: a redacted edit is not, its relation gone.
func isEdit(e event, t *testing.T) bool {
	c := e.content(t)
	return c.RelatesTo != nil && c.RelatesTo.RelType == "m.replace"
}

// redacted reports whether e was redacted.
func redacted(e event) bool {
	var u struct {
		RedactedBecause json.RawMessage `json:"redacted_because"`
	}
	return json.Unmarshal(e.Unsigned, &u) == nil && len(u.RedactedBecause) > 0
}

// served returns e as the homeserver served it, without unsigned, whose
// age changes from one read to the next: the event the size limit applies
// to, in the client format (the homeserver refuses an event over
// matrix.MaxEventBytes in the federation format with 413 M_TOO_LARGE).
func (b *roomsBackend) served(e event) string {
	raw, err := json.Marshal(map[string]any{"content": e.Content, "event_id": e.EventID, "sender": e.Sender,
		"type": e.Type})
	require.NoError(b.t, err)
	return string(raw)
}

// timeline returns room's events, newest first, as the reader reads them
// with GET /messages. Dendrite applies an event to what /messages serves
// after it answers its send: the reader first sends an event of its own
// (of a type no check reads) and reads until it is there, when every
// event sent, and redacted, before it is there too.
func (b *roomsBackend) timeline(room string) []event {
	b.t.Helper()
	var mark struct {
		EventID string `json:"event_id"`
	}
	b.reader.must("PUT", "/_matrix/client/v3/rooms/"+url.PathEscape(room)+"/send/org.outagecast.test.mark/"+
		unique("mark"), map[string]any{}, &mark)
	base := "/_matrix/client/v3/rooms/" + url.PathEscape(room) + "/messages?dir=b&limit=100"
	type page struct {
		Chunk []event `json:"chunk"`
		End   string  `json:"end"`
	}
	var first page
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		first = page{}
		b.reader.must("GET", base, nil, &first)
		if slices.ContainsFunc(first.Chunk, func(e event) bool { return e.EventID == mark.EventID }) {
			break
		}
		require.Truef(b.t, time.Now().Before(deadline), "the reader's own event %s is not in %s's /messages",
			mark.EventID, room)
	}
	events := first.Chunk
	for end, n := first.End, len(first.Chunk); end != "" && n > 0; {
		var p page
		b.reader.must("GET", base+"&from="+url.QueryEscape(end), nil, &p)
		events = append(events, p.Chunk...)
		end, n = p.End, len(p.Chunk)
	}
	return events
}

// txnLog is the transaction ID of each m.room.message event the bot sent
// in the run, by event ID, as the bot's own GET /sync gives them
// (unsigned.transaction_id), read from the start of the run on: an
// initial sync would read every room the bot ever joined, in this run and
// earlier ones, which takes seconds, where a sync from the last one's
// next_batch reads what came since.
type txnLog struct {
	mu    sync.Mutex
	since string
	ids   map[string]string
}

// syncLimit is the most events of a room a /sync of txnLog reads.
const syncLimit = 1000

// startTxnLog starts the log at the homeserver's present: its first sync
// (no since, no room) gives the position of the first event of the run.
func startTxnLog(s *server) *txnLog {
	s.t.Helper()
	l := &txnLog{ids: map[string]string{}}
	var sync struct {
		NextBatch string `json:"next_batch"`
	}
	s.bot.must("GET", "/_matrix/client/v3/sync?timeout=0&filter="+url.QueryEscape(`{"room":{"rooms":[]}}`), nil, &sync)
	require.NotEmpty(s.t, sync.NextBatch, "the bot's first /sync's next_batch")
	l.since = sync.NextBatch
	return l
}

// read reads, as bot (the channels' access token), botUser's events since
// the last read, and returns every transaction ID known.
func (l *txnLog) read(bot *user, botUser string) map[string]string {
	bot.t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	filter, err := json.Marshal(map[string]any{"presence": map[string]any{"types": []string{}},
		"account_data": map[string]any{"types": []string{}},
		"room": map[string]any{"state": map[string]any{"types": []string{}},
			"ephemeral": map[string]any{"types": []string{}}, "account_data": map[string]any{"types": []string{}},
			"timeline": map[string]any{"limit": syncLimit, "types": []string{"m.room.message"}, "senders": []string{botUser}}}})
	require.NoError(bot.t, err)
	var sync struct {
		NextBatch string `json:"next_batch"`
		Rooms     struct {
			Join map[string]struct {
				Timeline struct {
					Events  []event `json:"events"`
					Limited bool    `json:"limited"`
				} `json:"timeline"`
			} `json:"join"`
		} `json:"rooms"`
	}
	bot.must("GET", "/_matrix/client/v3/sync?timeout=0&since="+url.QueryEscape(l.since)+"&filter="+
		url.QueryEscape(string(filter)), nil, &sync)
	require.NotEmpty(bot.t, sync.NextBatch, "the bot's /sync's next_batch")
	for room, joined := range sync.Rooms.Join {
		// Limited holds for a room joined since, whose timeline is read
		// from its start: fewer events than the limit are all of them.
		require.Falsef(bot.t, joined.Timeline.Limited && len(joined.Timeline.Events) >= syncLimit,
			"the bot's /sync left events of %s out", room)
		for _, e := range joined.Timeline.Events {
			var u struct {
				TransactionID string `json:"transaction_id"`
			}
			if json.Unmarshal(e.Unsigned, &u) == nil && u.TransactionID != "" {
				l.ids[e.EventID] = u.TransactionID
			}
		}
	}
	l.since = sync.NextBatch
	return maps.Clone(l.ids)
}

// Fail makes every room refuse the bot's events (FailRejected), or take
// them again (FailNone).
func (b *roomsBackend) Fail(f channeltest.Failure) { b.fail(b.rooms, f) }

// FailTarget makes target's room refuse the bot's events, or take them
// again.
func (b *roomsBackend) FailTarget(target string, f channeltest.Failure) {
	i := slices.Index(b.targets, target)
	require.GreaterOrEqualf(b.t, i, 0, "FailTarget of %q, not a target", target)
	b.fail(b.rooms[i:i+1], f)
}

// fail sets the rooms' power levels: those that refuse every event of the
// bot for FailRejected, those the room was made with for FailNone.
func (b *roomsBackend) fail(rooms []string, f channeltest.Failure) {
	b.t.Helper()
	require.Containsf(b.t, []channeltest.Failure{channeltest.FailNone, channeltest.FailRejected}, f,
		"the homeserver cannot fail with %s on demand", f)
	refuse := f == channeltest.FailRejected
	for _, room := range rooms {
		b.mu.Lock()
		same := b.failing[room] == refuse
		b.failing[room] = refuse
		b.mu.Unlock()
		if same {
			continue
		}
		b.reader.must("PUT", statePath(room, "m.room.power_levels"), b.powerLevels(refuse), nil)
	}
}
