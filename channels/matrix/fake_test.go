package matrix

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/outagecast/outagecast/channels/channeltest"
)

// fakeServer is a homeserver's client-server API, as much of it as the
// channel uses, answering with the shapes and errors of the specification:
// send (deduplicated per access token and transaction ID, as homeservers
// do), redact, events read back, /relations, the room directory, whoami
// and room state (the account's m.room.member, m.room.tombstone). It
// checks each request as a homeserver would: the access token, the room's
// membership, the event content (msgtype, body, the HTML format),
// relations (a thread root without a relation of its own, an edit of the
// sender's own post with m.new_content, both in the same room; an event
// it does not know, as one purged from the room's history, only while
// another event relates to it, as Synapse checks them) and the
// event's size in the federation format (413 M_TOO_LARGE over 65,536 bytes). It fails on
// demand, for every room or one, with a homeserver's or its proxy's
// answers.
type fakeServer struct {
	t     *testing.T
	srv   *httptest.Server
	token string
	user  string

	mu       sync.Mutex
	fail     channeltest.Failure
	echo     bool                           // FailEchoDelivered: answers pass through channeltest.EchoAnswer
	failRoom map[string]channeltest.Failure // by room ID
	aliases  map[string]string              // room ID by alias
	joined   []string                       // room IDs the user has joined
	targets  map[string]string              // the channel's room as configured, by room ID
	replaced map[string]string              // the replacement of an upgraded room, by room ID
	// admin are the rooms where the user keeps the power to post and
	// redact after an upgrade (it created the room), by room ID.
	admin map[string]bool
	// redact500 answers a redaction the user's power does not allow with
	// 500 {"Err":""}, as Dendrite v0.13.8 does, instead of 403.
	redact500 bool
	// failTombstone fails the reads of a room's m.room.tombstone alone.
	failTombstone channeltest.Failure
	// failDirectory fails the room directory's answers alone.
	failDirectory channeltest.Failure
	events        []*fakeEvent      // every event, in order
	txns          map[string]string // event ID by access token, endpoint and transaction ID
	sends         []*fakeEvent      // posts accepted, repeats included (see Received)
	requests      []fakeRequest
	relMax        int  // the most events a page of /relations holds; 0: 50
	noRel         bool // no /relations, as before v1.3 of the specification: 404 M_UNRECOGNIZED
	// relWrap makes the last page of /relations name the first one's
	// offset as its next_batch, so its tokens go round for ever.
	relWrap bool
	// relLag leaves the newest relLag edits of an event out of
	// /relations, as Dendrite v0.13.8 does until its sync API has applied
	// an edit the room server already answered the send of.
	relLag int
	// unread are events GET /rooms/{roomId}/event/{eventId} answers 404
	// M_NOT_FOUND for, as Dendrite v0.13.8 does until its sync API has
	// applied an event the room server already answered the send of.
	unread map[string]bool
	// staleRedaction are redacted events GET
	// /rooms/{roomId}/event/{eventId} still serves as they were before
	// their redaction, as a homeserver may where what serves the read
	// applies a redaction after the redaction's request was answered.
	staleRedaction map[string]bool
	// redactNotFound are events whose redaction the fake answers with 404
	// M_NOT_FOUND, as a homeserver that does not know them (yet) may.
	redactNotFound map[string]bool
	// membership is the user's membership in a room it can read the state
	// of but has not joined (as at the time it left), by room ID.
	membership map[string]string
	// powerLevels is the content of a room's m.room.power_levels, as
	// served, by room ID, in place of the fake's own.
	powerLevels map[string]string
	// refuseRedact refuses the user's redactions in a room, as for want of
	// power (403, or Dendrite's 500 with redact500), by room ID.
	refuseRedact map[string]bool
	// create is a room's m.room.create in the client format, by room ID;
	// GET /state/m.room.create/ serves its content, or the whole event
	// with ?format=event (v1.16 of the specification).
	create map[string]string
	// noEventFormat ignores ?format=event, as servers older than v1.16
	// of the specification may.
	noEventFormat bool
	// tombstone is the content of a room's m.room.tombstone as served,
	// by room ID, in place of the one f.replaced makes.
	tombstone map[string]string
	// txnAnyRoom keeps a send's transaction ID per access token alone,
	// whatever the room, as the specification's older text scopes it ("a
	// particular access token"): a send to another room under a
	// transaction ID seen before is answered with that earlier event.
	txnAnyRoom bool
	// otherToken is another access token of the user (another login),
	// accepted as f.token is, with transaction IDs of its own.
	otherToken string
	// failMessages fails the reads of a room's /messages alone.
	failMessages channeltest.Failure
	// failEvent fails the reads of an event (GET /rooms/{roomId}/event/{eventId}) alone.
	failEvent channeltest.Failure
	// failRedactOf fails the redactions of the events it holds, by event
	// ID, alone.
	failRedactOf map[string]channeltest.Failure
	// noTxnOnMessages gives no transaction ID on /messages, as Dendrite
	// v0.13.8 does (it gives them on /sync).
	noTxnOnMessages bool
	// synapseUnknown answers for an event it does not know (never sent,
	// or purged from the room's history) as Synapse does: /relations
	// with 404 M_UNKNOWN "Unknown parent event.", a redaction of it with
	// 200 and the redaction's event ID.
	synapseUnknown bool
}

