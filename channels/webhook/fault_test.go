package webhook

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// failFirst fails the first n requests with status, then accepts.
func failFirst(n, status int, header ...string) behaviour {
	return func(i int, w http.ResponseWriter, r *http.Request) bool {
		if i > n {
			return accept(i, w, r)
		}
		for j := 0; j+1 < len(header); j += 2 {
			w.Header().Set(header[j], header[j+1])
		}
		w.WriteHeader(status)
		_, _ = fmt.Fprintf(w, `{"error":"status %d"}`, status)
		return false
	}
}

// always answers status on every request.
func always(status int, header ...string) behaviour { return failFirst(1<<30, status, header...) }

// hangFirst makes the first request wait until the client gives up.
func hangFirst(i int, w http.ResponseWriter, r *http.Request) bool {
	if i > 1 {
		return accept(i, w, r)
	}
	<-r.Context().Done()
	return false
}

// resetFirst drops the connection of the first request without an answer.
func resetFirst(i int, w http.ResponseWriter, r *http.Request) bool {
	if i > 1 {
		return accept(i, w, r)
	}
	conn, _, err := http.NewResponseController(w).Hijack()
	if err == nil {
		_ = conn.Close()
	}
	return false
}

func TestFaultsThroughBroadcaster(t *testing.T) {
	rc := newReceiver(t)
	good := map[string]behaviour{
		"/good-1": accept, "/good-2": accept, "/good-3": accept,
		"/500":     failFirst(1, http.StatusInternalServerError),
		"/503":     failFirst(2, http.StatusServiceUnavailable),
		"/502":     failFirst(1, http.StatusBadGateway),
		"/429":     failFirst(1, http.StatusTooManyRequests, "Retry-After", "1"),
		"/408":     failFirst(1, http.StatusRequestTimeout),
		"/timeout": hangFirst,
		"/reset":   resetFirst,
	}
	bad := map[string]behaviour{
		"/redirect": always(http.StatusFound, "Location", "https://elsewhere.example/"),
		"/400":      always(http.StatusBadRequest),
		"/404":      always(http.StatusNotFound),
		"/410":      always(http.StatusGone),
		"/501":      always(http.StatusNotImplemented),
		"/cred":     always(http.StatusForbidden),
	}
	var eps []Endpoint
	for _, set := range []map[string]behaviour{good, bad} {
		for path, b := range set {
			rc.on(path, b)
			eps = append(eps, rc.endpoint(path))
		}
	}
	const password, token = "pa55word", "tok-4bc"
	for i := range eps {
		if strings.HasSuffix(eps[i].URL, "/cred") {
			eps[i].URL = strings.Replace(eps[i].URL, "://", "://user:"+password+"@", 1) + "?token=" + token
		}
	}
	client := &http.Client{Timeout: 300 * time.Millisecond,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	t.Cleanup(client.CloseIdleConnections)
	ch, err := New(Config{Name: "hooks", Endpoints: eps, HTTPClient: client, Concurrency: 4})
	require.NoError(t, err)

	var mu sync.Mutex
	var events []broadcast.Event
	b, err := broadcast.New([]broadcast.Channel{ch}, broadcast.Options{
		Retry: broadcast.RetryPolicy{InitialInterval: 5 * time.Millisecond, MaxInterval: 20 * time.Millisecond},
		OnEvent: func(e broadcast.Event) {
			mu.Lock()
			defer mu.Unlock()
			events = append(events, e)
		},
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })

	u := fullUpdate
	u.ID = "u_faults"
	rep, err := b.Send(context.Background(), u)
	require.Error(t, err, "the permanent failures are reported")
	assert.True(t, broadcast.IsPermanent(err), "and nothing is left to retry")
	assert.Greater(t, rep.Results[0].Attempts, 1)
	assert.Len(t, rep.Results[0].Failures, len(bad), "one Result failure per bad endpoint")
	for _, f := range rep.Results[0].Failures {
		assert.Contains(t, f.Err.Error(), rc.srv.URL[len("http://"):], "a failure names its endpoint")
		assert.NotContains(t, f.Err.Error(), password)
		assert.NotContains(t, f.Err.Error(), token)
	}

	// Every good endpoint has exactly one delivery, under its stable id.
	byPath := map[string][]string{}
	for _, d := range rc.deliveries() {
		byPath[d.path] = append(byPath[d.path], d.id)
	}
	for path := range good {
		ep := rc.endpoint(path)
		assert.Equal(t, []string{MessageID(u.ID, ep.URL)}, byPath[path], "deliveries to %s", path)
	}
	// Every bad endpoint was tried once, never retried, and reported.
	var reported []EndpointFailure
	for _, e := range events {
		var se *SendError
		if e.Err != nil && errors.As(e.Err, &se) {
			for _, f := range se.Failures {
				if f.Permanent {
					reported = append(reported, f)
				}
			}
		}
	}
	for path := range bad {
		assert.Empty(t, byPath[path], "deliveries to %s", path)
		assert.Equal(t, 1, rc.requests(path), "requests to %s", path)
		n := 0
		for _, f := range reported {
			if strings.HasPrefix(f.URL, rc.srv.URL+path) || strings.Contains(f.URL, "@"+strings.TrimPrefix(rc.srv.URL, "http://")+path) {
				n++
			}
		}
		assert.Equal(t, 1, n, "permanent failure of %s reported once", path)
	}

	// No secret anywhere.
	leaks := []string{password, token}
	for _, ep := range eps {
		leaks = append(leaks, ep.Secret, strings.TrimPrefix(ep.Secret, "whsec_"))
	}
	for _, e := range events {
		if e.Err == nil {
			continue
		}
		texts := []string{fmt.Sprintf("%v", e.Err), fmt.Sprintf("%+v", e.Err), fmt.Sprintf("%#v", e.Err)}
		var se *SendError
		if errors.As(e.Err, &se) {
			texts = append(texts, fmt.Sprintf("%+v", se.Failures), fmt.Sprintf("%#v", se.Failures))
		}
		for _, text := range texts {
			for _, leak := range leaks {
				assert.NotContains(t, text, leak)
			}
		}
	}
	for _, f := range reported {
		if strings.HasSuffix(f.URL, "/cred?token=REDACTED") {
			assert.True(t, strings.HasPrefix(f.URL, "http://REDACTED@127.0.0.1:"), f.URL)
		}
	}
}
