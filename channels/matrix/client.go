package matrix

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/httpx"
)

// Paths of the client-server API.
const (
	pathV3     = "/_matrix/client/v3"
	pathWhoami = pathV3 + "/account/whoami"
)

// eventAnswerLimit is the most bytes one event takes in a homeserver's
// answer: MaxEventBytes in the homeserver's canonical JSON, which a server
// may write six times as long: Dendrite, written in Go, writes each "<",
// ">" and "&" as "\u003c", and a server may write every character
// outside ASCII as \u escapes (six bytes for each two or three).
const eventAnswerLimit = 6 * MaxEventBytes

// responseLimit bounds the response body read: an event the channel
// reads back before editing it comes with its latest edit and its
// thread's latest reply bundled, and a page of edits holds editsPerPage
// events (see edits).
const responseLimit = 4 * eventAnswerLimit

// errNotHomeserver ends the error of an answer that is not a homeserver's.
var errNotHomeserver = errors.New("not a homeserver's answer (check Config.Homeserver: the m.homeserver base_url of the server's /.well-known/matrix/client)")

// errLimitExceeded is the Matrix error code of a rate limit.
const errLimitExceeded = "M_LIMIT_EXCEEDED"

// Error is an error answer of the homeserver: the HTTP status, and the
// Matrix error code and message of its standard error body. Send, Edit,
// Retract and Check return it wrapped, per room; find it with errors.As in
// the errors of a broadcast.TargetsError's failures.
type Error struct {
	Status  int    // HTTP status, as 403
	Code    string // Matrix error code, as "M_FORBIDDEN"; "" when the body had none
	Message string // the server's message, at most 512 bytes, the access token redacted; a redirect's: where it points
}

