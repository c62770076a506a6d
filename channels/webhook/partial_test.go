package webhook

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
)

// status answers code on every request.
func status(code int) behaviour {
	return func(_ int, w http.ResponseWriter, _ *http.Request) bool {
		w.WriteHeader(code)
		return false
	}
}

// busyOnce answers 503 to the first request, and accepts the others.
func busyOnce(n int, w http.ResponseWriter, r *http.Request) bool {
	if n == 1 {
		w.WriteHeader(http.StatusServiceUnavailable)
		return false
	}
	return accept(n, w, r)
}

func TestPartialSuccess(t *testing.T) {
	rc := newReceiver(t)
	rc.on("/ok", accept)
	rc.on("/gone", status(http.StatusGone))
	rc.on("/bad", status(http.StatusBadRequest))
	rc.on("/busy", status(http.StatusServiceUnavailable))
	tests := []struct {
		name      string
		paths     []string
		first     bool // an earlier attempt reaches the first endpoint alone
		wantErr   bool
		permanent bool
	}{
		{"one delivered, one gone", []string{"/ok", "/gone"}, false, false, false},
		{"all refused", []string{"/gone", "/bad"}, false, true, true},
		{"a transient failure is left", []string{"/ok", "/gone", "/busy"}, false, true, false},
		{"delivered in an earlier attempt", []string{"/ok", "/gone"}, true, false, false},
		{"failed in an earlier attempt", []string{"/bad", "/gone"}, true, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var eps []Endpoint
			for _, p := range tt.paths {
				eps = append(eps, rc.endpoint(p))
			}
			ch := newTestChannel(t, Config{Endpoints: eps}, nil)
			ledger := channeltest.NewLedger()
			if tt.first {
				first := newTestChannel(t, Config{Endpoints: eps[:1]}, nil)
				_, _ = first.Send(context.Background(), msg(fullUpdate, ledger))
			}
			r, err := ch.Send(context.Background(), msg(fullUpdate, ledger))
			gone := target(rc.endpoint("/gone"))
			require.Contains(t, ledger.Failed(), gone, "the permanent failure goes to the Ledger")
			assert.Equal(t, "the receiver asks that this endpoint be disabled: http status 410 Gone", ledger.Failed()[gone].Error())
			if !tt.wantErr {
				require.NoError(t, err)
				assert.Equal(t, "1", r.Meta["failed"])
				return
			}
			require.Error(t, err)
			assert.Equal(t, tt.permanent, broadcast.IsPermanent(err))
			var te *broadcast.TargetsError
			require.ErrorAs(t, err, &te)
			if tt.permanent {
				assert.Len(t, te.Failures, len(tt.paths), "earlier failures are listed too")
			}
		})
	}
}

func TestAllFailedEarlier(t *testing.T) {
	rc := newReceiver(t)
	rc.on("/gone", status(http.StatusGone))
	rc.on("/bad", status(http.StatusBadRequest))
	eps := []Endpoint{rc.endpoint("/gone"), rc.endpoint("/bad")}
	ch := newTestChannel(t, Config{Endpoints: eps}, nil)
	ledger := channeltest.NewLedger()
	_, err := ch.Send(context.Background(), msg(fullUpdate, ledger))
	require.True(t, broadcast.IsPermanent(err))
	_, err = ch.Send(context.Background(), msg(fullUpdate, ledger))
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err))
	var te *broadcast.TargetsError
	require.ErrorAs(t, err, &te)
	require.Len(t, te.Failures, 2)
	assert.Contains(t, err.Error(), "2 of 2 targets not delivered (0 pending, 2 failed permanently)")
	assert.Contains(t, err.Error(), target(eps[0])+": failed in an earlier attempt: the receiver asks that this endpoint be disabled: http status 410 Gone")
	assert.Contains(t, err.Error(), target(eps[1])+": failed in an earlier attempt: http status 400 Bad Request")
	assert.Equal(t, 1, rc.requests("/gone"), "not retried within one Ledger")
}

