package webhook

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/redact"
)

// panicTransport is a Config.HTTPClient's Transport with a bug: a wrapper
// whose base transport was left nil, say.
type panicTransport struct{ value any }

func (p panicTransport) RoundTrip(*http.Request) (*http.Response, error) { panic(p.value) }

// A panic in Config.HTTPClient's Transport fails that endpoint for good,
// with an error saying so, whichever goroutine of the Send made the
// request: with several endpoints, the other workers' goroutines, where
// nothing recovers a panic, ended the process instead of failing the
// delivery, as a panic in Send does under a Broadcaster. A panic's value
// other than a runtime error is not quoted: it may hold the request, and
// its secrets.
func TestTransportPanicFailsEndpoint(t *testing.T) {
	for _, tc := range []struct {
		name  string
		value any
		want  string
	}{
		{"runtime error", nil, "nil pointer dereference"},
		{"other value", "Bearer " + "s3cr3t-token", "panicked"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			value := tc.value
			if value == nil {
				var p *http.Request
				func() {
					defer func() { value = recover() }()
					_ = p.URL // a nil pointer dereference
				}()
			}
			// net/http's timer of a request whose Transport panicked runs
			// until the client's Timeout: a short one, for goleak.
			client := &http.Client{Transport: panicTransport{value}, Timeout: time.Millisecond}
			cfg := Config{Name: "ops", Concurrency: 4, HTTPClient: client}
			for _, u := range []string{"https://a.example/in", "https://b.example/in", "https://c.example/in"} {
				cfg.Endpoints = append(cfg.Endpoints, Endpoint{URL: redact.NewURL(u), Secret: testSecret(u)})
			}
			ch, err := New(cfg)
			require.NoError(t, err)
			_, err = ch.Send(context.Background(), broadcast.NewMessage(fullUpdate))
			require.Error(t, err)
			assert.True(t, broadcast.IsPermanent(err), "every endpoint failed for good: %v", err)
			var te *broadcast.TargetsError
			require.True(t, errors.As(err, &te), "%v", err)
			assert.Len(t, te.Failures, 3)
			for _, f := range te.Failures {
				assert.ErrorContains(t, f.Err, "panicked")
				assert.ErrorContains(t, f.Err, tc.want)
				assert.NotContains(t, f.Err.Error(), "s3cr3t")
			}
		})
	}
}

// A panic in what Check dials with, the Transport's DialContext here (or
// its Proxy, DialTLSContext, or a callback of its TLSClientConfig), fails
// that endpoint's check, permanently, rather than end the process from one
// of Check's goroutines.
func TestCheckDialPanicFailsEndpoint(t *testing.T) {
	tr := &http.Transport{DialContext: func(_ context.Context, _, addr string) (net.Conn, error) {
		ports := strings.Split(addr, ":")
		return nil, errors.New(ports[len(ports)]) // a panic: index out of range
	}}
	ch := newCheckChannel(t, &http.Client{Transport: tr}, "https://a.example/in", "http://b.example/in")
	err := ch.Check(context.Background())
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err), "%v", err)
	var ce *CheckError
	require.True(t, errors.As(err, &ce), "%v", err)
	require.Len(t, ce.Failures, 2)
	for _, f := range ce.Failures {
		assert.ErrorContains(t, f.Err, "panicked")
		assert.ErrorContains(t, f.Err, "index out of range")
	}
}

// hostPanicTransport panics, with value, in a request to host, and answers
// every other with 204.
type hostPanicTransport struct {
	host  string
	value any
}

func (p hostPanicTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Host == p.host {
		panic(p.value)
	}
	return &http.Response{StatusCode: http.StatusNoContent, Body: http.NoBody, Header: http.Header{}, Request: r}, nil
}

// panicValues are a runtime error and a value quoting a secret, which no
// error may show.
func panicValues() map[string]any {
	var re any
	func() {
		defer func() { re = recover() }()
		var p *http.Request
		_ = p.URL // a nil pointer dereference
	}()
	return map[string]any{"runtime error": re, "other value": "Authorization: Bearer s3cr3t-token"}
}

