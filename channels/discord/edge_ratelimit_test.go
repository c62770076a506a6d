package discord

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/httpx"
)

// edgeHeader is the header of an answer of Discord's edge (Cloudflare)
// itself, with the Content-Type of its page: no X-RateLimit-* field, as
// the request never reached Discord's API.
func edgeHeader(contentType string, more ...string) map[string]string {
	h := map[string]string{"Content-Type": contentType, "Server": "cloudflare", "CF-RAY": "8f1c2d3e4a5b6c7d-FRA"}
	for i := 0; i+1 < len(more); i += 2 {
		h[more[i]] = more[i+1]
	}
	return h
}

// edgeRateLimitPlain is the short form of Cloudflare's error 1015 that
// clients other than browsers get (discord/discord-api-docs issue 5385:
// "error code: 1015").
const edgeRateLimitPlain = "error code: 1015"

// edgeFirewallBlock is Cloudflare's page for its error 1020, a firewall
// rule's refusal of the address: no rate limit, and nothing says it
// passes.
const edgeFirewallBlock = `<!DOCTYPE html><html><head><title>Attention Required! | Cloudflare</title></head>` +
	`<body><h1><span data-translate="error">Error</span><span>1020</span></h1>` +
	`<h2 data-translate="blocked_why_headline">Access denied</h2>` +
	`<p>This website is using a security service to protect itself from online attacks.</p></body></html>`

// Discord restricts an IP address for a while after too many invalid
// requests (401, 403, 429: 10,000 in 10 minutes), its edge (Cloudflare)
// answering with its error 1015, "You are being rate limited"
// (https://discord.com/developers/docs/topics/rate-limits#invalid-request-limit-aka-cloudflare-bans),
// as an HTML page, or as "error code: 1015" to a client that is no
// browser, with Retry-After (30 s unless the rule sets its own). Such an
// answer, with 403, is a rate limit that passes with time: transient,
// after Retry-After, else the wait of a rate limit that names none.
// Before, it failed for good, as a refusal of the webhook. The edge's
// other refusals (a firewall rule's error 1020) and Discord's own 403
// (50013 Missing Permissions) stay permanent.
func TestEdgeRateLimitIsTransient(t *testing.T) {
	for _, tc := range []struct {
		name      string
		answer    canned
		transient bool
		wait      time.Duration
	}{
		{"1015 page with Retry-After", canned{status: 403, body: cloudflareBlock,
			header: edgeHeader("text/html; charset=UTF-8", "Retry-After", "120")}, true, 120 * time.Second},
		{"1015 page without Retry-After", canned{status: 403, body: cloudflareBlock,
			header: edgeHeader("text/html; charset=UTF-8")}, true, httpx.RateLimitWait},
		{"1015 plain with Retry-After", canned{status: 403, body: edgeRateLimitPlain,
			header: edgeHeader("text/plain; charset=UTF-8", "Retry-After", "30")}, true, 30 * time.Second},
		{"1015 plain as 429", canned{status: 429, body: edgeRateLimitPlain,
			header: edgeHeader("text/plain; charset=UTF-8")}, true, httpx.RateLimitWait},
		{"1020 firewall block", canned{status: 403, body: edgeFirewallBlock,
			header: edgeHeader("text/html; charset=UTF-8")}, false, 0},
		{"Missing Permissions", canned{status: 403, body: `{"message": "Missing Permissions", "code": 50013}`}, false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, fakeOptions{})
			ch := newChannel(t, f, nil)
			f.answer(tc.answer)
			_, err := ch.Send(context.Background(), broadcast.NewMessage(fullUpdate))
			require.Error(t, err)
			assert.NotContains(t, err.Error(), testToken)
			assert.Contains(t, err.Error(), "http status "+map[int]string{403: "403 Forbidden", 429: "429 Too Many Requests"}[tc.answer.status])
			if !tc.transient {
				assert.True(t, broadcast.IsPermanent(err), "%v", err)
				return
			}
			assert.False(t, broadcast.IsPermanent(err), "%v", err)
			if tc.answer.status == 403 { // a 429 says it is a rate limit already
				assert.Contains(t, err.Error(), "Discord's edge (Cloudflare) blocks the IP address the request came from for a while (error 1015, rate limited)")
			}
			assert.NotContains(t, err.Error(), "Config.WebhookURL")
			d, ok := broadcast.RetryDelay(err)
			assert.True(t, ok, "a rate limit names its wait: %v", err)
			assert.Equal(t, tc.wait, d)
		})
	}
}

// The edge's rate limit is of the IP address, not of a route: every
// request from it is refused until it lifts, and counts as one more
// invalid request. The next request, to another route, waits for it, as
// for Discord's global rate limit.
func TestEdgeRateLimitHoldsEveryRoute(t *testing.T) {
	f := newFake(t, fakeOptions{})
	ch := newChannel(t, f, nil)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ch.s.now = func() time.Time { return now }
	root := send(t, ch, fullUpdate, broadcast.Thread{})
	f.answer(canned{status: 403, body: cloudflareBlock, header: edgeHeader("text/html; charset=UTF-8", "Retry-After", "30")})
	_, err := ch.Send(context.Background(), broadcast.NewMessage(resolvedUpdate))
	require.Error(t, err)
	n := len(f.sent())

	var waits []time.Duration
	ch.s.sleep = func(_ context.Context, d time.Duration) error {
		waits = append(waits, d)
		now = now.Add(d)
		return nil
	}
	require.NoError(t, ch.Retract(context.Background(), root))
	assert.Equal(t, []time.Duration{30 * time.Second}, waits, "the deletion, another route, waited")
	assert.Greater(t, len(f.sent()), n)
}

