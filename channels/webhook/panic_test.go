package webhook

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
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