// fakeEvent is an event in a room.
type fakeEvent struct {
	id, room, txn string
	kind          string // "post", "edit" or "redaction"
	content       content
	raw           []byte // the content as received
	redacted      bool
	edits         []*fakeEvent
	sender        string // "" for the channel's user
	token         string // the access token that sent it
}

// fakeRequest is a request as the server received it.
type fakeRequest struct {
	method, path string // path as sent, escaped
	header       http.Header
	body         []byte
}

const (
	fakeUser       = "@status-bot:example.org"
	fakeServerName = "example.org"
)

// newFakeServer starts a server where the user of token has joined rooms,
// a room ID by the room as the channel configures it (an ID, or an alias
// the directory resolves).
func newFakeServer(t *testing.T, token string, rooms map[string]string) *fakeServer {
	f := &fakeServer{t: t, token: token, user: fakeUser, failRoom: map[string]channeltest.Failure{},
		aliases: map[string]string{}, targets: map[string]string{}, txns: map[string]string{},
		replaced: map[string]string{}, admin: map[string]bool{}, powerLevels: map[string]string{},
		refuseRedact: map[string]bool{}, create: map[string]string{}}
	for target, id := range rooms {
		if strings.HasPrefix(target, "#") {
			f.aliases[target] = id
		}
		f.targets[id] = target
		f.joined = append(f.joined, id)
	}
	slices.Sort(f.joined)
	mux := http.NewServeMux()
	mux.HandleFunc("PUT "+pathV3+"/rooms/{room}/send/{type}/{txn}", f.serve(f.send))
	mux.HandleFunc("PUT "+pathV3+"/rooms/{room}/redact/{event}/{txn}", f.serve(f.redact))
	mux.HandleFunc("GET "+pathV3+"/rooms/{room}/event/{event}", f.serve(f.getEvent))
	mux.HandleFunc("GET /_matrix/client/v1/rooms/{room}/relations/{event}/{rel}", f.serve(f.relations))
	mux.HandleFunc("GET "+pathV3+"/directory/room/{alias}", f.serve(f.directory))
	mux.HandleFunc("GET "+pathV3+"/rooms/{room}/state/{type}/{key...}", f.serve(f.state))
	mux.HandleFunc("GET "+pathWhoami, f.serve(f.whoami))
	mux.HandleFunc("GET "+pathV3+"/rooms/{room}/messages", f.serve(f.messages))
	mux.HandleFunc("GET "+pathV3+"/sync", f.serve(f.sync))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		answer(w, http.StatusNotFound, `{"errcode":"M_UNRECOGNIZED","error":"Unrecognized request"}`)
	})
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		echo := f.echo
		f.mu.Unlock()
		if echo {
			channeltest.EchoAnswer(mux).ServeHTTP(w, r)
			return
		}
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

// handler serves one endpoint for an authorised user, with the server's
// lock held; it returns the status and body of the answer.
type handler func(r *http.Request, body []byte) (int, string)

