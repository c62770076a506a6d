// Package bluesky posts incident updates to a Bluesky account (or any
// AT Protocol server hosting app.bsky.feed.post records), logged in with an
// app password.
//
// Each update is one post (com.atproto.repo.createRecord of an
// app.bsky.feed.post record): the channel's entry in Update.Overrides, or
// else the "short" template, fitted to 300 grapheme clusters with the body
// shortened first and the status-page URL kept whole (or, when no post
// holds it whole, shown as its scheme, host and the start of its path,
// then "...", linked to the whole URL, as Bluesky's app shows a long
// link). Every http(s) URL
// in the text gets a link facet (app.bsky.richtext.facet#link) with its
// UTF-8 byte offsets, so it is clickable whatever precedes it (emoji, CJK),
// ending where a sentence's punctuation ends it (before a final "." or
// an unopened ")": templates.LinkSpans), but for Update.URL, which
// links to the URL whole wherever the post shows it, such a character at
// its end included (templates.LinkSpansWhole); and
// every hashtag ("#CDN", found as Bluesky's app finds them) a tag
// facet (app.bsky.richtext.facet#tag), so it links to the tag's feed.
// A post makes no mention: Bluesky mentions are facets, and the channel
// makes link and tag facets only, so "@handle" in a title notifies no one. The
// post's createdAt is when it was sent; its langs are Config.Languages.
// The Receipt's ID is the post's AT URI, its URL the post on bsky.app,
// and its Meta holds the URI and CID ("uri", "cid") that replies need,
// and those of the first post of its thread ("root_uri", "root_cid"; the
// post's own when it replies to none). A post a retry found made (see
// # Limits) by a read that gave no CID has none in its Meta, which says
// so ("cid_missing"): a reply to it reads the post again for its CID
// (a read that fails for a reason that may pass fails the Send,
// transient, with nothing posted), and when the server gives none then
// either, starts a new thread, its Receipt naming the post in
// "reply_dropped" and why in "reply_dropped_why".
// Preview renders without posting; Check verifies the login
// (com.atproto.server.getSession) and that the account is active.
//
// # Sessions
//
// The channel logs in once (com.atproto.server.createSession, with
// Config.Identifier and Config.AppPassword) and keeps the session for its
// life: every post, deletion and check uses it; Bluesky allows 30 logins
// per 5 minutes and 300 per day per account, so a channel never logs in
// per post. When the server refuses the access token as expired
// (ExpiredToken; also InvalidToken), the channel renews the session with
// com.atproto.server.refreshSession and makes the request again, once; when
// the refresh token is refused too, it logs in again. An access token
// whose "exp" has passed (within a minute; its lifetime counted from when
// it came, by the channel's clock) is renewed before a request rather
// than sent to be refused, as after a rate limit's hold that outlasted
// it (one whose "exp" is not after its "iat", or past the year 9999,
// says nothing of when: it is renewed when the server refuses it); the
// request waits out such a hold, and for the points of writes
// made together with it, before it takes the session (the login or
// refresh it needs then is made with nothing reserved, so that a read's
// reservation does not hold its own renewal). Concurrent calls
// share one login or refresh, and its failure: the calls that waited for
// a login or refresh that failed return its error rather than each try
// again (a refused or rate-limited login counts against the limit too); a
// call made after it tries again. Sessions live in memory: a new process
// logs in once more.
//
// # Threading
//
// A post replies with app.bsky.feed.post#replyRef, which names both ends
// of the incident's thread: root is the channel's first post of the
// incident (Message.Thread.Root) and parent its latest (Message.Thread.Last),
// so the incident reads as one thread, each update under the previous one.
// Both come from the receipts' Meta "uri" and "cid"; a Thread without them
// (a receipt from elsewhere) starts a new thread. When the latest post is
// in a thread of its own (it started one: two first posts of an incident),
// root is that thread's first post, which the latest post's receipt names
// ("root_uri", "root_cid"): Bluesky leaves a reply out of the thread
// unless its root is its parent's root. The server does not check that
// the posts replied to still exist, and a reply under a deleted post
// cannot be reached from its thread, whose view stops at the deletion:
// so the channel reads the post it replies to first
// (com.atproto.repo.getRecord), with the session renewed first when its
// access token expired by its "exp" (as the post would renew it). Gone (deleted in the app), the update
// replies to the thread's first post; that gone too, it starts a new
// thread. Its Receipt then names the post it did not reply to in
// Meta["reply_dropped"]; the post of an earlier attempt that a retry
// finds (see # Limits) is named by what it replies to, which that attempt
// chose. A read that fails leaves the reply as it was.
//
// # Corrections and retractions
//
// Bluesky posts cannot be edited, so the Channel is not a
// broadcast.Editor: Broadcaster.Correct posts the correction (an update
// with Update.Corrects set, which the templates render as a correction) as
// a reply in the incident's thread. The Channel is a broadcast.Retractor:
// Retract deletes the post (com.atproto.repo.deleteRecord), which the
// server does for a post already gone too.
//
// # Limits
//
// One post per update, text only: a long update is shortened, never split
// into a thread. The text holds at most MaxGraphemes (300) grapheme
// clusters and MaxBytes (3,000) bytes; Measure counts both. Writes cost
// points of the account's write budget (a post 3, a deletion 1, of 5,000
// an hour and 35,000 a day on Bluesky's servers).
//
// The post's record key is derived from the update, so that a retry
// cannot post twice: a TID (the record key app.bsky.feed.post requires)
// whose time is the second of Update.Time, so that Bluesky orders the
// incident's posts by when they were written, and whose remaining 30 bits
// come from Message.Key("") (of the Update's default ID when it has
// none, as broadcast.Update.WithDefaults gives it). Every attempt of an
// update, after a restart too, uses the same key, as long as the update
// keeps its Time (the Broadcaster's retries do). A retry after a lost answer finds the key
// taken: Bluesky's PDS then refuses the record with HTTP 500
// {"error":"InternalServerError","message":"Internal Server Error"} (its
// repository cannot hold two records under one key, and it reports that
// as an internal error), other servers with a 409 RecordAlreadyExists
// (Cirrus) or a 400 such as InvalidSwap or "record already exists". On
// such an answer the channel reads the key back
// (com.atproto.repo.getRecord): a record there is the post of the
// earlier attempt, and Send returns its receipt as delivered, also when
// the answer names no cid, which getRecord's output need not give (its
// lexicon requires only uri and value); no record
// there (RecordNotFound), and the answer's error stands. When the read
// back itself fails for a reason that may pass (a network error, a 5xx, a
// 429), whether the post exists is unknown: the error is then transient,
// the 400 included, with the read back's error (and its rate limit's
// wait) in it, so that a later attempt reads the key back again; a
// read back answered by another than the server (see # Errors) is
// Permanent, the post's fate unknown.
// Redirects are not followed, so that no credential reaches another host.
//
// The server's rate limits are kept: an answer, a success too, saying
// that a limit is used up (RateLimit-Remaining: 0) holds the channel's
// next request counted against it until RateLimit-Reset (Unix seconds, by
// the answer's Date; at most 24 hours), as the server would refuse it
// with a 429. A PDS counts an account's record writes together, in
// points per hour and per day (a post 3, a deletion 1), and its logins
// apart, and every request against the IP address's limit: writes used
// up hold the next post and deletion, not a read, and the IP address's
// limit used up holds every request: a write's answer too may say it is,
// its RateLimit-Policy naming the IP address's limit (3000;w=300) as the
// tightest the write counted against. What a write's answer says is left
// is in points (in requests, of which a write is one, when it speaks of
// the IP address's limit), and the fewest said is kept until the reset:
// a post waits for the reset when fewer than 3 points are left, a
// deletion (a retraction) only when none is; the points of a write made
// and not yet answered count as spent, so that two posts made together
// with points left for one do not both go, and every request made and
// not yet answered, a write or a login too, counts as one of the IP
// address's limit. A wait that would leave the request less
// than 10 seconds before the context's deadline (or less than half the time
// the context has left, when that is shorter) is not begun, and one the
// context ends fails: the request is not made, and fails transient, with
// broadcast.RetryAfter the time left. A wait the
// Channel's Close ends fails at once with ErrClosed, permanent. Headers
// that do not parse hold nothing.
//
// # Errors
//
// Errors start with "bluesky: " and carry the server's XRPC error,
// {"error":"…","message":"…"}, bounded and without credentials; errors.As
// finds an *XRPCError. They are marked for the Broadcaster:
//
//   - 429 (RateLimitExceeded) is transient, with broadcast.RetryAfter until
//     the RateLimit-Reset time (Unix seconds, the wait rounded up to a
//     whole second; RateLimit-Policy names the limit), else the
//     Retry-After header, else 30 seconds;
//   - a refused login (401 AuthenticationRequired, "Invalid identifier or
//     password"; AccountTakedown; AuthFactorTokenRequired, which an app
//     password never asks for), 401 and 403, and an expired session that
//     renewing did not cure, are Permanent; a login refused with 401 (but
//     AccountTakedown and AuthFactorTokenRequired) ends in "(refused the
//     credential: check Config.Identifier and Config.AppPassword)", and
//     AuthFactorTokenRequired in "(refused the credential: check
//     Config.AppPassword)";
//   - 400 InvalidRequest (a record the server refused) and every other 4xx
//     are Permanent;
//   - a redirect, or a 401, 403, 404 or 405 without the XRPC error body (a
//     proxy's page, a Service with a wrong path), a 2xx that is not
//     JSON (a captive portal's page; one longer than the answer read is
//     judged by its start), a 2xx that quotes a credential the channel
//     knows (a relay's or a debugging proxy's echo of the request; a
//     refresh token answered again whole, by a server that does not rotate
//     it, is no echo), and a login's or a post's answer without a session
//     or a record's uri and cid, is not the server's answer:
//     Permanent (and, to a post, broadcast.Uncertain, but for the 2xx
//     that is not JSON: the record may have been made), naming Config.Service, never refused credentials, a
//     session, a post made or deleted, and, to a session refresh, no cause
//     to log in again;
//   - 5xx (but 501 Not Implemented, which is Permanent), 408, 425 and
//     network errors are transient; when ctx ends, the error matches
//     ctx.Err() with errors.Is.
//   - A certificate that does not verify, or a port that does not speak
//     TLS, is Permanent.
//
// A template that cannot produce a post within the limits is a Permanent
// error wrapping templates.ErrTooLong. No error contains a credential:
// the app password is a redact.Secret, and every error carrying the
// server's or a transport's text passes through one redact.Redactor that
// knows the password and the session's access and refresh tokens (which
// the server issued, and may echo), in the encodings a server may echo
// them in; text quoted from an answer is redacted before it is cut to
// length. A successful answer is read as it came, never redacted: one
// that quotes a credential is refused whole, and nothing of it quoted.
//
// # URL form
//
// A channel can be written as one URL, for ParseURL and Config.URL:
//
//	bluesky://status.example.com:abcd-efgh-ijkl-mnop@bsky.social?lang=en&name=status-bluesky
//
// The user information is Config.Identifier and Config.AppPassword (a DID
// or an e-mail address as identifier is percent-encoded: did%3Aplc%3A…);
// the host is the service, reached over https. The query parameters lang
// (comma-separated, or repeated) and name are optional.
// bluesky+http:// selects plain http, for a test server on a loopback
// address.
package bluesky

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/httpx"
	"github.com/outagecast/outagecast/channels/internal/ratelimit"
	"github.com/outagecast/outagecast/channels/internal/setup"
	"github.com/outagecast/outagecast/channels/internal/textsafe"
	"github.com/outagecast/outagecast/internal/ctxwait"
	"github.com/outagecast/outagecast/internal/notmade"
	"github.com/outagecast/outagecast/redact"
	"github.com/outagecast/outagecast/templates"
)

