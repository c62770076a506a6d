package matrix

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/httpx"
)

// errNoEvent is the error of Edit and Retract given a receipt that records
// no event of this channel.
var errNoEvent = errors.New("the receipt records no Matrix event")

// Edit replaces each room's post that prev records with m's update, by an
// m.replace event, and returns the receipt of those posts. Rooms are Ledger
// targets as in Send. See the package documentation.
func (c *Channel) Edit(ctx context.Context, m broadcast.Message, prev broadcast.Receipt) (broadcast.Receipt, error) {
	if !c.made() {
		return broadcast.Receipt{}, errNotMade
	}
	text, err := c.render(m.Update, true)
	if err != nil {
		return broadcast.Receipt{}, err
	}
	posts := c.postsOf(prev)
	if len(posts) == 0 {
		return broadcast.Receipt{}, broadcast.Permanent(fmt.Errorf("matrix: edit: %w", errNoEvent))
	}
	f := broadcast.NewFanout(m, targetsOf(posts))
	edited := map[post]error{} // by the post, its target left out
	fanOut(ctx, f, func(i int) (*broadcast.Receipt, error) {
		p := posts[i]
		// A post two targets share (see post) is edited once: in an
		// attempt, the later target has the earlier one's outcome; in
		// a later attempt (this one cut short before the later
		// target's outcome), it is done when the earlier one's edit was
		// made, which an edit under its own transaction ID would make
		// a second time.
		same := post{room: p.room, event: p.event}
		if err, ok := edited[same]; ok {
			return nil, err
		}
		shared := false
		for j, q := range posts {
			if j != i && q.room == p.room && q.event == p.event {
				shared = true
				if f.Progressed(j, editedPart(p)) {
					edited[same] = nil
					return nil, nil
				}
			}
		}
		// An edit an earlier attempt sent (see editing), its outcome
		// unknown, is looked for in the room first, as a post is.
		// An edit made once a retraction redacted the post (the
		// two running at once) is redacted too (see refuseRetracted).
		put := func(txn string, body []byte) error {
			if m.Attempt > 1 && f.Progressed(i, editing(p)) {
				if id, ok, err := c.sent(ctx, p.room, txn); err == nil && ok {
					if c.rememberEdit(p, id) {
						return c.refuseRetracted(ctx, p)
					}
					return nil
				}
			} else {
				_ = f.MarkProgress(i, editing(p)) // the Broadcaster reports a failed mark
			}
			id, err := c.send(ctx, p.room, txn, body)
			if err == nil && c.rememberEdit(p, id) {
				return c.refuseRetracted(ctx, p)
			}
			return err
		}
		err := c.editPost(ctx, m, p, prev.Time, text, put)
		if err == nil && shared {
			_ = f.MarkProgress(i, editedPart(p)) // the Broadcaster reports a failed mark
		}
		edited[same] = err
		return nil, err
	})
	if err := f.Err(); err != nil {
		return broadcast.Receipt{}, fmt.Errorf("matrix: edit: %w", err)
	}
	return c.receipt(ctx, posts), nil
}

// editPost replaces p's event, made at made (its receipt's Time), with
// text, by an m.replace event, which put sends under the transaction ID it
// is given. See Edit.
func (c *Channel) editPost(ctx context.Context, m broadcast.Message, p post, made time.Time, text string,
	put func(txn string, body []byte) error) error {
	if c.wasRetracted(p) {
		return c.refuseRetracted(ctx, p)
	}
	if err := c.editable(ctx, p, made); err != nil {
		if c.wasRetracted(p) {
			// A retraction redacted the post while it was read: the
			// room it cleared takes no correction, anew or not.
			return c.refuseRetracted(ctx, p)
		}
		return err
	}
	// An upgraded room is read by no one, though the account may still
	// post there (it keeps its power): the correction is posted anew,
	// in the room that replaced it, as Send posts there.
	to, err := c.replacement(ctx, p.room)
	switch {
	case err != nil:
		return err
	case to != "":
		return fmt.Errorf("%w: the room was upgraded to %s", broadcast.ErrNotEditable, to)
	}
	err = put(editKey(m.Key(p.target), p.event), encode(edit(c.s.msgtype, text, m.Update.URL, p.event)))
	if err != nil && refused(err) {
		if _, closed, rerr := c.replacedBy(ctx, p.room); rerr == nil && closed {
			// An upgraded room refuses the account's events: the
			// correction is posted anew, in the room that replaced it.
			err = fmt.Errorf("%w: the room was upgraded: %w", broadcast.ErrNotEditable, err)
		}
	}
	return err
}

