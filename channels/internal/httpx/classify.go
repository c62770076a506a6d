package httpx

import (
	"bytes"
	"encoding/json"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/redact"
)

// Limits of Classify.
const (
	// SnippetLimit bounds the body snippet a StatusError carries, in bytes.
	SnippetLimit = 512
	// MaxRetryAfter caps a Retry-After hint, so that a huge or hostile value
	// cannot overflow a duration. The Broadcaster gives up at once on a wait
	// longer than what is left of its RetryPolicy.MaxElapsed anyway.
	MaxRetryAfter = 24 * time.Hour
)

// StatusError is a response with a status other than 2xx. Channels can
// inspect it with errors.As, for example to treat a platform's duplicate
// response as delivered.
type StatusError struct {
	Status   int    // the status code
	Snippet  string // the start of the body, made printable (see Snippet)
	Location string // of a redirect: where it points (see Response.Location)
}

// Error returns "http status 404 Not Found" and the snippet, if any; for a
// redirect, where it points: "http status 307 Temporary Redirect: redirect
// to https://hooks.example/… not followed".
func (e *StatusError) Error() string {
	s := statusPrefix + strconv.Itoa(e.Status)
	if text := http.StatusText(e.Status); text != "" {
		s += " " + text
	}
	if e.Location != "" {
		s += ": redirect to " + e.Location + " not followed"
	}
	if e.Snippet != "" {
		s += ": " + e.Snippet
	}
	return s
}

// statusPrefix begins a StatusError's text.
const statusPrefix = "http status "

// StatusInText returns the status at the start of text, the text of a
// StatusError (as a Ledger records it, for example: "http status 404 Not
// Found: …"), or 0 when text does not begin so: a status quoted further
// on is another's (a receiver's answer), not this one's.
func StatusInText(text string) int {
	rest, ok := strings.CutPrefix(text, statusPrefix)
	if !ok || len(rest) < 3 || len(rest) > 3 && rest[3] != ' ' && rest[3] != ':' {
		return 0
	}
	code, err := strconv.Atoi(rest[:3])
	if err != nil || code < 100 {
		return 0
	}
	return code
}

// Classify returns nil when r has a 2xx status, and otherwise a
// *StatusError: transient for 408, 425, 429 and 5xx except 501, wrapped in
// broadcast.RetryAfter when a Retry-After header gives a delay in seconds or
// an HTTP date (a 429 without one, or with one already over, waits
// RateLimitWait, see RateLimited);
// broadcast.Permanent for every other status (1xx, 3xx, 4xx, 501). (Do, DoStatus, DoStatusTimeout and DoStatusBuilt drop a 3xx's body: it repeats
// the redirect's Location, whose path and query may hold a token.)
//
// rateLimits names the statuses besides 429 that the platform refuses a
// request with for its rate (Statuspage's 420): they are classified as a
// 429 is.
func Classify(r *Response, rateLimits ...int) error {
	return classifyAt(r, time.Now(), rateLimits...)
}

func classifyAt(r *Response, now time.Time, rateLimits ...int) error {
	if r.Status >= 200 && r.Status <= 299 {
		return nil
	}
	err := &StatusError{Status: r.Status, Snippet: Snippet(r.Body), Location: r.Location}
	rateLimited := r.Status == http.StatusTooManyRequests || slices.Contains(rateLimits, r.Status)
	return Mark(err, rateLimited, Transient(r.Status), r.Header, now)
}

// Mark marks err, a refusal, for the Broadcaster's retries, as Classify
// does for a status: MarkWait with the wait of h's Retry-After
// (RetryAfter). For channels whose platforms say which in their own error
// codes as well as the status.
func Mark(err error, rateLimited, transient bool, h http.Header, now time.Time) error {
	d, ok := RetryAfter(h, now)
	return MarkWait(err, rateLimited, transient, d, ok)
}

// MarkWait is the one decision of how a refusal is retried, which Mark and
// Classify make with Retry-After and a channel makes with the wait its
// platform names (in its body, its own headers): a rate limit waits wait
// (RateLimited: RateLimitWait when it names none left); a transient
// refusal is retried, after wait when known is true, and then marked
// broadcast.Uncertain, since a server error (a 5xx) may follow a post
// made: only a rate limit says nothing was; anything else is Permanent.
// A channel reads its platform's wait with Seconds, and takes
// Retry-After (RetryAfter) where the platform names none.
func MarkWait(err error, rateLimited, transient bool, wait time.Duration, known bool) error {
	switch {
	case rateLimited:
		return RateLimited(err, wait, known)
	case !transient:
		return broadcast.Permanent(err)
	case known:
		return broadcast.RetryAfter(broadcast.Uncertain(err), wait)
	}
	return err
}

