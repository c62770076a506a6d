package twitter

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/ratelimit/ratelimittest"
)

// usedUpX are X's headers of an answer that used up the endpoint's
// 15-minute window, by X's clock (fixedNow).
func usedUpX() []string {
	return []string{"Date", fixedNow.Format(http.TimeFormat), "x-rate-limit-limit", "100",
		"x-rate-limit-remaining", "0", "x-rate-limit-reset", epoch(15 * time.Minute)}
}

// limitUpdate is testUpdate with its own text, which X takes as no
// duplicate.
func limitUpdate(text string) broadcast.Update {
	u := testUpdate()
	u.Body, u.ID = "We are "+text+" elevated error rates in the EU region.", ""
	return u.WithDefaults(fixedNow.Add(time.Duration(len(text)) * time.Second))
}

// limitClock sets ch's clock to fixedNow and makes its sleeps pass at
// once, moving the clock on; each is recorded with the requests f had
// received by then.
func limitClock(ch *Channel, f *fakeX) (waits *[]time.Duration, before *[]int) {
	c := ratelimittest.New(fixedNow, f.requestCount)
	ch.now, ch.sleep = c.Now, c.Sleep
	return &c.Waits, &c.Seen
}

// A post whose success says the endpoint's window is used up
// (x-rate-limit-remaining: 0) holds the next post until
// x-rate-limit-reset: X would refuse it with a 429. Another endpoint (the
// deletion of a post) is not held: X counts per endpoint.
func TestUsedUpEndpointHoldsTheNextPost(t *testing.T) {
	f := newFakeX(t, false)
	f.limits = usedUpX()
	ch := newTestChannel(t, f)
	waits, before := limitClock(ch, f)

	first, err := ch.Send(context.Background(), broadcast.NewMessage(limitUpdate("investigating")))
	require.NoError(t, err)
	require.Empty(t, *waits)
	f.limits = nil
	require.NoError(t, ch.Retract(context.Background(), first), "another endpoint")
	require.Empty(t, *waits, "a deletion is not held by the posts' window")

	_, err = ch.Send(context.Background(), broadcast.NewMessage(limitUpdate("identified")))
	require.NoError(t, err)
	assert.Equal(t, []time.Duration{15 * time.Minute}, *waits)
	assert.Equal(t, []int{2}, *before, "the post waited before it was requested")
	assert.Equal(t, 3, f.requestCount())
}

// The wait ends with the context: the post fails transient, with the time
// left, and X gets no request. One longer than the attempt has left is not
// begun.
func TestUsedUpEndpointWaitEndsWithTheContext(t *testing.T) {
	for _, deadline := range []bool{false, true} {
		f := newFakeX(t, false)
		f.limits = usedUpX()
		ch := newTestChannel(t, f)
		limitClock(ch, f)
		_, err := ch.Send(context.Background(), broadcast.NewMessage(limitUpdate("investigating")))
		require.NoError(t, err)

		ctx, cancel := context.WithCancel(context.Background())
		ch.sleep = func(ctx context.Context, _ time.Duration) error { cancel(); return ctx.Err() }
		if deadline {
			ch.sleep = func(context.Context, time.Duration) error { t.Error("waited past the deadline"); return nil }
			ctx, cancel = context.WithTimeout(context.Background(), time.Minute)
		}
		_, err = ch.Send(ctx, broadcast.NewMessage(limitUpdate("identified")))
		cancel()
		require.Error(t, err)
		assert.Equal(t, 1, f.requestCount(), "no request while the window is used up")
		assert.False(t, broadcast.IsPermanent(err), "%v", err)
		assert.Equal(t, !deadline, errors.Is(err, context.Canceled), "%v", err)
		d, ok := broadcast.RetryDelay(err)
		require.True(t, ok, "%v", err)
		assert.Greater(t, d, 14*time.Minute)
		assert.LessOrEqual(t, d, 15*time.Minute)
		assert.Contains(t, err.Error(), "twitter: post: rate limit: the endpoint's limit is used up")
	}
}