// serve records the request, injects the failure asked for, checks the
// access token, and runs h.
func (f *fakeServer) serve(h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		defer f.mu.Unlock()
		f.requests = append(f.requests, fakeRequest{method: r.Method, path: r.URL.EscapedPath(),
			header: r.Header.Clone(), body: body})
		room := r.PathValue("room")
		if alias := r.PathValue("alias"); alias != "" {
			room = f.aliases[alias]
		}
		failure := f.fail
		if failure == channeltest.FailNone {
			failure = f.failRoom[room]
		}
		if failure == channeltest.FailNone && r.PathValue("type") == "m.room.tombstone" && r.Method == http.MethodGet {
			failure = f.failTombstone
		}
		if failure == channeltest.FailNone && r.PathValue("alias") != "" {
			failure = f.failDirectory
		}
		if failure == channeltest.FailNone && strings.HasSuffix(r.URL.Path, "/messages") {
			failure = f.failMessages
		}
		if failure == channeltest.FailNone && r.Method == http.MethodGet && strings.Contains(r.URL.Path, "/event/") {
			failure = f.failEvent
		}
		if failure == channeltest.FailNone && strings.Contains(r.URL.Path, "/redact/") {
			failure = f.failRedactOf[r.PathValue("event")]
		}
		if failure != channeltest.FailNone {
			failed(w, r, failure)
			return
		}
		switch auth := r.Header.Get("Authorization"); auth {
		case "":
			answer(w, http.StatusUnauthorized, `{"errcode":"M_MISSING_TOKEN","error":"Missing access token"}`)
			return
		case "Bearer " + f.token:
		case "Bearer " + cmp.Or(f.otherToken, f.token):
		default:
			answer(w, http.StatusUnauthorized, `{"errcode":"M_UNKNOWN_TOKEN","error":"Unknown access token","soft_logout":false}`)
			return
		}
		status, out := h(r, body)
		answer(w, status, out)
	}
}

