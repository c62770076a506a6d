package webhook

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
)

var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// newTestChannel returns a channel for cfg whose clock reads *clock.
func newTestChannel(t *testing.T, cfg Config, clock *atomic.Int64) *Channel {
	ch, err := New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = ch.Close() })
	if clock != nil {
		ch.now = func() time.Time { return time.Unix(clock.Load(), 0) }
	}
	return ch
}

func msg(u broadcast.Update, ledger broadcast.Ledger) broadcast.Message {
	return broadcast.Message{Update: u.WithDefaults(t0), Attempt: 1, Ledger: ledger}
}

func TestSendOneEndpoint(t *testing.T) {
	rc := newReceiver(t)
	ep := rc.endpoint("/hook")
	ch := newTestChannel(t, Config{Name: "hooks", URL: ep.URL, Secret: ep.Secret,
		Headers: map[string]string{"x-tenant": "acme"}}, nil)
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
	assert.Equal(t, MessageID("u_full", ep.URL), d.id)
	assert.Equal(t, broadcast.Receipt{Channel: "hooks", ID: d.id, Time: r.Time,
		Meta: map[string]string{"endpoints": "1", "delivered": "1", "skipped": "0", "failed": "0"}}, r)
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
	first, _ := strconv.ParseInt(stamps[0], 10, 64)
	second, _ := strconv.ParseInt(stamps[1], 10, 64)
	assert.Equal(t, int64(90), second-first, "webhook-timestamp is refreshed per attempt")
	want, _ := encode(DefaultName, m.Update)
	assert.Equal(t, []string{string(want)}, bodies, "the retry sends the same body")
}

func TestLedgerLimitsRetryToEndpointsNotDone(t *testing.T) {
	rc := newReceiver(t)
	rc.on("/flaky", func(n int, w http.ResponseWriter, r *http.Request) bool {
		if n == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return false
		}
		return accept(n, w, r)
	})
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
	var se *SendError
	require.ErrorAs(t, err, &se)
	require.Len(t, se.Failures, 2)
	assert.Equal(t, EndpointFailure{Index: 1, URL: EndpointName(eps[1].URL), Permanent: false, Err: se.Failures[0].Err}, se.Failures[0])
	assert.Equal(t, 3, se.Failures[1].Index)
	assert.True(t, se.Failures[1].Permanent)
	assert.Contains(t, err.Error(), "2 of 4 endpoints failed (1 transient, 1 permanent)")
	assert.Contains(t, err.Error(), EndpointName(eps[3].URL)+": http status 410 Gone")
	assert.NotContains(t, err.Error(), "/gone")
	assert.ElementsMatch(t, []string{targetOf(eps[0].URL), targetOf(eps[2].URL)}, ledger.Delivered())
	assert.Len(t, ledger.Failed(), 1)

	m.Attempt = 2
	r, err := ch.Send(context.Background(), m)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"endpoints": "4", "delivered": "1", "skipped": "3", "failed": "0"}, r.Meta)
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
	rep, err := b.Send(context.Background(), fullUpdate)
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err))
	res := rep.Results[0]
	assert.Equal(t, 2, res.Attempts)
	require.Len(t, res.Failures, 1)
	assert.Contains(t, res.Failures[0].Err.Error(), "http status 410 Gone")
	assert.Contains(t, err.Error(), "1 target failed permanently")
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
		{"no hint", []string{"/none", "/ok"}, 0, false},
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
	_, err := ch.Send(context.Background(), msg(fullUpdate, nil))
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err))
	assert.Contains(t, err.Error(), "webhook: 8 of 8 endpoints failed (0 transient, 8 permanent): ")
	assert.Contains(t, err.Error(), EndpointName(eps[4].URL)+": http status 404 Not Found; and 3 more")
	assert.NotContains(t, err.Error(), EndpointName(eps[5].URL))
	var se *SendError
	require.ErrorAs(t, err, &se)
	assert.Len(t, se.Failures, 8)
}

func TestConcurrencyIsBounded(t *testing.T) {
	var inFlight, peak atomic.Int64
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
		}
		if n == 3 {
			close(release) // the bound is reached: let everyone go
		}
		<-release
	}))
	t.Cleanup(srv.Close)
	var eps []Endpoint
	for i := range 20 {
		eps = append(eps, Endpoint{URL: fmt.Sprintf("%s/e%d", srv.URL, i)})
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
	ch := newTestChannel(t, Config{URL: srv.URL, AllowUnsigned: true}, nil)
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

func TestSendErrorIs(t *testing.T) {
	e := &SendError{Endpoints: 2, Failures: []EndpointFailure{
		{URL: "https://a/", Err: fmt.Errorf("post: %w", context.DeadlineExceeded)},
		{URL: "https://b/", Permanent: true, Err: broadcast.Permanent(errors.New("x"))},
	}}
	assert.ErrorIs(t, e, context.DeadlineExceeded)
	assert.NotErrorIs(t, e, context.Canceled)
	assert.False(t, broadcast.IsPermanent(e), "one endpoint's mark does not leak out")
}

func TestPreview(t *testing.T) {
	ch := newTestChannel(t, Config{Name: "hooks", URL: "https://h.example/", Secret: testSecret("p")}, nil)
	u := fullUpdate
	u.Overrides = map[string]string{"hooks": "Short text for hooks"}
	p, err := ch.Preview(u)
	require.NoError(t, err)
	want, _ := encode("hooks", u)
	assert.Equal(t, broadcast.Preview{Channel: "hooks", Text: string(want), Length: len(want), Unit: "bytes"}, p)
	assert.Contains(t, p.Text, `"body":"Short text for hooks"`)
	assert.NotContains(t, p.Text, "Rolling back", "the override replaces the body")
}