// Seconds is the wait of a number of seconds a platform names in its
// answer (Discord's retry_after, Telegram's parameters.retry_after, Matrix's
// retry_after_ms / 1000), at most MaxRetryAfter and rounded to the
// millisecond. It reports false for a negative or not-a-number value.
func Seconds(s float64) (time.Duration, bool) {
	if math.IsNaN(s) || s < 0 {
		return 0, false
	}
	if s > MaxRetryAfter.Seconds() {
		return MaxRetryAfter, true
	}
	return time.Duration(math.Round(s*1000)) * time.Millisecond, true
}

// Foreign reports whether r, a refusal, is another server's answer in the
// platform's place (a web site, a proxy, a base URL with a wrong path, a
// CDN or firewall in front of the platform), given whether its body held
// the platform's own error: a redirect, or a 401, 403, 404 or 405 without
// that error. The APIs the channels call answer every refusal, an unknown
// route's too, with their own error (Matrix's errcode, Discord's and
// Telegram's JSON): such an error should name the configuration field to
// check, not blame a token or a room. A 403 of Cloudflare ("Attention
// Required", "Access denied") or Akamai ("Access Denied") refuses the
// network the request came from, not the token: an operator told the
// token was refused would rotate a good one. For a redirect, why says
// where it points (Response.Location), as "redirect to
// https://www.example.org/… not followed"; else it is "", and the
// channel's error names the status and the body that was not the
// platform's.
func Foreign(r *Response, ownError bool) (why string, foreign bool) {
	switch {
	case r.Status >= 300 && r.Status <= 399 && r.Location != "":
		return "redirect to " + r.Location + " not followed", true
	case r.Status >= 300 && r.Status <= 399:
		return "redirect not followed", true
	}
	switch r.Status {
	case http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusMethodNotAllowed:
		return "", !ownError
	}
	return "", false
}

// NotJSON reports whether r, a 2xx of an API whose every answer is a JSON
// object (Mastodon's, Bluesky's XRPC, Telegram's Bot API), is not JSON:
// another server's page in the platform's place (a captive portal's),
// proof that nothing reached the platform. A body cut off
// (Response.Truncated: longer than the channel reads, or broken off) is
// judged by its first byte, which must open an object, as a whole one is
// by json.Valid: a portal's page is often longer than the limit. An empty
// body, and any status other than 2xx, is not judged: false.
func NotJSON(r *Response) bool {
	body := bytes.TrimSpace(r.Body)
	if r.Status < 200 || r.Status > 299 || len(body) == 0 {
		return false
	}
	if r.Truncated {
		return body[0] != '{'
	}
	return !json.Valid(body)
}

// RateLimitWait is the wait of a rate limit that names none: a 429 without
// Retry-After or the platform's own reset (a proxy's answer), or one whose
// wait is already over when it arrives (Retry-After: 0, a date or a reset
// in the past). The platforms count their limits over a minute or more, and
// a rate-limited Cloudflare in front of them longer: a retry within
// seconds, as the Broadcaster's first backoff steps would make it, would
// only be refused again.
const RateLimitWait = 30 * time.Second

// RateLimited marks err, the refusal of a rate limit, for the Broadcaster
// (broadcast.RetryAfter): it waits wait when known is true and wait is
// positive (the platform said how long), RateLimitWait otherwise: a limit
// that refuses a request names no wait by saying it is already over. Every
// channel marks its rate limits so.
func RateLimited(err error, wait time.Duration, known bool) error {
	if !known || wait <= 0 {
		wait = RateLimitWait
	}
	return broadcast.RetryAfter(err, wait)
}

// Transient reports whether a response with this non-2xx status is worth
// retrying: 408 Request Timeout, 425 Too Early, 429 Too Many Requests and
// every 5xx except 501 Not Implemented. (Not 421 Misdirected Request: RFC
// 9110 allows its retry over a different connection, and a retry here
// would likely reuse the same one, from the pool.)
func Transient(status int) bool {
	switch status {
	case http.StatusRequestTimeout, http.StatusTooEarly, http.StatusTooManyRequests:
		return true
	case http.StatusNotImplemented:
		return false
	}
	return status >= 500 && status <= 599
}

// RetryAfter reads the Retry-After field of h, the header of a response
// received at now (this machine's clock): a number of seconds, or an HTTP
// date, measured from the response's own Date (see ServerNow). A date in
// the past gives 0; values are capped at MaxRetryAfter. It reports false
// for a missing, empty, negative or unparsable value.
func RetryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if v[0] >= '0' && v[0] <= '9' {
		secs, err := strconv.ParseUint(v, 10, 64)
		if err != nil && !isRangeErr(err) {
			return 0, false
		}
		if err != nil || secs > uint64(MaxRetryAfter/time.Second) {
			return MaxRetryAfter, true
		}
		return time.Duration(secs) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return min(max(t.Sub(ServerNow(h, now)), 0), MaxRetryAfter), true
}

