package webhook

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/channels/internal/httpx"
	"github.com/outagecast/outagecast/redact"
)

var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// newTestChannel returns a channel for cfg whose clock reads *clock.
func newTestChannel(t *testing.T, cfg Config, clock *atomic.Int64) *Channel {
	ch, err := New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = ch.Close() })
	if clock != nil {
		ch.s.now = func() time.Time { return time.Unix(clock.Load(), 0) }
	}
	return ch
}

// msg returns the Message of the first attempt of u, with ledger (nil: the
// in-memory Ledger of NewMessage).
func msg(u broadcast.Update, ledger broadcast.Ledger) broadcast.Message {
	m := broadcast.NewMessage(u.WithDefaults(t0))
	if ledger != nil {
		m.Ledger = ledger
	}
	return m
}

// target is the Ledger target of ep.
func target(ep Endpoint) string { return EndpointName(ep.URL.Reveal()) }

// recorder wraps ch in a channel of the same name that keeps the Messages
// the Broadcaster hands it, whose Key is then known.
type recorder struct {
	mu   sync.Mutex
	msgs []broadcast.Message
}

func (r *recorder) wrap(ch broadcast.Channel) broadcast.Channel {
	return broadcast.ChannelFunc(ch.Name(), func(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		r.mu.Lock()
		r.msgs = append(r.msgs, m)
		r.mu.Unlock()
		return ch.Send(ctx, m)
	})
}

func (r *recorder) last() broadcast.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.msgs[len(r.msgs)-1]
}

func TestSendOneEndpoint(t *testing.T) {
	rc := newReceiver(t)
	ep := rc.endpoint("/hook")
	ch := newTestChannel(t, Config{Name: "hooks", URL: ep.URL, Secret: ep.Secret,
		Headers: map[string]redact.Secret{"x-tenant": redact.NewSecret("acme")}}, nil)
	m := msg(fullUpdate, channeltest.NewLedger())
	r, err := ch.Send(context.Background(), m)
	require.NoError(t, err)

	got := rc.deliveries()
	require.Len(t, got, 1)
	d := got[0]
	want, err := encode("hooks", m.Update)
	require.NoError(t, err)
	assert.Equal(t, string(want), string(d.body))
	assert.Equal(t, "application/json", d.header.Get("Content-Type"))
	assert.Equal(t, UserAgent, d.header.Get("User-Agent"))
	assert.Equal(t, "acme", d.header.Get("X-Tenant"))
	assert.Equal(t, m.Key(target(ep)), d.id, "webhook-id is Message.Key of the endpoint's target")
	assert.Equal(t, broadcast.Receipt{Channel: "hooks", ID: d.id, Time: r.Time,
		Meta: map[string]string{"endpoints": "1", "delivered": "1", "skipped": "0", "failed": "0",
			"incident_id": "cdn-errors"}}, r)
	assert.Equal(t, []string{target(ep)}, m.Ledger.(*channeltest.Ledger).Delivered())
}

// The webhook-id is Message.Key of the endpoint's target: the same on a
// retry, from another Channel (a restart, another instance) and for
// another Message of the same update; another for another update or
// endpoint. Through a Broadcaster, it is the Key of the Message it builds.
func TestWebhookIDIsTheKey(t *testing.T) {
	rc := newReceiver(t)
	eps := []Endpoint{rc.endpoint("/a"), rc.endpoint("/b")}
	cfg := Config{Name: "hooks", Endpoints: eps}
	first, second := newTestChannel(t, cfg, nil), newTestChannel(t, cfg, nil)
	m := msg(fullUpdate, nil)
	_, err := first.Send(context.Background(), m)
	require.NoError(t, err)
	_, err = second.Send(context.Background(), msg(fullUpdate, nil)) // after a restart
	require.NoError(t, err)
	other := fullUpdate
	other.ID = "u_other"
	_, err = first.Send(context.Background(), msg(other, nil))
	require.NoError(t, err)

	ids := map[string][]string{}
	for _, d := range rc.deliveries() {
		ids[d.path] = append(ids[d.path], d.id)
	}
	for _, ep := range eps {
		path := strings.TrimPrefix(ep.URL.Reveal(), rc.srv.URL)
		key := m.Key(target(ep))
		assert.Regexp(t, `^[0-9a-f]{32}$`, key)
		assert.Equal(t, []string{key, key, msg(other, nil).Key(target(ep))}, ids[path], "webhook-ids at %s", path)
	}
	assert.NotEqual(t, ids["/a"][0], ids["/b"][0], "per endpoint")
	assert.NotEqual(t, ids["/a"][0], ids["/a"][2], "per update")

	var rec recorder
	b, err := broadcast.New([]broadcast.Channel{rec.wrap(first)}, broadcast.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })
	u := sent
	u.ID = "u_broadcast"
	_, err = b.Send(context.Background(), u)
	require.NoError(t, err)
	got := rc.deliveries()
	for _, d := range got[len(got)-2:] {
		assert.Equal(t, rec.last().Key(target(Endpoint{URL: redact.NewURL(rc.srv.URL + d.path)})), d.id)
	}
}

