// Package mastodon posts incident updates as statuses to a Mastodon account
// (POST /api/v1/statuses), on any instance that speaks Mastodon's REST API.
//
// Each update is one status: the channel's entry in Update.Overrides, or
// else the "short" template, fitted to the instance's character limit with
// the body shortened first and the status-page URL kept whole. The status
// goes out with Config.Visibility (public by default) and Config.Language
// (to Akkoma, which takes only two-letter codes and refuses others, the
// code's two-letter primary subtag, else none), as plain text, edits too:
// content_type "text/plain", for the servers
// that read it (GoToSocial and glitch-soc would otherwise parse it as the
// account's default, which may be Markdown, so that "*ALL*" or "<b>" in a
// title became markup; Mastodon ignores it).
// Mastodon makes "@name" in plain text a mention that notifies that
// account, so the channel breaks every such "@" in the update's texts
// with an invisible word joiner (U+2060), an "@" before a Kelvin sign
// (U+212A, which Mastodon folds to "k") too, and one after "_" or after
// "/" in a link without a scheme ("example.com/@ops"), which GoToSocial
// reads as a mention (but in one it links, which starts with "www." after
// a space: "www.youtube.com/@name"): a title cannot ping anyone.
// Mastodon finds mentions in URLs too ("https://x.example/a,@ops" notifies
// @ops), where a word joiner would break the link: there, in the author's
// URLs and in Update.URL, such an "@" (only such an "@", and in a URL
// or the part of one that GoToSocial does not link, as after "," or past
// a character it takes in no link, "|" or "ü", or all of one whose host
// has no lower-case top-level domain, one after "/" or "_", which it
// reads as a mention) goes out as "%40", which links to
// the same page; before a URL's path, where "%40" would change the host
// ("https://status.example.com,@ops", the text going on after the host),
// it gets the word joiner, as in text. The Receipt holds the status's id
// and link.
// Preview renders without posting; Check verifies the token by reading the
// account (GET /api/v1/accounts/verify_credentials; a token limited to
// write:statuses, which may not read it, passes: the instance accepted it).
// The token needs write:statuses to post, edit and delete.
//
// # Threading
//
// Statuses chain like X's replies: a later update of an incident replies
// to the channel's latest status of it, Message.Thread.Last
// (in_reply_to_id), so the incident reads as one thread, newest at the
// bottom. When that status is gone (Mastodon answers 404 "The post you
// are trying to reply to does not appear to exist.", GoToSocial 400
// "cannot reply to status that does not exist", Pleroma 422 "Cannot reply
// to a deleted status", Akkoma 422 "Parent post does not exist or was
// deleted"), Send replies to the incident's first status
// (Message.Thread.Root) instead, so that the update stays in the thread;
// when that is gone too, it posts the update without a reply, so that it
// still goes out, starting a new thread. Either way its Receipt says so in
// Meta["reply_dropped"], the id it could not reply to.
//
// # Corrections and retractions
//
// The Channel is a broadcast.Editor: Broadcaster.Correct edits the
// original status in place (PUT /api/v1/statuses/:id, Mastodon 3.5 and
// later), and followers see it marked as edited, with its history. Its
// visibility and reply stay as they were. It is a broadcast.Retractor:
// Retract deletes the status (DELETE /api/v1/statuses/:id). A 404 to the
// deletion does not say the status is gone: Mastodon answers it to the
// deletion of another account's status, Pleroma and Akkoma to every
// deletion that fails. So the channel reads the status back (GET
// /api/v1/statuses/:id): gone, it counts as deleted; still up, the
// retraction fails for good, and says so. On Mastodon that read needs
// read:statuses: with a token limited to write:statuses, the 404 counts
// as deleted, as the instance said. Mastodon allows 30 deletions per 30 minutes per account.
// A 404 to an edit likewise: Mastodon answers it to the edit of another
// account's status (the token changed since it was posted), which is read
// back too: gone, the edit fails wrapping broadcast.ErrPostGone; still up,
// wrapping broadcast.ErrNotEditable, and the correction is posted anew,
// the status left as it is (as for a 403 "This action is not allowed",
// which a server that finds the status before asking whose it is gives).
//
// # Limits
//
// One status per update, text only: a long update is shortened, never
// split. The limit is the instance's configuration.statuses.max_characters
// from GET /api/v2/instance, read on the first Send or Edit and then kept
// for the Channel's life, with each URL counted as its
// characters_reserved_per_url (23 on Mastodon), until the instance refuses
// a status (400 or 422): the limits are read again then, and when they
// changed (an administrator lowered the limit), the refusal is transient
// and the next attempt is fitted to the new ones. A server without that
// endpoint or without the limit in it (Mastodon before 4.0, Pleroma,
// Akkoma, older GoToSocial and glitch-soc) is read at GET
// /api/v1/instance instead: configuration.statuses.max_characters
// (Mastodon 3.4.2 and later), else max_toot_chars (glitch-soc, Pleroma,
// Akkoma, GoToSocial). When neither holds a limit (the instance's own
// 404 or 410, or an answer without it), the channel uses 500 characters
// and 23 per URL, Mastodon's defaults, for the Channel's life: every
// server that allows more says so in one of the two places, and Mastodon
// before 3.4.2, which says nothing, allows 500.
//
// A read that fails for now (a network error, 408, 425, 429, 5xx) fails
// the Send or Edit before it posts, transient (a 429 with its wait), and
// the next attempt reads again: a status is never cut to a guessed limit
// and posted for good. A read that another server answers (a redirect, a
// 401, 403, 404 or 405 without Mastodon's error entity, or a 2xx that is not
// JSON) fails the Send or Edit before it posts, Permanent and naming
// Config.Server, and is tried again by the next. Preview uses the limits
// read so far (the defaults before the first read), without I/O.
//
// GoToSocial (an instance whose source_url names it) counts otherwise: in
// Unicode code points, each URL whole, whatever characters_reserved_per_url
// it reports; its statuses are fitted to that count. So are those of
// Pleroma and Akkoma (named by their version, source_url or "pleroma"
// metadata), which count grapheme clusters, each URL whole, and, in
// Pleroma 2.x, refuse a status of the limit itself: one character less is
// used. A server that names neither how it counts a URL nor a known
// software (max_toot_chars alone, or no characters_reserved_per_url) is
// fitted to the larger of the two counts.
//
// Elsewhere, length is counted as Measure does: grapheme clusters, each
// link as 23.
// What Mastodon takes as a link is what its extractor (twitter-text's,
// with its own rules for paths) finds: a URL of at most 4,096 characters,
// not right after an ASCII letter or digit, whose
// domain ends in a top-level domain of twitter-text's list of 2019, with
// its path and query only up to their last letter, digit or few other
// characters ("https://status.example.com/x~" is a link and a "~").
// Measure follows those rules for plain ASCII URLs and counts what it
// cannot be sure of as much as Mastodon could: a URL whose top-level
// domain is unusual (".internal", or one newer than the list such as
// ".music") as its own length or more, the part of a path after its first
// character outside plain ASCII as text. Mastodon's count is finer still
// (a mention counts without its domain), so Measure is an upper bound: a
// status is at most a few characters shorter than it could be, never
// refused as too long.
//
// Every status but GoToSocial's is sent with an Idempotency-Key header, Message.Key("")
// (of the Update's default ID when it has none, as
// broadcast.Update.WithDefaults gives it): the same on every attempt of an
// update, after a restart too. Mastodon
// keeps the key for one hour per account, and answers a repeat within
// that hour with the status it already created: a retry after a lost
// answer does not post twice. A retry more than an hour later posts a
// second status. GoToSocial (an instance whose source_url names it)
// ignores the key, and gets none (Go's HTTP transport resends a request
// that carries one, below): there, a retry (Message.Attempt above 1) first looks
// for the status among the account's newest, as after a 500 below, and
// takes the one an earlier attempt posted; a token that may not read them
// posts again, and a look-up that fails otherwise fails the attempt with
// its error, posting nothing. Pleroma and Akkoma keep every answer to a key for hours,
// a refusal too, and give it again whatever the request: after their
// refusal of a reply to a status that is gone, the next post goes under
// the key with "-root" appended when it replies to the incident's first
// status, with "-unthreaded" when it replies to none, as stable. Any other
// failure (a 5xx, a 429, a refusal) such a server gives again from an
// earlier attempt, marked "Idempotent-Replayed: true", posted nothing:
// the post goes once more, under the key with "-2", "-3"… appended, a
// chain every attempt walks alike, so that a retry after a lost answer
// still finds the status posted and a retry after a kept failure is not
// that failure again for hours. Some Mastodon releases answer a repeated
// key with 500 (they find the status the key made, then fail on it): on
// the instance's 500 to a post, the channel looks for the status among
// the account's 40 newest (GET /api/v1/accounts/:id/statuses, which needs
// read:statuses, and verify_credentials, read:accounts), one of the same
// text replying to the same status, created since the update's Time (less
// 10 minutes), and returns it as posted; none found, the 500 stands,
// transient. (Go's HTTP
// transport may itself resend a request that carries an Idempotency-Key
// when a reused connection closes before any answer; the key makes that
// safe too, where the server keeps it.) Edits and deletions are idempotent by nature. Redirects
// are not followed, so that the token reaches no other host.
//
// The instance's rate limits are kept: an answer, a success too, saying
// that a limit is used up (X-RateLimit-Remaining: 0) holds the channel's
// next request counted against it until X-RateLimit-Reset (by the
// answer's Date; at most 3 hours), as the instance would refuse it with a
// 429. Mastodon counts per account, posting and editing statuses,
// deleting them and uploading media each apart, and every request against
// the general limit (5 minutes): a post used up holds the next post, not a
// deletion, and the general limit used up holds every request. An answer's
// fields describe whichever of its group's limit and the general one has
// fewer left, without saying which: a "0" resetting within 5 minutes may
// be the general limit's, and holds every request until then, unless the
// fields tell it is the group's own (X-RateLimit-Limit: 30 on a deletion
// or an upload, the deletion and media limits'; Mastodon counts the
// posting limit, as the general one, in periods from the Unix epoch, so
// its last 5 minutes cannot be told apart); one resetting later holds only
// its group. What a group's limit has left is
// kept too, the fewest said until its reset (and, said with a reset
// within 5 minutes, as the general limit's too), and a request made and
// not yet answered counts as one of them, and of the general limit's, so
// that two posts, or a post and a deletion, made together with one left
// do not both go: the second waits for the reset. A wait
// that would leave the request
// less than 10 seconds before the context's deadline (or less than half the
// time the context has left, when that is shorter) is not begun, and one
// the context ends fails: the request is not made, and fails transient,
// with broadcast.RetryAfter the time left. A wait the
// Channel's Close ends fails at once with ErrClosed, permanent. Headers
// that do not parse hold nothing.
//
// # Errors
//
// Errors start with "mastodon: " and carry the instance's message (its
// error entity, {"error":"…"}), bounded and without the token; errors.As
// finds an *APIError. They are marked for the Broadcaster:
//
//   - 429 is transient, with broadcast.RetryAfter until X-RateLimit-Reset
//     (an ISO 8601 time on Mastodon, Unix seconds on GoToSocial; the wait
//     rounded up to a whole second), else the Retry-After header, else 30
//     seconds. Mastodon allows 300 requests per
//     5 minutes, and 300 statuses per 3 hours;
//   - 401 and 403 (a revoked token, a suspended account) are Permanent;
//     the instance's 401 ends in "(refused the credential: check
//     Config.Token)";
//     a 403 refusing the token's scope ("This action is outside the
//     authorized scopes", Pleroma's and Akkoma's "Insufficient
//     permissions: …", GoToSocial's "token has insufficient scope
//     permission", or WWW-Authenticate error="insufficient_scope":
//     a token without write:statuses) says that the token lacks the scope;
//     a 403 "This action is not allowed" to an edit, that the status is
//     another account's (the token acts for another account than the one
//     that posted it), wrapping broadcast.ErrNotEditable;
//   - 422 (the instance refused the status: "Validation failed: …") is
//     Permanent with the instance's message, but for GoToSocial's 422
//     "status was not changed" to an edit, which Edit counts as done (the
//     answer to an edit retried after its first answer was lost), for
//     Pleroma's and Akkoma's refusal of a reply to a status that is gone
//     (the update is posted without the reply), and for a 400 or 422 to a
//     post or an edit after which the instance's limits read anew differ
//     from those the text was fitted to (transient: the next attempt fits
//     the new ones);
//   - 404 on Edit and every other 4xx are Permanent; a 404 on Edit or
//     Retract is checked (see Corrections and retractions): on Edit,
//     a status gone wraps broadcast.ErrPostGone, one still up
//     broadcast.ErrNotEditable;
//   - a 500 to an edit after which the instance's limits read anew are
//     lower than the edit's text (Pleroma and Akkoma answer an edit over
//     their limit so) is transient and says the edit was too long and
//     what the limit is now: the next attempt is fitted to it;
//   - an answer that is not the instance's, a redirect or a 401, 403, 404 or
//     405 without Mastodon's error entity (a proxy's page, a Server with
//     a wrong path), a 2xx that is not JSON (a captive portal's page,
//     judged by its first byte when longer than the channel reads), or a
//     Status whose id or url quotes the token (a relay's or a debugging
//     proxy's echo of the request, kept out of the receipt, and marked
//     broadcast.Uncertain too: the status may have been made), is
//     Permanent and names Config.Server: it never says the token was
//     refused, and never counts as a status gone (Edit, Retract, a reply)
//     nor as a status posted, edited or deleted;
//   - 5xx, 408, 425 and network errors are transient; when ctx ends, the
//     error matches ctx.Err() with errors.Is.
//   - A certificate that does not verify, or a port that does not speak
//     TLS, is Permanent.
//
// A template that cannot produce a status within the limit is a Permanent
// error wrapping templates.ErrTooLong. No error contains the token:
// Config holds it as a redact.Secret, and every error carrying the
// instance's or a transport's text passes through one redact.Redactor
// that knows it in the encodings a server may echo it in.
//
// # URL form
//
// A channel can be written as one URL, for ParseURL and Config.URL:
//
//	mastodon://TOKEN@mastodon.social?visibility=unlisted&language=en&name=status-mastodon
//
// TOKEN is the access token; the host (with a port or a path, if the
// instance has them) is the instance, reached over https. The query
// parameters visibility, language and name are optional and set the
// Config fields of those names. mastodon+http:// selects plain http, for a
// test server on a loopback address.
package mastodon

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
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

