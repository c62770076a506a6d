package webhook

import (
	"context"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/redact"
)

// countingServer is an endpoint that counts the requests reaching its
// handler: a check must send none.
type countingServer struct {
	*httptest.Server
	hits atomic.Int64
}

func newCountingServer(t *testing.T, secure bool) *countingServer {
	s := &countingServer{}
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		s.hits.Add(1)
		w.WriteHeader(http.StatusNoContent)
	})
	s.Server = httptest.NewUnstartedServer(h)
	s.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are logged
	if secure {
		s.StartTLS()
	} else {
		s.Start()
	}
	t.Cleanup(s.Close)
	return s
}

// closedAddr returns a loopback address nothing listens on.
func closedAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return addr
}

func newCheckChannel(t *testing.T, client *http.Client, urls ...string) *Channel {
	cfg := Config{Name: "ops", AllowUnsigned: true, HTTPClient: client}
	for _, u := range urls {
		cfg.Endpoints = append(cfg.Endpoints, Endpoint{URL: redact.NewURL(u), Secret: testSecret(u)})
	}
	return newTestChannel(t, cfg, nil)
}

func TestCheckReachable(t *testing.T) {
	secure := newCountingServer(t, true)
	plain := newCountingServer(t, false)
	ch := newCheckChannel(t, secure.Client(), secure.URL+"/in/tok-3f9a8b7c6d5e4f3a", plain.URL+"/in", secure.URL+"/other")

	require.NoError(t, ch.Check(context.Background()))
	assert.Zero(t, secure.hits.Load()+plain.hits.Load(), "a check sends no request")
	assert.Equal(t, "3 endpoints: DNS, TCP; TLS for the 2 https", ch.CheckScope())

	var c broadcast.Channel = ch
	_, ok := c.(broadcast.Checker)
	assert.True(t, ok)
}

func TestCheckFailures(t *testing.T) {
	const token = "tok-5e4f3a2b1c0d9e8f7a6b"
	untrusted := newCountingServer(t, true)
	tests := []struct {
		name, url string
		want      []string
	}{
		{"closed port", "http://" + closedAddr(t) + "/hooks/" + token + "?key=" + token,
			[]string{"TCP connect: ", "connect"}},
		{"closed port with credentials", "https://user:" + token + "@" + closedAddr(t) + "/in",
			[]string{"TCP connect: "}},
		{"unresolvable host", "https://hooks.outagecast.invalid/in/" + token, []string{"DNS lookup: ", "hooks.outagecast.invalid"}},
		{"untrusted certificate", untrusted.URL + "/in/" + token, []string{"TLS handshake: ", "certificate"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ch := newCheckChannel(t, nil, tt.url)
			err := ch.Check(context.Background())
			require.Error(t, err)
			var ce *CheckError
			require.ErrorAs(t, err, &ce)
			require.Len(t, ce.Failures, 1)
			assert.True(t, strings.HasPrefix(err.Error(), "webhook: check: "+EndpointName(tt.url)+": "), err.Error())
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
			assert.NotContains(t, err.Error(), token, "no path, query or credentials")
			assert.NotContains(t, err.Error(), "/in")
		})
	}
	assert.Zero(t, untrusted.hits.Load(), "a check sends no request")
}

func TestCheckNamesEveryFailingEndpoint(t *testing.T) {
	ok := newCountingServer(t, false)
	a, b := "http://"+closedAddr(t)+"/a", "https://hooks.outagecast.invalid/b"
	ch := newCheckChannel(t, nil, a, ok.URL+"/in", b)
	err := ch.Check(context.Background())
	require.Error(t, err)
	msg := err.Error()
	assert.Contains(t, msg, "webhook: check: 2 of 3 endpoints unreachable: ")
	assert.Contains(t, msg, EndpointName(a)+": TCP connect: ")
	assert.Contains(t, msg, EndpointName(b)+": DNS lookup: ")
	assert.NotContains(t, msg, EndpointName(ok.URL+"/in"))
	assert.Zero(t, ok.hits.Load())
}