func TestRetryKeepsIDAndBodyRefreshesTimestamp(t *testing.T) {
	rc := newReceiver(t)
	var bodies []string
	var ids, stamps []string
	var mu sync.Mutex
	rc.on("/hook", func(n int, w http.ResponseWriter, r *http.Request) bool {
		mu.Lock()
		ids = append(ids, r.Header.Get(HeaderID))
		stamps = append(stamps, r.Header.Get(HeaderTimestamp))
		mu.Unlock()
		if n == 1 {
			w.WriteHeader(http.StatusBadGateway)
			return false
		}
		return accept(n, w, r)
	})
	var clock atomic.Int64
	clock.Store(time.Now().Unix())
	ep := rc.endpoint("/hook")
	ch := newTestChannel(t, Config{URL: ep.URL, Secret: ep.Secret}, &clock)
	m := msg(fullUpdate, channeltest.NewLedger())
	_, err := ch.Send(context.Background(), m)
	require.Error(t, err)
	assert.False(t, broadcast.IsPermanent(err))

	clock.Add(90) // the retry comes 90s later
	m.Attempt = 2
	_, err = ch.Send(context.Background(), m)
	require.NoError(t, err)
	for _, d := range rc.deliveries() {
		bodies = append(bodies, string(d.body))
	}
	require.Len(t, ids, 2)
	assert.Equal(t, ids[0], ids[1], "webhook-id is stable across attempts")
	assert.Equal(t, m.Key(target(ep)), ids[0])
	first, _ := strconv.ParseInt(stamps[0], 10, 64)
	second, _ := strconv.ParseInt(stamps[1], 10, 64)
	assert.Equal(t, int64(90), second-first, "webhook-timestamp is refreshed per attempt")
	want, _ := encode(DefaultName, m.Update)
	assert.Equal(t, []string{string(want)}, bodies, "the retry sends the same body")
}

func TestLedgerLimitsRetryToEndpointsNotDone(t *testing.T) {
	rc := newReceiver(t)
	rc.on("/flaky", busyOnce)
	rc.on("/gone", func(_ int, w http.ResponseWriter, _ *http.Request) bool {
		w.WriteHeader(http.StatusGone)
		return false
	})
	paths := []string{"/a", "/flaky", "/b", "/gone"}
	var eps []Endpoint
	for _, p := range paths {
		eps = append(eps, rc.endpoint(p))
	}
	ch := newTestChannel(t, Config{Endpoints: eps}, nil)
	ledger := channeltest.NewLedger()
	m := msg(fullUpdate, ledger)

	_, err := ch.Send(context.Background(), m)
	require.Error(t, err)
	assert.False(t, broadcast.IsPermanent(err), "one endpoint may still succeed")
	var te *broadcast.TargetsError
	require.ErrorAs(t, err, &te)
	require.Len(t, te.Pending, 1)
	require.Len(t, te.Failures, 1)
	assert.Equal(t, target(eps[1]), te.Pending[0].Target)
	assert.Equal(t, target(eps[3]), te.Failures[0].Target)
	assert.Equal(t, http.StatusGone, StatusCode(te.Failures[0].Err))
	assert.Contains(t, err.Error(), "webhook: 2 of 4 targets not delivered (1 pending, 1 failed permanently)")
	assert.Contains(t, err.Error(), target(eps[3])+": the receiver asks that this endpoint be disabled: http status 410 Gone")
	assert.NotContains(t, err.Error(), "/gone")
	assert.ElementsMatch(t, []string{target(eps[0]), target(eps[2])}, ledger.Delivered())
	assert.Equal(t, []string{target(eps[3])}, slices.Collect(maps.Keys(ledger.Failed())))

	m.Attempt = 2
	r, err := ch.Send(context.Background(), m)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"endpoints": "4", "delivered": "1", "skipped": "3", "failed": "0",
		"incident_id": "cdn-errors"}, r.Meta)
	for _, p := range paths {
		want := map[string]int{"/flaky": 2}[p]
		assert.Equal(t, max(want, 1), rc.requests(p), "requests to %s", p)
	}
	assert.Len(t, rc.deliveries(), 3)
}