// Channel posts updates to one Bluesky account. It is safe for concurrent
// use. It prints as "bluesky.Channel(<name>)".
//
// A nil *Channel (New's error dropped) or a zero Channel fails every
// call with a permanent error saying it was not made by bluesky.New, and
// its Name is "" (which broadcast.New refuses); none panics.
type Channel struct {
	name string
	s    *state
}

// state is what a Channel works with, behind a pointer so that fmt never
// prints it.
type state struct {
	service    string
	identifier string
	password   redact.Secret
	langs      []string
	client     httpx.Client
	redactor   *redact.Redactor // the password; see Channel.redactor for the session's tokens
	tmpl       *templates.Set
	sessions   *sessions
	now        func() time.Time
	sleep      func(context.Context, time.Duration) error
	rate       ratelimit.Limits // the rate limits an answer said are used up
}

var (
	_ broadcast.Channel   = (*Channel)(nil)
	_ broadcast.Previewer = (*Channel)(nil)
	_ broadcast.Checker   = (*Channel)(nil)
	_ broadcast.Retractor = (*Channel)(nil)
)

// Operations, as errors name them.
const (
	opPost   = "post"
	opDelete = "delete"
	opCheck  = "check"
	opLogin  = "log in"
	opRead   = "read back"
	// opReadCID reads a post of the thread for the cid its receipt lacks.
	opReadCID = "read the cid of the post replied to"
)

