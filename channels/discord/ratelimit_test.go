package discord

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/ratelimit"
	"github.com/outagecast/outagecast/channels/internal/ratelimit/ratelimittest"
	"github.com/outagecast/outagecast/internal/ctxwait"
	"github.com/outagecast/outagecast/redact"
)

// usedUp are the rate limit headers of an answer that used up its bucket,
// which refills in resetAfter seconds.
func usedUp(resetAfter string) map[string]string {
	return map[string]string{"X-RateLimit-Limit": "5", "X-RateLimit-Remaining": "0",
		"X-RateLimit-Reset-After": resetAfter, "X-RateLimit-Bucket": "abcd1234"}
}

// A post whose success says the webhook's bucket is used up holds the next
// Send's request until it refills: Discord would refuse it with a 429,
// which counts toward the ban of the IP address. A wait longer than the
// attempt has left is not begun: the Send fails transient, with the wait,
// and makes no request.
func TestUsedUpBucketHoldsTheNextSend(t *testing.T) {
	f := newFake(t, fakeOptions{})
	f.limits = usedUp("60")
	ch := newChannel(t, f, nil)
	root := send(t, ch, fullUpdate, broadcast.Thread{})

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	m := broadcast.NewMessage(resolvedUpdate)
	m.Thread = broadcast.Thread{Root: root, Last: root}
	_, err := ch.Send(ctx, m)
	require.Error(t, err)
	assert.Equal(t, 1, len(f.sent()), "no request while the bucket is used up")
	assert.False(t, broadcast.IsPermanent(err), "transient: %v", err)
	d, ok := broadcast.RetryDelay(err)
	require.True(t, ok, "a wait for the bucket: %v", err)
	assert.Greater(t, d, 30*time.Second)
	assert.LessOrEqual(t, d, 60*time.Second)
	assert.Contains(t, err.Error(), "discord: post: rate limit")
	assert.NotContains(t, err.Error(), testToken)
}

// Within the attempt's time, the request waits for the bucket, and is made
// once it refilled; the first post's card, edited after the post, waits
// for its bucket too.
func TestUsedUpBucketIsWaitedFor(t *testing.T) {
	f := newFake(t, fakeOptions{})
	f.limits = usedUp("1.5")
	ch := newChannel(t, f, nil)
	var waits []time.Duration
	ch.s.sleep = func(_ context.Context, d time.Duration) error {
		waits = append(waits, d)
		f.mu.Lock()
		defer f.mu.Unlock()
		assert.Equal(t, len(waits), len(f.requests), "each request waits before it is made")
		return nil
	}
	root := send(t, ch, fullUpdate, broadcast.Thread{})
	require.Empty(t, waits, "the first request has nothing to wait for")

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	m := broadcast.NewMessage(resolvedUpdate)
	m.Thread = broadcast.Thread{Root: root, Last: root}
	r, err := ch.Send(ctx, m)
	require.NoError(t, err)
	assert.NotContains(t, r.Meta, metaRootUpdate, "the card was updated")
	n := len(f.sent()) // the post, the first post's card read and edited
	require.Equal(t, 4, n)
	require.Len(t, waits, n-1)
	for _, d := range waits {
		assert.Greater(t, d, time.Duration(0))
		assert.LessOrEqual(t, d, 1500*time.Millisecond)
	}
}

// A wait for the bucket ends with the context, and no request is made:
// the Send fails transient, with the time left to wait.
func TestBucketWaitEndsWithTheContext(t *testing.T) {
	f := newFake(t, fakeOptions{})
	f.limits = usedUp("600")
	ch := newChannel(t, f, nil)
	send(t, ch, fullUpdate, broadcast.Thread{})

	ctx, cancel := context.WithCancel(context.Background())
	ch.s.sleep = func(ctx context.Context, d time.Duration) error {
		cancel()
		return ctxwait.Sleep(ctx, d)
	}
	_, err := ch.Send(ctx, broadcast.NewMessage(resolvedUpdate))
	require.Error(t, err)
	assert.False(t, broadcast.IsPermanent(err), "transient: %v", err)
	d, ok := broadcast.RetryDelay(err)
	require.True(t, ok, "a wait for the bucket: %v", err)
	assert.Greater(t, d, time.Duration(0))
	assert.LessOrEqual(t, d, 600*time.Second)
	assert.Contains(t, err.Error(), "discord: post: rate limit")
	assert.Equal(t, 1, len(f.sent()))
}

