package httpx

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"golang.org/x/oauth2"

	"github.com/outagecast/outagecast/broadcast"
)

// TokenError returns err, the error of an OAuth 2.0 token source, after
// prefix ("twitter: post: get OAuth 2.0 token"). An *oauth2.RetrieveError
// is told by the token endpoint's status, OAuth error code and
// description only: its own text holds the endpoint's whole answer, which
// may echo the client secret or the refresh token, secrets a channel does
// not know to redact. permanent reports a refusal retrying will not help
// (400 invalid_grant, 401; not 408, 425, 429 or a 5xx, see Transient);
// the caller marks it, as it may know better (a connection that
// authenticated already). A transient refusal carries the endpoint's
// Retry-After. Any other error (the endpoint unreachable) is wrapped as it
// is, and is not permanent.
func TokenError(prefix string, err error) (e error, permanent bool) {
	re, ok := errors.AsType[*oauth2.RetrieveError](err)
	if !ok || re.Response == nil {
		return fmt.Errorf("%s: %w", prefix, err), false
	}
	status := re.Response.StatusCode
	why := fmt.Sprintf("token endpoint answered %d %s", status, http.StatusText(status))
	if re.ErrorCode != "" {
		why += ": " + Snippet([]byte(re.ErrorCode))
		if re.ErrorDescription != "" {
			why += ": " + Snippet([]byte(re.ErrorDescription))
		}
	}
	e = fmt.Errorf("%s: %s", prefix, why)
	switch {
	case status >= 200 && status <= 299: // a token answer without a token
		return e, false
	case !Transient(status):
		return e, true
	}
	if d, ok := RetryAfter(re.Response.Header, time.Now()); ok {
		return broadcast.RetryAfter(e, d), false
	}
	return e, false
}