// The 24-hour user limit used up on a post's success holds the next post
// too; a reset far in the future (a bogus header) holds it a day at most,
// and headers that do not parse hold nothing.
func TestLimitHeaders(t *testing.T) {
	date := fixedNow.Format(http.TimeFormat)
	for _, tc := range []struct {
		name   string
		header []string
		want   time.Duration
	}{
		{"24-hour user limit", []string{"Date", date, "x-rate-limit-remaining", "5", "x-rate-limit-reset", epoch(time.Minute),
			"x-user-limit-24hour-remaining", "0", "x-user-limit-24hour-reset", epoch(20 * time.Hour)}, 20 * time.Hour},
		{"reset far off", []string{"Date", date, "x-rate-limit-remaining", "0", "x-rate-limit-reset", epoch(1000 * time.Hour)}, 24 * time.Hour},
		{"remaining unparsable", []string{"Date", date, "x-rate-limit-remaining", "none", "x-rate-limit-reset", epoch(time.Hour)}, 0},
		{"reset unparsable", []string{"Date", date, "x-rate-limit-remaining", "0", "x-rate-limit-reset", "soon"}, 0},
		{"requests left", []string{"Date", date, "x-rate-limit-remaining", "1", "x-rate-limit-reset", epoch(time.Hour)}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeX(t, false)
			f.limits = tc.header
			ch := newTestChannel(t, f)
			waits, _ := limitClock(ch, f)
			for _, status := range []string{"investigating", "identified"} {
				_, err := ch.Send(context.Background(), broadcast.NewMessage(limitUpdate(status)))
				require.NoError(t, err)
			}
			var want []time.Duration
			if tc.want > 0 {
				want = []time.Duration{tc.want}
			}
			assert.Equal(t, want, *waits)
		})
	}
}

// X counts per endpoint: a post's and a user's id are not part of it.
func TestLimitKey(t *testing.T) {
	for path, want := range map[string]string{
		"/2/tweets":                     "POST /2/tweets",
		"/2/tweets/1850000000000000001": "POST /2/tweets/:id",
		"/2/users/me":                   "POST /2/users/me",
		"/2/users/12345/tweets?max_results=100&x=1": "POST /2/users/:id/tweets",
	} {
		assert.Equal(t, want, limitKey(http.MethodPost, path), path)
	}
}

// A held request takes its OAuth 2.0 token after the wait, not before: a
// hold lasts up to a day and X's access tokens two hours, so a token taken
// before went out expired, into a 401. A request the hold fails at once
// (past the attempt's deadline) asks for no token at all.
func TestHeldRequestTakesItsTokenAfterTheWait(t *testing.T) {
	f := newFakeX(t, true)
	f.limits = usedUpX()
	var mu sync.Mutex
	calls := 0
	source := func() (*oauth2.Token, error) { // each about to expire: one per request
		mu.Lock()
		defer mu.Unlock()
		calls++
		return &oauth2.Token{AccessToken: testBearerToken, TokenType: "Bearer", Expiry: time.Now().Add(time.Second)}, nil
	}
	issued := func() int {
		mu.Lock()
		defer mu.Unlock()
		return calls
	}
	ch := newTestChannel(t, f, func(c *Config) { c.TokenSource = source })
	waits, _ := limitClock(ch, f)
	_, err := ch.Send(context.Background(), broadcast.NewMessage(limitUpdate("investigating")))
	require.NoError(t, err)
	require.Equal(t, 1, issued())

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err = ch.Send(ctx, broadcast.NewMessage(limitUpdate("identified")))
	require.Error(t, err)
	assert.Equal(t, 1, issued(), "no token for a request not made")

	var tokensBefore []int
	sleep := ch.sleep
	ch.sleep = func(ctx context.Context, d time.Duration) error {
		tokensBefore = append(tokensBefore, issued())
		return sleep(ctx, d)
	}
	f.limits = nil
	_, err = ch.Send(context.Background(), broadcast.NewMessage(limitUpdate("monitoring")))
	require.NoError(t, err)
	assert.Equal(t, []time.Duration{15 * time.Minute}, *waits)
	assert.Equal(t, []int{1}, tokensBefore, "the token is taken after the wait")
	assert.Equal(t, 2, issued())
}