// A request held back by a hold of every route says what holds it: the
// edge's ban of the IP address (Cloudflare's error 1015), for how long, or
// Discord's global rate limit; not the webhook's bucket, which no answer
// said was used up. Before, every hold was worded "the webhook's bucket is
// used up for … more", sending the operator after the wrong limit.
func TestHoldOfEveryRouteNamesWhyItHolds(t *testing.T) {
	for _, tc := range []struct {
		name   string
		answer canned
		want   []string
	}{
		{"edge ban", canned{status: 403, body: cloudflareBlock,
			header: edgeHeader("text/html; charset=UTF-8", "Retry-After", "120")},
			[]string{"Discord's edge (Cloudflare)", "error 1015", "for 2m0s more"}},
		{"edge ban, plain, as 429", canned{status: 429, body: edgeRateLimitPlain,
			header: edgeHeader("text/plain; charset=UTF-8", "Retry-After", "90")},
			[]string{"Discord's edge (Cloudflare)", "error 1015", "for 1m30s more"}},
		{"global limit", canned{status: 429, header: map[string]string{"X-RateLimit-Global": "true"},
			body: `{"message": "You are being rate limited.", "retry_after": 75, "global": true}`},
			[]string{"Discord's global rate limit", "for 1m15s more"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, fakeOptions{})
			ch := newChannel(t, f, nil)
			now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			ch.s.now = func() time.Time { return now }
			root := send(t, ch, fullUpdate, broadcast.Thread{})
			f.answer(tc.answer)
			_, err := ch.Send(context.Background(), broadcast.NewMessage(resolvedUpdate))
			require.Error(t, err)
			n := len(f.sent())

			// The wait does not fit the attempt: not begun, the request
			// not made.
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			m := broadcast.NewMessage(resolvedUpdate)
			m.Thread = broadcast.Thread{Root: root, Last: root}
			_, err = ch.Send(ctx, m)
			require.Error(t, err)
			assert.Equal(t, n, len(f.sent()), "no request while every route is held")
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
			assert.NotContains(t, err.Error(), "bucket")
			assert.NotContains(t, err.Error(), testToken)

			// A wait the context ends says so too, for a route no answer
			// placed in a bucket yet.
			ctx2, cancel2 := context.WithCancel(context.Background())
			defer cancel2()
			ch.s.sleep = func(ctx context.Context, d time.Duration) error {
				cancel2()
				return ctx.Err()
			}
			err = ch.Retract(ctx2, root)
			require.Error(t, err)
			assert.Equal(t, n, len(f.sent()))
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
			assert.NotContains(t, err.Error(), "bucket")
		})
	}
}

// A request held back by the edge's ban, whose wait outlasts the ban
// because a later hold came meanwhile (the webhook's bucket, used up by
// another request's answer), names the limit that holds it then: when
// that wait ends before its time, its error names the webhook's bucket,
// not the ban that ended. Before, the limit was named once, before the
// first wait, and the error said the edge's ban held the request.
func TestHoldNamedAfterTheBanEnds(t *testing.T) {
	f := newFake(t, fakeOptions{})
	ch := newChannel(t, f, nil)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ch.s.now = func() time.Time { return now }
	send(t, ch, fullUpdate, broadcast.Thread{})
	f.answer(canned{status: 403, body: cloudflareBlock, header: edgeHeader("text/html; charset=UTF-8", "Retry-After", "120")})
	_, err := ch.Send(context.Background(), broadcast.NewMessage(fullUpdate))
	require.Error(t, err)
	n := len(f.sent())

	// An answer named the route's bucket.
	ch.s.limits.note(nil, route("POST", ""), http.Header{"X-Ratelimit-Bucket": {"abcd1234"}, "X-Ratelimit-Remaining": {"4"}}, nil, now)
	key, known := ch.s.limits.key(route("POST", ""))
	require.True(t, known, "the route's bucket is known")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var waits []time.Duration
	ch.s.sleep = func(ctx context.Context, d time.Duration) error {
		waits = append(waits, d)
		if len(waits) == 1 {
			// The ban ends; meanwhile an answer said the bucket is used
			// up for 30s more.
			now = now.Add(d)
			ch.s.limits.limits.Hold(key, now, 30*time.Second)
			return nil
		}
		cancel()
		return ctx.Err()
	}
	_, err = ch.Send(ctx, broadcast.NewMessage(resolvedUpdate))
	require.Error(t, err)
	assert.Equal(t, []time.Duration{120 * time.Second, 30 * time.Second}, waits)
	assert.Equal(t, n, len(f.sent()), "not requested")
	assert.Contains(t, err.Error(), "the webhook's bucket is used up for 30s more")
	assert.NotContains(t, err.Error(), "1015")
	assert.NotContains(t, err.Error(), "Cloudflare")
}