func answer(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

// failed answers as a homeserver, or the proxy before it, fails.
func failed(w http.ResponseWriter, r *http.Request, f channeltest.Failure) {
	switch f {
	case channeltest.FailTransient:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		_, _ = io.WriteString(w, "<html><body><h1>502 Bad Gateway</h1></body></html>")
	case channeltest.FailRateLimited:
		w.Header().Set("Retry-After", "3")
		answer(w, http.StatusTooManyRequests,
			`{"errcode":"M_LIMIT_EXCEEDED","error":"Too Many Requests","retry_after_ms":2500}`)
	case channeltest.FailUnauthorized:
		answer(w, http.StatusUnauthorized, `{"errcode":"M_UNKNOWN_TOKEN","error":"Invalid access token passed.","soft_logout":false}`)
	case channeltest.FailRejected:
		answer(w, http.StatusForbidden, `{"errcode":"M_FORBIDDEN","error":"User `+fakeUser+` not in room"}`)
	case channeltest.FailEcho:
		answer(w, http.StatusBadRequest, echo(r))
	case channeltest.FailForeign:
		channeltest.ForeignPage(w, r, http.StatusOK) // the token is in a header
	}
}

// echo is a debugging server's error answer: the credentials the request
// carried, as is and in the encodings servers echo them in.
func echo(r *http.Request) string {
	auth := r.Header.Get("Authorization")
	token := strings.TrimPrefix(auth, "Bearer ")
	msg, _ := json.Marshal(map[string]string{
		"authorization": auth, "query": "access_token=" + url.QueryEscape(token),
		"base64": base64.StdEncoding.EncodeToString([]byte(token)),
	})
	body, _ := json.Marshal(map[string]string{"errcode": "M_UNKNOWN",
		"error": "bad request " + string(msg) + " php: " + strings.ReplaceAll(string(msg), "/", `\/`) + " raw: " + token})
	return string(body)
}

// send takes an m.room.message.
func (f *fakeServer) send(r *http.Request, body []byte) (int, string) {
	room, txn := r.PathValue("room"), r.PathValue("txn")
	if r.PathValue("type") != "m.room.message" {
		return http.StatusBadRequest, `{"errcode":"M_BAD_JSON","error":"the fake takes m.room.message only"}`
	}
	if !slices.Contains(f.joined, room) {
		return http.StatusForbidden, `{"errcode":"M_FORBIDDEN","error":"User not in room"}`
	}
	if f.replaced[room] != "" && !f.admin[room] { // an upgrade raises the old room's power to post
		return http.StatusForbidden, `{"errcode":"M_FORBIDDEN","error":"sender is not allowed to send event. 0 < 50"}`
	}
	scope := room
	if f.txnAnyRoom {
		scope = ""
	}
	token := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	key := token + "\x00" + scope + "\x00send\x00" + txn
	if id, ok := f.txns[key]; ok { // a retried transaction: the same event
		e := f.event(id)
		if e.kind == "post" {
			f.sends = append(f.sends, e)
		}
		return http.StatusOK, `{"event_id":"` + id + `"}`
	}
	var c content
	if r.Header.Get("Content-Type") != "application/json" || json.Unmarshal(body, &c) != nil {
		return http.StatusBadRequest, `{"errcode":"M_NOT_JSON","error":"Content not JSON."}`
	}
	e := &fakeEvent{room: room, txn: txn, kind: "post", content: c, raw: body, token: token}
	if status, err := f.valid(e); status != 0 {
		return status, err
	}
	f.add(e)
	f.txns[key] = e.id
	if e.kind == "post" {
		f.sends = append(f.sends, e)
	}
	return http.StatusOK, `{"event_id":"` + e.id + `"}`
}

// valid checks e's content and relations; it returns 0 when e is valid,
// and otherwise the status and body of the error answer.
func (f *fakeServer) valid(e *fakeEvent) (int, string) {
	c := e.content
	bad := func(msg string) (int, string) {
		return http.StatusBadRequest, `{"errcode":"M_BAD_JSON","error":"` + msg + `"}`
	}
	switch {
	case c.MsgType != msgText && c.MsgType != msgNotice:
		return bad("msgtype")
	case c.Body == "":
		return bad("body")
	case (c.Format == formatHTML) != (c.FormattedBody != ""):
		return bad("format and formatted_body")
	}
	if rel := c.RelatesTo; rel != nil {
		// As Synapse checks a relation: to an event it does not know
		// (never sent, or purged from the room's history), it is taken
		// only while another event it knows relates to that one.
		target := f.event(rel.EventID)
		switch {
		case target == nil && !f.relatedTo(rel.EventID):
			return http.StatusBadRequest, `{"errcode":"M_UNKNOWN","error":"Can't send relation to unknown event"}`
		case target != nil && target.room != e.room:
			return http.StatusBadRequest, `{"errcode":"M_UNKNOWN","error":"Relations must be in the same room"}`
		}
		switch rel.RelType {
		case relThread:
			if target != nil && target.content.RelatesTo != nil {
				return http.StatusBadRequest, `{"errcode":"M_UNKNOWN","error":"Cannot start threads from an event with a relation"}`
			}
			if rel.InReplyTo != nil && f.event(rel.InReplyTo.EventID) == nil {
				return bad("m.in_reply_to names an unknown event")
			}
		case relReplace:
			if c.NewContent == nil || target == nil || target.kind != "post" {
				return bad("an edit needs m.new_content and an original post")
			}
			e.kind = "edit"
		default:
			return bad("rel_type")
		}
	}
	if len(pdu(e, f.user)) > MaxEventBytes {
		return http.StatusRequestEntityTooLarge, `{"errcode":"M_TOO_LARGE","error":"event too large"}`
	}
	return 0, ""
}

// add gives e an ID and puts it in its room.
func (f *fakeServer) add(e *fakeEvent) {
	sum := sha256.Sum256(fmt.Appendf(nil, "%s/%d", e.room, len(f.events)))
	e.id = "$" + base64.RawURLEncoding.EncodeToString(sum[:])
	f.events = append(f.events, e)
	if e.kind == "edit" {
		orig := f.event(e.content.RelatesTo.EventID)
		orig.edits = append(orig.edits, e)
	}
}

// relatedTo reports whether an event relates to the event id
// (m.relates_to), as Synapse's event_relations table knows it.
func (f *fakeServer) relatedTo(id string) bool {
	return slices.ContainsFunc(f.events, func(e *fakeEvent) bool {
		return e.content.RelatesTo != nil && e.content.RelatesTo.EventID == id
	})
}

func (f *fakeServer) event(id string) *fakeEvent {
	for _, e := range f.events {
		if e.id == id {
			return e
		}
	}
	return nil
}

// redact redacts an event.
func (f *fakeServer) redact(r *http.Request, body []byte) (int, string) {
	room, id := r.PathValue("room"), r.PathValue("event")
	if !slices.Contains(f.joined, room) {
		return http.StatusForbidden, `{"errcode":"M_FORBIDDEN","error":"User not in room"}`
	}
	if f.replaced[room] != "" && !f.admin[room] || f.refuseRedact[room] { // a redaction is an event, under the same raised power
		if f.redact500 { // as Dendrite v0.13.8 answers it
			return http.StatusInternalServerError, `{"Err":""}`
		}
		return http.StatusForbidden, `{"errcode":"M_FORBIDDEN","error":"sender is not allowed to send event. 0 < 50"}`
	}
	if !json.Valid(body) {
		return http.StatusBadRequest, `{"errcode":"M_NOT_JSON","error":"Content not JSON."}`
	}
	key := f.token + "\x00" + room + "\x00redact\x00" + r.PathValue("txn")
	if rid, ok := f.txns[key]; ok {
		return http.StatusOK, `{"event_id":"` + rid + `"}`
	}
	e := f.event(id)
	if f.redactNotFound[id] {
		return http.StatusNotFound, `{"errcode":"M_NOT_FOUND","error":"Event not found."}`
	}
	if (e == nil || e.room != room) && f.synapseUnknown {
		red := &fakeEvent{room: room, kind: "redaction"}
		f.add(red)
		f.txns[key] = red.id
		return http.StatusOK, `{"event_id":"` + red.id + `"}`
	}
	if e == nil || e.room != room {
		return http.StatusNotFound, `{"errcode":"M_NOT_FOUND","error":"Event not found."}`
	}
	e.redacted = true
	red := &fakeEvent{room: room, kind: "redaction"}
	f.add(red)
	f.txns[key] = red.id
	return http.StatusOK, `{"event_id":"` + red.id + `"}`
}

// getEvent returns an event in the client format; a redacted one with an
// empty content and the redaction in unsigned, as homeservers serve it.
func (f *fakeServer) getEvent(r *http.Request, _ []byte) (int, string) {
	room, id := r.PathValue("room"), r.PathValue("event")
	if !slices.Contains(f.joined, room) {
		return http.StatusForbidden, `{"errcode":"M_FORBIDDEN","error":"User not in room"}`
	}
	e := f.event(id)
	if e == nil || e.room != room || f.unread[id] {
		return http.StatusNotFound, `{"errcode":"M_NOT_FOUND","error":"Event not found"}`
	}
	content, unsigned := json.RawMessage(e.raw), `{"age":1200}`
	if n := len(e.edits); n > 0 { // the latest edit, bundled
		last := e.edits[n-1]
		b, _ := json.Marshal(map[string]any{"m.relations": map[string]any{"m.replace": map[string]any{
			"content": json.RawMessage(last.raw), "event_id": last.id, "origin_server_ts": 1741944414000,
			"room_id": room, "sender": f.user, "type": "m.room.message"}}})
		unsigned = string(b)
	}
	if e.redacted && !f.staleRedaction[id] {
		content = json.RawMessage(`{}`)
		unsigned = `{"age":1200,"redacted_because":{"type":"m.room.redaction","sender":"` + f.user +
			`","redacts":"` + id + `","content":{},"event_id":"$redaction"}}`
	}
	b, _ := json.Marshal(map[string]any{"content": content, "event_id": id, "origin_server_ts": 1741944413000,
		"room_id": room, "sender": cmp.Or(e.sender, f.user), "type": "m.room.message", "unsigned": json.RawMessage(unsigned)})
	return http.StatusOK, string(b)
}

// relations lists the m.replace events of an event, a page at a time,
// newest first, as GET /_matrix/client/v1/rooms/{roomId}/relations/{eventId}/{relType}
// does: limit events (5 unless asked, at most relMax), from the offset in
// from, and next_batch while more are left. Redacted edits are listed
// as redacted events are served.
func (f *fakeServer) relations(r *http.Request, _ []byte) (int, string) {
	room, id := r.PathValue("room"), r.PathValue("event")
	if f.noRel {
		return http.StatusNotFound, `{"errcode":"M_UNRECOGNIZED","error":"Unrecognized request"}`
	}
	if !slices.Contains(f.joined, room) {
		return http.StatusForbidden, `{"errcode":"M_FORBIDDEN","error":"User not in room"}`
	}
	e := f.event(id)
	if (e == nil || e.room != room) && f.synapseUnknown {
		return http.StatusNotFound, `{"errcode":"M_UNKNOWN","error":"Unknown parent event."}`
	}
	if e == nil || e.room != room {
		return http.StatusNotFound, `{"errcode":"M_NOT_FOUND","error":"Event not found"}`
	}
	var edits []*fakeEvent
	if r.PathValue("rel") == relReplace {
		edits = slices.Clone(e.edits[:max(len(e.edits)-f.relLag, 0)])
		slices.Reverse(edits)
	}
	limit, from := 5, 0
	if l, err := strconv.Atoi(r.URL.Query().Get("limit")); err == nil && l > 0 {
		limit = l
	}
	limit = min(limit, cmp.Or(f.relMax, 50))
	if v := r.URL.Query().Get("from"); v != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(v, "rel_"))
		if err != nil || n < 0 || n > len(edits) {
			return http.StatusBadRequest, `{"errcode":"M_INVALID_PARAM","error":"invalid from"}`
		}
		from = n
	}
	page := map[string]any{"chunk": []any{}}
	chunk := []any{}
	for _, ed := range edits[from:min(from+limit, len(edits))] {
		content, unsigned := json.RawMessage(ed.raw), json.RawMessage(`{"age":900}`)
		if ed.redacted {
			content = json.RawMessage(`{}`)
			unsigned = json.RawMessage(`{"age":900,"redacted_because":{"type":"m.room.redaction","sender":"` + f.user +
				`","redacts":"` + ed.id + `","content":{},"event_id":"$redaction"}}`)
		}
		chunk = append(chunk, map[string]any{"content": content, "event_id": ed.id, "origin_server_ts": 1741944414000,
			"room_id": room, "sender": cmp.Or(ed.sender, f.user), "type": "m.room.message", "unsigned": unsigned})
	}
	page["chunk"] = chunk
	if from+limit < len(edits) {
		page["next_batch"] = "rel_" + strconv.Itoa(from+limit)
	} else if f.relWrap {
		page["next_batch"] = "rel_0"
	}
	b, _ := json.Marshal(page)
	return http.StatusOK, string(b)
}

