package webhook

import (
	"context"
	"fmt"
	"net/http"
	"testing"

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
		{"all gone", []string{"/gone", "/bad"}, false, true, true},
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
			if !tt.wantErr {
				require.NoError(t, err)
				assert.Equal(t, "1", r.Meta["failed"])
				require.Len(t, ledger.Failed(), 1, "the permanent failure goes to the Ledger")
				for _, ferr := range ledger.Failed() {
					assert.Contains(t, ferr.Error(), EndpointName(rc.endpoint("/gone").URL)+": http status 410 Gone")
				}
				return
			}
			require.Error(t, err)
			assert.Equal(t, tt.permanent, broadcast.IsPermanent(err))
			var se *SendError
			require.ErrorAs(t, err, &se)
		})
	}
}

func TestAllFailedEarlier(t *testing.T) {
	rc := newReceiver(t)
	rc.on("/gone", status(http.StatusGone))
	ch := newTestChannel(t, Config{Endpoints: []Endpoint{rc.endpoint("/gone")}}, nil)
	ledger := channeltest.NewLedger()
	_, err := ch.Send(context.Background(), msg(fullUpdate, ledger))
	require.True(t, broadcast.IsPermanent(err))
	_, err = ch.Send(context.Background(), msg(fullUpdate, ledger))
	require.ErrorIs(t, err, errAllFailedEarlier)
	assert.True(t, broadcast.IsPermanent(err))
	assert.Equal(t, 1, rc.requests("/gone"), "not retried")
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
