package slack

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/httpx"
)

// barState is a status bar as a message's metadata carries it: Slack
// takes, in an event_payload, objects of strings, numbers and booleans
// only (no mrkdwn_in array).
type barState struct {
	Color    string `json:"color"`
	Fallback string `json:"fallback"`
	Text     string `json:"text"`
}

// barOf returns the status bar that shows u: each post through the Web
// API that sets a thread's bar (and an incident's first) carries it in
// its metadata, so that the bar can be set back to it when a later
// update is retracted.
func barOf(u broadcast.Update) *barState {
	a := statusBar(u)
	return &barState{Color: a.Color, Fallback: a.Fallback, Text: a.Text}
}

// attachment returns the status bar b.
func (b barState) attachment() attachment {
	return attachment{Color: b.Color, Fallback: b.Fallback, Text: b.Text, MrkdwnIn: []string{"text"}}
}

// Bounds of a retraction's reading of its thread.
const (
	// maxBarReads bounds the reads of conversations.replies a
	// retraction makes to find the update before the retracted one (one
	// more may read the thread's first post).
	maxBarReads = 4
	// barWindow is the time before the retracted reply its first read
	// spans.
	barWindow = time.Hour
	// barSpan is how many messages each later read is to span, at the
	// pace of the messages read so far: a page, less some room for a
	// pace that quickens.
	barSpan = lookLimit - 3
)

// retractPost deletes p and, when p is the reply whose status its
// thread's status bar shows, sets the bar back to the latest earlier
// update still in the thread, or to the first post's own. The thread is
// read before the deletion; a read that fails leaves the bar, as a bar
// that cannot be updated after a post does: the deletion is what counts.
// A deletion whose outcome is unknown (mayHaveTakenEffect) sets the bar
// back too, unless a read of the thread still lists p: if it deleted p,
// its retry finds p gone and can no longer tell that the bar showed p's
// status; if it did not, p is up and the bar keeps showing its status,
// also when every retry fails, and the retry that deletes p sets it back.
// A read that fails (a rate limit) counts as p gone.
func (c *Channel) retractPost(ctx context.Context, p post) error {
	var back *attachment
	if p.thread != p.ts {
		back = c.barBefore(ctx, p)
	}
	err := c.remove(ctx, p)
	if back != nil && c.deleted(ctx, p, err, true) {
		req := updateRequest{Channel: p.channel, TS: p.thread, Attachments: []attachment{*back}, Parse: "none"}
		var resp postResponse
		_ = c.call(ctx, "chat.update", req, &resp)
	}
	return err
}

// deleted reports whether p, whose deletion (remove) returned err, is to
// be taken as gone: it was deleted, or its deletion's outcome is unknown
// (mayHaveTakenEffect: a 5xx, Slack's or a proxy's page in its place; an
// answer lost) and a read of its thread no longer lists it (stillUp). A
// refusal (a rate limit, Slack's cant_delete_message) leaves p up. When
// the read fails too, whether p is gone is not known: unread is what the
// caller takes it for. Retract, whose error is retried, takes p for gone
// (see retractPost); the removal of a second post in one conversation
// (see deliverAll), which is not retried, for up, so that its target
// records a post that may be up rather than none.
func (c *Channel) deleted(ctx context.Context, p post, err error, unread bool) bool {
	if err == nil {
		return true
	}
	if !mayHaveTakenEffect(err) {
		return false
	}
	up, read := c.stillUp(ctx, p)
	if !read {
		return unread
	}
	return !up
}

