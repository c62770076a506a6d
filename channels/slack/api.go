package slack

import (
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
	"github.com/outagecast/outagecast/channels/internal/guard"
	"github.com/outagecast/outagecast/channels/internal/httpx"
)

// responseLimit bounds the part of an answer to a write (a post, an
// update, a deletion) Send reads: Slack echoes the message posted, a few
// KiB.
const responseLimit = 256 << 10

// readLimit bounds the answer a read (conversations.history or
// conversations.replies) gets: a page of lookLimit messages, each of them
// people's as well as the channel's, with up to MaxText characters of
// text, which a message's rich-text blocks repeat, and which JSON may
// write at up to 6 bytes a character. A page cut short is a look-up that
// failed, and the update is posted again.
const readLimit = 8 << 20

// maxDetails bounds the messages of response_metadata an error quotes.
const maxDetails = 3

// APIError is Slack's refusal of a Web API call: "ok": false and an error
// code, or an HTTP status other than 200 with one. Find it with errors.As
// in a broadcast.TargetFailure's Err, for example to tell a bot missing
// from a channel ("not_in_channel") from a revoked token.
type APIError struct {
	Method  string   // the Web API method, as "chat.postMessage"
	Code    string   // Slack's error code, as "not_in_channel"
	Status  int      // the HTTP status, 200 for most refusals
	Details []string // what response_metadata.messages explains, at most 3
	// Needed and Provided are, for missing_scope, the scopes the method
	// needs and those the token has, as Slack names them
	// ("chat:write"): the scope to add to the app, which reinstalling
	// it grants.
	Needed, Provided string
}

// Error returns the method and the code (what message_limit_exceeded
// means, after it; the scopes needed and provided, after
// missing_scope), the HTTP status when it is not 200, and Slack's
// explanations, as in "chat.postMessage: not_in_channel" or
// "chat.postMessage: missing_scope (scope needed: chat:write; the token
// has: channels:read)".
func (e *APIError) Error() string {
	s := e.Method + ": " + e.Code
	if e.Code == codeMessageLimit {
		s += " (the free workspace sent too many messages in a short time: " +
			"check which apps and bots post at a high volume, or upgrade its plan)"
	}
	if e.Needed != "" {
		s += " (scope needed: " + e.Needed + "; the token has: " + e.Provided + ")"
	}
	if e.Status != http.StatusOK {
		s += fmt.Sprintf(" (http status %d)", e.Status)
	}
	if len(e.Details) > 0 {
		s += ": " + strings.Join(e.Details, "; ")
	}
	return s
}

// Error codes that are worth retrying: Slack's own failures and
// migrations. Every other code is permanent: credentials, a channel the
// bot cannot post to, a message Slack refuses.
var transientCodes = map[string]bool{
	"internal_error": true, "fatal_error": true, "service_unavailable": true, "request_timeout": true,
	"update_failed": true, "team_added_to_org": true, "org_login_required": true,
	"external_channel_migrating": true,
}

// rateCodes are the codes of a rate limit: "ratelimited" with HTTP 429 and
// Retry-After for any method, "rate_limited" for too many messages.
var rateCodes = map[string]bool{"ratelimited": true, "rate_limited": true}

// apiResponse is what every Web API answer has.
type apiResponse struct {
	OK    bool   `json:"ok"`
	Error string `json:"error"`
	// Needed and Provided are the scopes of a missing_scope refusal.
	Needed   string `json:"needed"`
	Provided string `json:"provided"`
	Metadata struct {
		Messages   []string `json:"messages"`
		NextCursor string   `json:"next_cursor"`
	} `json:"response_metadata"`
}

// postResponse is the answer of chat.postMessage and chat.update.
type postResponse struct {
	apiResponse
	Channel string `json:"channel"`
	TS      string `json:"ts"`
	// Message is the message posted; a reply's has its thread_ts.
	Message *postedMessage `json:"message"`
}

// postedMessage is what the channel reads of a message Slack answers
// with.
type postedMessage struct {
	ThreadTS string `json:"thread_ts"`
	// Attachments are those of a message chat.update answers with: the
	// status bar of a thread's first post, the only attachment the
	// channel posts, which an edit without attachments keeps.
	Attachments []json.RawMessage `json:"attachments"`
}

// threadGone reports whether err is Slack's refusal of a reply that a
// message of its own would not meet: its thread is gone (its first post
// was deleted before anyone replied), an admin locked it, or the
// conversation takes no thread replies.
func threadGone(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && slices.Contains(noReplyCodes, ae.Code)
}

