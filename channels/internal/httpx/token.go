package httpx

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"time"

	"golang.org/x/oauth2"

	"github.com/outagecast/outagecast/channels/internal/guard"
	"github.com/outagecast/outagecast/redact"
)

// TokenError returns err, the error of an OAuth 2.0 token source, after
// prefix ("twitter: post: get OAuth 2.0 token"). An *oauth2.RetrieveError
// is told by the token endpoint's status, OAuth error code and
// description only: its own text holds the endpoint's whole answer, which
// may echo the client secret or the refresh token, secrets a channel does
// not know to redact. Code and description may echo them too, so they are
// redacted with the secrets of the token request the error's response
// answered (see tokenRequestRedactor) and cut to a Snippet; a description
// whose request is unknown is not shown. permanent reports a refusal retrying will not help
// (400 invalid_grant, 401, or one of RFC 6749's refusals under a 2xx, as
// some endpoints answer; not 408, 425, 429 or a 5xx, see Transient);
// the caller marks it, as it may know better (a connection that
// authenticated already). A transient refusal carries the endpoint's
// Retry-After; a 429 is a rate limit (RateLimited), which waits
// RateLimitWait when the endpoint names no wait left. Any other error
// (the endpoint unreachable) is wrapped as it is, and is permanent only
// when PermanentTLS: the endpoint's certificate does not verify, or its
// port does not speak TLS, which no retry fixes.
func TokenError(prefix string, err error) (e error, permanent bool) {
	re, ok := errors.AsType[*oauth2.RetrieveError](err)
	if !ok {
		return fmt.Errorf("%s: %w", prefix, err), PermanentTLS(err)
	}
	if re.Response == nil {
		// Built by a token source of the caller's, not from an answer:
		// no request to redact its description with, and its own text
		// would print it (or, without a code, panic on the Response).
		why := "token source refused"
		if plainCode(re.ErrorCode) {
			why += ": " + re.ErrorCode
		}
		return fmt.Errorf("%s: %s", prefix, why), slices.Contains(grantRefusals, re.ErrorCode)
	}
	status := re.Response.StatusCode
	why := fmt.Sprintf("token endpoint answered %d %s", status, http.StatusText(status))
	if re.ErrorCode != "" {
		rd, known := tokenRequestRedactor(re.Response.Request)
		switch {
		case known:
			why += ": " + RedactedSnippet(rd, re.ErrorCode)
		case plainCode(re.ErrorCode):
			why += ": " + re.ErrorCode
		default:
			why += ": (code not shown: the request it may echo is unknown)"
		}
		switch {
		case re.ErrorDescription == "":
		case known:
			why += ": " + RedactedSnippet(rd, re.ErrorDescription)
		default:
			why += ": (description not shown: the request it may echo is unknown)"
		}
	}
	e = fmt.Errorf("%s: %s", prefix, why)
	switch {
	case status >= 200 && status <= 299:
		// A refusal under 200 OK, as some endpoints answer, is told by
		// its code; a token answer without a token, transient.
		return e, slices.Contains(grantRefusals, re.ErrorCode)
	case !Transient(status):
		return e, true
	}
	// A 429 is a rate limit as Classify marks one: RateLimitWait when
	// the endpoint names no wait left.
	return Mark(e, status == http.StatusTooManyRequests, true, re.Response.Header, time.Now()), false
}

// plainCode reports whether code reads as an OAuth error code (RFC 6749
// allows printable ASCII; the codes in use are lower case words joined by
// "_"), which can hold no secret worth the name.
func plainCode(code string) bool {
	if code == "" || len(code) > 64 {
		return false
	}
	for _, r := range code {
		if (r < 'a' || r > 'z') && r != '_' {
			return false
		}
	}
	return true
}