// editedPart is the progress part (see broadcast.Fanout.MarkProgress) of
// a target whose edit of p's event, a post another target shares, was
// made.
func editedPart(p post) string { return "edited " + p.event + " in " + p.room }

// editing is the progress part (see broadcast.Fanout.MarkProgress) of a
// target whose edit of p's event is about to be sent, marked before the
// request: a retry finds it marked when the outcome of that edit may be
// unknown, and looks for it in the room (see sent) before editing again.
func editing(p post) string { return "editing " + p.event + " in " + p.room }

// editKey is the transaction ID of the edit of event under key, the
// correction's Message.Key for the room: the same on every attempt, and not
// key itself, which the correction is posted anew under where the edit
// fails. Under one transaction ID the homeserver would answer the post
// anew with an earlier edit's event, hidden with the redacted original.
func editKey(key, event string) string {
	sum := sha256.Sum256([]byte("outagecast-edit-v1;" + key + ";" + event))
	return hex.EncodeToString(sum[:16])
}

// editable returns nil when p's event is still in its room, and an error
// wrapping broadcast.ErrPostGone when it was redacted (its content is
// empty, or unsigned says so) or the homeserver does not know it (404
// M_NOT_FOUND): a redacted original hides every edit of it, so the
// correction must be posted anew. A 404 for a post made (its receipt's
// Time) less than recentPost ago fails for now instead: a homeserver may
// serve an event moments after it answered its send (Dendrite's sync API,
// which serves GET /event, applies it after its room server answered),
// and a post so new was not purged from the room's history. Likewise, wrapping
// broadcast.ErrNotEditable, when another account than the one the token
// acts for sent it (Config.AccessToken changed since): the homeserver
// takes an edit of it, but a replacement from another sender is invalid
// and clients ignore it (client-server API, Validity of replacement
// events).
func (c *Channel) editable(ctx context.Context, p post, made time.Time) error {
	var ev roomEvent
	err := c.call(ctx, http.MethodGet, roomPath(p.room, "event", p.event), nil, &ev)
	var e *Error
	switch {
	case errors.As(err, &e) && e.Code == "M_NOT_FOUND" && recent(c.s.now(), made):
		// Not Permanent, as the homeserver's 404 is: tried again.
		return fmt.Errorf("event %s is not readable yet, made %s ago (a homeserver may serve an event moments after "+
			"answering its send): %v", p.event, max(c.s.now().Sub(made), 0).Round(time.Second), err)
	case errors.As(err, &e) && e.Code == "M_NOT_FOUND":
		return fmt.Errorf("%w: %w", broadcast.ErrPostGone, err)
	case err != nil:
		return err
	case len(ev.Content) == 0 || len(ev.Unsigned.RedactedBecause) > 0:
		return fmt.Errorf("%w: event %s was redacted", broadcast.ErrPostGone, p.event)
	case ev.Sender == "":
		return nil
	}
	me, err := c.whoami(ctx)
	if err != nil {
		return err
	}
	if validID('@', me) && ev.Sender != me {
		return fmt.Errorf("%w: event %s was sent by %s, and the token acts for %s: "+
			"clients ignore an edit from another sender than the original's", broadcast.ErrNotEditable, p.event,
			httpx.RedactedSnippet(c.s.redactor, ev.Sender), httpx.RedactedSnippet(c.s.redactor, me))
	}
	return nil
}

// recentPost is how long after a post a 404 of it reads as not served
// yet rather than gone (see editable).
const recentPost = time.Minute

// recent reports whether made, a receipt's Time, is less than recentPost
// from now, either way (an instance sharing the Store whose clock is
// ahead), and not zero.
func recent(now, made time.Time) bool {
	age := now.Sub(made)
	return !made.IsZero() && age > -recentPost && age < recentPost
}

