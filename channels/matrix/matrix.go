// Package matrix is a broadcast.Channel that posts each update to one or
// more Matrix rooms through a homeserver's client-server API, as the
// account of an access token.
//
// Each update is one m.room.message event per room (m.text, or m.notice
// with Config.Notice), sent with PUT
// /_matrix/client/v3/rooms/{roomId}/send/m.room.message/{txnId}. Its body
// is the update rendered by the "text" template (Update.Overrides[name]
// replaces it) and its formatted_body (format org.matrix.custom.html) the
// same text as HTML: every character of it escaped, so that a title cannot
// forge a link with text of its own or markup (a matrix.to URL of a user
// in the text is linked as any URL is, and Element shows such a link as
// a pill; it notifies no one); paragraphs and line breaks kept,
// and the indentation that begins a line, as no-break spaces; the first
// line, status and title, in bold; URLs as links to themselves, each
// ending where templates.LinkSpans ends a link in a sentence (a final
// "." or an unopened ")" stays outside), but for Update.URL, linked
// whole wherever the text shows it (templates.LinkSpansWhole).
// Every event carries an empty m.mentions, which, on a homeserver that
// knows it (v1.7 of the specification), turns off the legacy push rules,
// so "@room" or a user's name in the text notifies nobody. A homeserver
// that does not (Dendrite, older servers) applies them whatever the event
// holds: "@room", which would notify the whole room when the account has
// the power to (it created the room), is broken in every text by an
// invisible word joiner after its "@" (in a link, as
// templates.LinkSpansWhole finds links, the "@" is written "%40", and after the "@" that ends a
// link's user information the host's first letter is escaped, "%72", so
// that the link stays whole);
// a user's name in the text still notifies
// that user there.
// Control characters (terminal escapes among them) never reach an event,
// and a right-to-left embedding or override left open is closed at the
// end of its line (templates.BalanceBidi), also in what the templates do
// not clean: the Override of a Message built without
// broadcast.NewMessage, a Status or URL the Broadcaster would refuse, and
// what a template of the caller's writes.
//
// Rooms are room IDs ("!abc:example.org") or aliases ("#ops:example.org");
// an alias is resolved through the room directory (GET
// /_matrix/client/v3/directory/room/{alias}) before each post to it: an
// alias moves, as when its room is upgraded to a new room version, or its
// admins move it to a new room, and the room it named before may still
// take the account's posts, where no one reads them. While the directory
// fails for now (5xx, a rate limit), the room the alias named last is
// posted to. When a room refuses a post (403, 404), its alias is looked up
// again, and the post made in the room it names now, if that is another.
// Before each post, the channel reads the room's
// m.room.tombstone (GET /rooms/{roomId}/state/m.room.tombstone/): a room
// (by ID, or an alias's) that was upgraded is followed to its replacement,
// as clients follow it, for the rest of the Channel's life, also when the
// old room still accepts the account's posts (an upgrade leaves posting
// there to those with power level 50, such as the room's creator), where
// no one would read them; Check says so, as Config.Rooms should name the
// new room. Rooms whose tombstones lead back to one another (A→B→A) are
// not followed: the posts stay in one room. A failure to read the
// tombstone that a retry may get past (5xx, a rate limit) fails the room
// for now, rather than post where no one may read.
//
// Each room is a Ledger target, named as configured: Send posts to the
// rooms not done in an earlier attempt and books each with a
// broadcast.Fanout, so a retry reaches only the rooms that failed
// transiently. Two configured rooms that lead to one room (a room
// upgraded to another that Config.Rooms names too; an alias of a
// configured room ID) get each update once there: the later target
// records the earlier one's post, and a correction edits it once, also
// on a retry after an attempt cut short between the two targets (the
// Ledger keeps the earlier one's edit, broadcast.Fanout.MarkProgress). When
// the earlier one's post failed transiently (its answer lost, a 5xx: the
// event may have been made), the later target fails transiently too,
// without a post under its own transaction ID, which would make a second
// event there: the retry finds the event under the earlier one's. The
// Ledger keeps that failure (broadcast.Fanout.MarkProgress), so that on
// every retry, after a restart and on another instance sharing the Store
// too, whichever target posts in that room first does so under the
// earlier one's transaction ID, also when the earlier one fails before
// its post then (its alias or its room's m.room.tombstone cannot be read
// for now).
// The account must have joined every room a post goes to;
// Check says which it has not, and which was upgraded to another.
//
// The Receipt's ID and URL (a matrix.to link, through the room ID, with
// via naming the server the room ID ends with or, for a room ID without
// one, as in room version 12, the account's own server) are
// those of the event in the first room, in configuration order, that got
// the update (in this attempt or an earlier one); its Meta
// holds the event ID of every room under the room as configured, and,
// under "root " and the room, the thread root of a reply, and, under "room
// " and an alias, the room ID it resolved to. Each room's event is kept in
// the Ledger with its mark, so the Receipt of the attempt that completes
// the update names the events of earlier attempts too, after a restart and
// on another instance sharing the Store.
//
// # Idempotency
//
// The transaction ID of each post is Message.Key of its room as
// configured (in a room an alias names, or one that replaced an upgraded
// room, "." and a digest of that room's ID follow: see sendKey), the same
// on every attempt in one room, after a restart of the program and on
// every instance (on a retry, a room two targets lead to takes that of
// the one whose post there failed before: see above):
// a homeserver that already has an event of that transaction ID from the
// same access token answers with that event instead of posting again, so
// a retry after a lost answer does not post twice. Homeservers remember
// transaction IDs for a send per access token (or its device) for a
// limited time only: Dendrite in memory, for 30 to 60 minutes, forgotten
// when it restarts. So the channel records in the Ledger, before each
// post's request (broadcast.Fanout.MarkProgress), that the post is under
// way in that room, and a retry (Message.Attempt above 1: after a lost
// answer, a timeout, a 5xx, a process that ended mid-attempt) of a post
// so recorded first looks for its event in the room: among the latest 50
// m.room.message events the account sent there, read with GET
// /rooms/{roomId}/messages?dir=b, filtered on the account as sender, 10 a
// page (past a page that comes empty, as the specification allows, in at
// most 10 requests), and, when no event there carries a transaction ID (Dendrite gives
// them on /sync alone), with one GET /sync (no since, timeout 0, presence
// left as it is) filtered on the room and the same events. The
// specification gives an event's transaction ID (unsigned.transaction_id)
// to the client that sent it, and a homeserver keeps it with the event
// (Dendrite in its database, after a restart too): an event found under
// the post's transaction ID is taken as the post, without a second
// request. The look-up takes at most half the time left to the attempt
// (the deadline of Send's or Edit's context), leaving the post's request
// the rest. When
// none is found, or the look-up fails (a 5xx, a rate limit, an answer
// longer than 1.5 MiB: /sync on Dendrite answers for every room the
// account has joined; that half of the time over), the post is sent as on the first attempt, under
// the same transaction ID, which a homeserver that still remembers it
// answers with the event it made. A first attempt reads nothing. So a
// retry after a lost answer does not post twice, also after the
// homeserver forgot the transaction ID or restarted, unless the account
// sent 50 or more newer m.room.message events (posts, edits) to the room
// since (a homeserver that forgot the transaction ID then posts again),
// or the retry comes with
// another access token (a new login): no homeserver gives it the
// transaction ID, which is its own for a send too, and the update is
// posted again. So keep one long-lived access token per channel and per
// program. The Broadcaster's Ledger keeps a room that got the update from
// being sent to again.
// An edit's transaction ID is derived from the correction's Message.Key
// and the event it edits, not that Key itself, which the correction is
// posted anew under where the original is gone; a retry of an edit whose
// outcome is unknown looks for it the same way. A redaction's is derived
// from its room and event; a redaction sent again once the homeserver
// forgot it redacts an event already redacted, and shows nothing new, so
// it is not looked for.
//
// # Threading
//
// Updates of one incident form a thread in each room (m.relates_to with
// rel_type m.thread), under the incident's first post there: each goes in
// the thread of the incident's latest post in that room (Thread.Last;
// Thread.Root when Last has no post there), which is the first post's but
// where that root was found gone (see below); for clients without threads, each also
// replies (m.in_reply_to, is_falling_back) to the thread's latest post
// there (Thread.Last). A root that was retracted stays the root: Matrix
// keeps a redacted event in the room, and its thread with it.
//
// A root the homeserver no longer knows (purged from the room's history
// by a retention policy or an admin's purge), once no reply of its thread
// is left either, is refused as the event of a relation: Synapse answers
// every post in the thread with 400 M_UNKNOWN "Can't send relation to
// unknown event" (Dendrite does not check). After a 400 to a post in the
// thread, the channel reads the root back (GET
// /rooms/{roomId}/event/{eventId}); when the homeserver answers 404
// M_NOT_FOUND, the update is posted without the thread, under the same
// transaction ID, as a thread of its own, which the next updates reply
// in (the Receipt records the post as a root). The Ledger keeps that the
// root was found gone (broadcast.Fanout.MarkProgress), so that a retry
// posts without the thread at once. A 400 for another reason, or with
// the root still known, fails the room for good; a read back that fails
// for now (5xx, a rate limit) fails it for now, to be read again on the
// retry.
//
// # Corrections and retractions
//
// The Channel is a broadcast.Editor: Edit replaces each room's post of the
// original update with an m.replace event whose m.new_content holds the
// corrected text; its body, for clients without edits, is the text after
// "* ", as the specification shows. Edit returns the receipt of the
// original posts, so a later correction replaces them again (Matrix edits
// an original, never an edit). Before editing, it reads the original
// back (GET /rooms/{roomId}/event/{eventId}): one redacted by hand hides
// every edit of it, so in that room (and in one whose homeserver no
// longer knows the original, 404 M_NOT_FOUND) Edit fails with
// broadcast.ErrPostGone and the Broadcaster posts the correction anew, in
// the thread; but a 404 for an original whose receipt is less than a
// minute old fails the room for now, to be edited on the retry: a
// homeserver may serve an event moments after it answered its send
// (Dendrite, whose sync API serves GET /event). An original another account sent (one posted before
// Config.AccessToken was changed to another account's) takes no edit
// either: clients ignore a replacement from another sender than the
// original's, though the homeserver takes it, so Edit fails that room
// with broadcast.ErrNotEditable, and the correction is posted anew there.
// A post in a room upgraded since is not edited there, where
// no one reads it (or the old room refuses the edit): Edit reads the
// room's m.room.tombstone first, fails that room with
// broadcast.ErrNotEditable, and the correction is posted anew, in the room
// that replaced it. It is also a broadcast.Retractor: Retract
// redacts each room's post (PUT /rooms/{roomId}/redact/{eventId}/{txnId}),
// after every edit of it the account made, listed page by page with GET
// /_matrix/client/v1/rooms/{roomId}/relations/{eventId}/m.replace: the
// specification leaves the edits of a redacted event unredacted, and their
// text would stay readable (in the room's history, in clients that show
// edit history, and in clients without edits, which show each as a "* "
// message); with them, every edit of it the Channel made itself, which a
// homeserver may not list yet right after making it (Dendrite lists an
// event once its sync API has applied it, moments after answering its
// send), for the last 1,024 posts it edited, until they are redacted.
// For the same reason, a post a Retract of the Channel redacted (the last
// 1,024 of them) takes no edit: Edit fails that room for good with an
// error wrapping broadcast.ErrRetracted, as the Broadcaster refuses a
// correction of a retracted update, also where the homeserver still
// serves the post as it was, moments after its redaction; an edit a
// correction made while the retraction ran is redacted too, by the
// retraction or by the correction, whichever finishes later.
// An event already gone (404 M_NOT_FOUND) counts as redacted, but for
// one made less than a minute before (a post by its receipt's Time, an
// edit the Channel made): the specification gives a redaction no 404, and
// accepts one of an event the homeserver has not received yet, so that
// answer says the homeserver does not know the event yet, and the room
// fails for now, to be redacted on the retry; a homeserver
// without /relations (older than v1.3 of the specification) has the post
// redacted with the edits the Channel made alone. The account needs no power to edit or redact its own
// events, but the power to send a redaction at all, which a room upgrade
// raises to 50 in the old room: a post made there before the upgrade is
// redacted where it is, in the old room, and an account below that power
// fails that room for good, with an error that says so and names the room
// that replaced it (Dendrite answers such a redaction with 500, which
// alone would be retried; the channel reads the room's
// m.room.power_levels after a 403 or 5xx to tell, taking levels written as
// strings, such as "50", as rooms of versions 1 to 9 allow, and a room
// creator's infinite power level in room version 12; power levels it
// cannot read leave the error as the homeserver answered it).
//
// # Limits
//
// The specification limits a whole event to 65,536 bytes of JSON
// (MaxEventBytes), including what the homeserver adds (IDs, hashes,
// signatures, the events it follows). The channel keeps each event's
// content, with the longest relation it may carry, within ContentLimit
// bytes of JSON, leaving 4,096 bytes for the rest, and shortens the text
// through the templates to fit: the body first, then the components, then
// the title; the URL is kept whole. The text is sent twice (body and
// formatted_body), and HTML escapes grow it, so about 30,000 bytes of
// UTF-8 text fit, fewer with many "<", "&" or quotes; an edit holds the
// text twice more, so it is shortened further. Preview reports the content's length in those bytes. Rooms are posted to one after
// another; one attempt must reach them all within the Broadcaster's
// AttemptTimeout.
//
// # Errors
//
// Per room: a 2xx answer is success; 429 or M_LIMIT_EXCEEDED is transient
// with broadcast.RetryAfter (the Retry-After header, else retry_after_ms,
// else 30s; a Retry-After of 0 or in the past names no wait); 408, 425,
// 5xx but 501 and transport errors (but for a certificate that does not
// verify or a port that does not speak TLS, permanent) are transient,
// after that wait when the answer names one;
// every other answer, 401 M_UNKNOWN_TOKEN, 403 M_FORBIDDEN (not in the
// room, no power) and 413 M_TOO_LARGE among them, fails that room
// permanently; M_UNKNOWN_TOKEN and M_MISSING_TOKEN end in "(refused the
// credential: check Config.AccessToken)". An alias the directory does not know (404 M_NOT_FOUND)
// fails its room permanently. An alias of another server is resolved by
// the homeserver over federation; one it cannot reach there (federation
// turned off, as Dendrite's disable_federation, or the server down) is
// answered with a 5xx (Dendrite: 500 M_UNKNOWN "Internal Server Error",
// as for a failure of its own), which says nothing of how long it lasts:
// the room fails transiently, on every attempt until the retry budget
// ends when the alias was never resolved. Name a room of another server
// by its room ID on a homeserver that does not federate. Server answers are *Error values. A redirect,
// or a 404 or 405 without a Matrix error code, is no homeserver's answer
// (Config.Homeserver names another server): its error says so. So is a
// whole 2xx without what the endpoint answers (a send's or a redaction's
// event_id; a captive portal's page), or with an ID the specification does
// not allow (more than 255 bytes, white space, a control character): nothing
// shows the request reached the homeserver. Such an answer in JSON to a
// write (a relay's echo of the request, which it may have passed on) is
// marked broadcast.Uncertain too; a page that is not JSON is not. An
// m.room.tombstone naming
// such a room names none. One cut at 1.5 MiB (room for the largest events the channel
// reads, as a homeserver that escapes "<" and "&" in its answers writes
// them) is transient: a retry under the same transaction ID has no
// second effect. After a 401
// (the access token refused) or such an answer, which every room would
// get, the rooms not tried yet fail permanently with the same error,
// without a request each.
//
// Send, Edit and Retract return errors by broadcast.Fanout's rule: a
// transient *broadcast.TargetsError while some room failed transiently,
// carrying the longest RetryAfter; nil when every other room got the
// update, now or earlier, the permanent failures being in the Ledger; a
// Permanent *broadcast.TargetsError when every room failed permanently.
// Retract also returns a Permanent *broadcast.TargetsError when some rooms
// refused the redaction for good, since those still show the post.
//
// No error, log line, Receipt or printed Config or Channel holds the
// access token: it is a redact.Secret, the Channel prints as
// "matrix.Channel(<name>)", and the server's text in an Error is redacted
// of the token in every encoding redact.Redactor knows.
//
// # URL form
//
// A channel can be written as a URL (see ParseURL and Config.URL):
//
//	matrix://:ACCESS_TOKEN@matrix.example.org/?rooms=!abc:example.org,%23ops:example.org
//
// The host (and port, and path) is the homeserver's, reached over https;
// "matrix+http://" reaches it over plain http (a homeserver on loopback).
// The token is the password of the user information, URL-escaped (a user
// name before it is ignored; without a password, the user name is the
// token). The query holds rooms (comma-separated; "#" escaped as
// %23), and optionally name and notice=yes.
package matrix

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/textsafe"
	"github.com/outagecast/outagecast/internal/notmade"
	"github.com/outagecast/outagecast/templates"
)

