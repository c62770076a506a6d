package webhook

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/redact"
)

// A Broadcaster over a webhook channel of several endpoints, sending
// hundreds of updates through failures, leaves nothing behind once it is
// closed: no worker, no idle connection (and its
// goroutines) of the channel's own client.
func TestSoakCloseLeavesNothingRunning(t *testing.T) {
	before := goleak.IgnoreCurrent()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		switch n.Add(1) % 11 {
		case 3:
			w.WriteHeader(http.StatusBadGateway)
		case 7:
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	var eps []Endpoint
	for i := range 4 {
		eps = append(eps, Endpoint{URL: redact.NewURL(fmt.Sprintf("%s/%d", srv.URL, i)), Secret: testSecret(fmt.Sprint(i))})
	}
	ch, err := New(Config{Endpoints: eps})
	require.NoError(t, err)
	b, err := broadcast.New([]broadcast.Channel{ch}, broadcast.Options{Retry: broadcast.RetryPolicy{
		MaxAttempts: 5, InitialInterval: time.Millisecond, MaxInterval: time.Millisecond}})
	require.NoError(t, err)
	for i := range 300 {
		u := broadcast.Update{ID: fmt.Sprintf("u-%d", i), IncidentID: fmt.Sprintf("inc-%d", i%50),
			Title: "Elevated errors", Status: broadcast.StatusInvestigating}
		_, err := b.Send(context.Background(), u)
		require.NoError(t, err)
	}
	require.NoError(t, b.Close())
	// Before the server closes its ends, which would end the client's
	// connections whether or not Close did.
	goleak.VerifyNone(t, before, goleak.IgnoreAnyFunction("net/http.(*conn).serve"),
		goleak.IgnoreAnyFunction("net/http/httptest.(*Server).goServe.func1"))
	srv.Close()
}