// metadataRefused reports whether err is Slack's refusal of a call for
// the message metadata it carries: metadata_must_be_sent_from_app, which
// Slack documents for chat.postMessage and chat.update ("Message metadata
// can only be posted or updated using an app-level token"), as for a
// token that is not an app's bot token. Nothing took effect: the call is
// made again without the metadata.
func metadataRefused(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Code == codeMetadataRefused
}

// codeMetadataRefused is Slack's refusal of message metadata from the token.
const codeMetadataRefused = "metadata_must_be_sent_from_app"

// noReplyCodes are Slack's refusals of a reply in a thread that takes none:
// cannot_reply_to_message is its documented refusal of thread_ts naming "a
// message type that cannot have thread replies", as a deleted one.
var noReplyCodes = []string{"thread_not_found", "restricted_action_thread_locked", "thread_locked",
	"restricted_action_non_threadable_channel", "cannot_reply_to_message"}

// call makes one Web API call of method with the JSON body req and decodes
// the answer into resp, whose apiResponse must be embedded first. Its
// errors are marked for retries and redacted.
func (c *Channel) call(ctx context.Context, method string, req any, resp any) error {
	body, err := httpx.JSONBody(req)
	if err != nil {
		return broadcast.Permanent(fmt.Errorf("%s: encode: %w", method, err))
	}
	hreq, err := httpx.NewRequest(ctx, http.MethodPost, c.s.base+method, body, "application/json; charset=utf-8")
	if err != nil {
		return broadcast.Permanent(fmt.Errorf("%s: %w", method, err))
	}
	return c.do(method, hreq, resp)
}

// read makes one call of a Web API method that reads, with GET and the
// arguments q in the query string (Slack takes JSON bodies for most
// write methods only), and decodes the answer into resp as call does.
func (c *Channel) read(ctx context.Context, method string, q url.Values, resp any) (err error) {
	defer guard.Recover(method, &err) // see do
	hreq, err := httpx.NewRequest(ctx, http.MethodGet, c.s.base+method+"?"+q.Encode(), nil, "")
	if err != nil {
		return broadcast.Permanent(fmt.Errorf("%s: %w", method, err))
	}
	hreq.Header.Set("Authorization", "Bearer "+c.s.token.Reveal())
	// Read whole, up to readLimit, as long as the request may take: a
	// read has no effect to lose, and a page is far longer than a post's
	// answer.
	hresp, err := httpx.Do(c.s.client, hreq, readLimit, c.s.rd)
	if err != nil {
		return fmt.Errorf("%s: %w", method, err) // redacted by httpx
	}
	return c.decode(method, hresp, resp)
}

// do sends hreq, a call of method, with the token, and decodes the answer
// into resp. A panic in the request (Config.HTTPClient's Transport, its
// Proxy) fails the call for good, "method: panicked" (see package
// guard): it runs in a goroutine of each's, and fails only its
// conversation, as a refusal would.
func (c *Channel) do(method string, hreq *http.Request, resp any) (err error) {
	defer guard.Recover(method, &err)
	hreq.Header.Set("Authorization", "Bearer "+c.s.token.Reveal())
	// The status line decides: a 2xx whose body breaks off is Truncated,
	// not a transport error (see errCut).
	hresp, err := httpx.DoStatus(c.s.client, hreq, responseLimit, 0, c.s.rd)
	if err != nil {
		return fmt.Errorf("%s: %w", method, err) // redacted by httpx
	}
	if err := c.decode(method, hresp, resp); err != nil {
		return err
	}
	if c.s.rd.Holds(string(hresp.Body)) {
		// Slack never quotes the token: an "ok" that does is a relay's
		// or a debugging proxy's echo of the request, which it may have
		// passed on: a post's outcome is unknown.
		err := c.notSlack(method, hresp)
		if method == "chat.postMessage" {
			err = broadcast.Uncertain(err)
		}
		return err
	}
	return nil
}

// notSlack is the error of method answered by hresp, a whole 2xx that is
// another server's answer: Permanent, naming Config.BaseURL. httpx leaves
// a 2xx unredacted: redacted before the cut, no part of a secret stays.
func (c *Channel) notSlack(method string, hresp *httpx.Response) error {
	err := fmt.Errorf("http status %d: %s; not Slack's answer (check Config.BaseURL)",
		hresp.Status, httpx.BodySnippet(c.s.rd, hresp))
	return c.s.rd.Error(fmt.Errorf("%s: %w", method, broadcast.Permanent(err)))
}