// Limits of an event, in bytes of JSON.
const (
	// MaxEventBytes is the specification's limit on a whole event.
	MaxEventBytes = 65536
	// ContentLimit is the limit the channel keeps an event's content
	// within, leaving room for what the homeserver adds.
	ContentLimit = MaxEventBytes - 4096
)

var (
	_ broadcast.Channel   = (*Channel)(nil)
	_ broadcast.Previewer = (*Channel)(nil)
	_ broadcast.Checker   = (*Channel)(nil)
	_ broadcast.Editor    = (*Channel)(nil)
	_ broadcast.Retractor = (*Channel)(nil)
)

// Name returns the channel's name.
func (c *Channel) Name() string {
	if !c.made() {
		return ""
	}
	return c.name
}

// Format prints the channel as "matrix.Channel(<name>)" under every verb,
// a Channel value as well as a pointer, so that printing it never shows
// its state.
func (c Channel) Format(f fmt.State, _ rune) {
	_, _ = fmt.Fprintf(f, "matrix.Channel(%s)", c.name)
}

// ErrClosed is wrapped by the error, permanent, of a call of the Channel
// whose request Close ended, or that was made after Close. It matches
// broadcast.ErrChannelClosed: the Broadcaster stops retrying the channel,
// and leaves the update pending there (no target failed for good), for a
// later Send, or a Job's next run, to deliver.
var ErrClosed = broadcast.ClosedError("matrix: channel closed")

