package webhook

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/redact"
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

// hangTimeout sends requests with a transport of its own, and gives up
// on those to path after d: the client's timeout for them alone.
type hangTimeout struct {
	path string
	d    time.Duration
}

var hangTransport = sync.OnceValue(func() *http.Transport { return http.DefaultTransport.(*http.Transport).Clone() })

func (h hangTimeout) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Path != h.path {
		return hangTransport().RoundTrip(r)
	}
	ctx, cancel := context.WithTimeout(r.Context(), h.d)
	resp, err := hangTransport().RoundTrip(r.WithContext(ctx))
	if err != nil {
		cancel()
		return nil, err
	}
	resp.Body = cancelOnClose{resp.Body, cancel}
	return resp, nil
}

func (hangTimeout) CloseIdleConnections() { hangTransport().CloseIdleConnections() }

// cancelOnClose is a response body that ends its request's context when
// closed.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b cancelOnClose) Close() error {
	defer b.cancel()
	return b.ReadCloser.Close()
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
	// Webhook URLs carry tokens in their paths; none may show.
	const pathToken = "SECRETPATHTOKEN0123"
	prefix := "/services/T000/" + pathToken
	var eps []Endpoint
	var paths []string // paths[i] is eps[i]'s short path
	for _, set := range []map[string]behaviour{good, bad} {
		for path, b := range set {
			rc.on(prefix+path, b)
			eps = append(eps, rc.endpoint(prefix+path))
			paths = append(paths, path)
		}
	}
	const password, token = "pa55word", "tok-4bc"
	for i := range eps {
		if paths[i] == "/cred" {
			eps[i].URL = redact.NewURL(strings.Replace(eps[i].URL.Reveal(), "://", "://user:"+password+"@", 1) + "?token=" + token)
		}
	}
	// Only the request meant to hang waits for a timeout: a Timeout of the
	// client's, on every request, made an answer slower than it on a busy
	// machine a transient failure, and a permanent refusal two requests.
	client := &http.Client{Transport: hangTimeout{path: prefix + "/timeout", d: 300 * time.Millisecond},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	t.Cleanup(client.CloseIdleConnections)
	ch, err := New(Config{Name: "hooks", Endpoints: eps, HTTPClient: client, Concurrency: 4})
	require.NoError(t, err)
	var rec recorder

	var mu sync.Mutex
	var events []broadcast.Event
	b, err := broadcast.New([]broadcast.Channel{rec.wrap(ch)}, broadcast.Options{
		Retry: broadcast.RetryPolicy{InitialInterval: 5 * time.Millisecond, MaxInterval: 20 * time.Millisecond},
		OnEvent: func(e broadcast.Event) {
			mu.Lock()
			defer mu.Unlock()
			events = append(events, e)
		},
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })

	u := sent
	u.ID = "u_faults"
	rep, err := b.Send(context.Background(), u)
	require.Error(t, err, "the permanent failures are reported")
	assert.True(t, broadcast.IsPermanent(err), "and nothing is left to retry")
	var te *broadcast.TargetsError
	require.ErrorAs(t, err, &te, "the good endpoints got the update: only targets failed")
	res := rep.Results[0]
	assert.Greater(t, res.Attempts, 1)
	assert.Equal(t, strconv.Itoa(len(eps)), res.Receipt.Meta["endpoints"], "the last attempt's receipt is kept")
	byTarget := map[string]int{}
	for i, ep := range eps {
		byTarget[target(ep)] = i
	}
	var failed []string
	for _, f := range res.Failures {
		i, ok := byTarget[f.Target]
		require.True(t, ok, "failure of an unknown target %s", f.Target)
		failed = append(failed, paths[i])
		assert.NotZero(t, StatusCode(f.Err), "%s: a status error", paths[i])
	}
	assert.ElementsMatch(t, slices.Collect(maps.Keys(bad)), failed, "one Result failure per bad endpoint")

	mu.Lock()
	firstSend := len(events)
	mu.Unlock()
	again, againErr := b.Send(context.Background(), u)
	require.Error(t, againErr, "a resend tries again the endpoints that refused, and they refuse again")
	assert.True(t, broadcast.IsPermanent(againErr))
	assert.False(t, again.Results[0].Skipped)
	assert.Len(t, again.Results[0].Failures, len(bad))
	assert.Empty(t, again.Results[0].Delivered, "the good endpoints are not sent to again")

	// Every good endpoint has exactly one delivery, under its stable id.
	byPath := map[string][]string{}
	for _, d := range rc.deliveries() {
		byPath[d.path] = append(byPath[d.path], d.id)
	}
	for i, path := range paths {
		if _, ok := good[path]; ok {
			assert.Equal(t, []string{rec.last().Key(target(eps[i]))}, byPath[prefix+path], "deliveries to %s", path)
		}
	}
	// Every bad endpoint was tried once by each Send, never retried within
	// one, and reported once by the first: in the attempt that refused
	// it, then as failed earlier; the delivered Event sums up the failures
	// of the whole Send.
	var reported []broadcast.TargetFailure
	for _, e := range events[:firstSend] {
		var te *broadcast.TargetsError
		if e.Kind != broadcast.EventDelivered && e.Err != nil && errors.As(e.Err, &te) {
			for _, f := range te.Failures {
				if !strings.HasPrefix(f.Err.Error(), "failed in an earlier attempt") {
					reported = append(reported, f)
				}
			}
		}
	}
	for path := range bad {
		assert.Empty(t, byPath[prefix+path], "deliveries to %s", path)
		assert.Equal(t, 2, rc.requests(prefix+path), "requests to %s, one per Send", path)
		n := 0
		for _, f := range reported {
			if paths[byTarget[f.Target]] == path {
				n++
				assert.Regexp(t, `^http://127\.0\.0\.1:\d+/…(\?…)?#[0-9a-f]{12}$`, f.Target)
			}
		}
		assert.Equal(t, 1, n, "permanent failure of %s reported once", path)
	}

	// No secret anywhere: not in the error, the Result, the events.
	leaks := []string{password, token, pathToken, "T000"}
	for _, ep := range eps {
		leaks = append(leaks, ep.Secret.Reveal(), strings.TrimPrefix(ep.Secret.Reveal(), "whsec_"))
	}
	texts := printed(err)
	texts = append(texts, printed(res.Err)...)
	texts = append(texts, fmt.Sprintf("%v", res.Failures), fmt.Sprintf("%+v", res.Failures), fmt.Sprintf("%#v", res.Failures))
	for _, f := range res.Failures {
		texts = append(texts, printed(f.Err)...)
	}
	for _, e := range events {
		if e.Err != nil {
			texts = append(texts, printed(e.Err)...)
		}
	}
	for _, text := range texts {
		for _, leak := range leaks {
			assert.NotContains(t, text, leak)
		}
	}
}
