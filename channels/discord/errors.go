package discord

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/outagecast/outagecast/channels/internal/httpx"
)

// Discord's JSON error codes the channel acts on.
const (
	codeUnknownChannel = 10003 // a thread that is gone
	codeUnknownMessage = 10008
	codeUnknownWebhook = 10015
	// codeInvalidWebhookToken is "Invalid Webhook Token": the token of
	// Config.WebhookURL is not the webhook's.
	codeInvalidWebhookToken = 50027
	// codeOthersMessage is "Cannot edit a message authored by another
	// user" (https://discord.com/developers/docs/topics/opcodes-and-status-codes#json-json-error-codes):
	// the message is there, not this webhook's to edit.
	codeOthersMessage  = 50005
	codeThreadArchived = 50083  // "Operation cannot be performed on an archived thread"
	codeThreadLocked   = 160005 // "Thread is locked": only members with Manage Threads post there, never a webhook
	codeForumNeedsTag  = 40067  // "A tag is required to create a forum post in this channel"
	codeForumNeedsName = 220001 // the webhook's channel is a forum
	codeNotAForum      = 220003
	// codeEdgeBlock comes with the message "internal network error", yet
	// Discord's JSON error codes table
	// (https://discord.com/developers/docs/topics/opcodes-and-status-codes#json-json-error-codes)
	// says "Cloudflare is blocking your request", which a proper User
	// Agent often resolves, and nothing of its passing with time: it is
	// permanent, as every refusal not in transientCodes.
	codeEdgeBlock = 40333
)

// transientCodes are Discord's codes for refusals that pass with time,
// whatever the HTTP status they come with: slow mode and write limits, too
// many edits of old messages or of a published announcement, an
// overloaded API.
var transientCodes = []int{20016, 20022, 20028, 20029, 30046, 130000}

// apiError is Discord's answer to a request it refused.
type apiError struct {
	Status     int             // the HTTP status
	Code       int             `json:"code"`    // Discord's JSON error code; 0: none
	Message    string          `json:"message"` // Discord's text
	RetryAfter *float64        `json:"retry_after"`
	Global     bool            `json:"global"`
	Errors     json.RawMessage `json:"errors"`
	detail     string          // the fields Discord refused, or the start of a body that is not JSON
	foreign    bool            // not Discord's answer (httpx.Foreign)
	edgeLimit  bool            // Discord's edge rate limiting the IP address (see edgeRateLimit)
}

func (e *apiError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "http status %d", e.Status)
	if t := http.StatusText(e.Status); t != "" {
		b.WriteString(" " + t)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	if e.Code != 0 {
		fmt.Fprintf(&b, " (code %d)", e.Code)
	}
	if e.detail != "" {
		b.WriteString(": " + e.detail)
	}
	switch {
	case e.edgeLimit && e.foreign: // a 429 says it is a rate limit already
		b.WriteString(edgeLimitHint)
	case e.foreign && e.Status == http.StatusForbidden:
		b.WriteString(edgeBlock)
	case e.foreign:
		b.WriteString("; not Discord's answer (check Config.WebhookURL)")
	}
	switch e.Code {
	case codeForumNeedsName:
		b.WriteString(" (the webhook's channel is a forum: set Config.Forum)")
	case codeNotAForum:
		b.WriteString(" (the webhook's channel is not a forum: unset Config.Forum)")
	case codeForumNeedsTag:
		b.WriteString(" (the forum requires a tag on each post: set Config.ForumTags)")
	case codeEdgeBlock:
		b.WriteString(" (Discord's edge (Cloudflare) blocks the request, for its User-Agent, which a proxy on the way may change, " +
			"or the network it came from: not an outage of Discord's)")
	}
	return b.String()
}