// Close ends the channel's requests in flight, as the end of their
// context would: the call that made each fails with ErrClosed, permanent,
// and broadcast.Uncertain too when the request may have reached the
// platform (written, and its answer not read). Later calls fail with
// ErrClosed. It then releases the idle connections of the channel's own
// client; a client given in Config is left alone. Calling it again does
// nothing more.
// The Broadcaster stops retrying a call so ended, and leaves the update
// pending on the channel, for a later Send (see ErrClosed).
func (c *Channel) Close() error {
	if !c.made() {
		return errNotMade
	}
	return c.s.client.Close()
}

// Send posts m's update to every room not done in an earlier attempt. See
// the package documentation.
func (c *Channel) Send(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	if !c.made() {
		return broadcast.Receipt{}, errNotMade
	}
	text, err := c.render(m.Update, false)
	if err != nil {
		return broadcast.Receipt{}, err
	}
	f := broadcast.NewFanout(m, c.s.targets)
	// A room another target posted the update to, in an earlier attempt
	// or this one, is not posted to again.
	earlier, made := f.Receipt(), []post(nil)
	// A room whose post failed in a way that may hide its event (a lost
	// answer, a 5xx) is not posted to again in this attempt, under another
	// target's transaction ID, which would make a second event there: the
	// retry of that post, under its own, records the event it made.
	unsure := map[string]error{}
	in := func(room string) (post, bool, error) {
		if i := slices.IndexFunc(made, func(p post) bool { return p.room == room }); i >= 0 {
			return made[i], true, nil
		}
		if err := unsure[room]; err != nil {
			return post{}, false, err
		}
		p, ok := postedIn(earlier, c.s.targets, room)
		return p, ok, nil
	}
	fanOut(ctx, f, func(i int) (*broadcast.Receipt, error) {
		// The transaction ID of the post in room, and the target it is
		// of: on a retry, that of another target whose post there failed
		// so in an earlier attempt (see triedIn), which the homeserver
		// answers with the event it may have made then, else the
		// target's own.
		own := true
		txn := func(room string) (string, int) {
			own = true
			if m.Attempt > 1 {
				for j, t := range c.s.targets {
					if j != i && f.Progressed(j, triedIn(room)) {
						own = false
						return sendKey(m.Key(t), t, room), j
					}
				}
			}
			return sendKey(m.Key(c.s.targets[i]), c.s.targets[i], room), i
		}
		// A post under a transaction ID that an earlier attempt sent
		// (see sending), its outcome unknown, is looked for in the room
		// first: the homeserver may have forgotten the transaction ID.
		put := func(room string, body []byte) (string, error) {
			id, owner := txn(room)
			if m.Attempt > 1 && f.Progressed(owner, sending(room)) {
				if event, ok, err := c.sent(ctx, room, id); err == nil && ok {
					return event, nil
				}
			} else {
				_ = f.MarkProgress(owner, sending(room)) // the Broadcaster reports a failed mark
			}
			return c.send(ctx, room, id, body)
		}
		// A thread root found gone in a room (see rootGone), in this
		// attempt or an earlier one, by any target there: the post goes
		// without the thread on every retry too, so that one the
		// homeserver answers with the event an earlier attempt made
		// (its answer lost) is not recorded as a reply.
		gone := func(room, root string, found bool) bool {
			if found {
				_ = f.MarkProgress(i, rootGonePart(room, root)) // the Broadcaster reports a failed mark
				return true
			}
			for j := range c.s.targets {
				if f.Progressed(j, rootGonePart(room, root)) {
					return true
				}
			}
			return false
		}
		p, room, err := c.post(ctx, m, c.s.targets[i], text, in, put, gone)
		if err != nil && room != "" && !broadcast.IsPermanent(err) {
			if unsure[room] == nil {
				unsure[room] = fmt.Errorf("the room %s may have the update from %s, whose post failed: %w",
					room, c.s.targets[i], err)
			}
			if own {
				_ = f.MarkProgress(i, triedIn(room)) // the Broadcaster reports a failed mark
			}
		}
		if err != nil {
			return nil, err
		}
		made = append(made, p)
		r := c.receipt(ctx, []post{p})
		return &r, nil
	})
	if err := f.Err(); err != nil {
		return broadcast.Receipt{}, fmt.Errorf("matrix: send: %w", err)
	}
	r := f.Receipt() // the events of earlier attempts too, from the Ledger
	r.Channel, r.Time = c.name, c.s.now()
	return r, nil
}

