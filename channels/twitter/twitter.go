// Package twitter posts incident updates to X (formerly Twitter) with the X
// API v2 endpoint POST /2/tweets, signed with OAuth 1.0a in user context
// (github.com/dghubble/oauth1) or authorised with an OAuth 2.0 user-context
// token (golang.org/x/oauth2).
//
// Each update is one post: the channel's entry in Update.Overrides, or else
// the "short" template, fitted to 280 weighted characters as X counts them
// (see Weight): the body is shortened first, on grapheme boundaries, and the
// status-page URL is kept whole. X makes "@name" (and "＠name") a mention
// that notifies that account, so the channel breaks every such mention in
// the update's texts, the override included, and in what X does not link
// of Update.URL (after a "«", or all of a URL in a domain X does not
// know), with an invisible combining grapheme joiner (U+034F, which weighs
// 1) after the "@": a title cannot ping anyone, and the account breaks no
// rule against automated mentions. The texts are read in NFC, as X reads
// them (a Kelvin sign is a "K"). A name that runs into a domain
// ("@api.COM") gets an invisible word joiner (U+2060, which weighs 2)
// before each dot too, so that X, which did not link the domain after the
// "@", does not once the mention is broken. Links, as X finds them, and
// e-mail addresses are left alone; a link that starts inside a hashtag (as
// "x.com/@name" in "＃x.com/@name" or "#障害x.com/@name") is not one, as X
// drops it for the hashtag, which starts first, and its "@name" is broken.
// Text that fits is otherwise posted unchanged. The Receipt holds the post's id, its
// link https://x.com/i/web/status/<id>, and in Meta["text"] the text as X
// stored it (links as t.co). Preview shows the post without sending it;
// Check verifies the credentials by reading the account (GET
// /2/users/me), and that an OAuth 1.0a access token may write.
//
// The package speaks HTTP itself rather than use github.com/dghubble/go-twitter:
// that client is deprecated and speaks only API v1.1, whose posting endpoint
// (statuses/update) the current access tiers can no longer call — it fails
// with error 453. The v2 endpoint needs no more than a signed JSON POST.
//
// # Threading
//
// X chains replies: a later update of an incident replies to the
// channel's latest post of it, Message.Thread.Last
// (reply.in_reply_to_tweet_id), so that the incident reads as one thread,
// newest at the bottom. The Broadcaster leaves posts it retracted out of
// the Thread. A post deleted on X by other means can still be
// Thread.Last: X then refuses the reply ("You attempted to reply to a
// Tweet that is deleted or not visible to you"), and Send posts the update
// once more without the reply, so that it still goes out, as the start of
// a new thread. Its Receipt says so: Meta["reply_dropped"] holds the id of
// the post it could not reply to. X answers so too, for a few seconds,
// to a reply to a post just made, which it does not show yet: when
// Thread.Last is less than 15 seconds old, by the time its id holds or by
// its Receipt.Time (either way, as a clock may be ahead), the refusal
// is a transient error with broadcast.RetryAfter of up to 5 seconds
// instead, so that a quick follow-up, such as a correction, stays in the
// thread; an attempt after that posts without the reply as above.
//
// # Corrections and retractions
//
// The Channel is a broadcast.Editor: Broadcaster.Correct edits the post
// of the update it corrects in place, with POST /2/tweets and
// {"text":…,"edit_options":{"previous_post_id":…}}. X makes each edit a
// new version of the post with an id of its own
// (edit_history_tweet_ids lists them, oldest first), and takes edits,
// replies and deletion of the latest: the Receipt of an Edit names the new
// version, Meta["edit_history"] the versions' ids and Meta["posted"] when
// the first was made, and the Broadcaster keeps the incident's thread on
// it, so that the next update replies to the version X shows, and a later
// Correct edits it. Deleting any version deletes them all. Each update is
// one post, so a correction always fits the shape of the post it edits.
//
// X lets a post be edited for EditWindow (30 minutes) after it was made,
// MaxEdits (5) times, and only by an account whose subscription includes
// editing. Edit does not ask when the receipt shows the post too
// old, or edited as often as allowed, or when it names no post (a
// duplicate's, see Errors); those, and X's refusal of an edit (400 or
// 403), wrap broadcast.ErrNotEditable, so Broadcaster.Correct posts the
// correction (an update with Update.Corrects set, which the default
// templates render as "Correction: …") as a reply in the incident's
// thread instead. A post gone from X wraps broadcast.ErrPostGone, and the
// correction is posted likewise. Rate limits, 5xx, rejected credentials
// and the usage cap are as for Send. An edit whose answer was lost is
// made again on the retry (Message.Attempt > 1), which X refuses: the post
// it names is no longer the latest version. Edit then reads the post's
// latest version (GET /2/tweets/:id, which needs an access tier that may
// read posts) and, when it is a later version with the correction's text,
// as X stores it, returns its Receipt; otherwise, or when it cannot be
// read, the refusal stands and the correction is posted as a reply. A
// retry that finds the post too old or edited as often as allowed, by its
// receipt, reads it so too before it refuses: the lost attempt may have
// edited it in time.
//
// The Channel is a broadcast.Retractor: Retract deletes the post with
// DELETE /2/tweets/:id; X answers {"data":{"deleted":true}}, or 204 No
// Content, which its reference lists as a DELETE's success. A post
// already gone (X answers 404 with its v2 problem JSON,
// {"data":{"deleted":false}}, or 200 with only an errors list whose
// entry is of type resource-not-found) counts as deleted. A 200
// with only an errors list that refuses the deletion for good (types
// invalid-request, not-authorized-for-resource, client-forbidden,
// unsupported-authentication, disallowed-resource, usage-capped) is a
// Permanent error with X's detail; so is {"data":{"deleted":false}}
// beside such a list (X's schema lets an answer hold both). X's answer
// to a route it does not know (404 with an empty body, or an errors list
// of code 34 and no problem type, as for a BaseURL with a wrong path)
// says nothing of the post: it is a Permanent error naming Config.BaseURL, never "already
// gone". A post whose id is not known — the receipt of a duplicate on a retry whose post
// was not found, see Errors — cannot be deleted by the API: Retract then
// fails with a Permanent error, and the post must be deleted on x.com.
//
// # Limits
//
// One post per update, text only: no media, polls or quotes, and a long
// update is shortened, never split into several posts. A post weighs at
// most MaxWeight (280); the longer posts of paid accounts are not used.
// X's access tiers cap posts per 24 hours and per month; see Errors for
// what happens at a cap. X takes no idempotency key, so a post whose
// answer was lost is only recognised by X refusing its retry as duplicate
// content, and then looked up among the account's posts (see
// Errors). Redirects are not followed, so that no credential
// reaches another host.
//
// X's rate limits are kept: an answer, a success too, saying that an
// endpoint's window is used up (x-rate-limit-remaining: 0), or for a post
// the 24-hour user or app limit (x-user-limit-24hour-remaining,
// x-app-limit-24hour-remaining: 0), holds the channel's next request to
// that endpoint (X counts per endpoint: a post does not hold a deletion)
// until the reset (x-rate-limit-reset, by X's Date; at most 24 hours),
// as X would refuse it with a 429. What each limit has left is kept too,
// the fewest said until its reset, and a request made and not yet
// answered counts as one of them, so that two posts made together with
// one left do not both go: the second waits for the reset. A wait that would leave the request less
// than 10 seconds before the context's deadline (or less than half the time
// the context has left, when that is shorter) is not begun, and one the
// context ends fails: the request is not made, and fails transient, with
// broadcast.RetryAfter the time left. A wait the
// Channel's Close ends fails at once with ErrClosed, permanent. Headers
// that do not parse hold nothing.
//
// Weight counts as twitter-text 3 (parseTweet with configuration v3) does,
// the library X's clients count with. After NFC normalisation each code
// point in U+0000–U+10FF, U+2000–U+200D, U+2010–U+201F and U+2032–U+2037
// weighs 1 and any other 2; an emoji sequence weighs 2; a link weighs 23.
// A link is what twitter-text's extractor takes, and only that much:
//
//   - http:// or https:// (any case) or no scheme, a domain whose labels
//     are at most 63 characters in Punycode (golang.org/x/net/idna) and
//     whose top-level domain is known; IP addresses, "localhost" and
//     unknown top-level domains are text;
//   - a path and query of the characters it accepts: ASCII letters and
//     digits, some punctuation, Latin letters with accents and Cyrillic. A
//     path stops at the first other character, so in
//     "https://status.example.com/インシデント/42" only
//     "https://status.example.com/" is a link and the rest weighs 15;
//     trailing punctuation and unbalanced parentheses are left out;
//   - not after an ASCII letter or digit, "@", "$" or "#"; without a
//     scheme, not after "-", "_", "." or "/", and only its ASCII domain;
//   - no link at all when longer than 4,096 UTF-16 units with its scheme
//     ("https://" when it has none): such a URL weighs as text, and a post
//     that must keep it whole cannot be sent;
//   - a t.co link ends after its slug and query.
//
// Where Weight can differ from twitter-text 3.1.0:
//
//   - top-level domains come from the ICANN section of the Public Suffix
//     List (golang.org/x/net/publicsuffix), twitter-text has its own list
//     of 2019: 142 of its 1,574 domains have since been retired (as .an,
//     .tp, .xperia, .spiegel) and are not links here, and newer ones (as
//     .music, .kids, .spa) are links here but not in twitter-text;
//   - twitter-text knows the emoji of Emoji 11 (2018). Weight counts every
//     emoji sequence that is one grapheme cluster (ZWJ sequences, skin
//     tones, flags, tag sequences, keycaps) as 2; twitter-text counts a
//     sequence it does not list as its parts, as 5 for "❤️‍🔥" (Emoji 13.1)
//     or 4 for a skin tone after an emoji that takes none, and U+FE0F after
//     an emoji without a text form ("✅️") as 2 more;
//   - a domain without a scheme right after a character outside the BMP
//     (an emoji) has half of that character in its first label for
//     twitter-text, and U+FFFD here (golang.org/x/net/idna cannot encode
//     half a character): the label's Punycode length may then differ by
//     one, which matters only for a label right at the limit of 63.
//
// This was checked against twitter-text itself: scripts/twitter-text.sh
// runs 4,000 seeded random texts (links with and without a scheme, with
// Japanese, Greek, Hebrew and Cyrillic paths, near the length limit, t.co
// links, punctuation around links, mentions, CJK, emoji sequences of
// Emoji 11, normalisation, characters X refuses) and every table of the
// tests through the twitter-text 3.1.0 npm package's parseTweet, and all
// agree; so do twitter-text's own conformance cases for link extraction
// and v3 weighting (132 of 132).
//
// U+FFFE, U+FEFF and U+FFFF, which twitter-text calls invalid, are dropped
// from the update's texts (a body read from a file saved with a byte order
// mark starts with U+FEFF); Send refuses a post in which a template put
// one, before posting.
//
// # URL form
//
// For configuration files that list channels as URLs, ParseURL reads and
// Config.URL writes a short form with the four OAuth 1.0a values:
//
//	x://api.x.com?consumer_key=…&consumer_secret=…&access_token=…&access_secret=…
//
// The host is the API's (another host means BaseURL https://HOST); the
// base_url parameter sets any other BaseURL, such as a test server's.
// Values are %-escaped, but "+" stands for itself. OAuth 2.0 (TokenSource)
// needs the full Config.
//
// # Errors
//
// Errors start with "twitter: " and carry X's problem detail, bounded and
// with every credential removed; errors.As finds an *APIError with X's
// status, title, detail and type. They are marked for the Broadcaster:
//
//   - 429 Too Many Requests is transient, with broadcast.RetryAfter until
//     the x-rate-limit-reset time, or until the 24-hour user or app limit
//     resets when its remaining count is 0 (x-user-limit-24hour-*,
//     x-app-limit-24hour-*), whichever is later (else Retry-After, else 30
//     seconds);
//   - the monthly usage cap (problem type .../problems/usage-capped, title
//     UsageCapExceeded) is Permanent and wraps ErrUsageCapped;
//   - 403 duplicate content (or error 187, "Status is a duplicate."): X
//     refused the text because the account already posted it. The post may be an earlier attempt's whose
//     answer was lost, or whose receipt was never saved because the
//     process ended (after a restart the update is sent again as attempt
//     1). X does not say which post it was, so Send looks for it: it reads
//     the account's id once per Channel (GET /2/users/me) and its posts,
//     retweets aside, created since the update's Time less 10 minutes (GET
//     /2/users/:id/tweets with start_time; the Broadcaster accepts a Time
//     up to 5 minutes ahead of the clock, and X's clock may differ), newest
//     first, 100 a page, up to 5 pages (500 posts). A post of that time
//     whose text is the update's, as X stores it (NFC; &, < and > as HTML
//     entities; each link X found, by its own list of top-level domains,
//     which may not be Weight's, as a t.co link whose expanded_url is the
//     link, schemes and the host's case aside, and a host in Unicode or
//     Punycode and a non-ASCII or unreserved character escaped or not
//     alike: a path in another case is another link, and so is "%2F" for
//     "/"), and that replies to the
//     post the update replies to (or to none, like it), is the update's
//     post: another update of the same text replies to an older post. Send
//     returns its full Receipt, with its ID and URL, on any attempt, so
//     that the next update replies to it and Retract deletes it. The
//     look-up is made within the attempt's ctx; with OAuth 2.0 it needs
//     the tweet.read and users.read scopes, which posting needs too. The
//     posts it reads count towards the app's monthly post cap;
//   - when no such post is found, or the posts cannot be read (a 429 of
//     the timeline's own rate limit, or a page whose answer says that
//     limit is spent, a 403 of an access tier that may not read it, a
//     network error, ctx ended, more than 500 posts), the duplicate is
//     judged as before. On a first attempt it wraps ErrDuplicate and is Permanent,
//     never retried; a failed look-up adds its reason to the error's text
//     but none of its marks. On a retry (Message.Attempt > 1) it is taken
//     as delivered: the earlier attempt reached X, only its answer was
//     lost. The Receipt then has no ID or URL; it has Meta["duplicate"] =
//     "true", for a reply Meta["in_reply_to"] = the post it replied to,
//     and, when the posts could not be read, Meta["lookup_error"] = why
//     (the look-up's error, without credentials), the reason it has no
//     ID. The incident's next update replies to that post instead: the
//     thread branches but stays one thread. When the lost post was the
//     incident's first, the next update has nothing to reply to and starts
//     a new thread;
//   - other 3xx and 4xx answers (400 invalid request, 401 bad credentials,
//     403 forbidden) are Permanent, with X's detail (X's 401 ends in
//     "(refused the credential: check Config.TokenSource)", or the four
//     OAuth 1.0a fields, except, with OAuth 1.0a, an errors list holding
//     X's error 135, "Timestamp out of bounds": a timestamp too far from
//     X's clock, whose error says to check this machine's clock instead;
//     X's v2 problem for a refused signature, "Unauthorized" without a
//     code, cannot tell the clock from the keys and names the keys); so
//     is a 2xx without
//     data whose errors list refuses the request for good (its first
//     entry of type invalid-request, not-authorized-for-resource,
//     client-forbidden, unsupported-authentication or
//     disallowed-resource; usage-capped as above), while any other
//     errors list on a 2xx stays transient;
//   - a redirect, or a 401, 403, 404 or 405 without X's problem JSON (a
//     proxy's page, a BaseURL with a wrong path), is not X's answer: it
//     is Permanent and names Config.BaseURL, never rejected credentials
//     nor a post already gone; so is a whole 2xx that is neither X's
//     answer ({"data":…}) nor its problem JSON (a captive portal's page),
//     and a 2xx without X's problem that quotes a credential (a relay's or
//     a debugging proxy's echo of the request, none of which is kept):
//     nothing shows the request reached X (a post's 2xx refused so is
//     marked broadcast.Uncertain too, but for one that is not JSON, a
//     captive portal's page: a relay may have passed the post on, and a
//     later attempt looks for it);
//   - 5xx answers and network errors are transient; when ctx ends, the
//     error matches ctx.Err() with errors.Is;
//   - an OAuth 2.0 token that cannot be had is an error of its own,
//     Permanent when the token endpoint refused the refresh for good (a
//     4xx such as 400 invalid_grant), transient with the endpoint's
//     Retry-After when it may answer later (408, 429, 5xx). So is a
//     token X refused (401) when TokenSource, asked again, fails: the
//     error says X rejected the credentials and why no other token could
//     be had, ends in "(refused the credential: check Config.TokenSource)"
//     as X's 401 does, and that reason decides the retry.
//
// A template that cannot produce a text within the limit is a Permanent
// error wrapping templates.ErrTooLong.
//
// No error contains a credential. Config holds them as redact.Secret
// values, and every error that carries X's text, or a transport's, passes
// through one redact.Redactor that knows the four OAuth 1.0a credentials
// (also as the OAuth header percent-encodes them) and the attempt's OAuth
// 2.0 access and refresh tokens, in the encodings a server may echo them
// in (URL-escaped, JSON-escaped, base64, hexadecimal).
package twitter

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

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