func (f *fakeServer) directory(r *http.Request, _ []byte) (int, string) {
	alias := r.PathValue("alias")
	id, ok := f.aliases[alias]
	if !ok {
		return http.StatusNotFound, `{"errcode":"M_NOT_FOUND","error":"Room alias not found."}`
	}
	return http.StatusOK, `{"room_id":"` + id + `","servers":["` + fakeServerName + `"]}`
}

// state answers for a room's m.room.tombstone, which an upgrade leaves in
// the old room, the user's m.room.member, m.room.power_levels, and
// m.room.create where the test gives one; the fake's rooms have no other
// state.
func (f *fakeServer) state(r *http.Request, _ []byte) (int, string) {
	room := r.PathValue("room")
	if m, ok := f.membership[room]; ok && r.PathValue("type") == "m.room.member" && r.PathValue("key") == f.user {
		return http.StatusOK, `{"membership":"` + m + `"}`
	}
	switch {
	case !slices.Contains(f.joined, room):
		return http.StatusForbidden, `{"errcode":"M_FORBIDDEN","error":"User not in room"}`
	case r.PathValue("type") == "m.room.member" && r.PathValue("key") == f.user:
		return http.StatusOK, `{"membership":"join","displayname":"Status bot"}`
	case r.PathValue("type") == "m.room.power_levels" && r.PathValue("key") == "" && f.powerLevels[room] != "":
		return http.StatusOK, f.powerLevels[room]
	case r.PathValue("type") == "m.room.create" && r.PathValue("key") == "" && f.create[room] != "":
		if r.URL.Query().Get("format") == "event" && !f.noEventFormat {
			return http.StatusOK, f.create[room]
		}
		var ev struct {
			Content json.RawMessage `json:"content"`
		}
		_ = json.Unmarshal([]byte(f.create[room]), &ev)
		return http.StatusOK, string(ev.Content)
	case r.PathValue("type") == "m.room.power_levels" && r.PathValue("key") == "":
		if f.replaced[room] != "" && !f.admin[room] { // an upgrade raises the power to send any event
			return http.StatusOK, `{"users":{"@admin:example.org":100},"users_default":0,"events_default":50}`
		}
		return http.StatusOK, `{"users":{"@admin:example.org":100},"users_default":0,"events_default":0}`
	case r.PathValue("type") == "m.room.tombstone" && r.PathValue("key") == "" && f.tombstone[room] != "":
		return http.StatusOK, f.tombstone[room]
	case r.PathValue("type") == "m.room.tombstone" && r.PathValue("key") == "" && f.replaced[room] != "":
		return http.StatusOK, `{"body":"This room has been replaced","replacement_room":"` + f.replaced[room] + `"}`
	}
	return http.StatusNotFound, `{"errcode":"M_NOT_FOUND","error":"Cannot find state event"}`
}

