package twitter

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/httpx"
)

// Sentinel errors, found with errors.Is.
var (
	// ErrDuplicate is wrapped by the error of a post X refused because the
	// account already posted the same text, when the post was not found
	// among the account's posts made since the update's Time, or they
	// could not be read (see the package documentation).
	ErrDuplicate = errors.New("twitter: duplicate content: X refused an identical post")
	// ErrUsageCapped is wrapped by the error of a request refused because
	// the app's monthly usage cap is reached: posting resumes when the cap
	// resets or the plan changes, not on a retry.
	ErrUsageCapped = errors.New("twitter: monthly usage cap exceeded")
)

// errReplyGone is wrapped by the error of a reply X refused because the
// post replied to is deleted or not visible; Send then posts without it.
var errReplyGone = errors.New("the post replied to is deleted or not visible")

// errNotXAPI is wrapped by the error of an answer that is not the X
// API's (httpx.Foreign): a redirect, or a 401, 403, 404 or 405 without its
// problem JSON, or a whole 2xx without X's answer (readError), which it answers every refusal with, an unknown route's
// too. A proxy's page or a BaseURL with a wrong path rejects no
// credentials and says nothing of a post.
var errNotXAPI = errors.New("not the X API's answer (check Config.BaseURL)")

// readError returns err, which says that r, a 2xx answer to op, is not
// what X answers it with, as the error of op. A whole answer without X's
// problem JSON is another server's (a captive portal's page, a proxy's):
// Permanent, wrapping errNotXAPI, since nothing shows the request reached
// X. X's own problem, or an answer cut at the limit, stays transient (a
// retry of a post X made is refused as a duplicate, a delivery).
func readError(op string, r *httpx.Response, err error, s scrubber) error {
	if _, own := parseProblem(r.Body); own || r.Truncated {
		return s.error(fmt.Errorf("twitter: %s: %w", op, err))
	}
	return broadcast.Permanent(fmt.Errorf("twitter: %s: %w: %w", op, errNotXAPI, apiError(r, s)))
}

// Problem types of the entries of X's errors list (see answerErrors).
const (
	notFoundType = "/2/problems/resource-not-found"
)

// refusalTypes end the problem types of an errors list entry that refuses
// the request for good: a retry is refused alike.
var refusalTypes = []string{
	"/2/problems/invalid-request", "/2/problems/not-authorized-for-resource",
	"/2/problems/client-forbidden", "/2/problems/unsupported-authentication",
	"/2/problems/disallowed-resource",
}

// answerErrors judges the errors list of r, a 2xx answer to op without
// the data it should hold: X answers some refusals so, with 200. gone
// reports that its first entry says the resource does not exist
// (resource-not-found); refused is the Permanent error of an entry that
// refuses the request for good (an invalid request, a post that is not
// the account's, the monthly usage cap). Both are zero for any other
// answer, which readError judges. Only Retract takes gone: a post's
// answer says nothing of a post when it has no data.
func answerErrors(op string, r *httpx.Response, s scrubber) (gone bool, refused error) {
	p, own := parseProblem(r.Body)
	if !own || len(p.Errors) == 0 {
		return false, nil
	}
	e := p.Errors[0]
	clean := s.cleaner()
	apiErr := &APIError{Status: r.Status, Title: clean(e.Title), Type: clean(e.Type), Detail: clean(cmp.Or(e.Detail, e.Message))}
	switch {
	case strings.HasSuffix(e.Type, notFoundType):
		return true, nil
	case strings.HasSuffix(e.Type, usageCappedType):
		return false, broadcast.Permanent(fmt.Errorf("%w; requests resume when the cap resets or the plan is upgraded: %w",
			ErrUsageCapped, apiErr))
	}
	for _, t := range refusalTypes {
		if strings.HasSuffix(e.Type, t) {
			return false, broadcast.Permanent(fmt.Errorf("twitter: %s: %w", op, apiErr))
		}
	}
	return false, nil
}

// v2Problem reports whether body is a problem of the X API v2, which
// names its type (as .../2/problems/resource-not-found), at the top or in
// its errors list. X answers a route it does not know with an errors list
// of code 34 only ("Sorry, that page does not exist"), which is not one.
func v2Problem(body []byte) bool {
	p, own := parseProblem(body)
	return own && (p.Type != "" || slices.ContainsFunc(p.Errors, func(e problemError) bool { return e.Type != "" }))
}

