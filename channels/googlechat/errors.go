package googlechat

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/outagecast/outagecast/channels/internal/httpx"
)

// transientStatuses are Google's canonical error statuses worth retrying,
// whatever the HTTP status they come with.
var transientStatuses = []string{"RESOURCE_EXHAUSTED", "UNAVAILABLE", "ABORTED", "DEADLINE_EXCEEDED", "INTERNAL"}

// apiError is Google's answer to a request it refused:
// {"error": {"code": 400, "message": "…", "status": "INVALID_ARGUMENT"}}.
type apiError struct {
	HTTP    int    // the HTTP status
	Code    int    `json:"code"`
	Message string `json:"message"`
	Status  string `json:"status"` // INVALID_ARGUMENT, PERMISSION_DENIED…
	Details []struct {
		Type       string `json:"@type"`
		RetryDelay string `json:"retryDelay"` // of a google.rpc.RetryInfo: "1.5s"
		Reason     string `json:"reason"`     // of a google.rpc.ErrorInfo: "API_KEY_INVALID"
		Domain     string `json:"domain"`     // of a google.rpc.ErrorInfo: "googleapis.com"
	} `json:"details"`
	foreign bool // not Google's answer (httpx.Foreign)
}

// retryInfoType names the detail of an error that says how long to wait.
const retryInfoType = "type.googleapis.com/google.rpc.RetryInfo"

// retryDelay is the wait of e's google.rpc.RetryInfo detail, whose
// retryDelay is a google.protobuf.Duration in JSON: seconds, with a
// fraction, and an "s". A wait already over names none.
func (e *apiError) retryDelay() (time.Duration, bool) {
	for _, d := range e.Details {
		v, ok := strings.CutSuffix(strings.TrimSpace(d.RetryDelay), "s")
		if d.Type != retryInfoType || !ok {
			continue
		}
		if secs, err := strconv.ParseFloat(v, 64); err == nil {
			if w, ok := httpx.Seconds(secs); ok && w > 0 {
				return w, true
			}
		}
	}
	return 0, false
}

func (e *apiError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "http status %d", e.HTTP)
	if t := http.StatusText(e.HTTP); t != "" {
		b.WriteString(" " + t)
	}
	if e.Status != "" {
		b.WriteString(": " + e.Status)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	if e.foreign {
		b.WriteString("; not Google Chat's answer (check Config.WebhookURL)")
	}
	return b.String()
}

// parseError reads a refusal: Google's JSON error, its status and
// message made one bounded printable line each (see httpx.Snippet), or
// the start of any other body. Google answers every refusal of the
// webhook's route so: a redirect, or a 401, 403, 404 or 405 without it, is
// another server's answer (httpx.Foreign), such as a proxy's page or the
// HTML 404 of a URL with a wrong path.
func parseError(r *httpx.Response) *apiError {
	var body struct {
		Error *apiError `json:"error"`
	}
	e := &apiError{}
	if json.Unmarshal(r.Body, &body) == nil && body.Error != nil {
		e = body.Error
		e.Status, e.Message = httpx.Snippet([]byte(e.Status)), httpx.Snippet([]byte(e.Message))
	} else {
		e.Message = httpx.Snippet(r.Body)
	}
	why, foreign := httpx.Foreign(r, body.Error != nil)
	e.foreign, e.Message = foreign, cmp.Or(e.Message, why)
	e.HTTP = r.Status
	return e
}

// classify returns nil for a 2xx answer and otherwise the *apiError,
// marked: 429 and RESOURCE_EXHAUSTED transient with broadcast.RetryAfter
// (the RetryInfo detail's retryDelay, else Retry-After, else
// httpx.RateLimitWait); UNAVAILABLE, ABORTED, DEADLINE_EXCEEDED,
// INTERNAL, 408 and 5xx but 501 transient, with the wait Google gave, if
// any; everything else (INVALID_ARGUMENT, UNAUTHENTICATED,
// PERMISSION_DENIED, NOT_FOUND, ALREADY_EXISTS…) Permanent.
func classify(r *httpx.Response, now time.Time) error {
	if r.Status >= 200 && r.Status <= 299 {
		return nil
	}
	e := parseError(r)
	d, ok := e.retryDelay()
	if !ok {
		d, ok = httpx.RetryAfter(r.Header, now)
	}
	err := httpx.MarkWait(e, r.Status == http.StatusTooManyRequests || e.Status == "RESOURCE_EXHAUSTED",
		slices.Contains(transientStatuses, e.Status) || httpx.Transient(r.Status), d, ok)
	if e.refusesCredential() {
		err = httpx.CredentialRefused(err, "Config.WebhookURL")
	}
	return err
}

// errorInfoType names the detail of an error that says why, in a reason of
// its domain.
const errorInfoType = "type.googleapis.com/google.rpc.ErrorInfo"

// refusesCredential reports whether e is Google's refusal of what the
// webhook's URL authenticates with (its key and token): the canonical
// status UNAUTHENTICATED, "the request does not have valid authentication
// credentials" (https://cloud.google.com/apis/design/errors#handling_errors),
// or the ErrorInfo reason API_KEY_INVALID of the googleapis.com domain,
// "the provided API key is invalid"
// (https://cloud.google.com/php/docs/reference/common-protos/latest/Api.ErrorReason),
// which comes with INVALID_ARGUMENT and the message "API key not valid.
// Please pass a valid API key.", read too when the detail is missing. Not
// PERMISSION_DENIED: it also refuses a webhook removed from its space, or
// an app or a user without access, not only a token; nor another server's
// answer.
func (e *apiError) refusesCredential() bool {
	if e.foreign {
		return false
	}
	if e.Status == "UNAUTHENTICATED" {
		return true
	}
	for _, d := range e.Details {
		if d.Type == errorInfoType && d.Domain == "googleapis.com" && d.Reason == "API_KEY_INVALID" {
			return true
		}
	}
	return e.Status == "INVALID_ARGUMENT" && strings.HasPrefix(e.Message, "API key not valid.")
}

// duplicate reports whether err is Google's refusal of a message id it
// has already: the message was created by an earlier attempt.
func duplicate(err error) bool {
	var e *apiError
	return errors.As(err, &e) && e.HTTP == http.StatusConflict && e.Status == "ALREADY_EXISTS"
}