// Through a Broadcaster over a MemoryStore: one endpoint refused in the
// first attempt, beside a transient failure, and the other refused in the
// second. No endpoint ever got the update, so the Send fails with both.
func TestBroadcasterAllRefusedOverTwoAttempts(t *testing.T) {
	rc := newReceiver(t)
	rc.on("/gone", status(http.StatusGone))
	rc.on("/flaky", func(n int, w http.ResponseWriter, _ *http.Request) bool {
		w.WriteHeader(map[bool]int{true: http.StatusServiceUnavailable, false: http.StatusForbidden}[n == 1])
		return false
	})
	eps := []Endpoint{rc.endpoint("/gone"), rc.endpoint("/flaky")}
	ch := newTestChannel(t, Config{Endpoints: eps}, nil)
	b, err := broadcast.New([]broadcast.Channel{ch}, broadcast.Options{Store: broadcast.NewMemoryStore(),
		Retry: broadcast.RetryPolicy{InitialInterval: time.Millisecond}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })

	rep, err := b.Send(context.Background(), sent)
	require.Error(t, err)
	res := rep.Results[0]
	assert.Equal(t, 2, res.Attempts)
	assert.True(t, broadcast.IsPermanent(res.Err))
	var te *broadcast.TargetsError
	require.ErrorAs(t, res.Err, &te)
	require.Len(t, te.Failures, 2)
	failures := map[string]string{}
	for _, f := range te.Failures {
		failures[f.Target] = f.Err.Error()
	}
	assert.Equal(t, map[string]string{
		target(eps[0]): "failed in an earlier attempt: the receiver asks that this endpoint be disabled: http status 410 Gone",
		target(eps[1]): "http status 403 Forbidden",
	}, failures)
	assert.Len(t, res.Failures, 2)
	assert.Equal(t, 1, rc.requests("/gone"), "never retried")
}

func TestEachEndpointMarkedWhenItsPostEnds(t *testing.T) {
	rc := newReceiver(t)
	first, second := rc.endpoint("/first"), rc.endpoint("/second")
	ledger := channeltest.NewLedger()
	var markedBefore bool
	rc.on("/second", func(n int, w http.ResponseWriter, r *http.Request) bool {
		markedBefore, _ = ledger.Done(target(first)) // read before the Send returns
		return accept(n, w, r)
	})
	ch := newTestChannel(t, Config{Endpoints: []Endpoint{first, second}, Concurrency: 1}, nil)
	_, err := ch.Send(context.Background(), msg(fullUpdate, ledger))
	require.NoError(t, err)
	assert.True(t, markedBefore, "the first endpoint was marked before the second was posted to")
}

func TestPathTokenNeverShows(t *testing.T) {
	const token = "SECRETPATHTOKEN0123"
	rc := newReceiver(t)
	path := "/services/T000/" + token
	rc.on(path, func(_ int, w http.ResponseWriter, r *http.Request) bool {
		w.WriteHeader(http.StatusNotFound)
		_, _ = fmt.Fprintf(w, "no hook at http://%s%s (%s); token %s unknown", r.Host, r.URL.Path, r.URL.RequestURI(), token)
		return false
	})
	ep := rc.endpoint(path)
	ch := newTestChannel(t, Config{URL: ep.URL, Secret: ep.Secret}, nil)
	ledger := channeltest.NewLedger()
	_, err := ch.Send(context.Background(), msg(fullUpdate, ledger))
	require.Error(t, err)
	assert.Contains(t, err.Error(), target(ep)+": http status 404 Not Found: no hook at ")
	texts := append(reported(err, ledger), fmt.Sprintf("%v", ch), fmt.Sprintf("%#v", Config{URL: ep.URL}), fmt.Sprintf("%+v", ledger.Failed()))
	for _, text := range texts {
		assert.NotContains(t, text, token)
		assert.NotContains(t, text, "/services/")
	}
}