// Buckets are Discord's: a route is held by its bucket's state, whichever
// route used it up; a bucket with requests left, or an answer without
// the headers, holds nothing; an answer with requests left, to a request
// made before the bucket was used up, ends no hold.
func TestBuckets(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	never := func(context.Context, time.Duration) error {
		t.Error("waited")
		return nil
	}
	var waited time.Duration
	record := func(_ context.Context, d time.Duration) error { waited = d; return nil }
	h := func(kv ...string) http.Header {
		out := http.Header{}
		for i := 0; i < len(kv); i += 2 {
			out.Set(kv[i], kv[i+1])
		}
		return out
	}
	ctx := context.Background()

	b := newBuckets()
	wait := func(ctx context.Context, route string, c ratelimit.Clock) error {
		r, err := b.reserve(ctx, route, c)
		if err == nil {
			r.Release()
		}
		return err
	}
	b.note(nil, "POST", http.Header{}, nil, now)
	b.note(nil, "POST", h("X-RateLimit-Remaining", "3", "X-RateLimit-Reset-After", "2"), nil, now)
	require.NoError(t, wait(ctx, "POST", ratelimit.Clock{Now: clock, Sleep: never}))

	b.note(nil, "POST", h("X-RateLimit-Bucket", "b1", "X-RateLimit-Remaining", "0", "X-RateLimit-Reset-After", "2.5"), nil, now)
	b.note(nil, "PATCH /messages", h("X-RateLimit-Bucket", "b1", "X-RateLimit-Remaining", "1"), nil, now)
	b.note(nil, "DELETE /messages", h("X-RateLimit-Bucket", "b2", "X-RateLimit-Remaining", "0", "X-RateLimit-Reset-After", "1"), nil, now)
	b.note(nil, "PATCH /messages", h("X-RateLimit-Bucket", "b1", "X-RateLimit-Remaining", "0", "X-RateLimit-Reset-After", "2.5"), nil, now)
	require.NoError(t, wait(ctx, "POST", ratelimit.Clock{Now: clock, Sleep: record}))
	assert.Equal(t, 2500*time.Millisecond, waited)
	require.NoError(t, wait(ctx, "GET", ratelimit.Clock{Now: clock, Sleep: record}), "a route not yet in a bucket waits for all")
	assert.Equal(t, 2500*time.Millisecond, waited)

	b.note(nil, "GET", h("X-RateLimit-Bucket", "b1", "X-RateLimit-Remaining", "4", "X-RateLimit-Reset-After", "2"), nil, now)
	require.NoError(t, wait(ctx, "PATCH /messages", ratelimit.Clock{Now: clock, Sleep: record}), "held still")
	assert.Equal(t, 2500*time.Millisecond, waited)
	require.NoError(t, wait(ctx, "DELETE /messages", ratelimit.Clock{Now: clock, Sleep: record}))
	assert.Equal(t, time.Second, waited)

	now = now.Add(time.Second)
	require.NoError(t, wait(ctx, "DELETE /messages", ratelimit.Clock{Now: clock, Sleep: never}), "the reset passed")
}