// ServerNow returns the time by the server's clock at which the response
// whose header is h was received, at now by this machine's clock: its
// Date field, plus its Age when a cache kept it, or now when it has no
// Date that parses, or one more than MaxClockSkew away from now (more
// likely a broken Date than this machine's clock that far off). A time a
// server gives by its own clock (an HTTP date in Retry-After, a rate
// limit's reset) is measured from it, so that a machine whose clock is
// off waits neither too little (retrying into the limit) nor too long.
// Date counts whole seconds: the wait may come out up to a second longer,
// never shorter.
func ServerNow(h http.Header, now time.Time) time.Time {
	t, err := http.ParseTime(h.Get("Date"))
	if err != nil {
		return now
	}
	if age, err := strconv.ParseUint(strings.TrimSpace(h.Get("Age")), 10, 32); err == nil {
		t = t.Add(time.Duration(age) * time.Second)
	}
	if d := t.Sub(now); d > MaxClockSkew || d < -MaxClockSkew {
		return now
	}
	return t
}

// MaxClockSkew is how far a server's Date may be from this machine's clock
// and still be believed (see ServerNow).
const MaxClockSkew = time.Hour

// maxUnix is a Unix time far beyond any reset (some 35 million years on)
// that time.Unix still holds.
const maxUnix = 1 << 50

func isRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

// RedactedSnippet is Snippet of text with rd's secrets redacted first, so
// that no part of a secret the text quotes stays at the cut. It is how a
// channel shows text another server wrote (a field of its answer, a
// header) in an error; rd may be nil. A body, which may have been cut at
// its limit, is quoted with BodySnippet instead.
func RedactedSnippet(rd *redact.Redactor, text string) string {
	return Snippet([]byte(rd.String(text)))
}

// BodySnippet is RedactedSnippet of r's body: a body cut short
// (Truncated) also loses what it ends with when that is the start of a
// secret (see redact.Redactor.Truncated), which a redaction of the whole
// text cannot tell from other text. It is how a channel shows a body in an
// error, never with RedactedSnippet: the body of a 2xx, which Do and
// DoStatus leave unredacted, as well as that of an error answer, which
// they redacted already (redacting it again changes nothing).
func BodySnippet(rd *redact.Redactor, r *Response) string {
	if r.Truncated {
		return Snippet([]byte(rd.Truncated(string(r.Body))))
	}
	return RedactedSnippet(rd, string(r.Body))
}

// Snippet returns the start of body as one printable line of at most
// SnippetLimit bytes: invalid UTF-8 is replaced, control characters,
// invisible formatting characters (bidi overrides, zero-width spaces and
// joiners) and runs of white space become one space, and "…" marks a cut.
// A character it removes never joins the text around it: a secret split
// by one, which redaction did not find, stays split.
func Snippet(body []byte) string {
	var b strings.Builder
	space := false
	for len(body) > 0 && b.Len() <= SnippetLimit {
		r, n := utf8.DecodeRune(body)
		body = body[n:]
		switch {
		case unicode.IsSpace(r) || unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || unicode.Is(unicode.Cf, r):
			space = b.Len() > 0
		default:
			if space {
				b.WriteByte(' ')
				space = false
			}
			b.WriteRune(r)
		}
	}
	s := b.String()
	if len(s) <= SnippetLimit {
		return s
	}
	cut := SnippetLimit - len("…")
	for !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// ResetWait is the wait until the reset of a rate limit that a platform
// names in the field of h as a time by its own clock: Unix seconds (X's
// x-rate-limit-reset, Bluesky's RateLimit-Reset, GoToSocial's
// X-RateLimit-Reset) or an RFC 3339 time (Mastodon's X-RateLimit-Reset).
// The response was received at now by this machine's clock; the wait is
// measured from the response's Date (see ServerNow), rounded up to a whole
// second, since a retry before the reset would only be refused again, and
// capped at MaxRetryAfter. It reports false for a missing or unparsable
// value and for a reset that is not in the future: a limit that names no
// wait left (RateLimited then waits RateLimitWait). Every channel reads
// its platform's reset with it.
func ResetWait(h http.Header, field string, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get(field))
	var reset time.Time
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil || isRangeErr(err) {
		if secs <= 0 {
			return 0, false
		}
		// time.Unix of a number near the int64 limit overflows into a
		// reset long gone; one that far waits the cap as any far one does.
		reset = time.Unix(min(secs, maxUnix), 0)
	} else if reset, err = time.Parse(time.RFC3339Nano, v); err != nil {
		return 0, false
	}
	d := reset.Sub(ServerNow(h, now))
	if d <= 0 {
		return 0, false
	}
	d = min(d, MaxRetryAfter)
	return (d + time.Second - 1).Truncate(time.Second), true
}