// roomEvent is an event read back, in the client format.
type roomEvent struct {
	EventID  string                     `json:"event_id"`
	Sender   string                     `json:"sender"`
	Content  map[string]json.RawMessage `json:"content"`
	Unsigned struct {
		RedactedBecause json.RawMessage `json:"redacted_because"`
	} `json:"unsigned"`
}

func (e *roomEvent) ours() bool { return validID('$', e.EventID) }

// Retract redacts each room's post that prev records; a post already gone
// counts as redacted, but for one made moments ago (see redactEvent). It keeps no Ledger: a retry redacts every post again,
// under the same transaction IDs. See the package documentation.
func (c *Channel) Retract(ctx context.Context, prev broadcast.Receipt) error {
	if !c.made() {
		return errNotMade
	}
	posts := c.postsOf(prev)
	if len(posts) == 0 {
		return broadcast.Permanent(fmt.Errorf("matrix: retract: %w", errNoEvent))
	}
	targets := targetsOf(posts)
	f := broadcast.NewFanout(broadcast.Message{}, targets)
	fanOut(ctx, f, func(i int) (*broadcast.Receipt, error) {
		err := c.redact(ctx, posts[i], prev.Time)
		if why := c.cannotRedact(ctx, posts[i].room, err); why != nil {
			return nil, broadcast.Permanent(fmt.Errorf("%w: %w", why, err))
		}
		return nil, err
	})
	if err := f.Err(); err != nil {
		return fmt.Errorf("matrix: retract: %w", err)
	}
	return nil
}

// cannotRedact returns why the account can never redact in room, when
// err, the refusal of a redaction there (403, or a 5xx: Dendrite answers
// a redaction its power does not allow with 500), came from its power:
// a redaction is an event, which needs the power level that room's
// m.room.power_levels sets for m.room.redaction, else its events_default,
// and a room upgrade raises the old room's events_default to 50. The
// levels are read as the room versions allow them (see parseLevel). In
// room version 12 and later a creator of the room has an infinite power
// level (see creator). It names the room that replaced room, if any. It
// returns nil for any other error, or when the room's state cannot be
// read or tells nothing sure (a level that counts is no integer the
// specification allows; a creator not known): err then stands as it is.
func (c *Channel) cannotRedact(ctx context.Context, room string, err error) error {
	var e *Error
	if !errors.As(err, &e) || (e.Status != http.StatusForbidden && e.Status < 500) || errors.Is(err, errNotHomeserver) {
		return nil
	}
	me, werr := c.whoami(ctx)
	if werr != nil {
		return nil
	}
	var pl powerLevels
	if c.call(ctx, http.MethodGet, roomPath(room, "state", "m.room.power_levels", ""), nil, &pl) != nil {
		return nil
	}
	need, have, ok := pl.redaction(me)
	if !ok || have >= need {
		return nil
	}
	if is, known := c.creator(ctx, room, me); is || !known {
		return nil
	}
	why := fmt.Sprintf("the account's power level %d in the room is below the %d a redaction needs", have, need)
	if to, closed, terr := c.replacedBy(ctx, room); terr == nil && closed {
		if to != "" {
			to = " to " + to
		}
		why = "the room was upgraded" + to + ", which left " + why + " (a moderator of the old room can redact the post)"
	}
	return errors.New(why)
}

// powerLevels is the content of a room's m.room.power_levels, as far as
// a redaction of the account's own event needs it. Its values are kept as
// sent, to be read by parseLevel.
type powerLevels struct {
	Users         map[string]json.RawMessage `json:"users"`
	UsersDefault  json.RawMessage            `json:"users_default"`
	Events        map[string]json.RawMessage `json:"events"`
	EventsDefault json.RawMessage            `json:"events_default"`
}

func (a *powerLevels) ours() bool { return true } // any JSON object: the content is the room's

// redaction returns the power level a redaction needs (events for
// m.room.redaction, else events_default, else 0) and the one user has
// (users, else users_default, else 0). ok is false when a value it reads
// is no power level (see parseLevel).
func (a *powerLevels) redaction(user string) (need, have int64, ok bool) {
	level := func(raw, fallback json.RawMessage) (int64, bool) {
		n, set, err := parseLevel(raw)
		if err == nil && !set {
			n, _, err = parseLevel(fallback)
		}
		return n, err == nil
	}
	need, okNeed := level(a.Events["m.room.redaction"], a.EventsDefault)
	have, okHave := level(a.Users[user], a.UsersDefault)
	return need, have, okNeed && okHave
}

