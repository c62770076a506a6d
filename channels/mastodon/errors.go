package mastodon

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/httpx"
)

// APIError is an error answer of the instance: its HTTP status and the
// message of its error entity ({"error":"…"}), or the start of its body
// when it sent none. Message is bounded, printable and free of the token.
type APIError struct {
	Status  int    // the HTTP status, as 422
	Message string // as "Validation failed: Text character limit of 500 exceeded"
}

// Error returns "instance answered 422 Unprocessable Entity: " and the
// message.
func (e *APIError) Error() string {
	s := fmt.Sprintf("instance answered %d", e.Status)
	if t := http.StatusText(e.Status); t != "" {
		s += " " + t
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// errReplyGone is wrapped by the error of a reply the instance refused
// because the status replied to is gone; Send then posts without it.
var errReplyGone = errors.New("the status replied to is gone")

// replyGone reports an answer to a reply that says the status replied to
// is gone: Mastodon's 404 ("The post you are trying to reply to does not
// appear to exist."), GoToSocial's 400 ("Bad Request: cannot reply to
// status that does not exist"), or the 422 of Pleroma ("Cannot reply to a
// deleted status") and Akkoma ("Parent post does not exist or was
// deleted"), which replayRefusals tells apart.
func replyGone(status int, message string) bool {
	return status == http.StatusNotFound ||
		status == http.StatusBadRequest && strings.Contains(message, "reply to status that does not exist") ||
		replayRefusals(status, message)
}

// replayRefusals reports Pleroma's and Akkoma's refusal of a reply to a
// status that is gone. Those servers keep every answer to a POST with an
// Idempotency-Key, a refusal too, for hours (their IdempotencyPlug), and
// give it again to the next POST with the key whatever its body: the post
// without the reply needs a key of its own. Mastodon keeps only the
// statuses it created, so that the post without the reply keeps the key,
// and finds the status an earlier attempt created.
func replayRefusals(status int, message string) bool {
	m := strings.ToLower(message)
	return status == http.StatusUnprocessableEntity &&
		(strings.Contains(m, "cannot reply to a deleted status") || strings.Contains(m, "parent post does not exist or was deleted"))
}

// errUnchanged is wrapped by the error of an edit the instance refused
// because the status already reads so; Edit then counts it as done.
var errUnchanged = errors.New("the status already has this text")

// unchanged reports an answer to an edit that says it changes nothing:
// GoToSocial's 422 "Unprocessable Entity: status was not changed" (its
// Edit). Mastodon answers such an edit with 200. An edit retried after a
// lost answer gets it, the status edited by the first attempt.
func unchanged(status int, message string) bool {
	return status == http.StatusUnprocessableEntity && strings.Contains(message, "status was not changed")
}

// errScope is wrapped by the error of a request the instance refused
// because the token, which it accepted, lacks the scope the request needs.
var errScope = errors.New("the token lacks the scope this needs (posting, editing and deleting statuses need write:statuses)")

// scopeRefused reports a 403 that refuses the token's scope, not the
// token: Mastodon's "This action is outside the authorized scopes",
// Pleroma's and Akkoma's "Insufficient permissions: read:accounts." (their
// OAuthScopesPlug, which sends no WWW-Authenticate), GoToSocial's
// "Forbidden: token has insufficient scope permission" (its TokenAuth,
// which enforces scopes since 0.19, with no WWW-Authenticate either), or
// any server's WWW-Authenticate error="insufficient_scope" (RFC 6750
// section 3.1, which Mastodon's Doorkeeper sends too).
func scopeRefused(status int, h http.Header, message string) bool {
	m := strings.ToLower(message)
	return status == http.StatusForbidden &&
		(strings.Contains(m, "outside the authorized scopes") || strings.HasPrefix(m, "insufficient permissions: ") ||
			strings.Contains(m, "token has insufficient scope permission") || scopeHeader(h))
}

// scopeHeader reports a WWW-Authenticate error="insufficient_scope": the
// instance's own word, body or not, which no proxy in front of it says.
func scopeHeader(h http.Header) bool {
	return strings.Contains(h.Get("WWW-Authenticate"), `error="insufficient_scope"`)
}

// errNotOwned is wrapped by the error of an edit the instance refused
// because the status is another account's: the token, which it accepted,
// acts for another account than the one that posted the status.
var errNotOwned = errors.New("the status is another account's, not the one the token acts for " +
	"(was Config.Token changed since it was posted?): only the account that posted a status can edit it")

// notOwned reports a 403 "This action is not allowed" to the edit of
// another account's status: Api::BaseController's answer to
// Mastodon::NotPermittedError, which StatusPolicy#update? (only the
// status's account passes it) raises on a server that finds the status
// among all. Mastodon itself looks it up among the token's account's, and
// answers 404 "Record not found", as to a status that is gone (see
// Channel.editGone). A refused token or scope has other words.
func notOwned(status int, message string) bool {
	return status == http.StatusForbidden && message == "This action is not allowed"
}

// errNotInstance is wrapped by the error of an answer that is not the
// instance's (httpx.Foreign): a redirect, or a 401, 403, 404 or 405 without
// Mastodon's error entity, which every refusal of its API carries, an
// unknown route's too. A proxy's page or a Server with a wrong path
// refuses no token and says nothing of a status: it is neither "the
// instance refused the token" nor a status that is gone.
var errNotInstance = errors.New("not the instance's answer (check Config.Server)")

// classify returns nil for a 2xx answer to op and otherwise its error,
// marked for the Broadcaster: an answer that is not the instance's
// Permanent, wrapping errNotInstance; 429 transient with broadcast.RetryAfter until
// X-RateLimit-Reset (else Retry-After, else httpx.RateLimitWait); 401,
// 403 (a scope the token lacks wrapping errScope; to an edit, another
// account's status wrapping broadcast.ErrNotEditable and errNotOwned),
// 422 and other 4xx
// Permanent; 5xx, 408 and 425 transient. r.Body
// holds no secret (see do).
func (c *Channel) classify(op string, r *httpx.Response) error {
	marked := httpx.Classify(r)
	if marked == nil {
		return nil
	}
	apiErr := &APIError{Status: r.Status, Message: apiMessage(r.Body)}
	why, foreign := httpx.Foreign(r, apiErr.Message != "" || scopeHeader(r.Header))
	if apiErr.Message == "" {
		apiErr.Message = cmp.Or(why, httpx.Snippet(r.Body))
	} else {
		apiErr.Message = httpx.Snippet([]byte(apiErr.Message))
	}
	switch {
	case foreign:
		return broadcast.Permanent(fmt.Errorf("mastodon: %s: %w: %w", op, errNotInstance, apiErr))
	case r.Status == http.StatusTooManyRequests:
		return c.rateLimited(op, r.Header, apiErr, marked)
	case scopeRefused(r.Status, r.Header, apiErr.Message):
		return broadcast.Permanent(fmt.Errorf("mastodon: %s: %w: %w", op, errScope, apiErr))
	case op == opEdit && notOwned(r.Status, apiErr.Message):
		return broadcast.Permanent(fmt.Errorf("mastodon: %s: %w: %w: %w", op, broadcast.ErrNotEditable, errNotOwned, apiErr))
	case r.Status == http.StatusUnauthorized:
		// The instance's own 401 refuses the token itself: "401:
		// Unauthorized: Invalid or missing Authorization header" (the
		// Mastodon API's methods, as
		// https://docs.joinmastodon.org/methods/statuses/#create, with
		// {"error": "The access token is invalid"}).
		return httpx.CredentialRefused(
			broadcast.Permanent(fmt.Errorf("mastodon: %s: the instance refused the token: %w", op, apiErr)), "Config.Token")
	case r.Status == http.StatusForbidden:
		return broadcast.Permanent(fmt.Errorf("mastodon: %s: the instance refused the token: %w", op, apiErr))
	case op == opReply && replyGone(r.Status, apiErr.Message):
		return broadcast.Permanent(fmt.Errorf("mastodon: %s: %w: %w", op, errReplyGone, apiErr))
	case op == opEdit && unchanged(r.Status, apiErr.Message):
		return broadcast.Permanent(fmt.Errorf("mastodon: %s: %w: %w", op, errUnchanged, apiErr))
	case op == opEdit && r.Status == http.StatusNotFound:
		// Deleted by hand: the Broadcaster posts the correction anew.
		return broadcast.Permanent(fmt.Errorf("mastodon: %s: %w: %w", op, broadcast.ErrPostGone, apiErr))
	}
	return broadcast.MarkAs(fmt.Errorf("mastodon: %s: %w", op, apiErr), marked)
}

// rateLimited returns the error of a 429: transient, with a wait until the
// X-RateLimit-Reset time (Mastodon's ISO 8601 time or GoToSocial's Unix
// seconds, measured from the answer's Date, not from this machine's
// clock: see httpx.ResetWait), else the Retry-After hint, else
// httpx.RateLimitWait.
func (c *Channel) rateLimited(op string, h http.Header, apiErr *APIError, marked error) error {
	local := c.s.now()
	if d, ok := httpx.ResetWait(h, "X-RateLimit-Reset", local); ok {
		return broadcast.RetryAfter(fmt.Errorf("mastodon: %s: rate limited until %s%s: %w",
			op, local.Add(d).UTC().Format(time.RFC3339), limitNote(h), apiErr), d)
	}
	err := fmt.Errorf("mastodon: %s: rate limited: %w", op, apiErr)
	return broadcast.MarkAs(err, marked)
}

// limitNote is " (limit 300)" for the X-RateLimit-Limit of h, or "" when
// it names no number: a header from the network is shown only as what it
// must be.
func limitNote(h http.Header) string {
	n, err := strconv.ParseUint(strings.TrimSpace(h.Get("X-RateLimit-Limit")), 10, 32)
	if err != nil {
		return ""
	}
	return fmt.Sprintf(" (limit %d)", n)
}