// messages lists a room's events, newest first, as GET
// /rooms/{roomId}/messages?dir=b does: limit events (10 unless asked),
// from the offset in from, those of the filter's senders and types alone,
// and end while more are left. An event's unsigned holds its transaction
// ID only for the access token that sent it, as the specification gives
// it to the client that sent the event alone; a forgotten transaction
// (see forget) is still there.
func (f *fakeServer) messages(r *http.Request, _ []byte) (int, string) {
	room, q := r.PathValue("room"), r.URL.Query()
	if !slices.Contains(f.joined, room) {
		return http.StatusForbidden, `{"errcode":"M_FORBIDDEN","error":"User not in room"}`
	}
	if q.Get("dir") != "b" {
		return http.StatusBadRequest, `{"errcode":"M_INVALID_PARAM","error":"the fake pages backwards only"}`
	}
	var filter eventFilter
	if v := q.Get("filter"); v != "" && json.Unmarshal([]byte(v), &filter) != nil {
		return http.StatusBadRequest, `{"errcode":"M_INVALID_PARAM","error":"invalid filter"}`
	}
	events := f.roomEvents(room, filter)
	slices.Reverse(events)
	limit, from := 10, 0
	if l, err := strconv.Atoi(q.Get("limit")); err == nil && l > 0 {
		limit = l
	}
	if v := q.Get("from"); v != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(v, "t_"))
		if err != nil || n < 0 || n > len(events) {
			return http.StatusBadRequest, `{"errcode":"M_INVALID_PARAM","error":"invalid from"}`
		}
		from = n
	}
	chunk := []any{}
	for _, e := range events[from:min(from+limit, len(events))] {
		chunk = append(chunk, f.clientEvent(r, e, !f.noTxnOnMessages))
	}
	page := map[string]any{"chunk": chunk, "start": "t_" + strconv.Itoa(from)}
	if from+limit < len(events) {
		page["end"] = "t_" + strconv.Itoa(from+limit)
	}
	b, _ := json.Marshal(page)
	return http.StatusOK, string(b)
}