// A global rate limit (Discord's 429 with X-RateLimit-Global, or only
// X-RateLimit-Scope: global, or "global": true in its body) holds every
// route of the webhook, not just the one refused: the next request, to
// another route, waits for it.
func TestGlobalLimitHoldsEveryRoute(t *testing.T) {
	for _, tc := range []struct {
		name   string
		header map[string]string
		body   string
	}{
		{"X-RateLimit-Global", map[string]string{"Retry-After": "3", "X-RateLimit-Global": "true"},
			`{"message": "You are being rate limited.", "retry_after": 2.5, "global": true}`},
		{"X-RateLimit-Scope", map[string]string{"Retry-After": "3", "X-RateLimit-Scope": "global"},
			`{"message": "You are being rate limited.", "retry_after": 2.5}`},
		{"body", map[string]string{"Retry-After": "3"},
			`{"message": "You are being rate limited.", "retry_after": 2.5, "global": true}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, fakeOptions{})
			ch := newChannel(t, f, nil)
			now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			ch.s.now = func() time.Time { return now }
			root := send(t, ch, fullUpdate, broadcast.Thread{}) // places POST and the card's routes in no bucket
			var waits []time.Duration
			ch.s.sleep = func(context.Context, time.Duration) error { t.Error("waited"); return nil }
			f.answer(canned{status: 429, header: tc.header, body: tc.body})
			m := broadcast.NewMessage(resolvedUpdate)
			_, err := ch.Send(context.Background(), m)
			require.Error(t, err)
			n := len(f.sent())

			ch.s.sleep = func(_ context.Context, d time.Duration) error {
				waits = append(waits, d)
				now = now.Add(d)
				return nil
			}
			err = ch.Retract(context.Background(), root)
			require.NoError(t, err)
			assert.Equal(t, []time.Duration{2500 * time.Millisecond}, waits, "the deletion, another route, waited")
			assert.Greater(t, len(f.sent()), n)
		})
	}
}

// Answers of requests made together arrive in any order: one whose
// request Discord counted before the one that used the bucket up, and
// which says it had requests left, arrives last, yet the bucket is used
// up. It does not end the hold: the next Send waits for the refill, and
// makes no request Discord would refuse with a 429.
func TestEarlierAnswerArrivingLateKeepsTheHold(t *testing.T) {
	f := newFake(t, fakeOptions{})
	arrived, release := make(chan struct{}), make(chan struct{})
	var mu sync.Mutex
	n := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		n++
		first := n == 1
		mu.Unlock()
		w.Header().Set("X-RateLimit-Bucket", "abcd1234")
		w.Header().Set("X-RateLimit-Reset-After", "60")
		if first {
			close(arrived)
			<-release
			w.Header().Set("X-RateLimit-Remaining", "1")
		} else {
			w.Header().Set("X-RateLimit-Remaining", "0")
		}
		f.srv.Config.Handler.ServeHTTP(w, r)
	}))
	defer srv.Close()
	var unblock sync.Once
	defer unblock.Do(func() { close(release) }) // before Close, which waits for the handler
	ch := newChannel(t, f, func(c *Config) {
		c.WebhookURL = redact.NewURL(srv.URL + "/api/webhooks/" + testID + "/" + testToken)
		c.HTTPClient = srv.Client()
	})

	done := make(chan error, 1)
	go func() {
		_, err := ch.Send(context.Background(), broadcast.NewMessage(fullUpdate))
		done <- err
	}()
	select {
	case <-arrived:
	case err := <-done:
		t.Fatalf("the first Send ended before its request: %v", err)
	}
	_, err := ch.Send(context.Background(), broadcast.NewMessage(resolvedUpdate))
	require.NoError(t, err, "the request that used the bucket up")
	unblock.Do(func() { close(release) })
	require.NoError(t, <-done, "the request counted before it, answered last")

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	u := resolvedUpdate
	u.ID = "another"
	_, err = ch.Send(ctx, broadcast.NewMessage(u))
	require.Error(t, err, "held")
	d, ok := broadcast.RetryDelay(err)
	require.True(t, ok, "%v", err)
	assert.Greater(t, d, 30*time.Second)
	assert.Equal(t, 2, len(f.sent()), "no request while the bucket is used up")
}

// gate is a Transport that holds the first execution of the webhook made
// while it is armed until release is closed, once it said so on arrived.

// A request reserves its request of the bucket when it goes, until its
// answer: with one left, a post made while another is in flight waits
// for the bucket to refill instead of going too, into a 429 (which counts
// toward the ban of the IP address). Before, both went.
func TestPostsMadeTogetherReserveTheBucket(t *testing.T) {
	f := newFake(t, fakeOptions{})
	f.limits = map[string]string{"X-RateLimit-Bucket": "b1", "X-RateLimit-Remaining": "1", "X-RateLimit-Reset-After": "2"}
	g := ratelimittest.NewGate(func(req *http.Request) bool {
		return req.Method == http.MethodPost && !strings.Contains(req.URL.Path, "/messages")
	}, f.srv.Client().Transport)
	ch := newChannel(t, f, func(c *Config) { c.HTTPClient = &http.Client{Transport: g, Timeout: 10 * time.Second} })
	var waits []time.Duration
	var seen []int
	ch.s.sleep = func(_ context.Context, d time.Duration) error {
		waits = append(waits, d)
		seen = append(seen, len(f.sent()))
		return nil
	}
	send(t, ch, fullUpdate, broadcast.Thread{})
	require.Empty(t, waits)

	g.Arm()
	done := make(chan error, 1)
	go func() {
		_, err := ch.Send(context.Background(), broadcast.NewMessage(resolvedUpdate))
		done <- err
	}()
	<-g.Arrived
	send(t, ch, fullUpdate, broadcast.Thread{})
	close(g.Release)
	require.NoError(t, <-done)
	assert.Len(t, waits, 1, "the post made with the other in flight waited for the bucket")
	assert.Equal(t, []int{1}, seen, "while the other was in flight")
	assert.Len(t, f.sent(), 3)
}
