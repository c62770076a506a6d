package webhook

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/redact"
)

// delivery is one request a receiver accepted.
type delivery struct {
	path   string
	id     string
	ts     string
	header http.Header
	body   []byte
}

// behaviour answers the n-th request (from 1) to a path, whose body it can
// read again; it reports whether it accepted the delivery (answered 2xx).
type behaviour func(n int, w http.ResponseWriter, r *http.Request) bool

func accept(_ int, w http.ResponseWriter, _ *http.Request) bool {
	w.WriteHeader(http.StatusNoContent)
	return true
}

// receiver is a webhook receiver: every path is an endpoint with its own
// secret (testSecret(path)), checked with a Verifier.
type receiver struct {
	t   *testing.T
	srv *httptest.Server

	mu       sync.Mutex
	behave   map[string]behaviour
	fallback behaviour
	hits     map[string]int
	got      []delivery
}

func newReceiver(t *testing.T) *receiver {
	rc := &receiver{t: t, behave: map[string]behaviour{}, fallback: accept, hits: map[string]int{}}
	rc.srv = httptest.NewServer(http.HandlerFunc(rc.serve))
	t.Cleanup(rc.srv.Close)
	return rc
}

// endpoint returns the Endpoint for path.
func (rc *receiver) endpoint(path string) Endpoint {
	return Endpoint{URL: redact.NewURL(rc.srv.URL + path), Secret: testSecret(path)}
}

func (rc *receiver) on(path string, b behaviour) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.behave[path] = b
}

func (rc *receiver) setFallback(b behaviour) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.fallback = b
}

func (rc *receiver) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body)) // for the behaviour
	v, err := NewVerifier(testSecret(r.URL.Path))
	if !assert.NoError(rc.t, err) {
		return
	}
	if err := v.Verify(r.Header, body); err != nil {
		rc.t.Errorf("receiver %s: %v", r.URL.Path, err)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	rc.mu.Lock()
	rc.hits[r.URL.Path]++
	n := rc.hits[r.URL.Path]
	b := rc.behave[r.URL.Path]
	if b == nil {
		b = rc.fallback
	}
	rc.mu.Unlock()
	if !b(n, w, r) {
		return
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.got = append(rc.got, delivery{path: r.URL.Path, id: r.Header.Get(HeaderID),
		ts: r.Header.Get(HeaderTimestamp), header: r.Header.Clone(), body: body})
}

// deliveries returns what was accepted, in order.
func (rc *receiver) deliveries() []delivery {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]delivery(nil), rc.got...)
}

// requests returns how many verified requests path received.
func (rc *receiver) requests(path string) int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.hits[path]
}
