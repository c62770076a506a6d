package httpx_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/httpx"
)

// A TokenCall hands the function's result to its caller, and its panic
// as a permanent error: raised again, it would end the process from a
// goroutine where nothing recovers it (e-mail's connections').
func TestTokenCallResultAndPanic(t *testing.T) {
	ok := httpx.NewTokenCall(func() (*oauth2.Token, error) { return &oauth2.Token{AccessToken: "t"}, nil })
	tok, err := ok.Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "t", tok.AccessToken)

	bad := httpx.NewTokenCall(func() (*oauth2.Token, error) { panic("token source bug") })
	for range 2 { // the panicking call freed the way for the next
		_, err = bad.Token(context.Background())
		require.EqualError(t, err, "token source: panicked", "not the value: it may quote a secret")
		assert.True(t, broadcast.IsPermanent(err))
	}

	ended, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = ok.Token(ended)
	require.ErrorIs(t, err, context.Canceled)
}

// A token endpoint whose certificate does not verify, or whose port does
// not speak TLS, fails the refresh for good, as every other server of a
// channel does (PermanentTLS): a retry meets the same endpoint.
func TestTokenErrorTLSIsPermanent(t *testing.T) {
	untrusted := httptest.NewUnstartedServer(http.NotFoundHandler())
	untrusted.Config.ErrorLog = log.New(io.Discard, "", 0)
	untrusted.StartTLS()
	t.Cleanup(untrusted.Close)
	plain := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(plain.Close)

	for name, tokenURL := range map[string]string{
		"certificate that does not verify": untrusted.URL + "/token",
		"port that does not speak TLS":     "https://" + plain.Listener.Addr().String() + "/token",
	} {
		t.Run(name, func(t *testing.T) {
			cfg := oauth2.Config{ClientID: "id", Endpoint: oauth2.Endpoint{TokenURL: tokenURL}}
			ctx := context.WithValue(context.Background(), oauth2.HTTPClient, &http.Client{Transport: &http.Transport{}})
			_, err := cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: "refresh"}).Token()
			require.Error(t, err)
			e, permanent := httpx.TokenError("chat: get OAuth 2.0 token", err)
			assert.True(t, permanent, "TokenError(%q): a retry meets the same endpoint", e)
			assert.ErrorContains(t, e, "chat: get OAuth 2.0 token: ")
		})
	}
}

// A token endpoint that refuses a refresh for its rate is a rate limit
// like any other (RateLimited): without a wait, or with one already over,
// the retry waits RateLimitWait, not the backoff's first second, which
// would only be refused again.
func TestTokenErrorRateLimited(t *testing.T) {
	for name, tt := range map[string]struct {
		retryAfter string
		want       time.Duration
	}{
		"no Retry-After":   {"", httpx.RateLimitWait},
		"Retry-After: 0":   {"0", httpx.RateLimitWait},
		"Retry-After: 120": {"120", 2 * time.Minute},
		"a date long gone": {"Wed, 21 Oct 2015 07:28:00 GMT", httpx.RateLimitWait},
	} {
		t.Run(name, func(t *testing.T) {
			h := http.Header{}
			if tt.retryAfter != "" {
				h.Set("Retry-After", tt.retryAfter)
			}
			re := &oauth2.RetrieveError{Response: &http.Response{StatusCode: http.StatusTooManyRequests, Header: h}}
			e, permanent := httpx.TokenError("chat: get OAuth 2.0 token", re)
			assert.False(t, permanent)
			d, ok := broadcast.RetryDelay(e)
			assert.True(t, ok, "a rate limit waits")
			assert.Equal(t, tt.want, d)
			assert.EqualError(t, e, "chat: get OAuth 2.0 token: token endpoint answered 429 Too Many Requests")
		})
	}
	// A 503 keeps its own rule: Retry-After when it names one, the backoff
	// otherwise.
	re := &oauth2.RetrieveError{Response: &http.Response{StatusCode: http.StatusServiceUnavailable, Header: http.Header{}}}
	e, permanent := httpx.TokenError("chat: get OAuth 2.0 token", re)
	assert.False(t, permanent)
	_, ok := broadcast.RetryDelay(e)
	assert.False(t, ok)
}

// A token endpoint that refuses under 200 OK, as some do (the oauth2
// package then returns its RetrieveError all the same), is judged by its
// OAuth error code: RFC 6749's refusals of the grant or the client are
// for good, as they are under 400; an answer without a code, or with
// another, is left transient.
func TestTokenErrorRefusalUnder200(t *testing.T) {
	for code, permanent := range map[string]bool{
		"invalid_grant": true, "invalid_client": true, "invalid_request": true,
		"unauthorized_client": true, "unsupported_grant_type": true, "invalid_scope": true,
		"temporarily_unavailable": false, "server_error": false, "": false,
	} {
		re := &oauth2.RetrieveError{Response: &http.Response{StatusCode: http.StatusOK, Header: http.Header{}}, ErrorCode: code}
		e, got := httpx.TokenError("chat: get OAuth 2.0 token", re)
		assert.Equal(t, permanent, got, "%q: %v", code, e)
	}
}