// decode reads a Web API answer into resp and returns Slack's refusal, if
// any, as a classified *APIError.
func (c *Channel) decode(method string, hresp *httpx.Response, resp any) error {
	var head apiResponse
	if err := json.Unmarshal(hresp.Body, &head); err != nil || !head.OK && head.Error == "" {
		if err := httpx.Classify(hresp); err != nil { // a proxy's page, not Slack's answer
			if _, foreign := httpx.Foreign(hresp, false); foreign {
				err = fmt.Errorf("%w; not Slack's answer (check Config.BaseURL)", err)
			}
			return c.s.rd.Error(fmt.Errorf("%s: %w", method, err))
		}
		if hresp.Truncated && refuses(hresp.Body) {
			// Slack's refusal, cut off: nothing took effect.
			return fmt.Errorf("%s: refused, its answer cut off (http status %d)", method, hresp.Status)
		}
		if hresp.Truncated {
			return fmt.Errorf("%s: %w (http status %d)", method, errCut, hresp.Status)
		}
		// A whole 2xx without Slack's "ok" is another server's page (a
		// captive portal's): no call of Slack's took effect.
		return c.notSlack(method, hresp)
	}
	if head.OK {
		// Slack's word that the call took effect: a field that does not
		// read as documented stays empty (json.Unmarshal reads the
		// others), and the caller makes do without it. An error would be
		// retried, and a retry posts twice.
		_ = json.Unmarshal(hresp.Body, resp)
		return nil
	}
	// The code is quoted as Slack's explanations are: one bounded,
	// printable line, redacted before the cut.
	e := &APIError{Method: method, Code: httpx.RedactedSnippet(c.s.rd, head.Error), Status: hresp.Status}
	if head.Error == "missing_scope" && head.Needed != "" {
		e.Needed, e.Provided = httpx.RedactedSnippet(c.s.rd, head.Needed), httpx.RedactedSnippet(c.s.rd, head.Provided)
	}
	for _, m := range head.Metadata.Messages[:min(len(head.Metadata.Messages), maxDetails)] {
		e.Details = append(e.Details, httpx.RedactedSnippet(c.s.rd, m))
	}
	err := classify(e, hresp.Header, time.Now())
	if credentialCodes[head.Error] {
		err = httpx.CredentialRefused(err, "Config.Token")
	}
	return err
}

// credentialCodes are the Web API's refusals of the token itself
// (https://docs.slack.dev/reference/methods/auth.test, "Errors";
// https://docs.slack.dev/apis/web-api/#errors): not_authed (none was
// sent), account_inactive and token_revoked (its user, workspace or app is
// gone), token_expired (a rotating token not refreshed). Their errors name
// Config.Token. Not invalid_auth: "either the provided token is invalid or
// the request originates from an IP address disallowed from making the
// request" (the same page), and an operator told a good token was refused
// would rotate it when the workspace's or the app's allowed IP ranges are
// what to fix; its error says invalid_auth, as Slack does.
var credentialCodes = map[string]bool{
	"not_authed": true, "account_inactive": true, "token_revoked": true, "token_expired": true,
}

// errCut is the error of a 2xx whose answer was cut off (longer than
// responseLimit, broken off or too slow) without starting as a refusal:
// the call most likely took effect, as Slack's refusals are short. It is
// transient, so that an edit or a deletion is made again (which is
// harmless); deliver takes a chat.postMessage so answered as posted, as
// every channel takes a 2xx cut off: a retry would post twice.
var errCut = errors.New("answer cut off")

// refuses reports whether body, the start of a Web API answer, says
// "ok": false: Slack writes "ok" first.
func refuses(body []byte) bool {
	return strings.HasPrefix(strings.Join(strings.Fields(string(body[:min(len(body), 64)])), ""), `{"ok":false`)
}

// classify marks e for the Broadcaster's retries (httpx.Mark): a rate
// limit waits for Retry-After (httpx.RateLimitWait without one; a free
// workspace's message limit messageLimitWait), Slack's own failures and
// HTTP 5xx are transient, waiting for Retry-After when it is given, every
// other refusal is permanent.
func classify(e *APIError, h http.Header, now time.Time) error {
	if e.Code == codeMessageLimit {
		wait, ok := httpx.RetryAfter(h, now)
		if !ok || wait <= 0 {
			wait = messageLimitWait
		}
		return httpx.RateLimited(e, wait, true)
	}
	return httpx.Mark(e, rateCodes[e.Code] || e.Status == http.StatusTooManyRequests,
		transientCodes[e.Code] || httpx.Transient(e.Status), h, now)
}

// codeMessageLimit is Slack's refusal of a message because a free
// workspace sent too many in a short time: its "high-volume message
// limit", which stops spam and storage use. It passes: a later post is
// taken.
const codeMessageLimit = "message_limit_exceeded"

// messageLimitWait is the wait after message_limit_exceeded without
// Retry-After. Slack names no period ("a short period of time"); a
// minute, twice httpx.RateLimitWait, lets a burst of the workspace's
// other apps pass, and fits several retries in the Broadcaster's
// RetryPolicy.MaxElapsed.
const messageLimitWait = time.Minute