// errNotALevel is the error of a value that is no power level.
var errNotALevel = errors.New("not a power level")

// parseLevel reads a power level of m.room.power_levels as the room
// versions allow it to be written, and homeservers serve it as sent: an
// integer (every version); a string holding a base-10 integer, with any
// number of leading zeros, a single "+" or "-" before it, and any white
// space around it (versions 1 to 9; " +0050 " is 50); a number with a
// fraction or an exponent, truncated (versions 1 to 5, which do not
// enforce canonical JSON; 49.9 is 49). A value absent or null is not set,
// and its default applies, as Synapse reads it. Anything else (a boolean,
// "fifty", "50.5", "0x32", a number beyond 64 bits) is an error: no room
// version allows it (the specification rejects power levels holding it
// where its rules check the value), so what the homeserver makes of it is
// not known.
func parseLevel(raw json.RawMessage) (n int64, set bool, err error) {
	if len(raw) == 0 || string(raw) == "null" {
		return 0, false, nil
	}
	if raw[0] == '"' {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return 0, false, errNotALevel
		}
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil {
			return 0, false, errNotALevel
		}
		return n, true, nil
	}
	if raw[0] != '-' && (raw[0] < '0' || raw[0] > '9') {
		return 0, false, errNotALevel
	}
	if n, err := strconv.ParseInt(string(raw), 10, 64); err == nil {
		return n, true, nil
	}
	f, err := strconv.ParseFloat(string(raw), 64)
	if err != nil || math.Abs(f) >= math.MaxInt64 {
		return 0, false, errNotALevel
	}
	return int64(f), true, nil
}

// creator reports whether user is a creator of room with the infinite
// power level room version 12 gives creators: the sender of the room's
// m.room.create, or one of the users its additional_creators lists; known
// is false when that cannot be told. A room ID with a server part is of
// a version before 12 (from 12 on, a room ID is its m.room.create's event
// ID, without one), where a creator's power is what m.room.power_levels
// says; for one without, the channel reads the whole m.room.create (GET
// /rooms/{roomId}/state/m.room.create/?format=event, v1.16 of the
// specification). A homeserver that answers its content alone, as older
// ones do, names no sender: a user its additional_creators does not list
// is then not known to be a creator or not. A room version that is no
// integer (an experimental one) is taken to give creators that power.
func (c *Channel) creator(ctx context.Context, room, user string) (is, known bool) {
	if strings.Contains(room, ":") {
		return false, true
	}
	var a createAnswer
	if c.call(ctx, http.MethodGet, roomPath(room, "state", "m.room.create", "")+"?format=event", nil, &a) != nil {
		return false, false
	}
	cc, sender := a.createContent, ""
	if a.Type == "m.room.create" && strings.HasPrefix(a.Sender, "@") && len(a.Content) > 0 {
		cc = createContent{}
		if json.Unmarshal(a.Content, &cc) != nil {
			return false, false
		}
		sender = a.Sender
	}
	if v, err := strconv.Atoi(cmp.Or(cc.RoomVersion, "1")); err == nil && v < 12 {
		return false, true
	}
	switch {
	case sender == user || slices.Contains(cc.AdditionalCreators, user):
		return true, true
	case sender == "":
		return false, false
	}
	return false, true
}

// createAnswer is the answer of GET /state/m.room.create/?format=event:
// the event in the client format, or, from a homeserver that does not
// know the format parameter, its content alone.
type createAnswer struct {
	Type    string          `json:"type"`
	Sender  string          `json:"sender"`
	Content json.RawMessage `json:"content"`
	createContent
}

func (a *createAnswer) ours() bool { return true } // any JSON object: the event, or the content, is the room's

// createContent is the content of m.room.create, as far as the room's
// creators need it; room_version is "1" when absent.
type createContent struct {
	RoomVersion        string   `json:"room_version"`
	AdditionalCreators []string `json:"additional_creators"`
}