// eventFilter is the part of a RoomEventFilter the fake applies.
type eventFilter struct {
	Limit   int      `json:"limit"`
	Senders []string `json:"senders"`
	Types   []string `json:"types"`
}

// eventType is e's event type.
func eventType(e *fakeEvent) string {
	if e.kind == "redaction" {
		return "m.room.redaction"
	}
	return "m.room.message"
}

// roomEvents returns room's events that filter lets through, oldest first.
func (f *fakeServer) roomEvents(room string, filter eventFilter) []*fakeEvent {
	var out []*fakeEvent
	for _, e := range f.events {
		if e.room == room && (filter.Senders == nil || slices.Contains(filter.Senders, cmp.Or(e.sender, f.user))) &&
			(filter.Types == nil || slices.Contains(filter.Types, eventType(e))) {
			out = append(out, e)
		}
	}
	return out
}

// clientEvent returns e as the client of r is given it: its unsigned
// holds its transaction ID, with txn, when r's access token sent it.
func (f *fakeServer) clientEvent(r *http.Request, e *fakeEvent, txn bool) map[string]any {
	unsigned := map[string]any{"age": 1200}
	if txn && e.txn != "" && "Bearer "+e.token == r.Header.Get("Authorization") {
		unsigned["transaction_id"] = e.txn
	}
	return map[string]any{"content": json.RawMessage(cmp.Or(string(e.raw), "{}")), "event_id": e.id,
		"origin_server_ts": 1741944413000, "room_id": e.room, "sender": cmp.Or(e.sender, f.user),
		"type": eventType(e), "unsigned": unsigned}
}

// sync answers an initial GET /sync: the timeline of each room the user
// has joined (those the filter's room list names), its
// latest events that the timeline filter lets through, with the
// transaction IDs of the access token's own; nothing else.
func (f *fakeServer) sync(r *http.Request, _ []byte) (int, string) {
	var filter struct {
		Room struct {
			Rooms    []string    `json:"rooms"`
			Timeline eventFilter `json:"timeline"`
		} `json:"room"`
	}
	if v := r.URL.Query().Get("filter"); v != "" && json.Unmarshal([]byte(v), &filter) != nil {
		return http.StatusBadRequest, `{"errcode":"M_INVALID_PARAM","error":"invalid filter"}`
	}
	if r.URL.Query().Get("since") != "" {
		return http.StatusBadRequest, `{"errcode":"M_INVALID_PARAM","error":"the fake syncs from the start only"}`
	}
	join := map[string]any{}
	for _, room := range f.joined {
		if filter.Room.Rooms != nil && !slices.Contains(filter.Room.Rooms, room) {
			continue
		}
		events := f.roomEvents(room, filter.Room.Timeline)
		limit := cmp.Or(filter.Room.Timeline.Limit, 10)
		limited := len(events) > limit
		events = events[max(0, len(events)-limit):]
		timeline := []any{}
		for _, e := range events {
			ev := f.clientEvent(r, e, true)
			delete(ev, "room_id") // the sync format
			timeline = append(timeline, ev)
		}
		join[room] = map[string]any{"timeline": map[string]any{"events": timeline, "limited": limited}}
	}
	b, _ := json.Marshal(map[string]any{"next_batch": "s_" + strconv.Itoa(len(f.events)),
		"rooms": map[string]any{"join": join}})
	return http.StatusOK, string(b)
}