// fanOut runs do for each room f has to do, in order, and reports its
// outcome to f at once: as posted when do returns a receipt. Once ctx
// ended, or the homeserver refused the access token (401: M_UNKNOWN_TOKEN,
// M_MISSING_TOKEN), or an answer came from a server that is no homeserver,
// the rooms left fail with that error without a request: every room would
// get the same answer.
func fanOut(ctx context.Context, f *broadcast.Fanout, do func(i int) (*broadcast.Receipt, error)) {
	var stop error
	for _, i := range f.Todo() {
		if stop == nil {
			stop = ctx.Err()
		}
		if stop != nil {
			f.Report(i, stop)
			continue
		}
		r, err := do(i)
		if everyRoom(err) {
			stop = err
		}
		if err == nil && r != nil {
			f.Posted(i, *r)
			continue
		}
		f.Report(i, err)
	}
}

// triedIn is the progress part (see broadcast.Fanout.MarkProgress) of a
// target whose post in room, under its own transaction ID, failed in a way
// that may hide its event (a lost answer, a 5xx): the room may have the
// update. A retry posts there under that transaction ID, for whichever
// target leads to room first, so that the homeserver answers with the
// event it made, after a restart and on another instance too, even when
// the target that made it fails before its post this time (its alias or
// its room's m.room.tombstone cannot be read for now).
func triedIn(room string) string { return "tried " + room }

