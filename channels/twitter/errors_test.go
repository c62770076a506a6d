package twitter

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/channels/internal/httpx"
)

// epoch returns the Unix time d after fixedNow, as X's reset headers give.
func epoch(d time.Duration) string { return strconv.FormatInt(fixedNow.Add(d).Unix(), 10) }

// answer writes status, headers (name, value pairs) and body, with the
// Date of X's clock, fixedNow, unless headers give another.
func answer(status int, body string, headers ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Date", fixedNow.Format(http.TimeFormat))
		for i := 0; i+1 < len(headers); i += 2 {
			w.Header().Set(headers[i], headers[i+1])
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(status)
		fmt.Fprint(w, body)
	}
}

func TestSendErrors(t *testing.T) {
	const (
		tooMany  = `{"title":"Too Many Requests","detail":"Too Many Requests","type":"about:blank","status":429}`
		capped   = `{"account_id":1234567,"product_name":"standard-basic","title":"UsageCapExceeded","period":"Monthly","scope":"Product","detail":"Usage cap exceeded: Monthly product cap","type":"https://api.twitter.com/2/problems/usage-capped"}`
		invalid  = `{"errors":[{"parameters":{"text":["x"]},"message":"Your Tweet text is too long."}],"title":"Invalid Request","detail":"One or more parameters to your request was invalid.","type":"https://api.twitter.com/2/problems/invalid-request"}`
		enrolled = `{"client_id":"2345678","detail":"When authenticating requests to the Twitter API v2 endpoints, you must use keys and tokens from a Twitter developer App that is attached to a Project.","registration_url":"https://developer.twitter.com/en/docs/projects/overview","title":"Client Forbidden","required_enrollment":"Appropriate Level of API Access","reason":"client-not-enrolled","type":"https://api.twitter.com/2/problems/client-forbidden"}`
	)
	tests := []struct {
		name      string
		answer    http.HandlerFunc
		attempt   int
		permanent bool
		delay     time.Duration // 0: no RetryAfter mark
		is        error
		want      string // the whole error text
	}{
		{name: "400 invalid request", answer: answer(400, invalid), permanent: true,
			want: "twitter: post: X API 400 Invalid Request: One or more parameters to your request was invalid. (Your Tweet text is too long.)"},
		{name: "401 unauthorized", answer: answer(401, `{"title":"Unauthorized","type":"about:blank","status":401,"detail":"Unauthorized"}`),
			permanent: true, want: "twitter: post: X rejected the credentials: X API 401 Unauthorized (refused the credential: check Config.ConsumerKey, Config.ConsumerSecret, Config.AccessToken and Config.AccessSecret)"},
		{name: "403 forbidden", answer: answer(403, `{"detail":"You are not permitted to perform this action.","type":"about:blank","title":"Forbidden","status":403}`),
			permanent: true, want: "twitter: post: X API 403 Forbidden: You are not permitted to perform this action."},
		{name: "403 client not enrolled", answer: answer(403, enrolled), permanent: true,
			want: "twitter: post: X API 403 Client Forbidden: When authenticating requests to the Twitter API v2 endpoints, " +
				"you must use keys and tokens from a Twitter developer App that is attached to a Project."},
		{name: "403 duplicate on attempt 1", answer: timelineAnswer(answer(200, `{"meta":{"result_count":0}}`)),
			permanent: true, is: ErrDuplicate,
			want: "twitter: duplicate content: X refused an identical post: X API 403 Forbidden: You are not allowed to create a Tweet with duplicate content."},
		{name: "usage cap", answer: answer(429, capped, "x-rate-limit-limit", "40000", "x-rate-limit-remaining", "39999", "x-rate-limit-reset", epoch(15*time.Minute)),
			permanent: true, is: ErrUsageCapped,
			want: "twitter: monthly usage cap exceeded; requests resume when the cap resets or the plan is upgraded: " +
				"X API 429 UsageCapExceeded: Usage cap exceeded: Monthly product cap"},
		{name: "429 window", answer: answer(429, tooMany, "x-rate-limit-limit", "100", "x-rate-limit-remaining", "0", "x-rate-limit-reset", epoch(15*time.Minute)),
			delay: 15 * time.Minute,
			want:  "twitter: post: rate limited until 2025-11-24T14:45:00Z (x-rate-limit): X API 429 Too Many Requests"},
		{name: "429 user 24-hour limit", answer: answer(429, tooMany,
			"x-rate-limit-remaining", "99", "x-rate-limit-reset", epoch(10*time.Minute),
			"x-user-limit-24hour-limit", "17", "x-user-limit-24hour-remaining", "0", "x-user-limit-24hour-reset", epoch(7*time.Hour),
			"x-app-limit-24hour-limit", "1667", "x-app-limit-24hour-remaining", "1200", "x-app-limit-24hour-reset", epoch(20*time.Hour)),
			delay: 7 * time.Hour,
			want:  "twitter: post: rate limited until 2025-11-24T21:30:00Z (x-user-limit-24hour): X API 429 Too Many Requests"},
		{name: "429 app 24-hour limit", answer: answer(429, tooMany,
			"x-user-limit-24hour-remaining", "5", "x-user-limit-24hour-reset", epoch(2*time.Hour),
			"x-app-limit-24hour-remaining", "0", "x-app-limit-24hour-reset", epoch(3*time.Hour)),
			delay: 3 * time.Hour,
			want:  "twitter: post: rate limited until 2025-11-24T17:30:00Z (x-app-limit-24hour): X API 429 Too Many Requests"},
		{name: "429 window, this machine's clock 10 minutes fast", answer: answer(429, tooMany,
			"Date", fixedNow.Add(-10*time.Minute).Format(http.TimeFormat), "x-rate-limit-reset", epoch(5*time.Minute-10*time.Minute)),
			delay: 5 * time.Minute,
			want:  "twitter: post: rate limited until 2025-11-24T14:35:00Z (x-rate-limit): X API 429 Too Many Requests"},
		{name: "429 window, this machine's clock 10 minutes slow", answer: answer(429, tooMany,
			"Date", fixedNow.Add(10*time.Minute).Format(http.TimeFormat), "x-rate-limit-reset", epoch(5*time.Minute+10*time.Minute)),
			delay: 5 * time.Minute,
			want:  "twitter: post: rate limited until 2025-11-24T14:35:00Z (x-rate-limit): X API 429 Too Many Requests"},
		{name: "429 Retry-After only", answer: answer(429, tooMany, "Retry-After", "30"), delay: 30 * time.Second,
			want: "twitter: post: rate limited: X API 429 Too Many Requests"},
		{name: "429 reset in the past", answer: answer(429, tooMany, "x-rate-limit-reset", epoch(-time.Minute)),
			delay: httpx.RateLimitWait, want: "twitter: post: rate limited: X API 429 Too Many Requests"},
		{name: "500", answer: answer(500, `{"title":"Internal Server Error","detail":"Internal Server Error","type":"about:blank","status":500}`),
			want: "twitter: post: X API 500 Internal Server Error"},
		{name: "503 with Retry-After", answer: answer(503, `{"title":"Service Unavailable","detail":"Service Unavailable","type":"about:blank","status":503}`, "Retry-After", "5"),
			delay: 5 * time.Second, want: "twitter: post: X API 503 Service Unavailable"},
		{name: "502 from a proxy", answer: answer(502, "<html><body>\n<h1>502 Bad Gateway</h1>\n</body></html>"),
			want: "twitter: post: X API 502 Bad Gateway: <html><body> <h1>502 Bad Gateway</h1> </body></html>"},
		{name: "404", answer: answer(404, `{"title":"Not Found Error","detail":"Could not find the requested resource.","type":"https://api.twitter.com/2/problems/resource-not-found"}`),
			permanent: true, want: "twitter: post: X API 404 Not Found Error: Could not find the requested resource."},
		// X answers every refusal with its problem JSON, an unknown
		// route's too (https://docs.x.com/x-api/fundamentals/response-codes-and-errors):
		// a redirect, or a 401, 404 or 405 without it, is another
		// server's answer (httpx.Foreign), which names Config.BaseURL
		// and rejects no credentials.
		{name: "redirect not followed", answer: answer(302, "", "Location", "https://login.example/sso?token=x"), permanent: true,
			want: "twitter: post: not the X API's answer (check Config.BaseURL): X API 302 Found: redirect to https://login.example/…?… not followed"},
		{name: "401 from a proxy", answer: answer(401, "<html><h1>401 Authorization Required</h1></html>"), permanent: true,
			want: "twitter: post: not the X API's answer (check Config.BaseURL): X API 401 Unauthorized: <html><h1>401 Authorization Required</h1></html>"},
		{name: "201 without data", answer: answer(201, `{"errors":[{"message":"Something went wrong"}]}`),
			want: "twitter: post: read response: no post id: Something went wrong"},
		// A 2xx whose errors list refuses the post for good is not
		// retried: every retry is refused alike.
		{name: "200 with errors: invalid request", answer: answer(200, `{"errors":[{"parameters":{"text":["x"]},`+
			`"message":"Your Tweet text is too long.","title":"Invalid Request","type":"https://api.twitter.com/2/problems/invalid-request"}]}`),
			permanent: true, want: "twitter: post: X API 200 Invalid Request: Your Tweet text is too long."},
		// A whole 2xx that is neither X's answer, {"data":{"id":…}}
		// (https://docs.x.com/x-api/posts/create-post), nor its problem
		// JSON is another server's (a captive portal's page, a proxy's):
		// nothing shows the post reached X. Before, it was a transient
		// "invalid JSON" retried, which named no field.
		{name: "201 not JSON", answer: answer(201, `OK`), permanent: true,
			want: "twitter: post: not the X API's answer (check Config.BaseURL): X API 201 Created: OK"},
		{name: "200 captive portal", answer: answer(200, "<html><title>Sign in to the hotel Wi-Fi</title></html>"), permanent: true,
			want: "twitter: post: not the X API's answer (check Config.BaseURL): X API 200 OK: <html><title>Sign in to the hotel Wi-Fi</title></html>"},
		{name: "200 other JSON", answer: answer(200, `{"status":"ok"}`), permanent: true,
			want: `twitter: post: not the X API's answer (check Config.BaseURL): X API 200 OK: {"status":"ok"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeX(t, false)
			f.respondWith(tt.answer)
			ch := newTestChannel(t, f)
			ch.now = func() time.Time { return fixedNow }
			_, err := ch.Send(context.Background(), broadcast.Message{Update: testUpdate(), Attempt: max(tt.attempt, 1)})
			require.Error(t, err)
			assert.Equal(t, tt.want, err.Error())
			assert.Equal(t, tt.permanent, broadcast.IsPermanent(err), "IsPermanent")
			d, ok := broadcast.RetryDelay(err)
			assert.Equal(t, tt.delay != 0, ok, "RetryDelay marked")
			assert.Equal(t, tt.delay, d, "RetryDelay")
			if tt.is != nil {
				assert.ErrorIs(t, err, tt.is)
			}
		})
	}
}

func TestRateLimitWait(t *testing.T) {
	h := func(kv ...string) http.Header {
		out := http.Header{}
		for i := 0; i+1 < len(kv); i += 2 {
			out.Set(kv[i], kv[i+1])
		}
		return out
	}
	tests := []struct {
		name   string
		header http.Header
		want   time.Duration
		which  string
	}{
		{"none", h(), 0, ""},
		{"window", h("x-rate-limit-reset", epoch(90*time.Second)), 90 * time.Second, "x-rate-limit"},
		{"window with requests left still counts", h("x-rate-limit-remaining", "42", "x-rate-limit-reset", epoch(time.Minute)), time.Minute, "x-rate-limit"},
		{"24-hour user limit not exhausted is ignored", h("x-user-limit-24hour-remaining", "1", "x-user-limit-24hour-reset", epoch(5*time.Hour)), 0, ""},
		{"24-hour user limit exhausted", h("x-user-limit-24hour-remaining", "0", "x-user-limit-24hour-reset", epoch(5*time.Hour)), 5 * time.Hour, "x-user-limit-24hour"},
		{"latest reset wins", h("x-rate-limit-reset", epoch(time.Hour),
			"x-app-limit-24hour-remaining", "0", "x-app-limit-24hour-reset", epoch(30*time.Minute)), time.Hour, "x-rate-limit"},
		{"past reset", h("x-rate-limit-reset", epoch(-time.Hour)), 0, ""},
		{"garbage", h("x-rate-limit-reset", "soon"), 0, ""},
		{"absurd reset is capped", h("x-rate-limit-reset", "99999999999"), 24 * time.Hour, "x-rate-limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, which := rateLimitWait(tt.header, fixedNow)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.which, which)
		})
	}
	// A reset less than half a second away waits a second: it rounded to
	// none, and the 429 waited httpx.RateLimitWait (30s) instead.
	got, _ := rateLimitWait(h("x-rate-limit-reset", epoch(time.Second)), fixedNow.Add(600*time.Millisecond))
	assert.Equal(t, time.Second, got)
}

// A hostile or broken server echoing credentials does not get them into
// errors, and X's detail is bounded.
func TestErrorsHideSecrets(t *testing.T) {
	for _, mode := range authModes {
		t.Run(mode.name, func(t *testing.T) {
			// A channel can only hide the credentials it holds.
			secrets := []string{testConsumerKey, testConsumerSecret, testAccessToken, testAccessSecret}
			if mode.bearer {
				secrets = []string{testBearerToken}
			}
			f := newFakeX(t, mode.bearer)
			f.respondWith(func(w http.ResponseWriter, r *http.Request) {
				detail := "you sent " + r.Header.Get("Authorization") + " " + strings.Join(secrets, " ") +
					" " + strings.Repeat("padding ", 2000)
				writeProblem(w, http.StatusForbidden, "Forbidden "+secrets[0], detail, "about:blank")
			})
			_, err := newTestChannel(t, f).Send(context.Background(), broadcast.Message{Update: testUpdate(), Attempt: 1})
			require.Error(t, err)
			text := fmt.Sprintf("%v %+v %#v", err, err, err)
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			for _, secret := range secrets {
				assert.NotContains(t, text, secret)
				assert.NotContains(t, apiErr.Title+apiErr.Detail, secret)
			}
			assert.Contains(t, err.Error(), "REDACTED")
			assert.Less(t, len(err.Error()), 1200, "X's detail is bounded")
		})
	}
}

func TestTransportErrorIsTransient(t *testing.T) {
	f := newFakeX(t, false)
	ch := newTestChannel(t, f)
	f.Close()
	_, err := ch.Send(context.Background(), broadcast.Message{Update: testUpdate(), Attempt: 1})
	require.Error(t, err)
	assert.False(t, broadcast.IsPermanent(err))
	assert.True(t, strings.HasPrefix(err.Error(), "twitter: post: Post \""), err.Error())
	for _, secret := range testSecrets {
		assert.NotContains(t, err.Error(), secret)
	}
}

func TestAPIErrorText(t *testing.T) {
	tests := []struct {
		err  APIError
		want string
	}{
		{APIError{Status: 403, Title: "Forbidden", Detail: "No."}, "X API 403 Forbidden: No."},
		{APIError{Status: 401, Title: "Unauthorized", Detail: "Unauthorized"}, "X API 401 Unauthorized"},
		{APIError{Status: 502, Detail: "bad gateway"}, "X API 502 Bad Gateway: bad gateway"},
		{APIError{Status: 599}, "X API 599"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.err.Error())
	}
}

// rotatingTokens returns a new OAuth 2.0 token on every call, each about to
// expire, so that the channel asks for one per attempt.
func rotatingTokens() (func() (*oauth2.Token, error), func() []string) {
	var mu sync.Mutex
	var issued []string
	source := func() (*oauth2.Token, error) {
		mu.Lock()
		defer mu.Unlock()
		n := len(issued) + 1
		t := &oauth2.Token{AccessToken: fmt.Sprintf("at-%d/rotated+%s", n, testBearerToken),
			RefreshToken: fmt.Sprintf("rt-%d/refresh+token", n), TokenType: "Bearer", Expiry: time.Now().Add(time.Second)}
		issued = append(issued, t.AccessToken, t.RefreshToken)
		return t, nil
	}
	return source, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(issued)
	}
}

// Each attempt's OAuth 2.0 token is redacted from that attempt's errors,
// also when X echoes it back.
func TestErrorsHideAttemptToken(t *testing.T) {
	f := newFakeX(t, true)
	source, issued := rotatingTokens()
	ch := newTestChannel(t, f, func(c *Config) { c.TokenSource = source })
	f.Fail(channeltest.FailEcho)
	var out []string
	for range 3 {
		_, err := ch.Send(context.Background(), broadcast.NewMessage(testUpdate()))
		require.Error(t, err)
		out = append(out, fmt.Sprintf("%v %+v %q %x", err, err, err, err))
	}
	for _, err := range []error{ch.Retract(context.Background(), broadcast.Receipt{ID: "1"}), ch.Check(context.Background())} {
		require.Error(t, err)
		out = append(out, fmt.Sprintf("%v %+v %q %x", err, err, err, err))
	}
	require.Len(t, issued(), 2*5, "a token per attempt")
	channeltest.AssertNoSecret(t, strings.Join(out, "\n"), issued()...)
	assert.Contains(t, out[0], "Bearer REDACTED")
}

// A token that cannot be had fails the attempt before any request: for
// good when the token endpoint refused the refresh.
func TestTokenErrors(t *testing.T) {
	refused := &oauth2.RetrieveError{Response: &http.Response{StatusCode: http.StatusBadRequest},
		Body: []byte(`{"error":"invalid_grant"}`), ErrorCode: "invalid_grant"}
	limited := &oauth2.RetrieveError{Response: &http.Response{StatusCode: http.StatusTooManyRequests,
		Header: http.Header{"Retry-After": {"60"}}}, Body: []byte(`{"error":"rate_limited"}`)}
	timedOut := &oauth2.RetrieveError{Response: &http.Response{StatusCode: http.StatusRequestTimeout},
		Body: []byte(`{"error":"timeout"}`), ErrorCode: "timeout"}
	unavailable := &oauth2.RetrieveError{Response: &http.Response{StatusCode: http.StatusServiceUnavailable,
		Header: http.Header{"Retry-After": {"5"}}}, Body: []byte("busy"), ErrorCode: "temporarily_unavailable"}
	tests := []struct {
		name      string
		source    func() (*oauth2.Token, error)
		permanent bool
		delay     time.Duration // the RetryAfter hint; 0 for none
		want      string
	}{
		{"refresh refused", func() (*oauth2.Token, error) { return nil, refused }, true, 0,
			"twitter: post: get OAuth 2.0 token: token endpoint answered 400 Bad Request: invalid_grant"},
		{"rate limited", func() (*oauth2.Token, error) { return nil, limited }, false, time.Minute,
			"twitter: post: get OAuth 2.0 token: token endpoint answered 429 Too Many Requests"},
		{"request timeout", func() (*oauth2.Token, error) { return nil, timedOut }, false, 0,
			"twitter: post: get OAuth 2.0 token: token endpoint answered 408 Request Timeout: timeout"},
		{"endpoint unavailable", func() (*oauth2.Token, error) { return nil, unavailable }, false, 5 * time.Second,
			"twitter: post: get OAuth 2.0 token: token endpoint answered 503 Service Unavailable: temporarily_unavailable"},
		{"an answer echoing the client secret", func() (*oauth2.Token, error) {
			return nil, &oauth2.RetrieveError{Response: &http.Response{StatusCode: http.StatusUnauthorized},
				Body: []byte(`client_secret=cs-0123456789abcdefghij refresh_token=rt-0123456789abcdefghij`)}
		}, true, 0, "twitter: post: get OAuth 2.0 token: token endpoint answered 401 Unauthorized"},
		{"token endpoint down", func() (*oauth2.Token, error) { return nil, errors.New("dial tcp: connection refused") }, false, 0,
			"twitter: post: get OAuth 2.0 token: dial tcp: connection refused"},
		{"empty token", func() (*oauth2.Token, error) { return &oauth2.Token{}, nil }, true, 0,
			"twitter: post: get OAuth 2.0 token: empty access token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeX(t, true)
			ch := newTestChannel(t, f, func(c *Config) { c.TokenSource = tt.source })
			_, err := ch.Send(context.Background(), broadcast.NewMessage(testUpdate()))
			require.Error(t, err)
			assert.Equal(t, tt.want, err.Error())
			assert.Equal(t, tt.permanent, broadcast.IsPermanent(err))
			d, ok := broadcast.RetryDelay(err)
			assert.Equal(t, tt.delay != 0, ok, "a RetryAfter hint")
			assert.Equal(t, tt.delay, d)
			assert.Zero(t, f.requestCount())
		})
	}
}

// Retract and Check, like Send, take a whole 2xx that is not X's answer
// ({"data":{"deleted":…}}, https://docs.x.com/x-api/posts/delete-post;
// {"data":{"id":…}}, https://docs.x.com/x-api/users/get-my-user) for
// another server's: Permanent, naming Config.BaseURL. Before, both were a
// transient "invalid JSON".
func TestForeignSuccessRetractCheck(t *testing.T) {
	const want = "not the X API's answer (check Config.BaseURL): X API 200 OK: <html>portal</html>"
	f := newFakeX(t, false)
	ch := newTestChannel(t, f)
	f.respondWith(answer(200, "<html>portal</html>"))
	err := ch.Retract(context.Background(), broadcast.Receipt{ID: "1234"})
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err), err)
	assert.EqualError(t, err, "twitter: delete: "+want)
	err = ch.Check(context.Background())
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err), err)
	assert.EqualError(t, err, "twitter: check: "+want)
}

// A token endpoint that hangs holds a Send no longer than its context:
// the Send returns the context's error, and one whose context ended
// while that call still hangs returns too, without another call piling
// up. The guard only turns a hang into a failure.
func TestTokenFetchEndsWithTheSendsContext(t *testing.T) {
	f := newFakeX(t, true)
	called, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	t.Cleanup(func() { close(release) })
	source := func() (*oauth2.Token, error) {
		once.Do(func() { close(called) })
		<-release
		return &oauth2.Token{AccessToken: "late-token"}, nil
	}
	ch := newTestChannel(t, f, func(c *Config) { c.TokenSource = source })
	send := func(ctx context.Context) error {
		done := make(chan error, 1)
		go func() {
			_, err := ch.Send(ctx, broadcast.NewMessage(testUpdate()))
			done <- err
		}()
		select {
		case err := <-done:
			return err
		case <-time.After(10 * time.Second):
			require.FailNow(t, "Send still waits for the token after its context ended")
			return nil
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-called; cancel() }()
	err := send(ctx)
	require.ErrorIs(t, err, context.Canceled)
	assert.False(t, broadcast.IsPermanent(err), "transient: %v", err)

	ended, cancel2 := context.WithCancel(context.Background())
	cancel2()
	require.ErrorIs(t, send(ended), context.Canceled)
	assert.Zero(t, f.requestCount(), "no request without a token")
}

// A token X refuses (401 with its problem JSON) is not reused: the
// channel asks TokenSource again and, when it hands out another token
// (one refreshed elsewhere, as by another instance sharing the account's
// tokens, or a token without Expiry, which would otherwise be reused for
// ever), makes the request once more. Before, the refused token was kept
// until its Expiry (without one, for the channel's life): every post
// failed for good with "X rejected the credentials".
func TestRefusedTokenAskedAgain(t *testing.T) {
	f := newFakeX(t, true)
	var mu sync.Mutex
	calls := 0
	source := func() (*oauth2.Token, error) {
		mu.Lock()
		defer mu.Unlock()
		calls++
		if calls == 1 {
			return &oauth2.Token{AccessToken: "replaced-" + testBearerToken, TokenType: "Bearer"}, nil
		}
		return &oauth2.Token{AccessToken: testBearerToken, TokenType: "Bearer"}, nil
	}
	ch := newTestChannel(t, f, func(c *Config) { c.TokenSource = source })
	r, err := ch.Send(context.Background(), broadcast.NewMessage(testUpdate()))
	require.NoError(t, err)
	assert.NotEmpty(t, r.ID)
	assert.Equal(t, 2, f.requestCount(), "the refused request, then the one with the new token")

	// A source that gives the refused token again: the 401 stands, once.
	f2 := newFakeX(t, true)
	revoked := &oauth2.Token{AccessToken: "revoked-" + testBearerToken, TokenType: "Bearer"}
	ch2 := newTestChannel(t, f2, func(c *Config) { c.TokenSource = func() (*oauth2.Token, error) { return revoked, nil } })
	_, err = ch2.Send(context.Background(), broadcast.NewMessage(testUpdate()))
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err))
	assert.Contains(t, err.Error(), "X rejected the credentials")
	assert.Equal(t, 1, f2.requestCount())
}

// When X refuses a token (401) and asking TokenSource for another fails,
// the error says why it failed, redacted, and the token source's failure
// decides the retry: Permanent when the token endpoint refused for good
// (401 invalid_client), transient when it may answer later (a network
// failure, 503 with Retry-After). Before, that failure was dropped: every
// case read only "X rejected the credentials", for good. X's refusal names
// Config.TokenSource, as it does when no other token is asked for.
func TestRefusedTokenSecondAskFails(t *testing.T) {
	invalidClient := &oauth2.RetrieveError{Response: &http.Response{StatusCode: http.StatusUnauthorized},
		Body: []byte(`{"error":"invalid_client"}`), ErrorCode: "invalid_client"}
	unavailable := &oauth2.RetrieveError{Response: &http.Response{StatusCode: http.StatusServiceUnavailable,
		Header: http.Header{"Retry-After": {"5"}}}, Body: []byte("busy"), ErrorCode: "temporarily_unavailable"}
	tests := []struct {
		name      string
		err       error
		permanent bool
		delay     time.Duration // the RetryAfter hint; 0 for none
		want      string
	}{
		{"token endpoint refuses the client", invalidClient, true, 0,
			"token endpoint answered 401 Unauthorized: invalid_client"},
		{"token endpoint unavailable", unavailable, false, 5 * time.Second,
			"token endpoint answered 503 Service Unavailable: temporarily_unavailable"},
		{"network fails", errors.New("dial tcp: connection refused"), false, 0, "dial tcp: connection refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeX(t, true)
			refused := &oauth2.Token{AccessToken: "revoked-" + testBearerToken, TokenType: "Bearer",
				RefreshToken: "rt-0123456789abcdefghij"}
			var mu sync.Mutex
			calls := 0
			source := func() (*oauth2.Token, error) {
				mu.Lock()
				defer mu.Unlock()
				calls++
				if calls == 1 {
					return refused, nil
				}
				return nil, tt.err
			}
			ch := newTestChannel(t, f, func(c *Config) { c.TokenSource = source })
			_, err := ch.Send(context.Background(), broadcast.NewMessage(testUpdate()))
			require.Error(t, err)
			assert.Contains(t, err.Error(), "twitter: post: X rejected the credentials")
			assert.Contains(t, err.Error(), tt.want)
			// X's own 401 refused the token, as classify's path says.
			assert.True(t, strings.HasSuffix(err.Error(), httpx.RefusedCredential+"Config.TokenSource)"), "%v", err)
			assert.Equal(t, tt.permanent, broadcast.IsPermanent(err), "%v", err)
			d, ok := broadcast.RetryDelay(err)
			assert.Equal(t, tt.delay != 0, ok, "a RetryAfter hint")
			assert.Equal(t, tt.delay, d)
			assert.Equal(t, 1, f.requestCount())
			assert.Equal(t, 2, calls)
			channeltest.AssertNoSecret(t, fmt.Sprintf("%v %+v", err, err), refused.AccessToken, refused.RefreshToken)
		})
	}
}

// The message of a 2xx without a post, X's text, reaches the error as its
// problem detail does: on one line, bounded, and without a credential,
// also one the bound would cut in two.
func TestNoPostMessageCleaned(t *testing.T) {
	msg := "first line\nsecond line " + strings.Repeat("x", httpx.SnippetLimit-40) + " " + testAccessToken + strings.Repeat(" y", 1000)
	body, err := json.Marshal(map[string]any{"errors": []map[string]string{{"message": msg}}})
	require.NoError(t, err)
	f := newFakeX(t, false)
	f.respondWith(answer(201, string(body)))
	ch := newTestChannel(t, f)
	_, err = ch.Send(context.Background(), broadcast.Message{Update: testUpdate(), Attempt: 1})
	require.Error(t, err)
	got := err.Error()
	assert.True(t, strings.HasPrefix(got, "twitter: post: read response: no post id: first line second line xxx"), got)
	assert.NotContains(t, got, "\n")
	assert.Less(t, len(got), httpx.SnippetLimit+100)
	for _, part := range []string{testAccessToken, "1234567890-at", "N5/rTkq"} {
		assert.NotContains(t, got, part)
	}
}