// Error returns "M_FORBIDDEN (http 403): You are not invited to this room."
func (e *Error) Error() string {
	s := fmt.Sprintf("http %d", e.Status)
	if e.Code != "" {
		s = e.Code + " (" + s + ")"
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// errorBody is the standard error body of the client-server API.
// RetryAfterMS is kept as sent and read by retryAfterMS: a JSON number,
// which a server may write with a fraction or an exponent ("1500.5",
// "2e3") or beyond 64 bits, none of which may cost the body its errcode
// or the wait.
type errorBody struct {
	ErrCode      string          `json:"errcode"`
	Error        string          `json:"error"`
	RetryAfterMS json.RawMessage `json:"retry_after_ms"`
}

// retryAfterMS returns the seconds retry_after_ms names, raw as sent: any
// JSON number, one beyond a float64 as +Inf (httpx.Seconds caps it); 0 for
// anything else (a string, null, absent).
func retryAfterMS(raw json.RawMessage) float64 {
	if len(raw) == 0 || raw[0] != '-' && (raw[0] < '0' || raw[0] > '9') {
		return 0
	}
	ms, err := strconv.ParseFloat(string(raw), 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0
	}
	return ms / 1000
}

// reply is the body of a 2xx answer, as an endpoint of the
// client-server API answers it.
type reply interface {
	// ours reports whether the decoded answer holds what the homeserver
	// always answers the endpoint with (an event_id, a user_id, …).
	ours() bool
}

// call makes one request of the client-server API, with body as JSON when
// it is not nil, and decodes a 2xx answer into out. A whole 2xx that is
// not such an answer (a captive portal's page, JSON of another service)
// is another server's: Permanent, wrapping errNotHomeserver, and
// broadcast.Uncertain too when it is JSON answering a write (a relay's
// echo, the request perhaps passed on). One cut at
// responseLimit is transient: every request the channel makes can be
// repeated without a second effect (a transaction ID makes a send or a
// redaction idempotent). Errors are redacted of the access token here,
// the one place a server's words enter them.
func (c *Channel) call(ctx context.Context, method, path string, body []byte, out reply) error {
	ctype := ""
	if body != nil {
		ctype = "application/json"
	}
	req, err := httpx.NewRequest(ctx, method, c.s.base+path, body, ctype)
	if err != nil {
		return broadcast.Permanent(err)
	}
	req.Header.Set("Authorization", "Bearer "+c.s.token.Reveal())
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", UserAgent)
	resp, err := httpx.Do(c.s.client, req, responseLimit, c.s.redactor)
	if err != nil {
		return c.s.redactor.Error(err)
	}
	if err := c.classify(resp, time.Now()); err != nil {
		return err
	}
	if json.Unmarshal(resp.Body, out) == nil && out.ours() {
		return nil
	}
	if resp.Truncated {
		return fmt.Errorf("http %d with an answer longer than %d bytes", resp.Status, responseLimit)
	}
	e := &Error{Status: resp.Status, Message: httpx.BodySnippet(c.s.redactor, resp)}
	err = broadcast.Permanent(fmt.Errorf("%w; %w", e, errNotHomeserver))
	if method != http.MethodGet && !httpx.NotJSON(resp) {
		// JSON that is no homeserver's answer to a write (a relay's echo
		// of the request, which it may have passed on): what the
		// homeserver did is unknown. A page that is not JSON (a captive
		// portal's) shows that nothing reached it.
		err = broadcast.Uncertain(err)
	}
	return err
}

// classify returns nil for a 2xx answer, and otherwise an *Error, marked
// by httpx.MarkWait with the wait retryAfter reads: a rate limit (429 or
// M_LIMIT_EXCEEDED) waits it, else httpx.RateLimitWait; 408, 425 and 5xx
// but 501 are transient, after the wait when there is one; the rest (401
// M_UNKNOWN_TOKEN, 403 M_FORBIDDEN, 413 M_TOO_LARGE, …) is Permanent. An
// answer that is not a homeserver's (httpx.Foreign) says so and names
// Config.Homeserver: every endpoint of the client-server API answers JSON,
// an error with an errcode, one it does not know 404 or 405 M_UNRECOGNIZED,
// so it comes from another server (the server name's web site rather than
// the base_url of its /.well-known/matrix/client).
func (c *Channel) classify(r *httpx.Response, now time.Time) error {
	if r.Status >= 200 && r.Status <= 299 {
		return nil
	}
	var eb errorBody
	_ = json.Unmarshal(r.Body, &eb) // not JSON: the body is the message
	e := &Error{Status: r.Status, Code: httpx.RedactedSnippet(c.s.redactor, eb.ErrCode),
		Message: httpx.RedactedSnippet(c.s.redactor, eb.Error)}
	if eb.Error == "" {
		e.Message = httpx.BodySnippet(c.s.redactor, r)
	}
	err := error(e)
	why, foreign := httpx.Foreign(r, eb.ErrCode != "")
	if foreign {
		e.Message = cmp.Or(e.Message, c.s.redactor.String(why))
		err = fmt.Errorf("%w; %w", e, errNotHomeserver)
	}
	d, ok := retryAfter(r.Header, retryAfterMS(eb.RetryAfterMS), now)
	err = httpx.MarkWait(err, r.Status == http.StatusTooManyRequests || eb.ErrCode == errLimitExceeded,
		httpx.Transient(r.Status), d, ok)
	if !foreign && (eb.ErrCode == "M_UNKNOWN_TOKEN" || eb.ErrCode == "M_MISSING_TOKEN") {
		// "The access or refresh token specified was not recognised" and
		// "No access token was specified for the request"
		// (https://spec.matrix.org/latest/client-server-api/#common-error-codes):
		// the token itself. Not M_FORBIDDEN (a room's refusal of the
		// account) nor M_USER_LOCKED (the account's state); nor
		// another server's answer (a redirect), whatever its body says.
		err = httpx.CredentialRefused(err, "Config.AccessToken")
	}
	return err
}

// retryAfter is the wait the homeserver names: the Retry-After header (the
// specification's since v1.10) unless it is already over, else
// retry_after_ms, in seconds as secs (httpx.Seconds).
func retryAfter(h http.Header, secs float64, now time.Time) (time.Duration, bool) {
	d, ok := httpx.RetryAfter(h, now)
	if d <= 0 && secs > 0 {
		return httpx.Seconds(secs)
	}
	return d, ok
}

// roomPath is the path of a room's endpoint: /rooms/{roomId}/ and the
// segments, each escaped.
func roomPath(room string, segments ...string) string {
	p := pathV3 + "/rooms/" + url.PathEscape(room)
	for _, s := range segments {
		p += "/" + url.PathEscape(s)
	}
	return p
}

// room returns the room ID of target: target itself when it is a room ID
// (or, once upgraded followed an upgrade, the room that replaced it), else
// the alias resolved through the room directory, afresh for each post: an
// alias moves to another room, and the room it named before may still
// take the account's posts, where no one reads them. When the directory
// fails for now (5xx, a rate limit, a transport error), the room the
// alias named last is taken, rather than hold the post.
func (c *Channel) room(ctx context.Context, target string) (string, error) {
	c.s.mu.Lock()
	last, ok := c.s.rooms[target]
	c.s.mu.Unlock()
	if strings.HasPrefix(target, "!") {
		return cmp.Or(last, target), nil
	}
	id, err := c.resolve(ctx, target)
	if err != nil && ok && !broadcast.IsPermanent(err) && !everyRoom(err) && ctx.Err() == nil {
		return last, nil
	}
	return id, err
}

// moved returns the room target names now, when room, target's room until
// now, refused a post: the room an alias names when looked up again, or
// else the replacement of an upgraded room (its m.room.tombstone), which
// room then returns for target. It reports false when neither is another
// room. An alias that still names old, the upgraded room that room
// replaced (an alias the upgrade did not move), does not lead back there:
// no one reads it, though the account may still post there.
func (c *Channel) moved(ctx context.Context, target, room, old string) (string, bool) {
	if !strings.HasPrefix(target, "!") {
		if now, err := c.resolve(ctx, target); err == nil && now != room && now != old {
			return now, true
		}
	}
	now, _, err := c.replacedBy(ctx, room)
	if err != nil || now == "" {
		return "", false
	}
	c.s.mu.Lock()
	c.s.rooms[target] = now
	c.s.mu.Unlock()
	return now, true
}

// maxUpgrades bounds the upgrades upgraded follows in one go, so that
// rooms whose tombstones name each other cannot hold a post.
const maxUpgrades = 8

// upgraded returns the room that replaced room, target's room until now,
// when room was upgraded (its m.room.tombstone names the replacement),
// following later upgrades of that one too; room then returns it for
// target. An upgrade leaves the old room to its admins alone: an account
// that may still post there (the room's creator) would otherwise post
// where no one reads. Rooms whose tombstones lead back to one already
// followed (A→B→A) have no replacement to settle in: room is kept, so
// that every post goes to the same room and thread. It reports false when
// room has no replacement, or its state cannot be read for good (403):
// the post's own answer then tells. A failure a retry may get past (5xx,
// a rate limit, a transport error) is returned, as is an answer every
// room would get (see everyRoom): posting without knowing would leave the
// update in a replaced room the account may still post in.
func (c *Channel) upgraded(ctx context.Context, target, room string) (string, bool, error) {
	now, loop, err := c.successor(ctx, room)
	if err != nil || loop || now == room {
		return "", false, err
	}
	c.s.mu.Lock()
	c.s.rooms[target] = now
	c.s.mu.Unlock()
	return now, true, nil
}

// successor returns the last room of room's upgrades, following each
// m.room.tombstone's replacement (see replacement) at most maxUpgrades
// on: room itself when it has none. loop reports replacements that lead
// back to a room already followed (A→B→A): none of them replaced the
// others.
func (c *Channel) successor(ctx context.Context, room string) (last string, loop bool, err error) {
	seen := []string{room}
	last = room
	for range maxUpgrades {
		to, err := c.replacement(ctx, last)
		if err != nil {
			return "", false, err
		}
		if to == "" {
			break
		}
		if slices.Contains(seen, to) {
			return room, true, nil
		}
		seen = append(seen, to)
		last = to
	}
	return last, false, nil
}

// replacement returns the room that replaced room, as its m.room.tombstone
// names it, or "" when it names none, or room's state cannot be read for
// good (403: the account is not in the room, whose own answer tells). It
// returns a failure a retry may get past (5xx, a rate limit, a transport
// error) and an answer every room would get (see everyRoom).
func (c *Channel) replacement(ctx context.Context, room string) (string, error) {
	to, _, err := c.replacedBy(ctx, room)
	if everyRoom(err) || err != nil && !broadcast.IsPermanent(err) {
		return "", fmt.Errorf("read the room's m.room.tombstone: %w", err)
	}
	if err != nil {
		return "", nil
	}
	return to, nil
}

// resolve looks the alias target up in the room directory, and keeps the
// answer for room. An alias can move to another room: a room upgraded to
// a new version takes its aliases along.
func (c *Channel) resolve(ctx context.Context, target string) (string, error) {
	var dir directoryAnswer
	if err := c.call(ctx, http.MethodGet, pathV3+"/directory/room/"+url.PathEscape(target), nil, &dir); err != nil {
		return "", fmt.Errorf("resolve alias: %w", err)
	}
	c.s.mu.Lock()
	c.s.rooms[target] = dir.RoomID
	c.s.mu.Unlock()
	return dir.RoomID, nil
}

// refused reports whether err, a room's answer to a post, refuses the
// account the room (403: not a member, or without power to post, as in a
// room replaced by an upgrade) or does not know it (404): the room's
// target may name another one now (see moved).
func refused(err error) bool {
	var e *Error
	return errors.As(err, &e) && (e.Status == http.StatusForbidden || e.Status == http.StatusNotFound) &&
		!errors.Is(err, errNotHomeserver)
}

// rootGone reports whether err, a room's refusal of a post in the thread
// whose root is root, comes of the homeserver no longer knowing root
// (purged from the room's history by a retention policy or an admin's
// purge): a 400 (Synapse: M_UNKNOWN "Can't send relation to unknown
// event", once no reply of the thread is left either), and root read back
// (GET /rooms/{roomId}/event/{eventId}) answers 404 M_NOT_FOUND. A root
// redacted is still known, and a 400 for another reason stays as it is.
// A read back that fails for now (5xx, a rate limit, a transport error)
// returns its error: whether the root is gone is not known yet, and a
// retry reads it again.
func (c *Channel) rootGone(ctx context.Context, room, root string, err error) (bool, error) {
	var e *Error
	if !errors.As(err, &e) || e.Status != http.StatusBadRequest || errors.Is(err, errNotHomeserver) {
		return false, nil
	}
	var ev roomEvent
	rerr := c.call(ctx, http.MethodGet, roomPath(room, "event", root), nil, &ev)
	var re *Error
	switch {
	case rerr == nil:
		return false, nil
	case errors.As(rerr, &re) && re.Status == http.StatusNotFound && re.Code == "M_NOT_FOUND" &&
		!errors.Is(rerr, errNotHomeserver):
		return true, nil
	case everyRoom(rerr) || !broadcast.IsPermanent(rerr):
		return false, fmt.Errorf("the post in the thread of %s was refused (%v), and the root could not be read back: %w",
			root, err, rerr)
	}
	return false, nil
}

// directoryAnswer is the room directory's answer for an alias.
type directoryAnswer struct {
	RoomID string `json:"room_id"`
}

func (a *directoryAnswer) ours() bool { return validID('!', a.RoomID) }

// eventAnswer is the answer to a send or a redaction.
type eventAnswer struct {
	EventID string `json:"event_id"`
}

func (a *eventAnswer) ours() bool { return validID('$', a.EventID) }

// validID reports whether id is a room ID ('!'), event ID ('$') or user
// ID ('@') as the specification allows a homeserver to answer with one:
// the sigil, then at most maxIDLength bytes in all, of valid UTF-8 with no
// white space, control or format character (a terminal escape, a
// right-to-left override). The channel puts such IDs in request paths,
// receipts and errors: one a server made up otherwise is not taken.
func validID(sigil byte, id string) bool {
	return len(id) > 1 && len(id) <= maxIDLength && id[0] == sigil && utf8.ValidString(id) &&
		!strings.ContainsFunc(id, func(r rune) bool { return r == ' ' || !unicode.IsPrint(r) })
}

// send sends an m.room.message of c to room with the transaction ID txn,
// and returns the event's ID.
func (c *Channel) send(ctx context.Context, room, txn string, body []byte) (string, error) {
	var a eventAnswer
	if err := c.call(ctx, http.MethodPut, roomPath(room, "send", "m.room.message", txn), body, &a); err != nil {
		return "", err
	}
	return a.EventID, nil
}

// sendKey is the transaction ID of a post under key, the Message.Key of
// target, a room as configured, in the room room: key when room is target
// itself (a room configured by its ID, where posts went under key before
// this rule, so that a retry of one made then is not posted again); else
// (a room an alias names, a room that replaced an upgraded one) key, "."
// and 16 hex digits of room's SHA-256. Homeservers keep transaction IDs
// per access token (or device), some whatever the room: under key alone,
// the post in a room that replaced an upgraded one, or that an alias
// moved to, after a post of the same update in the old room (its answer
// lost, or its mark), would be answered with the old room's event, and
// never made. It is the same on every attempt in one room.
func sendKey(key, target, room string) string {
	if room == target {
		return key
	}
	sum := sha256.Sum256([]byte("outagecast-room-v1;" + room))
	return key + "." + hex.EncodeToString(sum[:8])
}

// redactKey is the transaction ID of the redaction of event in room: the
// same on every attempt, so the homeserver can tell a retry.
func redactKey(room, event string) string {
	sum := sha256.Sum256([]byte("outagecast-redact-v1;" + room + ";" + event))
	return hex.EncodeToString(sum[:16])
}

// The look-up of a post by its transaction ID (see sent) reads at most
// lookbackEvents of the account's latest events in the room: by
// /messages, lookbackPage at a time (a page within responseLimit with
// events of the usual size; one too long to read fails the look-up), in
// at most lookbackPages requests (a page may come empty with more after
// it), or by one /sync.
const (
	lookbackEvents = 50
	lookbackPage   = 10
	lookbackPages  = 2 * lookbackEvents / lookbackPage
)

// sent returns the event the account sent to room under the transaction
// ID txn, found among its lookbackEvents latest events there: the
// specification gives an event's unsigned transaction_id to the client
// that sent it (the same access token, or its device), whether or not the
// homeserver still remembers the transaction ID for a send. They are read
// with GET /rooms/{roomId}/messages?dir=b, filtered on the account as
// sender and on m.room.message. A homeserver that gives no event there a
// transaction ID (Dendrite gives them on /sync alone) is asked again with
// GET /sync, filtered on the room, its timeline the same way (see
// sentBySync). It reports false when none of the events carries txn, and
// returns the error of a read that failed. It takes at most half the time
// left until ctx's deadline (the attempt's), so that a read that does not
// answer (an initial /sync of an account in many rooms) leaves the post's
// own request the rest, rather than fail it, and every retry after it.
func (c *Channel) sent(ctx context.Context, room, txn string) (string, bool, error) {
	if end, ok := ctx.Deadline(); ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, time.Now().Add(time.Until(end)/2))
		defer cancel()
	}
	me, err := c.whoami(ctx)
	if err != nil {
		return "", false, err
	}
	filter, _ := json.Marshal(map[string][]string{"senders": {me}, "types": {"m.room.message"}})
	from, tokens, txns := "", map[string]bool{}, false
	for read, pages := 0, 0; read < lookbackEvents && pages < lookbackPages; pages++ {
		q := url.Values{"dir": {"b"}, "limit": {strconv.Itoa(min(lookbackPage, lookbackEvents-read))},
			"filter": {string(filter)}}
		if from != "" {
			q.Set("from", from)
		}
		var page messagesPage
		if err := c.call(ctx, http.MethodGet, roomPath(room, "messages")+"?"+q.Encode(), nil, &page); err != nil {
			return "", false, err
		}
		if id, ok := findTxn(page.Chunk, me, txn); ok {
			return id, true, nil
		}
		for _, ev := range page.Chunk {
			txns = txns || ev.Unsigned.TransactionID != ""
		}
		read += len(page.Chunk)
		// A page without an end is the last; an empty one with an end is
		// not (the specification: the server's checks may have left none
		// of its events). An end named before (a server's tokens going
		// round) ends the look-up as a page without one does.
		if page.End == "" || tokens[page.End] {
			break
		}
		tokens[page.End] = true
		from = page.End
	}
	if txns {
		return "", false, nil // the server gives transaction IDs there: txn's event is not among them
	}
	return c.sentBySync(ctx, room, txn, me)
}