// sending is the progress part (see broadcast.Fanout.MarkProgress) of a
// target whose transaction ID a post in room is about to be sent under,
// marked before the request: a retry finds it marked when the outcome of
// that post may be unknown (a lost answer, a 5xx, a process that ended),
// and looks for its event in the room (see sent) before posting again.
func sending(room string) string { return "sending " + room }

// rootGonePart is the progress part (see broadcast.Fanout.MarkProgress)
// of a target whose post in room was made without the incident's thread,
// whose root the homeserver no longer knows (see rootGone).
func rootGonePart(room, root string) string { return "root " + root + " gone in " + room }

// everyRoom reports whether err, a room's, is one every room would get:
// the access token refused, or an answer from another server.
func everyRoom(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Status == http.StatusUnauthorized || errors.Is(err, errNotHomeserver)
}

// post sends text to the room target, in the incident's thread there.
// A room that was upgraded (see upgraded) is left for its replacement
// before the post, and when the room refuses the post, and target names
// another room now (see moved), the post is made there. When the room
// it is to be made in already has the update, under another target (in
// reports it), that post is target's too: two configured rooms that
// lead to one room (an upgraded room and its replacement, both in
// Config.Rooms; an alias of a configured room ID) get each update once.
// When in returns an error for the room (another target's post there may
// have been made), so does post, without a request. put sends the post's
// event content to a room, under the post's transaction ID there, and
// returns its event ID. A post whose thread's root the homeserver no
// longer knows (see rootGone) is made without the thread, as a thread of
// its own; gone reports whether a root was found so in a room, in this
// attempt or an earlier one, and, with found, records that it is. It also
// returns the room it sent the post to last, "" when it sent none.
func (c *Channel) post(ctx context.Context, m broadcast.Message, target, text string,
	in func(room string) (post, bool, error), put func(room string, body []byte) (string, error),
	gone func(room, root string, found bool) bool) (post, string, error) {
	send := func(room string, rel *relation) (string, *relation, error) {
		if rel != nil && gone(room, rel.EventID, false) {
			rel = nil
		}
		event, err := put(room, encode(message(c.s.msgtype, text, m.Update.URL, rel)))
		if err == nil || rel == nil {
			return event, rel, err
		}
		if ok, rerr := c.rootGone(ctx, room, rel.EventID, err); rerr != nil || !ok {
			return "", rel, cmp.Or(rerr, err)
		}
		gone(room, rel.EventID, true)
		event, err = put(room, encode(message(c.s.msgtype, text, m.Update.URL, nil)))
		if err != nil {
			err = fmt.Errorf("the post without the thread, whose root %s the homeserver no longer knows: %w", rel.EventID, err)
		}
		return event, nil, err
	}
	room, err := c.room(ctx, target)
	if err != nil {
		return post{}, "", err
	}
	old := room
	now, ok, err := c.upgraded(ctx, target, room)
	if err != nil {
		return post{}, "", err
	}
	if ok {
		room = now
	}
	if p, ok, err := in(room); ok || err != nil {
		p.target = target
		return p, "", err
	}
	event, rel, err := send(room, threadIn(m.Thread, target, room))
	if err != nil && refused(err) {
		if now, ok := c.moved(ctx, target, room, old); ok {
			if p, ok, err := in(now); ok || err != nil {
				p.target = target
				return p, "", err
			}
			room = now
			event, rel, err = send(room, threadIn(m.Thread, target, now))
		}
	}
	if err != nil && room != old {
		err = fmt.Errorf("the room %s, which replaced %s: %w", room, old, err)
	}
	if err != nil {
		return post{}, room, err
	}
	p := post{target: target, room: room, event: event}
	if rel != nil {
		p.root = rel.EventID
	}
	return p, room, nil
}