// defaultTimeout bounds one request of the default client.
const defaultTimeout = 30 * time.Second

// New returns a channel for cfg. It checks cfg without any network I/O
// (it logs in on first use); errors name the field, as in
// "bluesky: Config.AppPassword: missing"; the error names every fault of
// cfg, a line each (errors.Join).
func New(cfg Config) (*Channel, error) {
	var f setup.Faults // every fault of cfg, a line each
	service, name := cfg.validate(&f)
	// Plain: a post's text is plain, its links facets.
	tmpl := cfg.Templates.Plain()
	if name != "" { // else refused: no name to try the template for
		f.Add(setup.TryText(pkg, tmpl, name, "short", MaxGraphemes, Measure))
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	client := httpx.ChannelClient(cfg.HTTPClient, httpx.ClientOptions{Closed: ErrClosed, Timeout: defaultTimeout})
	s := &state{service: service, identifier: cfg.Identifier, password: cfg.AppPassword,
		langs: slices.Clone(cfg.Languages), client: client, redactor: redact.NewRedactor(cfg.AppPassword),
		tmpl: tmpl, sessions: newSessions(), now: time.Now,
		sleep: ctxwait.Sleep, rate: ratelimit.Limits{Max: maxLimitWait}}
	return &Channel{name: name, s: s}, nil
}

// Name returns the channel's name, "bluesky" unless Config.Name says
// otherwise.
func (c *Channel) Name() string {
	if !c.made() {
		return ""
	}
	return c.name
}

// ErrClosed is wrapped by the error, permanent, of a call of the Channel
// whose request Close ended, or that was made after Close. It matches
// broadcast.ErrChannelClosed: the Broadcaster stops retrying the channel,
// and leaves the update pending there (no target failed for good), for a
// later Send, or a Job's next run, to deliver.
var ErrClosed = broadcast.ClosedError("bluesky: channel closed")

// Close ends the channel's requests in flight, as the end of their
// context would: the call that made each fails with ErrClosed, permanent,
// and broadcast.Uncertain too when the request may have reached the
// platform (written, and its answer not read). A call waiting for a rate
// limit to reset fails with ErrClosed at once, permanent and not
// Uncertain. Later calls fail with ErrClosed. It then releases the idle
// connections of the channel's own client; a client given in Config is
// left alone. Calling it again does nothing more.
// The Broadcaster stops retrying a call so ended, and leaves the update
// pending on the channel, for a later Send (see ErrClosed).
func (c *Channel) Close() error {
	if !c.made() {
		return errNotMade
	}
	return c.s.client.Close()
}

// Format prints the channel as "bluesky.Channel(<name>)" under every verb.
func (c *Channel) Format(f fmt.State, _ rune) {
	if c == nil {
		_, _ = fmt.Fprint(f, "bluesky.Channel(not made)")
		return
	}
	_, _ = fmt.Fprintf(f, "bluesky.Channel(%s)", c.name)
}

// Preview returns the text Send would post for u and its length.
func (c *Channel) Preview(u broadcast.Update) (broadcast.Preview, error) {
	if !c.made() {
		return broadcast.Preview{}, errNotMade
	}
	p := broadcast.Preview{Channel: c.name, Limit: MaxGraphemes, Unit: "graphemes"}
	text, _, err := c.text(u)
	if err != nil {
		return p, err
	}
	p.Text, p.Length = text, Measure(text)
	return p, nil
}

// text renders the post for u: its override or the short template,
// fitted. Bytes that are not UTF-8 (in a field of a Message built by hand
// that a template shows as given, such as IncidentID) become U+FFFD here,
// one for each run of them (strings.ToValidUTF8), before JSON sees the
// text, so that the facets' byte offsets are those of the text the server
// stores; the text is fitted as it is then, each U+FFFD three bytes, so
// that it stays within MaxBytes. When no post holds the text with
// Update.URL whole, the URL is shown shortened (see shortURL), and shown
// says where, for its link facet to point to the whole URL; nil
// otherwise.
func (c *Channel) text(u broadcast.Update) (text string, shown *shownLink, err error) {
	if err := textsafe.CheckURL(u.URL, "the post links to it"); err != nil {
		return "", nil, broadcast.Permanent(fmt.Errorf("bluesky: render: %w", err))
	}
	text, err = c.render(u)
	if short := shortURL(u.URL); errors.Is(err, templates.ErrTooLong) && short != "" {
		v := u
		v.URL = short
		if t, err2 := c.render(v); err2 == nil {
			if at := strings.LastIndex(t, short); at >= 0 {
				return t, &shownLink{start: at, end: at + len(short), uri: u.URL}, nil
			}
		}
	}
	if err != nil {
		return "", nil, broadcast.Permanent(fmt.Errorf("bluesky: render: %w", err))
	}
	return text, nil, nil
}

// render is the text of u as text gives it, its URL as u has it.
func (c *Channel) render(u broadcast.Update) (string, error) {
	text, err := c.s.tmpl.Text(c.name, "short", u, MaxGraphemes, func(s string) int {
		return Measure(strings.ToValidUTF8(s, "\uFFFD"))
	})
	return strings.ToValidUTF8(text, "\uFFFD"), err
}

// Send posts m.Update, replying in the incident's thread when there is
// one, under a record key derived from m (see the package documentation,
// # Limits), so that a retry after a lost answer finds the post of the
// earlier attempt instead of posting again.
func (c *Channel) Send(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	if !c.made() {
		return broadcast.Receipt{}, errNotMade
	}
	if err := ctx.Err(); err != nil {
		return broadcast.Receipt{}, fmt.Errorf("bluesky: post: %w", err)
	}
	// The record key needs the ID, which a Message built by hand may lack;
	// its Time stays as given, so that every attempt gets the same key.
	m.Update.ID = m.Update.WithDefaults(c.s.now().UTC()).ID
	text, shown, err := c.text(m.Update)
	if err != nil {
		return broadcast.Receipt{}, err
	}
	s, err := c.session(ctx, opPost)
	if err != nil {
		return broadcast.Receipt{}, err
	}
	want := threadRef(m.Thread)
	noCID := want == nil && cidsMissing(m.Thread)
	if (want != nil || noCID) && s.expired(c.s.now()) {
		// The check of the post it replies to needs a session the server
		// takes; the post would renew this one anyway.
		if _, err := c.renew(ctx, opPost, s); err != nil {
			return broadcast.Receipt{}, err
		}
	}
	var why string // why the post does not reply in the thread, when no read says it is gone
	if noCID {
		t, w, err := c.withCIDs(ctx, m.Thread)
		if err != nil {
			return broadcast.Receipt{}, err // nothing posted: a retry replies in the thread
		}
		why = w
		if want = threadRef(t); want != nil {
			why = ""
		}
	}
	rec := newPost(text, m.Update.URL, shown, c.liveReply(ctx, want), c.s.langs, c.s.now())
	ref, reply, err := c.create(ctx, rec, recordKey(m))
	if err != nil {
		return broadcast.Receipt{}, err
	}
	root := strongRef(ref)
	if reply != nil {
		root = reply.Root
	}
	r := c.receipt(ref, root)
	// What the post replies to: the post of an earlier attempt whose
	// answer was lost replies to what that attempt chose, which may not
	// be what this one would have.
	if want != nil && (reply == nil || reply.Parent.URI != want.Parent.URI) {
		r.Meta[metaReplyDropped] = want.Parent.URI
	}
	if why != "" && reply == nil {
		r.Meta[metaReplyDropped], r.Meta[metaReplyDroppedWhy] = m.Thread.Last.Meta[metaURI], why
	}
	if ref.CID == "" {
		r.Meta[metaCIDMissing] = "the server read the post back (com.atproto.repo.getRecord) without its cid, " +
			"which a reply to it needs: the reply reads the post again for it"
	}
	return r, nil
}

// create makes the record rec under rkey, or finds it made by an earlier
// attempt. reply is what the post replies to: rec's, or, for the post of
// an earlier attempt, the one it was made with; nil when it replies to
// none.
func (c *Channel) create(ctx context.Context, rec post, rkey string) (ref recordRef, reply *replyRef, err error) {
	s, err := c.session(ctx, opPost)
	if err != nil {
		return recordRef{}, nil, err
	}
	in := createRecord{Repo: s.did, Collection: Collection, RKey: rkey, Record: rec}
	resp, used, err := c.call(ctx, opPost, http.MethodPost, "com.atproto.repo.createRecord", nil, in)
	if err == nil {
		ref, err := parseRecordRef(resp.Body)
		if err != nil {
			err = broadcast.Permanent(fmt.Errorf("bluesky: %s: %w: %w", opPost, errNotXRPC, err))
			if httpx.NotJSON(resp) {
				return recordRef{}, nil, err // a captive portal's page: nothing was posted
			}
			// A success whose record is unread: the post may exist.
			return recordRef{}, nil, broadcast.Uncertain(err)
		}
		return ref, rec.Reply, nil
	}
	if resp != nil && resp.Status >= 200 && resp.Status <= 299 && !httpx.NotJSON(resp) {
		// A success refused (a relay's echo of the request): the post
		// may exist, and a later attempt looks for it. A page that is
		// not JSON (a captive portal's) shows that nothing was posted.
		return recordRef{}, nil, broadcast.Uncertain(err)
	}
	if resp != nil && mayExist(xrpcError(c.redactor(used), resp)) {
		ref, reply, ok, readErr := c.existing(ctx, s.did, rkey)
		switch {
		case ok:
			return ref, reply, nil // posted by an earlier attempt whose answer was lost
		case readErr != nil:
			// Whether the post exists is unknown, and a later attempt may
			// find out: transient as the read back's error is, even when
			// the answer to createRecord (a 400) was not.
			return recordRef{}, nil, fmt.Errorf("%s; the post may exist (%w)", err.Error(), readErr)
		}
	}
	return recordRef{}, nil, err
}

// mayExist reports an answer to createRecord that a taken record key
// explains (see the package documentation, # Limits).
func mayExist(e *XRPCError) bool {
	msg := strings.ToLower(e.Message)
	return e.Status == http.StatusInternalServerError ||
		e.Status == http.StatusConflict || e.Name == errRecordExists ||
		e.Status == http.StatusBadRequest && (e.Name == errInvalidSwap ||
			strings.Contains(msg, "already exist") || strings.Contains(msg, "already a value"))
}

// existing reads the post under rkey back, and what it replies to (nil
// when it replies to none, or names no root). ok is false when there is
// none or it cannot be read; err is the read's error when it failed for a
// reason that may pass (a network error, a 5xx, a rate limit, ctx), or
// was answered by another than the server (errNotXRPC, Permanent: a relay
// echoing the request would answer every later read back alike), so that
// whether the post exists is unknown.
func (c *Channel) existing(ctx context.Context, did, rkey string) (ref recordRef, reply *replyRef, ok bool, err error) {
	q := url.Values{"repo": {did}, "collection": {Collection}, "rkey": {rkey}}
	resp, _, err := c.call(ctx, opRead, http.MethodGet, "com.atproto.repo.getRecord", q, nil)
	if err != nil {
		if broadcast.IsPermanent(err) && !errors.Is(err, errNotXRPC) { // RecordNotFound, or a refusal to say
			return recordRef{}, nil, false, nil
		}
		return recordRef{}, nil, false, err
	}
	// A record without cid is there all the same: the server need not
	// give it (see parseGotRecord), and Send says so in the Receipt.
	ref, found := parseGotRecord(resp.Body)
	if _, _, key, ok := parseATURI(ref.URI); !found || !ok || key != rkey {
		return recordRef{}, nil, false, nil
	}
	return ref, postReply(resp.Body), true, nil
}

// receipt returns the receipt of the post ref, whose thread's root is
// root.
func (c *Channel) receipt(ref recordRef, root strongRef) broadcast.Receipt {
	r := broadcast.Receipt{Channel: c.name, ID: ref.URI, Time: c.s.now().UTC().Round(0),
		Meta: map[string]string{metaURI: ref.URI, metaCID: ref.CID, metaRootURI: root.URI, metaRootCID: root.CID}}
	for _, k := range []string{metaCID, metaRootCID} {
		if r.Meta[k] == "" {
			delete(r.Meta, k) // unknown (see existing): none is made up
		}
	}
	if did, _, rkey, ok := parseATURI(ref.URI); ok {
		r.URL = postURL(did, rkey)
	}
	return r
}

// Retract deletes the post prev (com.atproto.repo.deleteRecord). A post
// already gone counts as deleted. A receipt naming a record that is not
// a post (of a collection other than Collection) is a Permanent error,
// and is not sent to the server. A post of another account than the one
// the channel logs in as (the account changed since the post was made) is
// a Permanent error that names both, and is not sent to the server.
func (c *Channel) Retract(ctx context.Context, prev broadcast.Receipt) error {
	if !c.made() {
		return errNotMade
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("bluesky: delete: %w", err)
	}
	uri := prev.Meta[metaURI]
	if uri == "" {
		uri = prev.ID
	}
	did, collection, rkey, ok := parseATURI(uri)
	if !ok {
		return broadcast.Permanent(errors.New("bluesky: delete: the receipt names no post (an at:// URI)"))
	}
	if collection != Collection {
		// The account's profile, a follow, a like: never the channel's to
		// delete, whatever a receipt says.
		return broadcast.Permanent(fmt.Errorf("bluesky: delete: the receipt names a record of %q, not a post (%s): "+
			"a channel deletes only its own posts", collection, Collection))
	}
	s, err := c.session(ctx, opDelete)
	if err != nil {
		return err
	}
	if strings.HasPrefix(did, "did:") && did != s.did {
		// The server would refuse the deletion as if the credentials were
		// wrong (401 AuthenticationRequired).
		return broadcast.Permanent(fmt.Errorf("bluesky: delete: the post is of the account %q, not of the one Config.Identifier "+
			"logs in as (%q): a channel deletes only its own account's posts", did, s.did))
	}
	in := deleteRecord{Repo: did, Collection: collection, RKey: rkey}
	resp, s, err := c.call(ctx, opDelete, http.MethodPost, "com.atproto.repo.deleteRecord", nil, in)
	if err != nil && resp != nil && xrpcError(c.redactor(s), resp).Name == errRecordMissing {
		return nil // already gone, on a server that says so
	}
	return err
}

// Check verifies the login, logging in when the channel has no session
// yet (com.atproto.server.getSession), and that the account is active:
// the server lets an account that is not (deactivated, as an account that
// moved to another server is on the old one; taken down; suspended) log
// in, and refuses its posts. It posts nothing.
func (c *Channel) Check(ctx context.Context) error {
	if !c.made() {
		return errNotMade
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("bluesky: check: %w", err)
	}
	resp, s, err := c.call(ctx, opCheck, http.MethodGet, "com.atproto.server.getSession", nil, nil)
	if err != nil {
		return err
	}
	var out struct {
		Active *bool  `json:"active"` // absent on servers older than the field: active
		Status string `json:"status"`
	}
	if json.Unmarshal(resp.Body, &out) == nil && out.Active != nil && !*out.Active {
		status := cmp.Or(httpx.RedactedSnippet(c.redactor(s), out.Status), "no reason given")
		return broadcast.Permanent(fmt.Errorf("bluesky: check: the account is not active (%s): "+
			"the server refuses its posts; an account that moved to another server is deactivated on the old one: "+
			"check Config.Service", status))
	}
	return nil
}

// errNotMade is the error, permanent, of a call of a Channel not made by
// New: a nil *Channel (New failed, its error dropped) or a zero Channel,
// whose calls would otherwise panic.
var errNotMade = broadcast.Permanent(notmade.Error("bluesky.Channel", "bluesky.New"))

// made reports whether c was made by New.
func (c *Channel) made() bool { return c != nil && c.name != "" }