// stillUp reports whether a read of p's thread lists p: the reply p, or,
// for the thread's first post, the post itself (which read takes apart
// from the replies it counts); read is false when the read fails. A
// thread Slack answers thread_not_found for is read, and p is not up:
// its first post was deleted before any reply, or with its replies
// (https://docs.slack.dev/reference/methods/conversations.replies lists
// thread_not_found for a ts that is not a thread's).
func (c *Channel) stillUp(ctx context.Context, p post) (up, read bool) {
	at, ok := tsTime(p.ts)
	if !ok {
		return false, false
	}
	t := threadRead{c: c, p: p, at: at}
	pg, err := t.read(ctx, at, at)
	if ae := (*APIError)(nil); errors.As(err, &ae) && ae.Code == "thread_not_found" {
		return false, true
	}
	if err != nil {
		return false, false
	}
	return pg.n > 0 || p.ts == p.thread && t.rootSeen, true
}

// mayHaveTakenEffect reports whether err, a call's, leaves open whether
// the call took effect: Slack's internal_error or fatal_error (which say
// part of the operation may have succeeded) or an HTTP 5xx, or no answer
// of Slack's (lost, cut off, a transport error that is not permanent),
// but for a proxy's 429 in Slack's place: a rate limit refuses the call
// before it is passed on.
func mayHaveTakenEffect(err error) bool {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Code == "internal_error" || ae.Code == "fatal_error" || ae.Status >= 500
	}
	var se *httpx.StatusError
	if errors.As(err, &se) && se.Status == http.StatusTooManyRequests {
		return false
	}
	return !broadcast.IsPermanent(err)
}

// barBefore reads p's thread and returns the status bar its first post
// is to show once p is gone: nil when the bar does not show p's update
// (a later one, a correction of it, or a post made without its state),
// or when the thread cannot be read.
//
// It reads the replies just before p, not the thread from its start, so
// that a thread of any length takes at most maxBarReads reads.
// conversations.replies lists the messages between oldest and latest
// (both included, with inclusive) earliest first, a page from oldest on
// (has_more when there are more). So the reads go back in time from p:
// the first spans barWindow; each later one ends where the part read
// whole ends and spans barSpan messages at the pace of the messages read
// so far. A page that does not hold all of its span gives that pace, and
// the part of the span after it is read next; a span read whole with an
// update in it gives the update before p, as does a span read whole up
// to a page read before (whose latest update is then the one), or to the
// first post (with none: the first post's own state).
func (c *Channel) barBefore(ctx context.Context, p post) *attachment {
	start, ok1 := tsTime(p.thread)
	at, ok2 := tsTime(p.ts)
	if !ok1 || !ok2 || !start.Before(at) {
		return nil
	}
	t := threadRead{c: c, p: p, at: at}
	var (
		whole   = at          // the replies from whole to p are read (once known)
		known   bool          // whether a span up to p was read whole
		below   *barPage      // the latest page read whose span was not
		pace    time.Duration // between two replies, as read so far
		before  *barState     // the update before p's state, once settled
		settled bool          // whether before is known (nil: there is none)
	)
	for read := 0; read < maxBarReads && !settled; read++ {
		lo := whole.Add(-barWindow)
		if pace > 0 {
			lo = whole.Add(-pace * barSpan)
		}
		lo = latest(lo, start)
		if below != nil {
			lo = latest(lo, below.last)
		}
		pg, err := t.read(ctx, lo, whole)
		if err != nil {
			return nil
		}
		if !pg.whole {
			if pg.n < 2 {
				return nil
			}
			// Only the span's earliest messages: the rest is read next.
			below, pace = &pg, max(time.Microsecond, pg.last.Sub(pg.first)/time.Duration(pg.n-1))
			continue
		}
		if !known {
			known = true
			if t.own == nil || t.rootSeen && t.shown != t.own.Text {
				return nil // the bar does not show p's update
			}
		}
		pace = max(time.Microsecond, whole.Sub(lo)/time.Duration(max(pg.n, 1)))
		whole = lo
		switch {
		case pg.latest != nil:
			before, settled = pg.latest, true
		case below != nil && !lo.After(below.last):
			// Read whole down to a page read before.
			whole, before, settled = below.lo, below.latest, below.latest != nil
			below = nil
		}
		if !settled && !whole.After(start) {
			settled = true // no update before p: the first post's own state
		}
	}
	if !settled || !t.rootRead(ctx) || t.own == nil || t.shown == "" || t.shown != t.own.Text {
		return nil
	}
	if before == nil {
		before = t.root
	}
	if before == nil {
		return nil
	}
	a := before.attachment()
	return &a
}