// Preview renders u as Send would post it; Length is the event content's
// size in bytes of JSON, Limit ContentLimit.
func (c *Channel) Preview(u broadcast.Update) (broadcast.Preview, error) {
	if !c.made() {
		return broadcast.Preview{}, errNotMade
	}
	p := broadcast.Preview{Channel: c.name, Limit: ContentLimit, Unit: "bytes of event content JSON"}
	text, err := c.render(u, false)
	if err != nil {
		return p, err
	}
	p.Text, p.Length = text, len(encode(message(c.s.msgtype, text, u.URL, nil)))
	return p, nil
}

// render renders u with the "text" template so that its event content,
// a post's or an edit's, fits ContentLimit with the longest relation an
// event can have (event IDs of 255 bytes).
func (c *Channel) render(u broadcast.Update, editing bool) (string, error) {
	if err := textsafe.CheckURL(u.URL, "the message links to it"); err != nil {
		return "", broadcast.Permanent(fmt.Errorf("matrix: render: %w", err))
	}
	raw := u.URL
	size := func(text string) int {
		return len(encode(message(c.s.msgtype, text, raw, thread(longestID, longestID))))
	}
	if editing {
		size = func(text string) int { return len(encode(edit(c.s.msgtype, text, raw, longestID))) }
	}
	empty := size("")
	measure := func(text string) int { return size(text) - empty } // 0 for "", as a Measure must
	// "@room" is broken before the text is fitted, so that the marks count
	// (see quietRoom), and again in what the template wrote itself; in
	// Update.URL, wherever the text shows it, as in its link, whole.
	u = textsafe.Map(u, c.name, func(s string) string { return quietRoom(s, raw) })
	u.URL = quietRoom(raw, raw)
	text, err := c.s.set.Text(c.name, "text", u, ContentLimit-empty, measure)
	if err != nil {
		return "", broadcast.Permanent(fmt.Errorf("matrix: render: %w", err))
	}
	// The templates clean an update's text, but not the Override of a
	// Message built without broadcast.NewMessage, nor the Status, Impact,
	// component statuses or URL the Broadcaster would have refused, nor
	// what a template of the caller's writes: none of it may put a
	// control character (a terminal escape) in the event, nor leave a
	// right-to-left override open past its line (the formatted_body,
	// built from the text, shows lines joined). Removing characters only
	// shortens the text; the few closing characters BalanceBidi may add
	// fit in what ContentLimit leaves of MaxEventBytes, as do the marks
	// quietRoom adds to an "@room" the template itself wrote.
	text = quietRoom(templates.BalanceBidi(broadcast.Update{Body: text}.Clean().Body), u.URL)
	if text == "" {
		return "", broadcast.Permanent(errors.New("matrix: render: empty once its control characters are removed"))
	}
	return text, nil
}

// longestID stands for an event ID of the most bytes the specification
// allows, when measuring a relation not yet known.
var longestID = "$" + strings.Repeat("x", maxIDLength-1)

// errNotMade is the error, permanent, of a call of a Channel not made by
// New: a nil *Channel (New failed, its error dropped) or a zero Channel,
// whose calls would otherwise panic.
var errNotMade = broadcast.Permanent(notmade.Error("matrix.Channel", "matrix.New"))

// made reports whether c was made by New.
func (c *Channel) made() bool { return c != nil && c.name != "" }