// Defaults of Config.
const (
	DefaultName    = "x"
	DefaultBaseURL = "https://api.x.com"
)

// Channel posts updates to one X account. It is safe for concurrent use.
//
// It prints as "twitter.Channel(<name>)" under every fmt verb (see
// Format): fmt would otherwise print the credentials it holds.
//
// A nil *Channel (New's error dropped) or a zero Channel fails every
// call with a permanent error saying it was not made by twitter.New, and
// its Name is "" (which broadcast.New refuses); none panics.
type Channel struct {
	name     string
	baseURL  string
	client   httpx.Client     // signs OAuth 1.0a requests; follows no redirect
	sender   httpx.Client     // what client sends through; Close releases it if the channel made it
	tokens   *httpx.TokenCall // OAuth 2.0 tokens; nil for OAuth 1.0a
	reuse    *tokenReuse      // the OAuth 2.0 token in use; nil for OAuth 1.0a
	redactor *redact.Redactor // every credential of the Config
	tmpl     *templates.Set
	now      func() time.Time
	sleep    func(context.Context, time.Duration) error
	limits   ratelimit.Limits // what answers said of the endpoints' limits

	mu   sync.Mutex
	user string // the account's id, once read (see userID)
}

var (
	_ broadcast.Channel   = (*Channel)(nil)
	_ broadcast.Previewer = (*Channel)(nil)
	_ broadcast.Checker   = (*Channel)(nil)
	_ broadcast.Retractor = (*Channel)(nil)
	_ broadcast.Editor    = (*Channel)(nil)
)