// edgeBlock is the hint of a 403 without Discord's JSON error: Discord
// answers its own refusals with it, a webhook's URL unknown included, so
// the page is its edge's (Cloudflare's), which restricts an IP address for
// a while after too many invalid requests (401, 403, 429) from it, as
// Discord documents (Rate Limits, Invalid Request Limit), or a proxy's on
// the way. Config.WebhookURL is not at fault, nor the token.
const edgeBlock = "; not Discord's answer: Discord's edge (Cloudflare) blocks the IP address the request came from, " +
	"for a while after too many invalid requests (401, 403, 429) from it, or a proxy or firewall on the way refused it; " +
	"the webhook is not at fault: wait before sending from this network again"

// edgeLimitHint is the hint of the edge's rate limit of the IP address
// (see edgeRateLimit), which passes with time.
const edgeLimitHint = "; not Discord's answer: Discord's edge (Cloudflare) blocks the IP address the request came from " +
	"for a while (error 1015, rate limited), after too many invalid requests (401, 403, 429) from it; " +
	"the webhook is not at fault: the block passes with time"

// parseError reads a refusal: Discord's JSON error, its message and
// refused fields made one bounded printable line each (see httpx.Snippet),
// or the start of any other body (an HTML page of Cloudflare's). Discord answers every refusal
// with its JSON, an unknown route's too ({"message": "404: Not Found",
// "code": 0}): a redirect, or a 401, 403, 404 or 405 without it, is another
// server's answer (httpx.Foreign), and a redirect's error says where it
// points.
func parseError(r *httpx.Response) *apiError {
	e := &apiError{}
	own := json.Unmarshal(r.Body, e) == nil && (e.Message != "" || e.Code != 0 || e.RetryAfter != nil)
	if !own {
		e = &apiError{detail: httpx.Snippet(r.Body)}
	}
	why, foreign := httpx.Foreign(r, own)
	e.foreign = foreign
	e.edgeLimit = !own && edgeRateLimit(r)
	if why != "" {
		e.detail = why
	}
	e.Status = r.Status
	// Discord's text, like every server's, is quoted as one bounded,
	// printable line (httpx.Snippet): a broken or hostile answer could
	// otherwise put line breaks and terminal escapes in a log line, or
	// make an error of the whole body.
	e.Message = httpx.Snippet([]byte(e.Message))
	if d := fieldErrors(e.Errors); d != "" {
		e.detail = httpx.Snippet([]byte(d))
	}
	return e
}

// edgeRateLimit reports whether r, a refusal without Discord's JSON error,
// is its edge (Cloudflare) rate limiting the IP address the request came
// from: a 403 or 429 with Cloudflare's page for its error 1015, "You are
// being rate limited" (HTML, or "error code: 1015" as plain text). Discord
// restricts an IP address so, temporarily, after too many invalid
// requests (401, 403, 429: 10,000 in 10 minutes), as it documents
// (https://discord.com/developers/docs/topics/rate-limits#invalid-request-limit-aka-cloudflare-bans),
// without saying for how long; Cloudflare's 1015 answers carry
// Retry-After, 30 seconds unless the rule sets its own
// (https://developers.cloudflare.com/changelog/post/2026-03-12-retry-after-header-for-1xxx-errors).
// It passes with time: a rate limit, not a refusal of the webhook. Other
// pages of the edge (error 1020, a firewall rule's "Access denied") are
// not: they stay refusals.
func edgeRateLimit(r *httpx.Response) bool {
	if r.Status != http.StatusForbidden && r.Status != http.StatusTooManyRequests {
		return false
	}
	body := bytes.ToLower(r.Body)
	return bytes.Contains(body, []byte("error code: 1015")) || bytes.Contains(body, []byte("you are being rate limited"))
}

