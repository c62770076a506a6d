package httpx_test

import (
	"context"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
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
		require.ErrorContains(t, err, "token source panicked: token source bug")
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