// Channel posts updates as statuses of one Mastodon account. It is safe for
// concurrent use. It prints as "mastodon.Channel(<name>)".
//
// A nil *Channel (New's error dropped) or a zero Channel fails every
// call with a permanent error saying it was not made by mastodon.New, and
// its Name is "" (which broadcast.New refuses); none panics.
type Channel struct {
	name string
	s    *state
}

// state is what a Channel works with, behind a pointer so that fmt never
// prints it (it would print a struct's unexported fields raw).
type state struct {
	server     string
	token      redact.Secret
	visibility Visibility
	language   string
	client     httpx.Client
	redactor   *redact.Redactor
	tmpl       *templates.Set
	limits     *limitCache
	now        func() time.Time
	sleep      func(context.Context, time.Duration) error
	rate       ratelimit.Limits // the account's rate limits an answer said are used up

	mu      sync.Mutex
	account string // the id of the token's account, once read (accountID)
}

var (
	_ broadcast.Channel   = (*Channel)(nil)
	_ broadcast.Previewer = (*Channel)(nil)
	_ broadcast.Checker   = (*Channel)(nil)
	_ broadcast.Editor    = (*Channel)(nil)
	_ broadcast.Retractor = (*Channel)(nil)
)

// Operations, as errors name them. A reply is a post whose 404 means the
// status replied to is gone.
const (
	opPost   = "post"
	opReply  = "post reply"
	opEdit   = "edit"
	opDelete = "delete"
	// opConfirm reads a status back after its deletion was answered 404,
	// opConfirmEdit after its edit was.
	opConfirm     = "read the status back after its deletion"
	opConfirmEdit = "read the status back after its edit"
	opCheck       = "check"
	opLimits      = "read instance limits"
)