// forget forgets every transaction ID of a send, as a homeserver does
// after a while (Dendrite: 30 to 60 minutes) or when it restarts: a send
// under one of them makes a new event. The events keep theirs.
func (f *fakeServer) forget() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for k := range f.txns {
		if strings.Contains(k, "\x00send\x00") {
			delete(f.txns, k)
		}
	}
}

func (f *fakeServer) whoami(*http.Request, []byte) (int, string) {
	return http.StatusOK, `{"user_id":"` + f.user + `","device_id":"OUTAGECAST","is_guest":false}`
}

// Received returns one Delivery per post the server accepted, a repeated
// transaction again (the channeltest suite counts requests: a homeserver
// answers a repeat with the first event, posting nothing new; rooms
// shows the timeline), with its latest edit applied. Parts holds the
// event in the federation format, whose size the 65,536-byte limit
// applies to. ReplyTo is the thread root in the post's own room.
func (f *fakeServer) Received() []channeltest.Delivery {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]channeltest.Delivery, 0, len(f.sends))
	for _, e := range f.sends {
		shown := e
		text := e.content.Body
		if n := len(e.edits); n > 0 {
			shown = e.edits[n-1]
			text = shown.content.NewContent.Body
		}
		// The transaction ID is the Message.Key of the room as configured,
		// in a room an alias names or one that replaced it with "." and
		// the room's digest (sendKey).
		key, _, _ := strings.Cut(e.txn, ".")
		d := channeltest.Delivery{Text: text, Parts: []string{pdu(shown, f.user)}, ID: e.id,
			Target: f.targets[e.room], Key: key, Deleted: e.redacted}
		if rel := e.content.RelatesTo; rel != nil && rel.RelType == relThread {
			d.ReplyTo = rel.EventID
		}
		out = append(out, d)
	}
	return out
}

// timeline returns the posts in each room, as its timeline shows them: once
// each, edits applied, redacted ones left out; keyed by the room as the
// channel configures it.
func (f *fakeServer) timeline() map[string][]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string][]string{}
	for _, e := range f.events {
		if e.kind != "post" || e.redacted {
			continue
		}
		text := e.content.Body
		if n := len(e.edits); n > 0 {
			text = e.edits[n-1].content.NewContent.Body
		}
		out[f.targets[e.room]] = append(out[f.targets[e.room]], text)
	}
	return out
}

func (f *fakeServer) Fail(failure channeltest.Failure) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.echo = failure == channeltest.FailEchoDelivered
	if f.echo { // the homeserver's answer, echoed
		failure = channeltest.FailNone
	}
	f.fail = failure
}

// FailTarget fails the requests about the room the channel configures as
// target.
func (f *fakeServer) FailTarget(target string, failure channeltest.Failure) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for id, t := range f.targets {
		if t == target {
			f.failRoom[id] = failure
		}
	}
}

// requestLog returns the requests so far.
func (f *fakeServer) requestLog() []fakeRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.requests)
}

// pdu returns e as a homeserver stores and federates it, in canonical JSON
// (sorted keys, no insignificant white space), with a generous envelope:
// 20 prev_events and 4 auth_events.
func pdu(e *fakeEvent, sender string) string {
	var content any
	_ = json.Unmarshal(e.raw, &content)
	ids := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = "$" + strings.Repeat("A", 43)
		}
		return out
	}
	ev := map[string]any{
		"auth_events": ids(4), "prev_events": ids(20), "content": content, "depth": 2147483647,
		"hashes": map[string]string{"sha256": strings.Repeat("h", 43)}, "origin_server_ts": 1741944413000,
		"room_id": e.room, "sender": sender, "type": "m.room.message",
		"signatures": map[string]any{fakeServerName: map[string]string{"ed25519:a_AbCd": strings.Repeat("s", 86)}},
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(ev)
	return strings.TrimSuffix(b.String(), "\n")
}