// sentBySync looks for txn's event (see sent) in room's timeline of an
// initial GET /sync (no since, timeout 0, presence left as it is),
// filtered on the room, on the account's m.room.message events, the latest
// lookbackEvents of them, and on nothing else (no state, account data,
// presence or receipts). A homeserver that leaves the filter's room list
// aside (Dendrite) answers for every room the account has joined: an
// answer longer than responseLimit fails the look-up.
func (c *Channel) sentBySync(ctx context.Context, room, txn, me string) (string, bool, error) {
	none := map[string][]string{"types": {}}
	filter, _ := json.Marshal(map[string]any{"account_data": none, "presence": none,
		"room": map[string]any{"rooms": []string{room}, "account_data": none, "ephemeral": none, "state": none,
			"timeline": map[string]any{"limit": lookbackEvents, "senders": []string{me}, "types": []string{"m.room.message"}}}})
	q := url.Values{"timeout": {"0"}, "set_presence": {"offline"}, "filter": {string(filter)}}
	var a syncAnswer
	if err := c.call(ctx, http.MethodGet, pathV3+"/sync?"+q.Encode(), nil, &a); err != nil {
		return "", false, err
	}
	id, ok := findTxn(a.Rooms.Join[room].Timeline.Events, me, txn)
	return id, ok, nil
}

