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

// failureLedger is a channeltest.Ledger that tells failures apart, as the
// Broadcaster's Ledger over a FailureStore does.
type failureLedger struct{ *channeltest.Ledger }

var _ broadcast.FailureLedger = failureLedger{}

func (l failureLedger) Failure(target string) (string, bool) {
	err, failed := l.Failed()[target]
	if !failed {
		return "", false
	}
	return err.Error(), true
}

// ledgers are the two kinds of Ledger a Send can get: one that tells
// failures apart, and one that only knows what is done.
func ledgers() map[string]func() (broadcast.Ledger, *channeltest.Ledger) {
	return map[string]func() (broadcast.Ledger, *channeltest.Ledger){
		"failure ledger": func() (broadcast.Ledger, *channeltest.Ledger) {
			l := channeltest.NewLedger()
			return failureLedger{l}, l
		},
		"plain ledger": func() (broadcast.Ledger, *channeltest.Ledger) {
			l := channeltest.NewLedger()
			return l, l
		},
	}
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
		plainNil  bool // a plain Ledger, counting done as delivered, gives nil
		permanent bool
	}{
		{"one delivered, one gone", []string{"/ok", "/gone"}, false, false, false, false},
		{"all gone", []string{"/gone", "/bad"}, false, true, false, true},
		{"a transient failure is left", []string{"/ok", "/gone", "/busy"}, false, true, false, false},
		{"delivered in an earlier attempt", []string{"/ok", "/gone"}, true, false, false, false},
		{"failed in an earlier attempt", []string{"/bad", "/gone"}, true, true, true, true},
	}
	for kind, newLedger := range ledgers() {
		for _, tt := range tests {
			t.Run(kind+"/"+tt.name, func(t *testing.T) {
				var eps []Endpoint
				for _, p := range tt.paths {
					eps = append(eps, rc.endpoint(p))
				}
				ch := newTestChannel(t, Config{Endpoints: eps}, nil)
				ledger, marks := newLedger()
				if tt.first {
					first := newTestChannel(t, Config{Endpoints: eps[:1]}, nil)
					_, _ = first.Send(context.Background(), msg(fullUpdate, ledger))
				}
				r, err := ch.Send(context.Background(), msg(fullUpdate, ledger))
				if !tt.wantErr || tt.plainNil && kind == "plain ledger" {
					require.NoError(t, err)
					assert.Equal(t, "1", r.Meta["failed"])
					require.NotEmpty(t, marks.Failed(), "the permanent failure goes to the Ledger")
					assert.Contains(t, marks.Failed()[targetOf(rc.endpoint("/gone").URL)].Error(),
						EndpointName(rc.endpoint("/gone").URL)+": http status 410 Gone")
					return
				}
				require.Error(t, err)
				assert.Equal(t, tt.permanent, broadcast.IsPermanent(err))
				var se *SendError
				require.ErrorAs(t, err, &se)
				if tt.permanent {
					assert.Len(t, se.Failures, len(tt.paths), "earlier failures are listed too")
				}
			})
		}
	}
}

func TestAllFailedEarlier(t *testing.T) {
	rc := newReceiver(t)
	rc.on("/gone", status(http.StatusGone))
	rc.on("/bad", status(http.StatusBadRequest))
	eps := []Endpoint{rc.endpoint("/gone"), rc.endpoint("/bad")}
	ch := newTestChannel(t, Config{Endpoints: eps}, nil)
	for kind, newLedger := range ledgers() {
		t.Run(kind, func(t *testing.T) {
			ledger, _ := newLedger()
			_, err := ch.Send(context.Background(), msg(fullUpdate, ledger))
			require.True(t, broadcast.IsPermanent(err))
			_, err = ch.Send(context.Background(), msg(fullUpdate, ledger))
			if kind == "plain ledger" {
				require.NoError(t, err, "done endpoints count as delivered earlier")
				return
			}
			require.Error(t, err)
			assert.True(t, broadcast.IsPermanent(err))
			require.ErrorIs(t, err, errFailedEarlier)
			var se *SendError
			require.ErrorAs(t, err, &se)
			require.Len(t, se.Failures, 2)
			assert.Equal(t, 1, se.Failures[1].Index)
			assert.True(t, se.Failures[1].Permanent)
			assert.EqualError(t, se.Failures[0].Err, "failed in an earlier attempt: http status 410 Gone")
			assert.Contains(t, err.Error(), "2 of 2 endpoints failed (0 transient, 2 permanent)")
			assert.Contains(t, err.Error(), EndpointName(eps[1].URL)+": failed in an earlier attempt: http status 400 Bad Request")
		})
	}
	assert.Equal(t, 2, rc.requests("/gone"), "not retried within one Ledger")
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

	rep, err := b.Send(context.Background(), fullUpdate)
	require.Error(t, err)
	res := rep.Results[0]
	assert.Equal(t, 2, res.Attempts)
	assert.True(t, broadcast.IsPermanent(res.Err))
	var se *SendError
	require.ErrorAs(t, res.Err, &se)
	require.Len(t, se.Failures, 2)
	assert.ErrorIs(t, se.Failures[0].Err, errFailedEarlier)
	assert.Contains(t, se.Failures[0].Err.Error(), "http status 410 Gone")
	assert.Contains(t, se.Failures[1].Err.Error(), "http status 403 Forbidden")
	assert.Len(t, res.Failures, 2)
	assert.Equal(t, 1, rc.requests("/gone"), "never retried")
}

func TestEachEndpointMarkedWhenItsPostEnds(t *testing.T) {
	rc := newReceiver(t)
	first, second := rc.endpoint("/first"), rc.endpoint("/second")
	ledger := channeltest.NewLedger()
	var markedBefore bool
	rc.on("/second", func(n int, w http.ResponseWriter, r *http.Request) bool {
		markedBefore = ledger.Done(targetOf(first.URL)) // read before the Send returns
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
	assert.Contains(t, err.Error(), "webhook: "+EndpointName(ep.URL)+": http status 404 Not Found: no hook at ")
	texts := printed(err)
	for _, ferr := range ledger.Failed() {
		texts = append(texts, fmt.Sprintf("%v", ferr), fmt.Sprintf("%+v", ferr), fmt.Sprintf("%#v", ferr))
	}
	texts = append(texts, fmt.Sprintf("%v", ch), fmt.Sprintf("%#v", Config{URL: ep.URL}))
	for _, text := range texts {
		assert.NotContains(t, text, token)
		assert.NotContains(t, text, "/services/")
	}
}