// Check reads the account's id, which the look-up of a post whose answer
// was lost needs: when Check's answer says GET /2/users/me is used up (X
// allows it 25 times a day on the Free tier), the look-up is not held by
// that endpoint for the rest of the day, and a retry refused as a
// duplicate still finds its post, with the id a retraction needs.
func TestCheckKeepsTheAccountForTheLookUp(t *testing.T) {
	f := newFakeX(t, false)
	f.clock = func() time.Time { return fixedNow.Add(time.Second) }
	ch := newTestChannel(t, f)
	limitClock(ch, f)
	f.limits = []string{"Date", fixedNow.Format(http.TimeFormat), "x-rate-limit-limit", "25",
		"x-rate-limit-remaining", "0", "x-rate-limit-reset", epoch(20 * time.Hour)}
	require.NoError(t, ch.Check(context.Background()))
	f.limits = nil

	m := broadcast.Message{Update: testUpdate(), Attempt: 1}
	first, err := ch.Send(context.Background(), m)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	m.Attempt = 2
	r, err := ch.Send(ctx, m)
	require.NoError(t, err)
	assert.Equal(t, first.ID, r.ID, "the post found, %v", r.Meta)
	assert.Len(t, f.Received(), 1, "posted once")
}

// gate is a Transport that holds the first post made while it is armed
// until release is closed, once it said so on arrived.

// A post reserves its request of the endpoint's limits when it goes,
// until its answer: with one post left, a post made while another is in
// flight waits for the reset instead of going too, into a 429. Before,
// both went: X's limits were kept only once used up. Each of X's sets of
// fields counts: the endpoint's 15-minute window and the 24-hour user and
// app limits.
func TestPostsMadeTogetherReserveTheLimit(t *testing.T) {
	date := fixedNow.Format(http.TimeFormat)
	for _, tc := range []struct {
		prefix string
		reset  time.Duration
	}{{"x-rate-limit", 15 * time.Minute}, {"x-user-limit-24hour", 20 * time.Hour}, {"x-app-limit-24hour", 10 * time.Hour}} {
		t.Run(tc.prefix, func(t *testing.T) {
			f := newFakeX(t, false)
			f.limits = []string{"Date", date, "x-rate-limit-remaining", "50", "x-rate-limit-reset", epoch(time.Minute),
				tc.prefix + "-remaining", "1", tc.prefix + "-reset", epoch(tc.reset)}
			g := ratelimittest.NewGate(func(req *http.Request) bool {
				return req.Method == http.MethodPost && req.URL.Path == "/2/tweets"
			}, nil)
			ch := newTestChannel(t, f, func(c *Config) { c.HTTPClient = &http.Client{Transport: g, Timeout: 10 * time.Second} })
			waits, before := limitClock(ch, f)
			ctx := context.Background()

			_, err := ch.Send(ctx, broadcast.NewMessage(limitUpdate("investigating")))
			require.NoError(t, err)
			require.Empty(t, *waits)

			g.Arm()
			done := make(chan error, 1)
			go func() {
				_, err := ch.Send(ctx, broadcast.NewMessage(limitUpdate("identified")))
				done <- err
			}()
			<-g.Arrived
			_, err = ch.Send(ctx, broadcast.NewMessage(limitUpdate("monitoring")))
			close(g.Release)
			require.NoError(t, err)
			require.NoError(t, <-done)
			assert.Equal(t, []time.Duration{tc.reset}, *waits, "the post made with the other in flight waited for the reset")
			assert.Equal(t, []int{1}, *before, "while the other was in flight")
			assert.Len(t, f.Received(), 3)
		})
	}
}

// A request that gets no answer gives its reservation back: the next
// post goes at once, not after the reset.
func TestRequestWithoutAnswerGivesTheReservationBack(t *testing.T) {
	f := newFakeX(t, false)
	f.limits = []string{"Date", fixedNow.Format(http.TimeFormat), "x-rate-limit-remaining", "1", "x-rate-limit-reset", epoch(15 * time.Minute)}
	fail := atomic.Bool{}
	ch := newTestChannel(t, f, func(c *Config) {
		c.HTTPClient = &http.Client{Timeout: 10 * time.Second, Transport: roundTripper(func(r *http.Request) (*http.Response, error) {
			if fail.Load() {
				return nil, errors.New("connection reset")
			}
			return http.DefaultTransport.RoundTrip(r)
		})}
	})
	waits, _ := limitClock(ch, f)
	_, err := ch.Send(context.Background(), broadcast.NewMessage(limitUpdate("investigating")))
	require.NoError(t, err)
	fail.Store(true)
	_, err = ch.Send(context.Background(), broadcast.NewMessage(limitUpdate("identified")))
	require.Error(t, err)
	fail.Store(false)
	_, err = ch.Send(context.Background(), broadcast.NewMessage(limitUpdate("monitoring")))
	require.NoError(t, err)
	assert.Empty(t, *waits)
	assert.Len(t, f.Received(), 2)
}