// findTxn returns the ID of the event among events that me sent under the
// transaction ID txn.
func findTxn(events []sentEvent, me, txn string) (string, bool) {
	for _, ev := range events {
		if ev.Unsigned.TransactionID == txn && ev.Sender == me && validID('$', ev.EventID) {
			return ev.EventID, true
		}
	}
	return "", false
}

// sentEvent is an event as /messages and /sync list it, as far as sent
// needs it.
type sentEvent struct {
	EventID  string `json:"event_id"`
	Sender   string `json:"sender"`
	Unsigned struct {
		TransactionID string `json:"transaction_id"`
	} `json:"unsigned"`
}

// messagesPage is a page of GET /rooms/{roomId}/messages.
type messagesPage struct {
	Chunk []sentEvent `json:"chunk"` // required
	End   string      `json:"end"`
}

func (a *messagesPage) ours() bool { return a.Chunk != nil }

// syncAnswer is the answer of GET /sync, as far as sentBySync needs it.
type syncAnswer struct {
	NextBatch string `json:"next_batch"` // required
	Rooms     struct {
		Join map[string]struct {
			Timeline struct {
				Events []sentEvent `json:"events"`
			} `json:"timeline"`
		} `json:"join"`
	} `json:"rooms"`
}

func (a *syncAnswer) ours() bool { return a.NextBatch != "" }
