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
// token (401 Unauthorized, or 404 Not Found for a token the API cannot
// read): every chat would fail the same way.
var errTokenRefused = errors.New("the Bot API refused the bot token")

// apiError reads the error of an answer that is not a success; r.Body
// holds no secret (see call).
func apiError(r *httpx.Response) *APIError {
	var a answer
	if json.Unmarshal(r.Body, &a) != nil || a.ErrorCode == 0 {
		return &APIError{Code: r.Status, Description: httpx.Snippet(r.Body)}
	}
	e := &APIError{Code: a.ErrorCode, Description: httpx.Snippet([]byte(a.Description))}
	if a.Parameters != nil {
		e.RetryAfter, e.MigrateToChatID = a.Parameters.RetryAfter, a.Parameters.MigrateToChatID
	}
	return e
}

// classify returns the error of method's answer e, marked for the
// Broadcaster: 429 transient with broadcast.RetryAfter of
// parameters.retry_after (or the Retry-After header, or else
// httpx.RateLimitWait); 401 and 404
// Permanent, wrapping errTokenRefused; 5xx, 408 and 425 transient; 400,
// 403 and every other status Permanent.
func classify(method string, r *httpx.Response, e *APIError) error {
	err := fmt.Errorf("%s: %w", method, e)
	switch {
	case e.Code == http.StatusTooManyRequests:
		if e.RetryAfter > 0 {
			// Capped in seconds first: a huge retry_after would overflow
			// time.Duration and wait nothing.
			secs := min(int64(e.RetryAfter), int64(httpx.MaxRetryAfter/time.Second))
			return broadcast.RetryAfter(err, time.Duration(secs)*time.Second)
		}
		d, ok := httpx.RetryAfter(r.Header, time.Now())
		return httpx.RateLimited(err, d, ok)
	case e.Code == http.StatusUnauthorized || e.Code == http.StatusNotFound:
		return broadcast.Permanent(fmt.Errorf("%s: %w: %w", method, errTokenRefused, e))
	case httpx.Transient(e.Code):
		if d, ok := httpx.RetryAfter(r.Header, time.Now()); ok {
			return broadcast.RetryAfter(err, d)
		}
		return err
	}
	return broadcast.Permanent(err)
}