// New returns a channel for cfg. It checks cfg without any network I/O;
// errors name the field, as in "twitter: Config.AccessSecret: missing",
// and the error names every fault of cfg, a line each (errors.Join).
func New(cfg Config) (*Channel, error) {
	var f setup.Faults // every fault of cfg, a line each
	base, name := cfg.validate(&f)
	// Plain: X shows a post's text as written.
	tmpl := cfg.Templates.Plain()
	if name != "" { // else refused: no name to try the template for
		f.Add(setup.TryText(pkg, tmpl, name, "short", MaxWeight, Weight))
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	client, sender := newClient(cfg)
	tokens, reuse := tokens(cfg)
	return &Channel{
		name:     name,
		baseURL:  base,
		client:   client,
		sender:   sender,
		tokens:   tokens,
		reuse:    reuse,
		redactor: newRedactor(cfg),
		tmpl:     tmpl,
		now:      time.Now,
		sleep:    ctxwait.Sleep,
		limits:   ratelimit.Limits{Max: maxLimitWait},
	}, nil
}

// Name returns the channel's name, "x" unless Config.Name says otherwise.
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
var ErrClosed = broadcast.ClosedError("twitter: channel closed")

// Close ends the channel's requests in flight, as the end of their
// context would: the call that made each fails with ErrClosed, permanent,
// and broadcast.Uncertain too when the request may have reached the
// platform (written, and its answer not read). A call waiting for a rate
// limit to reset, or for an OAuth 2.0 token of Config.TokenSource (whose
// call runs on until it returns), fails with ErrClosed at once, permanent
// and not Uncertain. Later calls fail with ErrClosed. It then releases
// the idle connections of the channel's own client; a client given in
// Config is left alone. Calling it again does nothing more.
// The Broadcaster stops retrying a call so ended, and leaves the update
// pending on the channel, for a later Send (see ErrClosed).
func (c *Channel) Close() error {
	if !c.made() {
		return errNotMade
	}
	return c.sender.Close()
}

// Format prints the channel as "twitter.Channel(<name>)" under every verb,
// %d and %x included: fmt prints a struct's unexported fields, which hold
// the credentials, without asking them how (for %s and %q even behind a
// pointer).
func (c *Channel) Format(f fmt.State, _ rune) {
	if c == nil {
		_, _ = fmt.Fprint(f, "twitter.Channel(not made)")
		return
	}
	_, _ = fmt.Fprintf(f, "twitter.Channel(%s)", c.name)
}

// Preview returns the text Send would post for u and its weight.
func (c *Channel) Preview(u broadcast.Update) (broadcast.Preview, error) {
	if !c.made() {
		return broadcast.Preview{}, errNotMade
	}
	p := broadcast.Preview{Channel: c.name, Limit: MaxWeight, Unit: "weighted characters"}
	text, err := c.text(u)
	if err != nil {
		return p, err
	}
	p.Text, p.Length = text, Weight(text)
	return p, nil
}

// text renders the post for u: its override or the short template,
// characters X refuses dropped, fitted, and with mentions broken.
//
// Mentions are broken in the post as fitted, as X reads it: a text cut
// short can hold a mention the whole did not ("@ops@x" cut to "@ops…"),
// and a link cut short may no longer hold the "@name" it did. Only what X
// links of the URL is safe from its mention finder too: the rest (after
// "«", or all of a URL in a domain X does not know) is text, where
// "@name" would notify. The fitting weighs each text as it is posted, with
// its mentions broken.
func (c *Channel) text(u broadcast.Update) (string, error) {
	if err := textsafe.CheckURL(u.URL, "the post links to it"); err != nil {
		return "", broadcast.Permanent(fmt.Errorf("twitter: render text: %w", err))
	}
	u = textsafe.Map(u, c.name, postable)
	text, err := c.tmpl.Text(c.name, "short", u, MaxWeight, func(s string) int { return Weight(quietMentions(s)) })
	if err != nil {
		return "", broadcast.Permanent(fmt.Errorf("twitter: render text: %w", err))
	}
	text = quietMentions(text)
	if i := strings.IndexAny(text, notInPost); i >= 0 {
		r, _ := utf8.DecodeRuneInString(text[i:])
		return "", broadcast.Permanent(fmt.Errorf("twitter: render text: contains %U, which X does not accept", r))
	}
	return text, nil
}

// Check verifies the credentials by reading the account they act for (GET
// /2/users/me), whose id the look-up of a post whose answer was lost then
// needs not read again. It posts nothing. An OAuth 1.0a access token that may only
// read (X's x-access-level answer header says "read": the token was made
// before the app had write permission) fails Check with a Permanent error,
// since X would refuse every post. The header's value, quoted in that
// error, is redacted of the credentials as X's text is.
func (c *Channel) Check(ctx context.Context) error {
	if !c.made() {
		return errNotMade
	}
	resp, s, err := c.exchange(ctx, "check", http.MethodGet, "/2/users/me", nil, 0)
	if err != nil {
		return err
	}
	if err := c.classify("check", resp, s); err != nil {
		return err
	}
	u, err := parseUser(resp.Body)
	if err != nil {
		return readError("check", resp, err, s)
	}
	c.keepUser(u.ID)
	if level := strings.TrimSpace(resp.Header.Get("x-access-level")); level != "" && !strings.Contains(level, "write") {
		return broadcast.Permanent(fmt.Errorf("twitter: check: the access token is read-only (x-access-level: %s): "+
			"X refuses every post; give the app Read and Write permission in the developer portal, "+
			"then regenerate the access token and secret", s.cleaner()(level)))
	}
	return nil
}

// errNotMade is the error, permanent, of a call of a Channel not made by
// New: a nil *Channel (New failed, its error dropped) or a zero Channel,
// whose calls would otherwise panic.
var errNotMade = broadcast.Permanent(notmade.Error("twitter.Channel", "twitter.New"))

// made reports whether c was made by New.
func (c *Channel) made() bool { return c != nil && c.name != "" }