// APIError is an error answer of the X API: its HTTP status and the fields
// of its problem JSON. Detail is bounded, printable and free of credentials.
type APIError struct {
	Status int    // the HTTP status, as 403
	Title  string // the problem's title, as "Forbidden" or "UsageCapExceeded"
	Detail string // the problem's detail, or its first error message
	Type   string // the problem's type, as "about:blank" or "https://api.twitter.com/2/problems/usage-capped"
}

// Error returns "X API 403 Forbidden: " and the detail.
func (e *APIError) Error() string {
	title := cmp.Or(e.Title, http.StatusText(e.Status))
	s := fmt.Sprintf("X API %d", e.Status)
	if title != "" {
		s += " " + title
	}
	if e.Detail != "" && e.Detail != title {
		s += ": " + e.Detail
	}
	return s
}

// usageCappedType ends the problem type of the monthly usage cap.
const usageCappedType = "/2/problems/usage-capped"

// classify returns nil for a 2xx response and otherwise the error for it,
// marked for the Broadcaster (see the package documentation), its text
// starting "twitter: op: " and cleaned of credentials by s.
func (c *Channel) classify(op string, r *httpx.Response, s scrubber) error {
	marked := httpx.Classify(r)
	if marked == nil {
		if _, own := parseProblem(r.Body); !own && s.r().Holds(string(r.Body)) {
			// A 2xx quoting a credential, without X's problem: a relay's
			// or a debugging proxy's echo of the request, none of which
			// is kept.
			return broadcast.Permanent(fmt.Errorf("twitter: %s: %w: %w", op, errNotXAPI, apiError(r, s)))
		}
		return nil
	}
	apiErr := apiError(r, s)
	_, own := parseProblem(r.Body)
	why, foreign := httpx.Foreign(r, own)
	switch {
	case foreign:
		apiErr.Detail = cmp.Or(apiErr.Detail, why)
		return broadcast.Permanent(fmt.Errorf("twitter: %s: %w: %w", op, errNotXAPI, apiErr))
	case apiErr.Title == "UsageCapExceeded" || strings.HasSuffix(apiErr.Type, usageCappedType):
		return broadcast.Permanent(fmt.Errorf("%w; requests resume when the cap resets or the plan is upgraded: %w",
			ErrUsageCapped, apiErr))
	case r.Status == http.StatusTooManyRequests:
		return c.rateLimited(op, r.Header, apiErr, marked)
	case r.Status == http.StatusForbidden && isDuplicate(apiErr):
		return broadcast.Permanent(fmt.Errorf("%w: %w", ErrDuplicate, apiErr))
	case (r.Status == http.StatusForbidden || r.Status == http.StatusBadRequest) && isReplyGone(apiErr):
		return broadcast.Permanent(fmt.Errorf("twitter: %s: %w: %w", op, errReplyGone, apiErr))
	case r.Status == http.StatusUnauthorized && c.tokens == nil && timestampRefused(r.Body):
		// The keys may be right: the OAuth 1.0a timestamp is out of X's
		// window, which a retry signed by the same clock is refused alike.
		// An OAuth 2.0 request has no timestamp: its 401 refuses the token.
		return broadcast.Permanent(fmt.Errorf("twitter: %s: %w: %w", op, errClockSkew, apiErr))
	case r.Status == http.StatusUnauthorized:
		// X's own 401: "missing or incorrect authentication credentials"
		// (https://docs.x.com/x-api/fundamentals/response-codes-and-errors).
		return httpx.CredentialRefused(broadcast.Permanent(fmt.Errorf("twitter: %s: X rejected the credentials: %w", op, apiErr)),
			c.credentialFields())
	}
	return broadcast.MarkAs(fmt.Errorf("twitter: %s: %w", op, apiErr), marked)
}

// errClockSkew is wrapped by the error of a request X refused for its
// OAuth 1.0a timestamp.
var errClockSkew = errors.New("the X API refused the request's OAuth 1.0a timestamp as too far from its own clock " +
	"(error 135, Timestamp out of bounds): check this machine's clock")

// timestampRefused reports whether body, of a 401, is X's error 135,
// "Timestamp out of bounds": X answers it to an OAuth 1.0a request whose
// oauth_timestamp is too far from its clock, however right the keys
// (https://developer.x.com/en/support/x-api/error-troubleshooting, its
// error codes; the 401 there "may also be returned in other undefined
// circumstances"). Its code decides, or its message when it has none.
// Only an errors list of API v1.1's shape ({"errors":[{"code":135,…}]})
// holds the code: the v2 problem document X answers a refused OAuth 1.0a
// request with ({"title":"Unauthorized","detail":"Unauthorized",
// "type":"about:blank","status":401}; the format of
// https://docs.x.com/x-api/fundamentals/response-codes-and-errors) has
// none, and stays a refused credential. Only OAuth 1.0a requests carry a timestamp (classify).
func timestampRefused(body []byte) bool {
	p, own := parseProblem(body)
	if !own {
		return false
	}
	for _, e := range p.Errors {
		code := strings.Trim(string(e.Code), `" `)
		if code == "135" || (code == "" && strings.Contains(strings.ToLower(e.Message), "timestamp out of bounds")) {
			return true
		}
	}
	return false
}