// A panic in the request to one endpoint, in whichever of the Send's
// goroutines it runs, fails that endpoint for good, and the others get
// the update.
func TestTransportPanicFailsOnlyThatEndpoint(t *testing.T) {
	for name, value := range panicValues() {
		t.Run(name, func(t *testing.T) {
			// net/http's timer of a request whose Transport panicked runs
			// until the client's Timeout: a short one, for goleak (the
			// others' answers, at once and without a body, beat it).
			ch := fourEndpoints(t, &http.Client{Transport: hostPanicTransport{"b.example", value}, Timeout: time.Millisecond})
			ledger := channeltest.NewLedger()
			m := broadcast.NewMessage(fullUpdate)
			m.Ledger = ledger
			_, err := ch.Send(context.Background(), m)
			require.NoError(t, err, "the others were delivered; the Ledger records the failure")
			assert.Equal(t, []string{"a.example", "c.example", "d.example"}, hosts(ledger.Delivered()))
			require.Len(t, ledger.Failed(), 1)
			for target, ferr := range ledger.Failed() {
				assert.Equal(t, []string{"b.example"}, hosts([]string{target}))
				assert.ErrorContains(t, ferr, "post: panicked")
				assert.NotContains(t, ferr.Error(), "s3cr3t")
			}
		})
	}
}

// fourEndpoints is a channel of four endpoints, a.example to d.example,
// posted to at once (four workers) through client.
func fourEndpoints(t *testing.T, client *http.Client) *Channel {
	t.Helper()
	cfg := Config{Name: "ops", Concurrency: 4, HTTPClient: client}
	for _, u := range []string{"https://a.example/in", "https://b.example/in", "https://c.example/in", "https://d.example/in"} {
		cfg.Endpoints = append(cfg.Endpoints, Endpoint{URL: redact.NewURL(u), Secret: testSecret(u)})
	}
	ch, err := New(cfg)
	require.NoError(t, err)
	return ch
}

// panickyLedger is a caller-built Ledger with a bug in MarkDelivered for
// every target but one.
type panickyLedger struct {
	*channeltest.Ledger
	spared string
}

func (l panickyLedger) MarkDelivered(target string) error {
	if !strings.Contains(target, l.spared) {
		panic("ledger bug: " + target)
	}
	return l.Ledger.MarkDelivered(target)
}

// barrierTransport answers 204 once n requests are in flight together:
// each of n workers then has one.
type barrierTransport struct {
	mu      sync.Mutex
	n       int
	arrived chan struct{}
}

func (b *barrierTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	b.mu.Lock()
	if b.n--; b.n == 0 {
		close(b.arrived)
	}
	b.mu.Unlock()
	<-b.arrived
	return &http.Response{StatusCode: http.StatusNoContent, Body: http.NoBody, Header: http.Header{}, Request: r}, nil
}

// A panic in a caller-built Ledger, which the Send's workers call in
// goroutines of their own, is raised in the goroutine that called Send
// once the workers ended, as if the Send had made it there, rather than
// end the process; the other endpoints get the update all the same.
func TestLedgerPanicRaisedInTheCaller(t *testing.T) {
	// Four endpoints, four workers, one request each: three of them (one
	// at least in a goroutine of the Send's) mark in a Ledger that panics.
	ch := fourEndpoints(t, &http.Client{Transport: &barrierTransport{n: 4, arrived: make(chan struct{})}})
	ledger := channeltest.NewLedger()
	m := broadcast.NewMessage(fullUpdate)
	m.Ledger = panickyLedger{ledger, "a.example"}
	var raised any
	func() {
		defer func() { raised = recover() }()
		_, _ = ch.Send(context.Background(), m)
	}()
	require.NotNil(t, raised, "the panic reaches the caller")
	assert.Equal(t, "webhook: panicked", fmt.Sprint(raised), "a value other than a runtime error is not shown")
	assert.Equal(t, []string{"a.example"}, hosts(ledger.Delivered()))
}

// hosts returns the hosts of Ledger targets ("https://a.example/…#…"),
// sorted.
func hosts(targets []string) []string {
	var hs []string
	for _, t := range targets {
		h, _, _ := strings.Cut(strings.TrimPrefix(t, "https://"), "/")
		hs = append(hs, h)
	}
	slices.Sort(hs)
	return hs
}