// tokenRequestRedactor returns the Redactor of the secrets req, a token
// request of the oauth2 package, carried: the values of its form but those
// that name the grant, the client or the scope, and its Basic credentials.
// Token endpoints echo what they were sent in their error_description,
// and these are secrets the channel does not know: the token source holds
// them. known is false when the form cannot be read again (no request, or
// one without GetBody, as a RoundTripper of the caller's may answer).
func tokenRequestRedactor(req *http.Request) (rd *redact.Redactor, known bool) {
	if req == nil || req.GetBody == nil && req.Body != nil && req.Body != http.NoBody {
		return nil, false
	}
	var secrets []redact.Secret
	if req.GetBody != nil {
		body, err := req.GetBody()
		if err != nil {
			return nil, false
		}
		form, err := io.ReadAll(io.LimitReader(body, 1<<20))
		_ = body.Close()
		vals, perr := url.ParseQuery(string(form))
		if err != nil || perr != nil {
			return nil, false
		}
		for k, vs := range vals {
			if !publicTokenParams[k] {
				for _, v := range vs {
					secrets = append(secrets, redact.NewSecret(v))
				}
			}
		}
	}
	rd = redact.NewRedactor(secrets...)
	if auth := req.Header.Get("Authorization"); auth != "" {
		rd = rd.With(redact.NewSecret(auth))
		if user, pass, ok := req.BasicAuth(); ok {
			// The oauth2 package escapes both before it joins them.
			rd = rd.WithLogin(user, redact.NewSecret(pass))
			if p, err := url.QueryUnescape(pass); err == nil {
				rd = rd.With(redact.NewSecret(p))
			}
		}
	}
	return rd, true
}

// publicTokenParams are the token request parameters (RFC 6749, RFC 7521,
// RFC 8693) that name the grant, the client or what is asked for, and
// hold no secret: redacting them would blur the description ("invalid
// refresh_token") for nothing.
var publicTokenParams = map[string]bool{
	"grant_type": true, "client_id": true, "scope": true, "redirect_uri": true,
	"client_assertion_type": true, "subject_token_type": true, "actor_token_type": true,
	"requested_token_type": true, "audience": true, "resource": true,
}

// grantRefusals are the error codes of RFC 6749, section 5.2, with which
// a token endpoint refuses the request, the client or the grant: no retry
// of the same request is granted.
var grantRefusals = []string{"invalid_request", "invalid_client", "invalid_grant",
	"unauthorized_client", "unsupported_grant_type", "invalid_scope"}

// TokenCall calls a token function, such as the Token method of an
// oauth2.TokenSource, for callers bounded by a context, which such a
// function does not take: a caller stops waiting when its context ends,
// with the context's error, and the call it leaves runs on until the
// function returns. One call runs at a time, so a token endpoint that
// hangs holds one goroutine, not one per caller: the others wait for it
// within their contexts, then make their own call (a reusing source then
// answers from its cache). A panic in the function is the caller's error,
// permanent, "token source: panicked" (see package guard): raised again, it could end the process from a goroutine of
// the channel's own (e-mail's connections each have one), where nothing
// recovers it.
type TokenCall struct {
	f    func() (*oauth2.Token, error)
	busy chan struct{} // holds a value while a call runs
}

// NewTokenCall returns a TokenCall of f.
func NewTokenCall(f func() (*oauth2.Token, error)) *TokenCall {
	return &TokenCall{f: f, busy: make(chan struct{}, 1)}
}

// tokenResult is the outcome of one call of a token function.
type tokenResult struct {
	tok *oauth2.Token
	err error
}

// Token calls the function once, after the call under way, if any, has
// returned, and returns its result, or ctx's error when ctx ends first.
func (c *TokenCall) Token(ctx context.Context) (*oauth2.Token, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	select {
	case c.busy <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	done := make(chan tokenResult, 1)
	go func() {
		var r tokenResult
		defer func() {
			if v := recover(); v != nil {
				r = tokenResult{err: guard.Error("token source", v)} // not v: it may quote a secret
			}
			done <- r
			<-c.busy
		}()
		r.tok, r.err = c.f()
	}()
	select {
	case r := <-done:
		return r.tok, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