// defaultTimeout bounds one request of the default client.
const defaultTimeout = 30 * time.Second

// New returns a channel for cfg. It checks cfg without any network I/O;
// errors name the field, as in "mastodon: Config.Token: missing", and the
// error names every fault of cfg, a line each (errors.Join).
func New(cfg Config) (*Channel, error) {
	var f setup.Faults // every fault of cfg, a line each
	server, name := cfg.validate(&f)
	// Plain: a status is plain text, its URLs linked.
	tmpl := cfg.Templates.Plain()
	if name != "" { // else refused: no name to try the template for
		f.Add(setup.TryText(pkg, tmpl, name, "short", DefaultMaxCharacters, Measure(DefaultCharactersPerURL)))
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	client := httpx.ChannelClient(cfg.HTTPClient, httpx.ClientOptions{Closed: ErrClosed, Timeout: defaultTimeout})
	s := &state{server: server, token: cfg.Token, visibility: cfg.Visibility, language: cfg.Language,
		client: client, redactor: redact.NewRedactor(cfg.Token), tmpl: tmpl,
		limits: newLimitCache(), now: time.Now, sleep: ctxwait.Sleep, rate: ratelimit.Limits{Max: maxLimitWait}}
	return &Channel{name: name, s: s}, nil
}

// Name returns the channel's name, "mastodon" unless Config.Name says
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
var ErrClosed = broadcast.ClosedError("mastodon: channel closed")

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

// Format prints the channel as "mastodon.Channel(<name>)" under every verb.
func (c *Channel) Format(f fmt.State, _ rune) {
	if c == nil {
		_, _ = fmt.Fprint(f, "mastodon.Channel(not made)")
		return
	}
	_, _ = fmt.Fprintf(f, "mastodon.Channel(%s)", c.name)
}

// Preview returns the status Send would post for u and its length, against
// the instance's limit as read so far (see the package documentation, #
// Limits).
func (c *Channel) Preview(u broadcast.Update) (broadcast.Preview, error) {
	if !c.made() {
		return broadcast.Preview{}, errNotMade
	}
	lim := c.s.limits.cached()
	p := broadcast.Preview{Channel: c.name, Limit: lim.MaxCharacters, Unit: lim.unit()}
	text, err := c.text(u, lim)
	if err != nil {
		return p, err
	}
	p.Text, p.Length = text, lim.measure()(text)
	return p, nil
}

// text renders the status for u: its override or the short template,
// mentions broken, fitted to lim.
func (c *Channel) text(u broadcast.Update, lim limits) (string, error) {
	if err := textsafe.CheckURL(u.URL, "the status links to it"); err != nil {
		return "", broadcast.Permanent(fmt.Errorf("mastodon: render: %w", err))
	}
	text, err := c.s.tmpl.Text(c.name, "short", textsafe.Quiet(u, c.name), lim.MaxCharacters, lim.measure())
	if err != nil {
		return "", broadcast.Permanent(fmt.Errorf("mastodon: render: %w", err))
	}
	return text, nil
}

// limitedText renders u within the instance's limits, read when not known
// yet, and returns them too.
func (c *Channel) limitedText(ctx context.Context, u broadcast.Update) (string, limits, error) {
	lim, err := c.s.limits.get(ctx, c.fetchLimits)
	if err != nil {
		return "", limits{}, err
	}
	text, err := c.text(u, lim)
	return text, lim, err
}

// Send posts m.Update as a status, a reply to the incident's latest status
// (m.Thread.Last) when there is one, under the Idempotency-Key
// m.Key("") (to GoToSocial, which ignores it, none: a retry looks for the
// status of an earlier attempt first). When the instance refuses the reply because that status is
// gone, it replies to the incident's first status (m.Thread.Root), or,
// that gone too, posts the update without a reply. See the package
// documentation for its errors.
func (c *Channel) Send(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	if !c.made() {
		return broadcast.Receipt{}, errNotMade
	}
	if err := ctx.Err(); err != nil {
		return broadcast.Receipt{}, fmt.Errorf("mastodon: post: %w", err)
	}
	// The Idempotency-Key needs the ID, which a Message built by hand may
	// lack: without it, every such update would share one key, and the
	// instance would answer all but the first with the first's status.
	m.Update.ID = m.Update.WithDefaults(c.s.now().UTC()).ID
	text, lim, err := c.limitedText(ctx, m.Update)
	if err != nil {
		return broadcast.Receipt{}, err
	}
	reply, dropped, key := m.Thread.Last.ID, "", m.Key("")
	language := lim.language(c.s.language)
	post := func(reply, key string) (status, error) {
		if lim.NoKeys {
			// The server ignores the key, and Go's transport would resend
			// a POST carrying one on a reused connection cut before the
			// answer: the post goes without, and a retry looks first.
			key = ""
			if m.Attempt > 1 {
				if st, found, err := c.postedBefore(ctx, text, reply, m.Update.Time); found || err != nil {
					return st, err
				}
			}
		}
		return c.post(ctx, text, reply, key, language)
	}
	st, err := post(reply, key)
	if reply != "" && errors.Is(err, errReplyGone) {
		// Deleted outside outagecast: the incident's first status keeps
		// the thread, if it is up; else the update matters more than the
		// thread.
		base := key
		dropped = reply
		if root := m.Thread.Root.ID; root != "" && root != reply {
			reply = root
			if refusalKept(err) {
				key = rootKey(base) // the server keeps the refusal for key
			}
			st, err = post(reply, key)
		}
		if errors.Is(err, errReplyGone) {
			reply = ""
			if refusalKept(err) {
				key = unthreadedKey(base)
			}
			st, err = post("", key)
		}
	}
	if maybePosted(err) {
		st, err = c.afterServerError(ctx, text, reply, m.Update.Time, err)
	}
	if err != nil {
		return broadcast.Receipt{}, c.limitsChanged(ctx, opPost, lim, err)
	}
	r := c.receipt(st)
	if dropped != "" {
		r.Meta = map[string]string{"reply_dropped": dropped}
	}
	return r, nil
}

// refusalKept reports err, the refusal of a reply to a status that is
// gone, as one the server keeps for the key it was made under (Pleroma's
// and Akkoma's: see replayRefusals).
func refusalKept(err error) bool {
	apiErr := (*APIError)(nil)
	return errors.As(err, &apiErr) && replayRefusals(apiErr.Status, apiErr.Message)
}

// rootKey is the Idempotency-Key of the reply to the incident's first
// status, after a server that keeps every answer to a key refused the
// reply to its latest under key: derived from key, so the same on every
// attempt.
func rootKey(key string) string { return key + "-root" }

// unthreadedKey is the Idempotency-Key of the post without the reply,
// after a server that keeps every answer to a key (Pleroma, Akkoma)
// refused the reply under key: derived from key, so the same on every
// attempt.
func unthreadedKey(key string) string { return key + "-unthreaded" }

// post creates one status of text in language, a reply to replyTo unless
// it is empty.
func (c *Channel) post(ctx context.Context, text, replyTo, key, language string) (status, error) {
	op := opPost
	if replyTo != "" {
		op = opReply
	}
	body, err := newStatus(text, replyTo, c.s.visibility, language)
	if err != nil {
		return status{}, broadcast.Permanent(fmt.Errorf("mastodon: %s: %w", op, err))
	}
	for n := 1; ; n++ {
		resp, err := c.exchange(ctx, op, http.MethodPost, "/api/v1/statuses", body, chainKey(key, n))
		if err != nil && n < maxKeptFailures && keptFailure(resp, err) {
			continue // nothing was posted under this key: the next one
		}
		return c.statusOf(op, resp, err)
	}
}

// maxKeptFailures bounds the keys one post tries after failures the
// server kept (keptFailure): one per attempt of the Broadcaster's default
// RetryPolicy, and a few more.
const maxKeptFailures = 10

// keptFailure reports a failure that the server did not meet now but kept
// from an earlier request with the same Idempotency-Key and gave again,
// marked "Idempotent-Replayed: true": Pleroma and Akkoma keep every answer
// to a key for hours, a failure too (a 503, a 429, the refusal of a
// status fitted to limits that changed since), so that a retry under that
// key could never succeed. A kept failure created no status, so the post
// can go under another key. The refusal of a reply to a status that is
// gone is Send's to handle.
func keptFailure(resp *httpx.Response, err error) bool {
	return resp != nil && !errors.Is(err, errReplyGone) && !errors.Is(err, errNotInstance) &&
		strings.EqualFold(strings.TrimSpace(resp.Header.Get("Idempotent-Replayed")), "true")
}

// chainKey is the n-th key (from 1) of a post whose Message key is key:
// key itself, then key with "-2", "-3"… appended. Every attempt walks the
// same chain, past the kept failures, to the key whose answer is a status
// posted by an earlier attempt or not kept yet.
func chainKey(key string, n int) string {
	if n == 1 {
		return key
	}
	return key + "-" + strconv.Itoa(n)
}

// Edit replaces the text of the status prev with m.Update's (PUT
// /api/v1/statuses/:id). A status that is gone is a Permanent error
// wrapping broadcast.ErrPostGone; one still up that the token may not
// edit, another account's, wrapping broadcast.ErrNotEditable (see
// editGone). A status that already has the text (an
// edit retried after a lost answer, which GoToSocial refuses as not
// changing anything) counts as edited.
func (c *Channel) Edit(ctx context.Context, m broadcast.Message, prev broadcast.Receipt) (broadcast.Receipt, error) {
	if !c.made() {
		return broadcast.Receipt{}, errNotMade
	}
	if err := ctx.Err(); err != nil {
		return broadcast.Receipt{}, fmt.Errorf("mastodon: edit: %w", err)
	}
	if prev.ID == "" {
		return broadcast.Receipt{}, broadcast.Permanent(errors.New("mastodon: edit: the receipt has no status id"))
	}
	text, lim, err := c.limitedText(ctx, m.Update)
	if err != nil {
		return broadcast.Receipt{}, err
	}
	body, err := editStatus(text, lim.language(c.s.language))
	if err != nil {
		return broadcast.Receipt{}, broadcast.Permanent(fmt.Errorf("mastodon: edit: %w", err))
	}
	st, err := c.exchangeStatus(ctx, opEdit, http.MethodPut, "/api/v1/statuses/"+url.PathEscape(prev.ID), body, "")
	if errors.Is(err, errUnchanged) {
		// Edited already, by an attempt whose answer was lost.
		st, err = status{ID: prev.ID, URL: prev.URL}, nil
	}
	if errors.Is(err, broadcast.ErrPostGone) {
		return broadcast.Receipt{}, c.editGone(ctx, prev.ID, err)
	}
	if err != nil {
		if long := c.editTooLong(ctx, text, lim, err); long != nil {
			return broadcast.Receipt{}, long
		}
		return broadcast.Receipt{}, c.limitsChanged(ctx, opEdit, lim, err)
	}
	return c.receipt(st), nil
}

// Retract deletes the status prev (DELETE /api/v1/statuses/:id). A status
// already gone counts as deleted: after the instance's 404, the status is
// read back to tell (see confirmGone); another server's 404 counts as
// nothing.
func (c *Channel) Retract(ctx context.Context, prev broadcast.Receipt) error {
	if !c.made() {
		return errNotMade
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("mastodon: delete: %w", err)
	}
	if prev.ID == "" {
		return broadcast.Permanent(errors.New("mastodon: delete: the receipt has no status id"))
	}
	path := "/api/v1/statuses/" + url.PathEscape(prev.ID)
	resp, err := c.exchange(ctx, opDelete, http.MethodDelete, path, nil, "")
	if resp != nil && resp.Status == http.StatusNotFound && !errors.Is(err, errNotInstance) {
		return c.confirmGone(ctx, prev.ID, path, err)
	}
	return err
}

// confirmGone reads the status id back after the instance answered its
// deletion (the error deleted) with 404, which does not say it is gone:
// Mastodon answers 404 to the deletion of another account's status
// (Status.where(account: …).find), Pleroma and Akkoma to every deletion
// that fails (StatusController.delete), the status still up. A 404 to
// GET /api/v1/statuses/:id says it is gone; the status itself, that the
// deletion failed, for good. A token that may not read statuses (one
// limited to write:statuses, all the channel otherwise needs) cannot
// tell: the 404 then counts as gone, as the instance said.
func (c *Channel) confirmGone(ctx context.Context, id, path string, deleted error) error {
	up, err := c.stillUp(ctx, opConfirm, path)
	switch {
	case err != nil:
		return err
	case up:
		return broadcast.Permanent(fmt.Errorf("mastodon: %s: the instance answered 404, but the status %s is still up "+
			"(another account's, or the instance failed to delete it): %w", opDelete, id, deleted))
	}
	return nil // gone
}

// stillUp reads the status at path back (op, a GET) after the instance
// answered 404 to a change of it, for confirmGone and editGone: up when
// the instance shows it; not up when it answers 404, or when the token
// may not read statuses (a scope it lacks): the token may do no better,
// and a status already gone (a retry after the change's answer was lost)
// must not fail for good. Another failure of the read (a timeout, a 5xx,
// a 429, another server's answer) is its error, classified as any other
// request's is.
func (c *Channel) stillUp(ctx context.Context, op, path string) (bool, error) {
	resp, err := c.exchange(ctx, op, http.MethodGet, path, nil, "")
	switch {
	case resp != nil && resp.Status == http.StatusNotFound && !errors.Is(err, errNotInstance), errors.Is(err, errScope):
		return false, nil
	case err != nil:
		return false, err
	}
	return true, nil
}

// editGone reads the status id back after the instance answered its edit
// (the error edited, wrapping broadcast.ErrPostGone) with 404, which does
// not say it is gone: Mastodon looks the status up among those of the
// account the token acts for (Status.where(account: current_account).find
// in Api::V1::StatusesController#update), so that another account's status
// (Config.Token changed since it was posted) gets 404 "Record not found"
// too, while it stays up. A status read back is such a one: the error,
// Permanent, wraps broadcast.ErrNotEditable, as a 403 that says so does
// (see notOwned), and the correction is posted anew. A 404 to the read
// says it is gone (edited). A token that may not read statuses
// (write:statuses only), or a status the token's account may not see
// (another account's, private), cannot tell: the 404 counts as gone, as
// the instance said.
func (c *Channel) editGone(ctx context.Context, id string, edited error) error {
	up, err := c.stillUp(ctx, opConfirmEdit, "/api/v1/statuses/"+url.PathEscape(id))
	switch {
	case err != nil:
		return err
	case !up:
		return edited
	}
	var apiErr *APIError
	errors.As(edited, &apiErr)
	return broadcast.Permanent(fmt.Errorf("mastodon: %s: %w: %w (the instance answered 404, and the status %s is still up): %w",
		opEdit, broadcast.ErrNotEditable, errNotOwned, id, apiErr))
}

// Check verifies the token by reading the account it acts for (GET
// /api/v1/accounts/verify_credentials). It posts nothing. A token the
// instance accepts but may not read the account with (one limited to
// write:statuses, all that posting needs) passes.
func (c *Channel) Check(ctx context.Context) error {
	if !c.made() {
		return errNotMade
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("mastodon: check: %w", err)
	}
	_, err := c.exchange(ctx, opCheck, http.MethodGet, "/api/v1/accounts/verify_credentials", nil, "")
	if errors.Is(err, errScope) {
		return nil // the token was accepted; reading the account is not needed to post
	}
	return err
}

// exchangeStatus makes a request answered by a Status and reads it.
func (c *Channel) exchangeStatus(ctx context.Context, op, method, path string, body []byte, key string) (status, error) {
	resp, err := c.exchange(ctx, op, method, path, body, key)
	return c.statusOf(op, resp, err)
}

// echoes reports whether st's id or URL quotes the token: no instance's
// Status, but a relay's or a debugging proxy's echo of the request, which
// the receipt must not keep.
func (c *Channel) echoes(st status) bool {
	return c.s.redactor.Holds(st.ID) || c.s.redactor.Holds(st.URL)
}

// statusOf reads the Status of resp, the answer to op, unless err (the
// exchange's) is set. A Status whose id or URL quotes the token is not the
// instance's (see echoes).
func (c *Channel) statusOf(op string, resp *httpx.Response, err error) (status, error) {
	if err != nil {
		return status{}, err
	}
	st, err := parseStatus(resp.Body)
	if err != nil {
		return status{}, fmt.Errorf("mastodon: %s: %w", op, err)
	}
	if c.echoes(st) {
		// A status quoting the request (a relay's echo of it): the
		// status may have been made, and a later attempt looks for it.
		return status{}, broadcast.Uncertain(c.notInstance(op, resp))
	}
	return st, nil
}

// exchange makes one request for op and classifies the answer. It is the
// one place the instance's or a transport's text enters an error, and
// redacts it. The response is returned along with a classified error too.
func (c *Channel) exchange(ctx context.Context, op, method, path string, body []byte, key string) (*httpx.Response, error) {
	resp, err := c.do(ctx, method, path, body, key)
	if err != nil {
		return nil, c.s.redactor.Error(fmt.Errorf("mastodon: %s: %w", op, err))
	}
	if httpx.NotJSON(resp) {
		return resp, c.notInstance(op, resp)
	}
	return resp, c.s.redactor.Error(c.classify(op, resp))
}

// notInstance is the error of op answered by r, a 2xx that httpx.NotJSON
// found not the instance's: Permanent, wrapping errNotInstance. httpx
// leaves a 2xx unredacted: it is redacted before the cut, and of the start
// of a secret where bodyLimit cut it, so that no part of a secret stays
// (httpx.BodySnippet).
func (c *Channel) notInstance(op string, r *httpx.Response) error {
	page := &APIError{Status: r.Status, Message: httpx.BodySnippet(c.s.redactor, r)}
	return broadcast.Permanent(fmt.Errorf("mastodon: %s: %w: %w", op, errNotInstance, page))
}

// bodyLimit is how much of an answer the channel reads. A Status entity
// holds its text as HTML, JSON-escaped: up to about 10 bytes a character
// ("&" is "\u0026amp;"), twice over in a delete's answer (its source text
// too), so an instance allowing 30,000-character statuses can answer with
// far more than httpx.DefaultBodyLimit. 4 MiB leaves room for that and for
// an instance allowing longer ones; it is a bound, not an allocation.
const bodyLimit = 4 << 20

// do sends one request with the token, and an Idempotency-Key unless key
// is empty. The body of an answer other than 2xx is redacted, so that no
// part of a secret survives its cutting into an error message.
func (c *Channel) do(ctx context.Context, method, path string, body []byte, key string) (*httpx.Response, error) {
	contentType := ""
	if body != nil {
		contentType = "application/json"
	}
	req, err := httpx.NewRequest(ctx, method, c.s.server+path, body, contentType)
	if err != nil {
		return nil, broadcast.Permanent(err)
	}
	req.Header.Set("Authorization", "Bearer "+c.s.token.Reveal())
	req.Header.Set("Accept", "application/json")
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	group := limitGroup(method, path)
	r, err := c.reserveLimits(ctx, group)
	if err != nil {
		return nil, err
	}
	// Deferred, so that a panic of the transport gives the request back
	// too; once the answer's Note gave it back, it does nothing.
	defer r.Release()
	resp, err := httpx.Do(c.s.client, req, bodyLimit, c.s.redactor)
	if err == nil {
		c.noteLimits(r, group, resp.Header)
	}
	return resp, err
}

// receipt returns the receipt of the status st.
func (c *Channel) receipt(st status) broadcast.Receipt {
	return broadcast.Receipt{Channel: c.name, ID: st.ID, URL: st.URL, Time: c.s.now().UTC().Round(0)}
}

// errNotMade is the error, permanent, of a call of a Channel not made by
// New: a nil *Channel (New failed, its error dropped) or a zero Channel,
// whose calls would otherwise panic.
var errNotMade = broadcast.Permanent(notmade.Error("mastodon.Channel", "mastodon.New"))

// made reports whether c was made by New.
func (c *Channel) made() bool { return c != nil && c.name != "" }