func TestEarlierPermanentFailuresReported(t *testing.T) {
	rc := newReceiver(t)
	var flaky atomic.Bool
	flaky.Store(true)
	rc.on("/flaky", func(n int, w http.ResponseWriter, r *http.Request) bool {
		if flaky.Swap(false) {
			w.WriteHeader(http.StatusServiceUnavailable)
			return false
		}
		return accept(n, w, r)
	})
	rc.on("/gone", func(_ int, w http.ResponseWriter, _ *http.Request) bool {
		w.WriteHeader(http.StatusGone)
		return false
	})
	ch := newTestChannel(t, Config{Endpoints: []Endpoint{rc.endpoint("/flaky"), rc.endpoint("/gone")}}, nil)
	b, err := broadcast.New([]broadcast.Channel{ch}, broadcast.Options{
		Retry: broadcast.RetryPolicy{InitialInterval: time.Millisecond}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })
	rep, err := b.Send(context.Background(), sent)
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err))
	res := rep.Results[0]
	assert.Equal(t, 2, res.Attempts)
	require.Len(t, res.Failures, 1)
	assert.Equal(t, target(rc.endpoint("/gone")), res.Failures[0].Target)
	assert.Equal(t, http.StatusGone, StatusCode(res.Failures[0].Err), "the status is found in the Result")
	assert.Contains(t, res.Failures[0].Err.Error(), "http status 410 Gone")
	assert.Contains(t, err.Error(), "1 failed permanently")
	assert.Equal(t, 1, rc.requests("/gone"), "never retried")
	assert.Equal(t, 2, rc.requests("/flaky"))
}

func TestRetryAfterHints(t *testing.T) {
	rc := newReceiver(t)
	limited := func(secs string) behaviour {
		return func(_ int, w http.ResponseWriter, _ *http.Request) bool {
			if secs != "" {
				w.Header().Set("Retry-After", secs)
			}
			w.WriteHeader(http.StatusTooManyRequests)
			return false
		}
	}
	rc.on("/10", limited("10"))
	rc.on("/30", limited("30"))
	rc.on("/none", limited(""))
	rc.on("/gone", func(_ int, w http.ResponseWriter, _ *http.Request) bool {
		w.Header().Set("Retry-After", "99")
		w.WriteHeader(http.StatusGone)
		return false
	})
	tests := []struct {
		name   string
		paths  []string
		want   time.Duration
		hinted bool
	}{
		{"one endpoint passes its hint", []string{"/10"}, 10 * time.Second, true},
		{"the largest hint wins", []string{"/10", "/none", "/30", "/gone", "/ok"}, 30 * time.Second, true},
		{"a rate limit without a hint waits RateLimitWait", []string{"/none", "/ok"}, httpx.RateLimitWait, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var eps []Endpoint
			for _, p := range tt.paths {
				eps = append(eps, rc.endpoint(p))
			}
			ch := newTestChannel(t, Config{Endpoints: eps}, nil)
			_, err := ch.Send(context.Background(), msg(fullUpdate, nil))
			require.Error(t, err)
			assert.False(t, broadcast.IsPermanent(err))
			d, hinted := broadcast.RetryDelay(err)
			assert.Equal(t, tt.hinted, hinted)
			assert.Equal(t, tt.want, d)
		})
	}
}

