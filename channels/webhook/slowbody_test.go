package webhook

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/channels/internal/httpx"
)

// Bodies that follow a status line: slower, longer or more endless than
// any attempt.
var slowBodies = map[string]func(w http.ResponseWriter, r *http.Request){
	// one byte a second until the client goes away
	"trickle": func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			if _, err := io.WriteString(w, "x"); err != nil || rc.Flush() != nil {
				return
			}
			select {
			case <-r.Context().Done():
				return
			case <-tick.C:
			}
		}
	},
	// the start of a body that never ends
	"endless": func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `{"error":"overloaded","detail":"`)
		_ = http.NewResponseController(w).Flush()
		<-r.Context().Done()
	},
	// 128 MiB, as fast as the client takes it
	"huge": func(w http.ResponseWriter, _ *http.Request) {
		chunk := []byte(strings.Repeat("y", 32<<10))
		for range 1 << 12 {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	},
}

// statusThen answers status, then sends body; it accepts on a 2xx.
func statusThen(status int, body func(http.ResponseWriter, *http.Request)) behaviour {
	return func(_ int, w http.ResponseWriter, r *http.Request) bool {
		w.WriteHeader(status)
		body(w, r)
		return status/100 == 2
	}
}

// countBodyReads makes ch's client count the response body bytes read.
func countBodyReads(ch *Channel) *atomic.Int64 {
	var n atomic.Int64
	base := ch.s.client.Transport
	ch.s.client.Transport = roundTripFunc(func(req *http.Request) (*http.Response, error) {
		resp, err := base.RoundTrip(req)
		if err == nil {
			resp.Body = &countingBody{ReadCloser: resp.Body, n: &n}
		}
		return resp, err
	})
	return &n
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(req *http.Request) (*http.Response, error) { return f(req) }

type countingBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n.Add(int64(n))
	return n, err
}

// slowTestChannel returns a channel for eps whose body wait is short and an
// attempt long: a test that passes shows the wait at work.
func slowTestChannel(t *testing.T, eps []Endpoint) *Channel {
	ch := newTestChannel(t, Config{Name: "hooks", Endpoints: eps}, nil)
	ch.s.bodyWait = 50 * time.Millisecond
	return ch
}

// sendThrough sends u through a Broadcaster that would retry twice, and
// returns its report, the retries it announced and its error.
func sendThrough(t *testing.T, ch *Channel, store broadcast.Store, u broadcast.Update) (*broadcast.Report, int, error) {
	var retries atomic.Int64
	b, err := broadcast.New([]broadcast.Channel{ch}, broadcast.Options{
		Retry:          broadcast.RetryPolicy{MaxAttempts: 3, InitialInterval: 5 * time.Millisecond, MaxInterval: 20 * time.Millisecond},
		AttemptTimeout: 3 * time.Second,
		Store:          store,
		OnEvent: func(e broadcast.Event) {
			if e.Kind == broadcast.EventRetry {
				retries.Add(1)
			}
		},
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })
	rep, err := b.Send(context.Background(), u)
	return rep, int(retries.Load()), err
}

func TestTwoHundredWithSlowBodyIsDelivered(t *testing.T) {
	for name, body := range slowBodies {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			rc := newReceiver(t)
			rc.on("/slow", statusThen(http.StatusOK, body))
			ep := rc.endpoint("/slow")
			ch := slowTestChannel(t, []Endpoint{ep})
			read := countBodyReads(ch)
			store := broadcast.NewMemoryStore()
			u := sent
			u.ID = "u_slow_" + name

			rep, retries, err := sendThrough(t, ch, store, u)
			require.NoError(t, err)
			res := rep.Results[0]
			require.NoError(t, res.Err, "the Result says delivered")
			assert.Equal(t, 1, res.Attempts)
			assert.Zero(t, retries)
			assert.Equal(t, "1", res.Receipt.Meta["delivered"])
			done, failure, err := store.Done(context.Background(), u.ID, "hooks", target(ep))
			require.NoError(t, err)
			assert.True(t, done, "the endpoint is marked in the Ledger")
			assert.Empty(t, failure, "marked delivered, not failed")
			assert.LessOrEqual(t, read.Load(), int64(responseLimit+1), "bytes read of the body")

			assert.Equal(t, 1, rc.requests("/slow"), "POSTs")
			rc.srv.Close() // waits for the handler, which records the delivery
			assert.Len(t, rc.deliveries(), 1)
		})
	}
}

func TestSlowBodiesAmongManyEndpoints(t *testing.T) {
	rc := newReceiver(t)
	paths := []string{"/fast-1", "/fast-2"}
	for name, body := range slowBodies {
		rc.on("/"+name, statusThen(http.StatusAccepted, body))
		paths = append(paths, "/"+name)
	}
	var eps []Endpoint
	for _, p := range paths {
		eps = append(eps, rc.endpoint(p))
	}
	ch := slowTestChannel(t, eps)
	ch.s.concurrency = 2 // endpoints wait for a slow one's worker

	rep, retries, err := sendThrough(t, ch, broadcast.NewMemoryStore(), sent)
	assert.NoError(t, err)
	res := rep.Results[0]
	assert.NoError(t, res.Err)
	assert.Equal(t, 1, res.Attempts)
	assert.Zero(t, retries)
	assert.Equal(t, "5", res.Receipt.Meta["delivered"])
	for _, p := range paths {
		assert.Equal(t, 1, rc.requests(p), "POSTs to %s", p)
	}
	rc.srv.Close() // waits for the handlers, which record the deliveries
	byPath := map[string]int{}
	for _, d := range rc.deliveries() {
		byPath[d.path]++
	}
	for _, p := range paths {
		assert.Equal(t, 1, byPath[p], "deliveries to %s", p)
	}
}

func TestErrorWithEndlessBodyIsTransient(t *testing.T) {
	rc := newReceiver(t)
	rc.on("/busy", statusThen(http.StatusServiceUnavailable, slowBodies["endless"]))
	ep := rc.endpoint("/busy")
	ch := slowTestChannel(t, []Endpoint{ep})
	ledger := channeltest.NewLedger()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	_, err := ch.Send(ctx, msg(fullUpdate, ledger))
	require.Error(t, err)
	require.NoError(t, ctx.Err(), "classified before the attempt ended")
	assert.False(t, broadcast.IsPermanent(err), "503 is transient")
	var te *broadcast.TargetsError
	require.ErrorAs(t, err, &te)
	require.Len(t, te.Pending, 1)
	assert.Empty(t, te.Failures)
	var se *httpx.StatusError
	require.ErrorAs(t, te.Pending[0].Err, &se, "classified by its status, not a timeout")
	assert.Equal(t, http.StatusServiceUnavailable, se.Status)
	assert.Equal(t, `{"error":"overloaded","detail":"`, se.Snippet, "with what arrived of the body")
	done, _ := ledger.Done(target(ep))
	assert.False(t, done, "not marked: a retry reaches it")
	assert.Equal(t, 1, rc.requests("/busy"))
}