// The check dials through the client's Transport, at most Concurrency
// endpoints at a time.
func TestCheckDialsThroughTransportWithBound(t *testing.T) {
	srv := newCountingServer(t, false)
	var inflight, most atomic.Int64
	gate := make(chan struct{})
	var d net.Dialer
	tr := &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		n := inflight.Add(1)
		defer inflight.Add(-1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		select {
		case <-gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		return d.DialContext(ctx, network, srv.Listener.Addr().String())
	}}
	cfg := Config{Concurrency: 2, AllowUnsigned: true, HTTPClient: &http.Client{Transport: tr}}
	for _, host := range []string{"a", "b", "c", "d", "e"} {
		cfg.Endpoints = append(cfg.Endpoints, Endpoint{URL: redact.NewURL("http://" + host + ".hooks.test/in")})
	}
	ch := newTestChannel(t, cfg, nil)

	done := make(chan error, 1)
	go func() { done <- ch.Check(context.Background()) }()
	for i := range cfg.Endpoints {
		busy := int64(min(2, len(cfg.Endpoints)-i)) // as many dials as the bound lets start
		require.Eventually(t, func() bool { return inflight.Load() == busy }, time.Minute, time.Millisecond)
		gate <- struct{}{}
	}
	require.NoError(t, <-done)
	assert.EqualValues(t, 2, most.Load(), "at most Concurrency at once")
	assert.Zero(t, srv.hits.Load())
}

// An endpoint behind a proxy is checked up to the proxy, which is named
// without its credentials.
func TestCheckThroughProxy(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var accepted atomic.Int64
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			_ = c.Close()
		}
	})
	t.Cleanup(func() { _ = l.Close(); wg.Wait() })

	proxied := func(proxy string) *Channel {
		pu, err := url.Parse(proxy)
		require.NoError(t, err)
		client := &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(pu)}}
		return newCheckChannel(t, client, "https://hooks.outagecast.invalid/in")
	}
	ch := proxied("http://" + l.Addr().String())
	require.NoError(t, ch.Check(context.Background()), "the endpoint's own host is the proxy's to resolve")
	require.Eventually(t, func() bool { return accepted.Load() == 1 }, time.Minute, time.Millisecond,
		"the proxy was connected to")
	assert.Equal(t, "1 endpoint: DNS, TCP, TLS; 1 through a proxy, checked up to the proxy", ch.CheckScope())

	const pass = "proxy-pass-7c6d5e4f3a2b"
	addr := closedAddr(t)
	err = proxied("http://user:" + pass + "@" + addr).Check(context.Background())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "proxy "+addr+": TCP connect: ")
	assert.NotContains(t, err.Error(), pass)
}

// A Transport of another type cannot be dialed through: the check dials
// directly, and says so.
func TestCheckOpaqueTransport(t *testing.T) {
	srv := newCountingServer(t, false)
	client := &http.Client{Transport: roundTripFunc(func(*http.Request) (*http.Response, error) {
		t.Error("the check sent a request")
		return nil, io.EOF
	})}
	ch := newCheckChannel(t, client, srv.URL+"/in")
	require.NoError(t, ch.Check(context.Background()))
	assert.Contains(t, ch.CheckScope(), "dialed with default settings")
}

func TestCheckCancelled(t *testing.T) {
	srv := newCountingServer(t, false)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := newCheckChannel(t, nil, srv.URL+"/in").Check(ctx)
	require.ErrorIs(t, err, context.Canceled)
}

// An endpoint whose URL writes its scheme in upper case, "HTTPS://", is
// checked with a TLS handshake, and CheckScope says so: it went by the
// URL as written, and reported "DNS, TCP" alone for it.
func TestCheckScopeUpperCaseScheme(t *testing.T) {
	secure := newCountingServer(t, true)
	ch := newCheckChannel(t, secure.Client(), strings.Replace(secure.URL, "https://", "HTTPS://", 1)+"/in")
	require.NoError(t, ch.Check(context.Background()))
	assert.Equal(t, "1 endpoint: DNS, TCP, TLS", ch.CheckScope())
}