func TestErrorNamesAtMostFiveEndpoints(t *testing.T) {
	rc := newReceiver(t)
	rc.setFallback(func(_ int, w http.ResponseWriter, _ *http.Request) bool {
		w.WriteHeader(http.StatusNotFound)
		return false
	})
	var eps []Endpoint
	for i := range 8 {
		eps = append(eps, rc.endpoint(fmt.Sprintf("/e%d", i)))
	}
	ch := newTestChannel(t, Config{Endpoints: eps}, nil)
	ch.s.concurrency = 1 // the endpoints fail in order
	_, err := ch.Send(context.Background(), msg(fullUpdate, nil))
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err))
	assert.Contains(t, err.Error(), "webhook: 8 of 8 targets not delivered (0 pending, 8 failed permanently): ")
	assert.Contains(t, err.Error(), target(eps[4])+": http status 404 Not Found; and 3 more")
	assert.NotContains(t, err.Error(), target(eps[5]))
	var te *broadcast.TargetsError
	require.ErrorAs(t, err, &te)
	assert.Len(t, te.Failures, 8)
}

func TestConcurrencyIsBounded(t *testing.T) {
	var inFlight, peak atomic.Int64
	release := make(chan struct{})
	var once sync.Once
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
		}
		if n == 3 {
			// The bound is reached: let everyone go. Later requests may
			// reach 3 in flight again; the channel is closed once.
			once.Do(func() { close(release) })
		}
		<-release
	}))
	t.Cleanup(srv.Close)
	var eps []Endpoint
	for i := range 20 {
		eps = append(eps, Endpoint{URL: redact.NewURL(fmt.Sprintf("%s/e%d", srv.URL, i))})
	}
	ch := newTestChannel(t, Config{Endpoints: eps, AllowUnsigned: true, Concurrency: 3}, nil)
	r, err := ch.Send(context.Background(), msg(fullUpdate, nil))
	require.NoError(t, err)
	assert.Equal(t, "20", r.Meta["delivered"])
	assert.Equal(t, int64(3), peak.Load())
}

func TestUnsignedEndpointGetsNoSignature(t *testing.T) {
	var header http.Header
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		header = r.Header.Clone()
	}))
	t.Cleanup(srv.Close)
	ch := newTestChannel(t, Config{URL: redact.NewURL(srv.URL), AllowUnsigned: true}, nil)
	_, err := ch.Send(context.Background(), msg(fullUpdate, nil))
	require.NoError(t, err)
	assert.NotEmpty(t, header.Get(HeaderID))
	assert.NotEmpty(t, header.Get(HeaderTimestamp))
	assert.Empty(t, header.Get(HeaderSignature))
}

func TestCancelledSendPostsNothing(t *testing.T) {
	rc := newReceiver(t)
	ch := newTestChannel(t, Config{Endpoints: []Endpoint{rc.endpoint("/a"), rc.endpoint("/b")}}, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ledger := channeltest.NewLedger()
	_, err := ch.Send(ctx, msg(fullUpdate, ledger))
	require.ErrorIs(t, err, context.Canceled)
	assert.Empty(t, rc.deliveries())
	assert.Empty(t, ledger.Delivered())
	assert.Empty(t, ledger.Failed())
}

func TestStatusCode(t *testing.T) {
	assert.Equal(t, 410, StatusCode(fmt.Errorf("webhook: %w", broadcast.Permanent(&httpx.StatusError{Status: 410}))))
	assert.Zero(t, StatusCode(errors.New("post: connection refused")))
	assert.Zero(t, StatusCode(nil))
}

func TestPreview(t *testing.T) {
	ch := newTestChannel(t, Config{Name: "hooks", URL: redact.NewURL("https://h.example/"), Secret: testSecret("p")}, nil)
	ch.s.now = func() time.Time { return t0 }
	u := fullUpdate
	u.Overrides = map[string]string{"hooks": "Short text for hooks"}
	p, err := ch.Preview(u)
	require.NoError(t, err)
	want, _ := encode("hooks", u.WithDefaults(t0))
	assert.Equal(t, broadcast.Preview{Channel: "hooks", Text: string(want), Length: len(want), Unit: "bytes"}, p)
	assert.Contains(t, p.Text, `"body":"Short text for hooks"`)
	assert.NotContains(t, p.Text, "Rolling back", "the override replaces the body")
}