// threadRead is what the reads of a thread for a retraction of the reply
// p (at at) found.
type threadRead struct {
	c        *Channel
	p        post
	at       time.Time
	rootSeen bool
	shown    string    // the status bar's text
	root     *barState // the first post's own state
	own      *barState // p's
}

// barPage is a page of replies to p's thread between lo and hi.
type barPage struct {
	lo          time.Time
	whole       bool      // the page holds every reply between lo and hi
	n           int       // replies on the page
	first, last time.Time // the page's earliest and latest reply
	latest      *barState // the latest update before p on the page
}

// read reads the replies between lo and hi, both included: the earliest
// of them, a page.
func (t *threadRead) read(ctx context.Context, lo, hi time.Time) (barPage, error) {
	q := url.Values{"channel": {t.p.channel}, "ts": {t.p.thread}, "oldest": {slackTS(lo)}, "latest": {slackTS(hi)},
		"inclusive": {"true"}, "limit": {strconv.Itoa(lookLimit)}, "include_all_metadata": {"true"}}
	var list listResponse
	if err := t.c.read(ctx, "conversations.replies", q, &list); err != nil {
		return barPage{}, err
	}
	pg := barPage{lo: lo, whole: !list.HasMore && list.Metadata.NextCursor == ""}
	var latestTS time.Time
	for _, m := range list.Messages {
		if m.TS == t.p.thread {
			t.takeRoot(m)
			continue
		}
		ts, ok := tsTime(m.TS)
		if !ok || ts.Before(lo) || ts.After(hi) {
			continue
		}
		if pg.n == 0 {
			pg.first = ts
		}
		pg.n, pg.last = pg.n+1, ts
		pl, ok := m.payload()
		switch {
		case !ok || pl.Bar == nil:
		case ts.Equal(t.at):
			t.own = pl.Bar
		case ts.Before(t.at) && (pg.latest == nil || ts.After(latestTS)):
			pg.latest, latestTS = pl.Bar, ts
		}
	}
	return pg, nil
}

// takeRoot takes the status bar the thread's first post m shows, and its
// own state.
func (t *threadRead) takeRoot(m listedMessage) {
	t.rootSeen = true
	if len(m.Attachments) > 0 {
		t.shown = m.Attachments[0].Text
	}
	if pl, ok := m.payload(); ok {
		t.root = pl.Bar
	}
}

// rootRead reads the thread's first post, unless a read of its replies
// had it, and reports whether it has it: Slack lists the first post
// before the replies, so a page of one.
func (t *threadRead) rootRead(ctx context.Context) bool {
	if t.rootSeen {
		return true
	}
	q := url.Values{"channel": {t.p.channel}, "ts": {t.p.thread}, "limit": {"1"}, "include_all_metadata": {"true"}}
	var list listResponse
	if err := t.c.read(ctx, "conversations.replies", q, &list); err != nil || len(list.Messages) == 0 ||
		list.Messages[0].TS != t.p.thread {
		return false
	}
	t.takeRoot(list.Messages[0])
	return true
}

// latest returns the later of a and b.
func latest(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// tsTime reads a Slack timestamp, seconds "." microseconds, as a time.
func tsTime(ts string) (time.Time, bool) {
	s, f, _ := strings.Cut(ts, ".")
	if s == "" || len(s) > 12 || len(f) > 6 || strings.ContainsFunc(s+f, func(r rune) bool { return r < '0' || r > '9' }) {
		return time.Time{}, false
	}
	sec, _ := strconv.ParseInt(s, 10, 64)
	us, _ := strconv.ParseInt(f+strings.Repeat("0", 6-len(f)), 10, 64)
	return time.Unix(sec, us*int64(time.Microsecond/time.Nanosecond)), true
}
