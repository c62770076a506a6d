package telegram

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/httpx"
	"github.com/outagecast/outagecast/redact"
)

// APIError is an error answer of the Bot API,
// {"ok":false,"error_code":…,"description":"…","parameters":{…}}, or an
// answer that is not one (a proxy's error page), by its HTTP status.
// Description is bounded, printable and free of the token.
type APIError struct {
	Code            int    // error_code, as 403; the HTTP status when there is none
	Description     string // as "Forbidden: bot was blocked by the user"
	RetryAfter      int    // parameters.retry_after, in seconds; 0: none
	MigrateToChatID int64  // parameters.migrate_to_chat_id; 0: none
	foreign         bool   // not the Bot API's answer (httpx.Foreign)
}

// Error returns "Bot API answered 403: Forbidden: bot was blocked by the
// user".
func (e *APIError) Error() string {
	s := fmt.Sprintf("Bot API answered %d", e.Code)
	if e.Description != "" {
		s += ": " + e.Description
	}
	return s
}

// has reports whether the description holds want, in any case.
func (e *APIError) has(want string) bool {
	return e != nil && strings.Contains(strings.ToLower(e.Description), want)
}

// errTokenRefused is wrapped by the error of an answer refusing the bot
// token (401 Unauthorized, as the Bot API server answers a revoked token
// and one it cannot read, "Unauthorized: invalid token specified"; 404
// Not Found in the Bot API's JSON, as it answers a path it cannot read;
// or 421 Misdirected Request from a Bot API server that does not
// serve the bot, "unallowed token specified", as one started with
// --filter answers: ClientManager::send and HttpConnection::handle in
// tdlib/telegram-bot-api): every chat would fail the same way.
var errTokenRefused = errors.New("the Bot API refused the bot token")

// errNotBotAPI is wrapped by the error of a redirect, or a 401, 403, 404, 405
// or 2xx that is not the Bot API's answer, which is JSON with a
// result or an error_code
// (https://core.telegram.org/bots/api#making-requests): a base URL with a
// wrong path, a proxy's or a captive portal's page. It does not blame the
// token, and every chat would fail the same way.
var errNotBotAPI = errors.New("not the Bot API's answer (check Config.BaseURL)")

// apiError reads the error of an answer that is not a success. The text it
// quotes passes through httpx.RedactedSnippet (a field) or
// httpx.BodySnippet (the body) with rd, the token's Redactor, as every
// channel quotes a server's text: redacted whole, then cut, so that no
// part of the token stays at the cut nor where httpx cut the body, whether
// or not httpx redacted it (it leaves a 2xx as it came).
func apiError(rd *redact.Redactor, r *httpx.Response) *APIError {
	var a answer
	if json.Unmarshal(r.Body, &a) != nil || a.ErrorCode == 0 {
		why, foreign := httpx.Foreign(r, false)
		// A 2xx without a result or an error_code (a captive portal's
		// page) is not the Bot API's answer either.
		foreign = foreign || r.Status >= 200 && r.Status <= 299
		if why == "" {
			why = httpx.BodySnippet(rd, r)
		}
		return &APIError{Code: r.Status, Description: why, foreign: foreign}
	}
	if why, foreign := httpx.Foreign(r, true); foreign {
		// A redirect, whatever its body says, is another server's
		// answer (httpx.Foreign), not followed: it refuses no token.
		return &APIError{Code: r.Status, Description: why, foreign: true}
	}
	e := &APIError{Code: a.ErrorCode, Description: httpx.RedactedSnippet(rd, a.Description)}
	if a.Parameters != nil {
		e.RetryAfter, e.MigrateToChatID = a.Parameters.RetryAfter, a.Parameters.MigrateToChatID
	}
	return e
}

// classify returns the error of method's answer e, marked for the
// Broadcaster by httpx.MarkWait with the wait retryAfter reads: flood
// control (429, 420, or any answer with parameters.retry_after) a rate
// limit (httpx.RateLimitWait when no wait is named); 401, 404 and the
// Bot API server's 421 "unallowed token specified" (tokenNotServed)
// Permanent, wrapping errTokenRefused; a redirect, or a 401, 403, 404, 405 or
// 2xx that is not the Bot API's answer, Permanent, wrapping
// errNotBotAPI; 5xx but 501, 408 and 425 transient, after the wait
// when there is one; 400, 403, 501 and every other status Permanent.
func classify(method string, r *httpx.Response, e *APIError) error {
	switch {
	case e.foreign:
		return broadcast.Permanent(fmt.Errorf("%s: %w: %w", method, errNotBotAPI, e))
	case tokenRefused(e):
		// 401: "an unauthorized attempt to use functionality available
		// only to authorized users" (https://core.telegram.org/api/errors#401-unauthorized),
		// as the Bot API server answers a token revoked or not valid; 421
		// "unallowed token specified": a server that does not serve the
		// bot. The token itself, and no other field, is at fault. Not 404:
		// the Bot API's answer to a path it cannot read, a token's as well
		// as a Config.BaseURL with a wrong path.
		return httpx.CredentialRefused(broadcast.Permanent(fmt.Errorf("%s: %w: %w", method, errTokenRefused, e)), "Config.Token")
	case e.Code == http.StatusNotFound:
		return broadcast.Permanent(fmt.Errorf("%s: %w: %w", method, errTokenRefused, e))
	}
	d, ok := retryAfter(r.Header, e, time.Now())
	return httpx.MarkWait(fmt.Errorf("%s: %w", method, e), floodControl(e), httpx.Transient(e.Code), d, ok)
}

// tokenRefused reports whether e, the Bot API's own answer, refuses the
// bot token itself: 401, or a Bot API server's 421 "unallowed token
// specified" (tokenNotServed). classify marks it so (Config.Token), and
// getChatID stops the attempt on it, as a message's refusal stops it.
func tokenRefused(e *APIError) bool {
	return e != nil && !e.foreign && (e.Code == http.StatusUnauthorized || tokenNotServed(e))
}

// tokenNotServed reports whether e is a Bot API server's refusal of a
// token it does not serve: 421 "Misdirected Request: unallowed token
// specified" (ClientManager::send in tdlib/telegram-bot-api). Another 421,
// a proxy's or a load balancer's (RFC 9110, section 15.5.20: the
// connection cannot serve the request's host), says nothing of the token.
func tokenNotServed(e *APIError) bool {
	return e.Code == http.StatusMisdirectedRequest && e.has("unallowed token")
}

// floodControl reports whether e refuses a request for flood control: a
// 429, a 420 (FLOOD_WAIT in Telegram's own API, which the Bot API may pass
// on), or any answer naming parameters.retry_after, which the Bot API
// gives only "in case of exceeding flood control".
func floodControl(e *APIError) bool {
	return e.Code == http.StatusTooManyRequests || e.Code == 420 || e.RetryAfter > 0
}

// retryAfter is the wait the Bot API names: parameters.retry_after
// (httpx.Seconds) when it is given, else the Retry-After header.
func retryAfter(h http.Header, e *APIError, now time.Time) (time.Duration, bool) {
	if e.RetryAfter > 0 {
		return httpx.Seconds(float64(e.RetryAfter))
	}
	return httpx.RetryAfter(h, now)
}

// isChatNotFound reports whether err is the Bot API's "chat not found":
// the chat_id (a username) names no chat the bot can reach now.
func isChatNotFound(err error) bool {
	var e *APIError
	return errors.As(err, &e) && e.has("chat not found")
}