// redact redacts p's event, made at made (its receipt's Time), after
// every edit of it the account made: the
// specification leaves the edits of a redacted event as they are, so the
// text of each correction would stay readable in the room's history (and
// in clients without edits, which show an edit as a "* " message). The
// edits are those edits lists and those the channel remembers making (see
// rememberEdit), which the homeserver may not list yet. An event that is
// not found is gone already, but for one made moments ago (see
// redactEvent).
//
// A post with more edits than edits lists (any member of the room may add
// some, newer than the account's own) is redacted with the edits found,
// and fails for good saying so: the account's own edits may be among
// those left, to be redacted by hand.
func (c *Channel) redact(ctx context.Context, p post, made time.Time) error {
	edits, complete, err := c.edits(ctx, p)
	if err != nil {
		return fmt.Errorf("list the edits of %s: %w", p.event, err)
	}
	for _, id := range c.editsMade(p) {
		if !slices.Contains(edits, id) {
			edits = append(edits, id)
		}
	}
	for _, id := range edits {
		if err := c.redactEvent(ctx, p.room, id, c.editMadeAt(p, id)); err != nil {
			return fmt.Errorf("redact the edit %s: %w", id, err)
		}
	}
	if err := c.redactEvent(ctx, p.room, p.event, made); err != nil {
		return err
	}
	// The edits a correction running alongside made before the post was
	// marked are redacted here; those made after, by the correction
	// itself (see refuseRetracted).
	for _, id := range c.markRetracted(p, edits) {
		if err := c.redactEvent(ctx, p.room, id, c.editMadeAt(p, id)); err != nil {
			return fmt.Errorf("redact the edit %s, made while %s was redacted: %w", id, p.event, err)
		}
		c.forgetEdits(p, []string{id})
	}
	if !complete {
		return broadcast.Permanent(fmt.Errorf("redacted %s and %d edits of it, but it has more than %d edits, "+
			"which were not all checked: the text of a correction may still show; redact its edits by hand",
			p.event, len(edits), maxEditPages*editsPerPage))
	}
	return nil
}

// maxMadePosts bounds the posts whose edits the channel remembers (see
// rememberEdit); the oldest is forgotten first.
const maxMadePosts = 1024

// madeEdit is an edit the channel made (see rememberEdit): its event ID,
// and when the homeserver answered its send.
type madeEdit struct {
	id string
	at time.Time
}

// madeKey is the key of p's event in state.made.
func madeKey(p post) string { return p.room + " " + p.event }

// rememberEdit records that the channel made the edit id of p's event, so
// that a retraction redacts it whether /relations lists it or not: a
// homeserver may answer an edit's send before it lists the edit there
// (Dendrite's sync API applies an event moments after its room server
// answered the send), and a retraction right after a correction would
// leave the correction's text readable. Edits made by another process
// (before a restart) are found through /relations alone. It reports
// whether a retraction redacted p's event already (see markRetracted):
// the edit is then the caller's to redact (see refuseRetracted).
func (c *Channel) rememberEdit(p post, id string) (retracted bool) {
	key := madeKey(p)
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	if !validID('$', id) {
		return c.s.retracted[key]
	}
	if _, ok := c.s.made[key]; !ok {
		if len(c.s.madeOrder) >= maxMadePosts {
			delete(c.s.made, c.s.madeOrder[0])
			c.s.madeOrder = c.s.madeOrder[1:]
		}
		c.s.madeOrder = append(c.s.madeOrder, key)
	}
	if !slices.ContainsFunc(c.s.made[key], func(e madeEdit) bool { return e.id == id }) {
		c.s.made[key] = append(c.s.made[key], madeEdit{id: id, at: c.s.now()})
	}
	return c.s.retracted[key]
}

// editsMade returns the edits of p's event the channel remembers making.
func (c *Channel) editsMade(p post) []string {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	return editIDsOf(c.s.made[madeKey(p)])
}

// editMadeAt returns when the channel made the edit id of p's event, zero
// when it does not remember making it.
func (c *Channel) editMadeAt(p post, id string) time.Time {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	for _, e := range c.s.made[madeKey(p)] {
		if e.id == id {
			return e.at
		}
	}
	return time.Time{}
}

// editIDsOf returns the IDs of edits.
func editIDsOf(edits []madeEdit) []string {
	out := make([]string, 0, len(edits))
	for _, e := range edits {
		out = append(out, e.id)
	}
	return out
}