// classify returns nil for a 2xx answer, and otherwise the *apiError,
// marked by httpx.MarkWait with the wait rateLimitWait reads: a 429, its
// edge's rate limit of the IP address (a 403 with Cloudflare's error 1015,
// see edgeRateLimit), and Discord's codes for limits that pass with time,
// are rate limits (httpx.RateLimitWait without a wait); 408 and 5xx but 501 transient,
// after the wait Discord gave, if any; every other refusal (401 Invalid
// Webhook Token, 403, 404 Unknown Webhook, 400 Invalid Form Body…)
// Permanent.
func classify(r *httpx.Response, now time.Time) error {
	if r.Status >= 200 && r.Status <= 299 {
		return nil
	}
	e := parseError(r)
	limited := r.Status == http.StatusTooManyRequests || e.edgeLimit || slices.Contains(transientCodes, e.Code)
	d, ok := rateLimitWait(e, limited, r.Header, now)
	err := httpx.MarkWait(e, limited, httpx.Transient(r.Status), d, ok)
	if refusesWebhook(e) {
		err = httpx.CredentialRefused(err, "Config.WebhookURL")
	}
	return err
}

// refusesWebhook reports whether e, a refusal, is Discord's own refusal of
// the webhook's URL: 50027 Invalid Webhook Token, 10015 Unknown Webhook
// (https://discord.com/developers/docs/topics/opcodes-and-status-codes#json-json-error-codes),
// or any other 401 of Discord's JSON, "the Authorization header was missing
// or invalid" (same page, HTTP response codes): the webhook's URL is its
// only credential. Not 403 (50013 Missing Permissions and the like: the
// webhook's channel, not its URL), nor another server's page.
func refusesWebhook(e *apiError) bool {
	if e.foreign {
		return false
	}
	return e.Code == codeInvalidWebhookToken || e.Code == codeUnknownWebhook || e.Status == http.StatusUnauthorized
}

// rateLimitWait is the wait Discord asks for: retry_after in the body
// (seconds, with a fraction), else, for a rate limit, the
// X-RateLimit-Reset-After header (the same), else Retry-After (whole
// seconds, or a date). A wait already over names none: the next is read.
// X-RateLimit-Reset-After is when the route's bucket refills, sent with
// every answer: on a refusal that is not a rate limit (a 5xx) it is no wait.
func rateLimitWait(e *apiError, limited bool, h http.Header, now time.Time) (time.Duration, bool) {
	if e.RetryAfter != nil {
		if d, ok := httpx.Seconds(*e.RetryAfter); ok && d > 0 {
			return d, true
		}
	}
	if limited {
		if v, err := strconv.ParseFloat(strings.TrimSpace(h.Get("X-RateLimit-Reset-After")), 64); err == nil {
			if d, ok := httpx.Seconds(v); ok && d > 0 {
				return d, true
			}
		}
	}
	return httpx.RetryAfter(h, now)
}

// hasCode reports whether err is Discord's refusal with one of codes.
func hasCode(err error, codes ...int) bool {
	var e *apiError
	return errors.As(err, &e) && slices.Contains(codes, e.Code)
}

// maxFieldErrors bounds the refused fields an error names.
const maxFieldErrors = 3

// fieldErrors summarises the "errors" object of a 400 Invalid Form Body,
// as in "embeds.0.title: Must be 256 or fewer in length."; an error of
// the request as a whole (its "_errors" at the top) is its message alone.
func fieldErrors(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var tree map[string]any
	if json.Unmarshal(raw, &tree) != nil {
		return ""
	}
	var out []string
	walkErrors(tree, "", &out)
	if len(out) > maxFieldErrors {
		out = append(out[:maxFieldErrors], fmt.Sprintf("and %d more", len(out)-maxFieldErrors))
	}
	return strings.Join(out, "; ")
}

func walkErrors(node map[string]any, path string, out *[]string) {
	keys := make([]string, 0, len(node))
	for k := range node {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		switch v := node[k].(type) {
		case []any:
			if k != "_errors" {
				continue
			}
			for _, item := range v {
				if m, ok := item.(map[string]any); ok {
					msg, _ := m["message"].(string)
					if field := strings.TrimPrefix(path, "."); field != "" {
						msg = field + ": " + msg
					}
					*out = append(*out, msg) // no field: about the request as a whole
				}
			}
		case map[string]any:
			walkErrors(v, path+"."+k, out)
		}
	}
}