// A token endpoint that echoes what it was sent in its error_description
// (the client secret, the refresh token), as is, URL-encoded or in base64,
// shows none of it in TokenError's error, under any verb: the channel
// does not know those secrets, the token request that carried them does.
func TestTokenErrorRedactsEchoedRequestSecrets(t *testing.T) {
	const secret, refresh = "cl1ent-s3cret+/=value", "r3fresh/token+value=="
	for _, style := range []oauth2.AuthStyle{oauth2.AuthStyleInParams, oauth2.AuthStyleInHeader} {
		for _, status := range []int{http.StatusBadRequest, http.StatusServiceUnavailable} {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				desc := fmt.Sprintf("bad request %s (%s, %s) auth %q refresh %s, %s, %s; secret %s %s",
					body, url.QueryEscape(secret), base64.StdEncoding.EncodeToString([]byte(secret)),
					r.Header.Get("Authorization"), refresh, url.QueryEscape(refresh),
					base64.RawURLEncoding.EncodeToString([]byte(refresh)), secret, strings.Repeat("x", 2000))
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(status)
				_ = json.NewEncoder(w).Encode(map[string]string{"error": "invalid_grant", "error_description": desc})
			}))
			t.Cleanup(srv.Close)
			cfg := oauth2.Config{ClientID: "id", ClientSecret: secret,
				Endpoint: oauth2.Endpoint{TokenURL: srv.URL + "/token", AuthStyle: style}}
			ctx := context.WithValue(context.Background(), oauth2.HTTPClient, srv.Client())
			_, err := cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: refresh}).Token()
			require.Error(t, err)
			e, _ := httpx.TokenError("chat: get OAuth 2.0 token", err)
			require.ErrorContains(t, e, "invalid_grant: bad request")
			for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
				text := fmt.Sprintf(verb, e)
				for _, s := range []string{secret, refresh, url.QueryEscape(secret), url.QueryEscape(refresh),
					base64.StdEncoding.EncodeToString([]byte(secret)), base64.RawURLEncoding.EncodeToString([]byte(refresh)),
					base64.StdEncoding.EncodeToString([]byte("id:" + url.QueryEscape(secret)))} {
					assert.NotContains(t, text, s, "style %d, %d, %s", style, status, verb)
				}
				assert.Less(t, len(text), 2*httpx.SnippetLimit, "the description is cut")
			}
		}
	}
}

// A refusal whose token request is unknown (a token source of the user's
// that made its own RetrieveError) keeps its code but not its
// description: what it may echo cannot be told.
func TestTokenErrorUnknownRequestHidesDescription(t *testing.T) {
	re := &oauth2.RetrieveError{Response: &http.Response{StatusCode: http.StatusBadRequest, Header: http.Header{}},
		ErrorCode: "invalid_grant", ErrorDescription: "refresh token r3fresh-SECRET expired"}
	e, permanent := httpx.TokenError("chat: get OAuth 2.0 token", re)
	assert.True(t, permanent)
	assert.EqualError(t, e, "chat: get OAuth 2.0 token: token endpoint answered 400 Bad Request: invalid_grant: "+
		"(description not shown: the request it may echo is unknown)")
	// A code that is no plain word may echo the request too.
	re.ErrorCode = "invalid_grant refresh_token=1//SECRET-RT"
	e, _ = httpx.TokenError("chat: get OAuth 2.0 token", re)
	assert.EqualError(t, e, "chat: get OAuth 2.0 token: token endpoint answered 400 Bad Request: "+
		"(code not shown: the request it may echo is unknown): (description not shown: the request it may echo is unknown)")
}

// A RetrieveError without a Response (one a token source of the caller's
// built) has no request to redact its description with: the error keeps
// its code only, and does not panic, as the RetrieveError's own text does
// without a Response and a code.
func TestTokenErrorWithoutResponse(t *testing.T) {
	re := &oauth2.RetrieveError{ErrorCode: "invalid_grant", ErrorDescription: "refresh token r3fresh-SECRET expired"}
	e, permanent := httpx.TokenError("chat: get OAuth 2.0 token", re)
	assert.True(t, permanent)
	assert.EqualError(t, e, "chat: get OAuth 2.0 token: token source refused: invalid_grant")
	for _, code := range []string{"", "r3fresh-SECRET"} {
		re := &oauth2.RetrieveError{ErrorCode: code, Body: []byte("r3fresh-SECRET")}
		e, permanent := httpx.TokenError("chat: get OAuth 2.0 token", re)
		assert.False(t, permanent)
		assert.EqualError(t, e, "chat: get OAuth 2.0 token: token source refused")
	}
}