// forgetEdits forgets the edits of p's event in redacted, redacted with
// it; p is forgotten once none is left. An edit made while they were
// redacted (a correction running alongside the retraction) is kept, to be
// redacted (see markRetracted).
func (c *Channel) forgetEdits(p post, redacted []string) {
	key := madeKey(p)
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	ids, ok := c.s.made[key]
	if !ok {
		return
	}
	if ids = slices.DeleteFunc(ids, func(e madeEdit) bool { return slices.Contains(redacted, e.id) }); len(ids) > 0 {
		c.s.made[key] = ids
		return
	}
	delete(c.s.made, key)
	c.s.madeOrder = slices.DeleteFunc(c.s.madeOrder, func(k string) bool { return k == key })
}

// markRetracted records that a retraction redacted p's event, for the
// last maxMadePosts posts so redacted (the oldest is forgotten first),
// and forgets the edits of it in redacted, redacted before it. It returns
// the edits of p's event the channel remembers making that are not in
// redacted: made while the retraction ran, after it listed the edits, to
// be redacted too. An edit made after the mark is the correction's to
// redact (see rememberEdit): under one lock, every edit is one or the
// other's.
func (c *Channel) markRetracted(p post, redacted []string) (left []string) {
	c.forgetEdits(p, redacted)
	key := madeKey(p)
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	if !c.s.retracted[key] {
		if len(c.s.retractedOrder) >= maxMadePosts {
			delete(c.s.retracted, c.s.retractedOrder[0])
			c.s.retractedOrder = c.s.retractedOrder[1:]
		}
		c.s.retracted[key] = true
		c.s.retractedOrder = append(c.s.retractedOrder, key)
	}
	return editIDsOf(c.s.made[key])
}

// wasRetracted reports whether a retraction of this Channel redacted p's
// event (see markRetracted).
func (c *Channel) wasRetracted(p post) bool {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	return c.s.retracted[madeKey(p)]
}

// refuseRetracted fails the edit of p's event, which a retraction of this
// Channel redacted, for good, with an error wrapping
// broadcast.ErrRetracted, once it redacted the edits of it the channel
// remembers making (one a correction made while the retraction ran): the
// specification leaves an edit of a redacted event unredacted
// (client-server API, Redactions of edited events), and clients without
// edits show it as a "* " message. A homeserver may still serve the event
// as it was, moments after its redaction, so the channel's own record
// decides, not a read of it. A redaction that fails returns its error,
// for a retry to redact the edit.
func (c *Channel) refuseRetracted(ctx context.Context, p post) error {
	for _, id := range c.editsMade(p) {
		if err := c.redactEvent(ctx, p.room, id, c.editMadeAt(p, id)); err != nil {
			return fmt.Errorf("redact the edit %s of %s, which a retraction redacted: %w", id, p.event, err)
		}
		c.forgetEdits(p, []string{id})
	}
	return broadcast.Permanent(fmt.Errorf("%w: event %s was redacted by a retraction, "+
		"and an edit of a redacted event would stay readable", broadcast.ErrRetracted, p.event))
}

// redactEvent redacts event in room, made at made (zero when not known).
// One the homeserver answers 404 M_NOT_FOUND for is gone already (purged
// from the room's history), unless made less than recentPost ago (see
// recent): the specification gives PUT
// /rooms/{roomId}/redact/{eventId}/{txnId} no 404, and accepts a
// redaction of an event the server has not received yet, to be applied
// once it has (room versions 3 and later, Handling redactions), so such
// an answer says the homeserver does not know the event yet, as one may
// not serve an event moments after answering its send (see editable).
// The redaction then fails for now, and a retry, under the same
// transaction ID, redacts the event.
func (c *Channel) redactEvent(ctx context.Context, room, event string, made time.Time) error {
	var a eventAnswer
	err := c.call(ctx, http.MethodPut, roomPath(room, "redact", event, redactKey(room, event)), []byte("{}"), &a)
	var e *Error
	switch {
	case errors.As(err, &e) && e.Code == "M_NOT_FOUND" && recent(c.s.now(), made):
		// Not Permanent, as the homeserver's 404 is: tried again.
		return fmt.Errorf("event %s is not found yet, made %s ago (a homeserver may not know an event moments "+
			"after answering its send): %v", event, max(c.s.now().Sub(made), 0).Round(time.Second), err)
	case errors.As(err, &e) && e.Code == "M_NOT_FOUND":
		return nil
	}
	return err
}