// credentialFields names the Config fields that hold the credentials the
// channel signs its requests with: TokenSource for OAuth 2.0 (whose
// token, refused, was asked for again before X's 401 was final), the
// four keys and secrets for OAuth 1.0a.
func (c *Channel) credentialFields() string {
	if c.tokens != nil {
		return "Config.TokenSource"
	}
	return "Config.ConsumerKey, Config.ConsumerSecret, Config.AccessToken and Config.AccessSecret"
}

// rateLimited returns the error of a 429: transient, with a wait from X's
// rate-limit headers, else from Retry-After, else httpx.RateLimitWait. X's reset times
// are measured from its Date, not from this machine's clock.
func (c *Channel) rateLimited(op string, h http.Header, apiErr *APIError, marked error) error {
	local := c.now()
	if d, which := rateLimitWait(h, local); d > 0 {
		until := local.Add(d).UTC().Format(time.RFC3339)
		return broadcast.RetryAfter(fmt.Errorf("twitter: %s: rate limited until %s (%s): %w",
			op, until, which, apiErr), d)
	}
	return broadcast.MarkAs(fmt.Errorf("twitter: %s: rate limited: %w", op, apiErr), marked)
}

// rateLimitWait returns how long to wait after a 429 according to X's
// headers, and the limit that decides it: the endpoint's window
// (x-rate-limit-reset), or a 24-hour limit whose remaining count is 0
// (x-user-limit-24hour-*, x-app-limit-24hour-*), whichever resets last.
// Each reset is read by httpx.ResetWait (Unix seconds by X's clock, the
// response received at local); it returns 0 when none is in the future.
func rateLimitWait(h http.Header, local time.Time) (time.Duration, string) {
	var wait time.Duration
	var which string
	for _, limit := range []struct {
		prefix    string
		exhausted bool // counts only when remaining is 0
	}{
		{"x-rate-limit", false}, {"x-user-limit-24hour", true}, {"x-app-limit-24hour", true},
	} {
		if limit.exhausted && strings.TrimSpace(h.Get(limit.prefix+"-remaining")) != "0" {
			continue
		}
		if d, ok := httpx.ResetWait(h, limit.prefix+"-reset", local); ok && d > wait {
			wait, which = d, limit.prefix
		}
	}
	return wait, which
}

// isDuplicate reports whether a 403 refuses a post as a duplicate: "You are
// not allowed to create a Tweet with duplicate content.", or error 187,
// "Status is a duplicate.", as API v1.1 says it.
func isDuplicate(e *APIError) bool {
	d := strings.ToLower(e.Detail)
	return strings.Contains(d, "duplicate content") || strings.Contains(d, "status is a duplicate")
}

// isReplyGone reports whether X refused a reply because the post replied
// to is gone: "You attempted to reply to a Tweet that is deleted or not
// visible to you." (403), or an invalid request saying as much (400).
func isReplyGone(e *APIError) bool {
	d := strings.ToLower(e.Detail)
	return strings.Contains(d, "repl") &&
		(strings.Contains(d, "deleted or not visible") || strings.Contains(d, "not visible or deleted"))
}

// apiError reads X's problem JSON from r. Every text is cleaned of
// credentials first, then bounded, so that a cut cannot leave part of a
// secret.
func apiError(r *httpx.Response, s scrubber) *APIError {
	clean := s.cleaner()
	e := &APIError{Status: r.Status}
	p, ok := parseProblem(r.Body)
	if !ok {
		e.Detail = httpx.BodySnippet(s.r(), r) // a 2xx cut short may end in a token's start
		return e
	}
	e.Title, e.Type, e.Detail = clean(p.Title), clean(p.Type), clean(p.Detail)
	if msg := p.firstMessage(); msg != "" && !strings.Contains(p.Detail, msg) {
		if p.Detail != "" {
			msg = p.Detail + " (" + msg + ")"
		}
		e.Detail = clean(msg)
	}
	return e
}
