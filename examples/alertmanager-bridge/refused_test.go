package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/internal/syncbuf"
)

// endpoints is a fake channel posting to several endpoints, each
// answering with the error of refuse (nil: it takes the post), and
// counting the posts each took and the attempts each had.
type endpoints struct {
	name    string
	targets []string
	refuse  map[string]error

	mu       sync.Mutex
	posted   map[string]int
	attempts map[string]int
}

func (e *endpoints) Name() string { return e.name }

func (e *endpoints) Send(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	f := broadcast.NewFanout(m, e.targets)
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.posted == nil {
		e.posted, e.attempts = map[string]int{}, map[string]int{}
	}
	for _, i := range f.Todo() {
		t := e.targets[i]
		e.attempts[t]++
		err := e.refuse[t]
		if err == nil {
			e.posted[t]++
		}
		f.Report(i, err)
	}
	return f.Receipt(), f.Err()
}

func (e *endpoints) counts() (posted, attempts map[string]int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return maps.Clone(e.posted), maps.Clone(e.attempts)
}

// bridgeLogging is bridge, logging to logs, and hiding secret from what
// it says as the configuration's redaction does.
func bridgeLogging(t *testing.T, logs *syncbuf.Buffer, secret string, chans ...broadcast.Channel) *httptest.Server {
	t.Helper()
	store := broadcast.NewMemoryStore()
	b, err := broadcast.New(chans, broadcast.Options{Retry: broadcast.RetryPolicy{MaxAttempts: 1}, Store: store})
	require.NoError(t, err)
	say := func(_, s string) string { return strings.ReplaceAll(s, secret, "REDACTED") }
	h := &handler{b: b, store: store, log: slog.New(slog.NewTextHandler(logs, nil)), say: say}
	srv := httptest.NewServer(h.routes())
	t.Cleanup(func() { srv.Close(); b.Close() })
	return srv
}

// When every channel that failed refused the notification for good (every
// endpoint answered 404 or 410, a chat's bot was removed), the answer was
// 500: Alertmanager retries a 5xx, over and over until the group's next
// flush, each retry reaching nothing, and then does it all again. The
// answer is 424, which Alertmanager does not retry and counts as a failed
// notification; its body, and the bridge's log, name the channels and why
// they refused, with secrets hidden.
func TestRefusedForGoodIsNotRetried(t *testing.T) {
	const secret = "tok-5f1e2d3c4b5a69788796"
	hooks := &endpoints{name: "hooks", targets: []string{"https://a.example/" + secret, "https://b.example"},
		refuse: map[string]error{
			"https://a.example/" + secret: broadcast.Permanent(errors.New("404 Not Found")),
			"https://b.example":           broadcast.Permanent(errors.New("410 Gone")),
		}}
	chat := &recorder{name: "chat"}
	chat.setFail(broadcast.Permanent(errors.New("403 bot removed from the room")))
	var logs syncbuf.Buffer
	srv := bridgeLogging(t, &logs, secret, hooks, chat)

	code, resp := post(t, srv, sample(t, "firing.json"))
	assert.Equal(t, http.StatusFailedDependency, code, "a 5xx makes Alertmanager send it again, to reach nothing again")
	require.Len(t, resp.Results, 2)
	for _, r := range resp.Results {
		assert.Equal(t, "failed", r.Outcome, r.Channel)
	}
	assert.Contains(t, resp.Results[0].Error, "404 Not Found")
	assert.Contains(t, resp.Results[0].Error, "410 Gone")
	assert.Contains(t, resp.Results[1].Error, "403 bot removed")
	assert.Contains(t, resp.Error, "hooks")
	assert.Contains(t, resp.Error, "chat")
	assert.Regexp(t, `level=ERROR msg="notification refused for good.*channels="hooks, chat"`, logs.String())
	for _, out := range []string{resp.Results[0].Error, logs.String()} {
		assert.NotContains(t, out, secret)
	}

	// Fixed, the channels get the group's next notification (Alertmanager
	// sends it again at the group's next flush, none having gone out).
	chat.setFail(nil)
	hooks.mu.Lock()
	hooks.refuse = nil
	hooks.mu.Unlock()
	code, resp = post(t, srv, sample(t, "firing.json"))
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, []string{"delivered", "delivered"}, outcomes(resp))
	assert.Len(t, chat.sent(), 1)
}

// A notification that one channel refused for good while another failed
// for a while is answered 500, so that Alertmanager sends it again for the
// one that may take it then; its retry delivers to that one, posts
// nothing again where it was delivered (a channel, or an endpoint of a
// channel whose other endpoint refused), and, only the refusal left, is
// answered 424.
func TestRefusedForGoodBesideATransientFailure(t *testing.T) {
	good, flaky := &recorder{name: "good"}, &recorder{name: "flaky"}
	flaky.setFail(errors.New("503 upstream down"))
	hooks := &endpoints{name: "hooks", targets: []string{"https://a.example", "https://b.example"},
		refuse: map[string]error{"https://b.example": broadcast.Permanent(errors.New("404 Not Found"))}}
	var logs syncbuf.Buffer
	srv := bridgeLogging(t, &logs, "unused-secret-0123456789", good, flaky, hooks)

	code, resp := post(t, srv, sample(t, "firing.json"))
	require.Equal(t, http.StatusInternalServerError, code, "Alertmanager sends it again for flaky")
	assert.Equal(t, []string{"delivered", "failed", "failed"}, outcomes(resp))
	assert.Empty(t, resp.Error)

	flaky.setFail(nil)
	code, resp = post(t, srv, sample(t, "firing.json")) // Alertmanager's retry
	require.Equal(t, http.StatusFailedDependency, code, "nothing a retry could reach is left")
	assert.Equal(t, []string{"skipped", "delivered", "failed"}, outcomes(resp))
	assert.Contains(t, resp.Results[2].Error, "404 Not Found")
	assert.Contains(t, resp.Error, "hooks")
	assert.NotContains(t, resp.Error, "flaky")

	assert.Len(t, good.sent(), 1, "the channel that delivered is not sent to again")
	assert.Len(t, flaky.sent(), 1)
	posted, attempts := hooks.counts()
	assert.Equal(t, map[string]int{"https://a.example": 1}, posted, "the endpoint that took it is not posted to again")
	assert.Equal(t, 2, attempts["https://b.example"], "the refusing endpoint is tried again")
}

func outcomes(r response) []string {
	var out []string
	for _, res := range r.Results {
		out = append(out, res.Outcome)
	}
	return out
}

// A channel whose delivery the request's end stopped (the -timeout, or
// Alertmanager giving up) is not taken for one that refused for good, even
// when its last attempt was refused: its retries were cut short.
func TestStoppedDeliveryIsRetried(t *testing.T) {
	for _, ctxErr := range []error{context.DeadlineExceeded, context.Canceled} {
		rep := &broadcast.Report{Results: []broadcast.Result{{Channel: "hooks",
			Err: fmt.Errorf("%w; last attempt: %w", ctxErr, broadcast.Permanent(errors.New("403 Forbidden")))}}}
		code, refused := answer(rep)
		assert.Equal(t, http.StatusInternalServerError, code, ctxErr)
		assert.Empty(t, refused)
	}
}