// Pages of edits: editsPerPage keeps a page within responseLimit, each
// edit being up to eventAnswerLimit; maxEditPages bounds the pages read of
// one event, so that a server whose next_batch never ends cannot hold a
// retraction.
const (
	editsPerPage = responseLimit/eventAnswerLimit - 1
	maxEditPages = 1000
)

// edits returns the IDs of the m.replace events of p's event sent by the
// account and not redacted yet, listed by GET
// /_matrix/client/v1/rooms/{roomId}/relations/{eventId}/m.replace page by
// page. An edit by another user is no valid edit, and the account could
// not redact it. None when the homeserver does not know the event (gone
// already: see unknownParent) or the endpoint (older than v1.3 of the
// specification).
// complete is false when maxEditPages pages did not reach the end. A
// next_batch the server named before (its pages going round: A→B→A→B)
// ends the list as a page without one does: every page it serves was
// read, and each edit is listed once.
func (c *Channel) edits(ctx context.Context, p post) (out []string, complete bool, err error) {
	me, err := c.whoami(ctx)
	if err != nil {
		return nil, false, err
	}
	from := ""
	tokens, listed := map[string]bool{}, map[string]bool{}
	for range maxEditPages {
		path := "/_matrix/client/v1/rooms/" + url.PathEscape(p.room) + "/relations/" + url.PathEscape(p.event) +
			"/" + relReplace + "?limit=" + strconv.Itoa(editsPerPage)
		if from != "" {
			path += "&from=" + url.QueryEscape(from)
		}
		var page relationsPage
		err := c.call(ctx, http.MethodGet, path, nil, &page)
		if unknownParent(err) {
			return out, true, nil
		}
		if err != nil {
			return nil, false, err
		}
		for _, ev := range page.Chunk {
			if ev.Sender == me && validID('$', ev.EventID) && len(ev.Unsigned.RedactedBecause) == 0 && !listed[ev.EventID] {
				listed[ev.EventID] = true
				out = append(out, ev.EventID)
			}
		}
		// A page may be empty and have more after it: the server filters
		// the events it paged (those of ignored users, say).
		if page.NextBatch == "" || tokens[page.NextBatch] {
			return out, true, nil
		}
		tokens[page.NextBatch] = true
		from = page.NextBatch
	}
	return out, false, nil
}

// unknownParent reports whether err, the answer of GET /relations, says
// the homeserver does not know the event (gone already) or the endpoint
// (M_UNRECOGNIZED): a 404 with a Matrix error code, which is M_NOT_FOUND
// in the specification's example, and M_UNKNOWN ("Unknown parent
// event.") on Synapse, for an event purged from the room's history too.
func unknownParent(err error) bool {
	var e *Error
	return errors.As(err, &e) && !errors.Is(err, errNotHomeserver) &&
		(e.Code == "M_UNRECOGNIZED" || e.Status == http.StatusNotFound && e.Code != "")
}

// relationsPage is a page of GET /relations.
type relationsPage struct {
	Chunk []struct {
		roomEvent
		Sender string `json:"sender"`
	} `json:"chunk"` // required
	NextBatch string `json:"next_batch"`
}

func (a *relationsPage) ours() bool { return a.Chunk != nil }

// whoami returns the account's user ID, asked of the homeserver once.
func (c *Channel) whoami(ctx context.Context) (string, error) {
	c.s.mu.Lock()
	user := c.s.user
	c.s.mu.Unlock()
	if user != "" {
		return user, nil
	}
	var who whoami
	if err := c.call(ctx, http.MethodGet, pathWhoami, nil, &who); err != nil {
		return "", fmt.Errorf("whoami: %w", err)
	}
	c.s.mu.Lock()
	c.s.user = who.UserID
	c.s.mu.Unlock()
	return who.UserID, nil
}

// targetsOf returns the rooms of posts, as configured.
func targetsOf(posts []post) []string {
	out := make([]string, len(posts))
	for i, p := range posts {
		out[i] = p.target
	}
	return out
}
