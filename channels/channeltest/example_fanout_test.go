package channeltest_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/templates"
)

// relay stands for an adapter with many targets: it posts each update to
// several endpoints, each a Ledger target, authenticating with a shared
// secret and sending Message.Key(endpoint) as the idempotency key, as
// Standard Webhooks do. broadcast.NewFanout does its bookkeeping.
type relay struct {
	name      string
	secret    string
	endpoints []string
	hub       *fakeHub
	// keyFor is the idempotency key of m for endpoint; nil:
	// m.Key(endpoint). The broken channels of the suite's own tests change
	// it.
	keyFor func(m broadcast.Message, endpoint string) string
}

// relayConfig is the relay's configuration, as a user writes it.
type relayConfig struct {
	Name      string
	Endpoints []string
	Secret    secret
}

// errRelayNotMade is the error of every call of a relay not made by its
// constructor: a nil *relay, a zero relay (the NilOrZeroChannelFails
// rule).
var errRelayNotMade = broadcast.Permanent(errors.New("relay: not made by its constructor"))

func (r *relay) Name() string {
	if r == nil {
		return ""
	}
	return r.name
}

func (r *relay) Format(f fmt.State, _ rune) {
	if r == nil {
		_, _ = f.Write([]byte("relay (nil)"))
		return
	}
	_, _ = fmt.Fprintf(f, "relay %s", r.name)
}

func (r *relay) LogValue() slog.Value {
	if r == nil {
		return slog.StringValue("relay (nil)")
	}
	return slog.StringValue("relay " + r.name)
}

// Send posts to every endpoint not done in an earlier attempt.
func (r *relay) Send(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	if r == nil || r.hub == nil {
		return broadcast.Receipt{}, errRelayNotMade
	}
	text, err := templates.Default().Text(r.name, "short", m.Update, 0, nil)
	if err != nil {
		return broadcast.Receipt{}, broadcast.Permanent(fmt.Errorf("relay: render: %w", err))
	}
	f := broadcast.NewFanout(m, r.endpoints)
	for _, i := range f.Todo() {
		key := m.Key(r.endpoints[i])
		if r.keyFor != nil {
			key = r.keyFor(m, r.endpoints[i])
		}
		f.Report(i, r.post(ctx, r.endpoints[i], key, text))
	}
	return broadcast.Receipt{Channel: r.name, Time: m.Update.Time}, f.Err()
}

func (r *relay) post(ctx context.Context, endpoint, key, text string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("post: %w", err)
	}
	status := r.hub.post(r.secret, endpoint, key, text)
	err := fmt.Errorf("post: status %d", status)
	switch {
	case status == 200:
		return nil
	case status == 404: // the endpoints answer every request: a proxy's page
		return broadcast.Permanent(fmt.Errorf("%w, not the endpoint's answer: check Config.Endpoints", err))
	case status == 429:
		return broadcast.RetryAfter(err, 30*time.Second)
	case status >= 500:
		return err
	}
	return broadcast.Permanent(err)
}

// fakeHub is the endpoints' fake: each fails as told, all at once or one
// by one.
type fakeHub struct {
	mu       sync.Mutex
	secret   string
	failure  channeltest.Failure
	failures map[string]channeltest.Failure // by endpoint
	received []channeltest.Delivery
}

func (h *fakeHub) post(secret, endpoint, key, text string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	f := h.failure
	if f == channeltest.FailNone {
		f = h.failures[endpoint]
	}
	// FailEchoDelivered is a 200 like any other: the relay reads no body.
	switch status, ok := failStatus[f]; {
	case f == channeltest.FailEcho:
		return 400 // the relay reads no body, so an echo cannot reach its errors
	case f == channeltest.FailForeign:
		return 404
	case ok:
		return status
	case secret != h.secret:
		return 401
	}
	h.received = append(h.received, channeltest.Delivery{Text: text, Parts: []string{text}, Target: endpoint, Key: key})
	return 200
}

func (h *fakeHub) Received() []channeltest.Delivery {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.received)
}

func (h *fakeHub) Fail(f channeltest.Failure) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.failure = f
}

func (h *fakeHub) FailTarget(endpoint string, f channeltest.Failure) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.failures == nil {
		h.failures = map[string]channeltest.Failure{}
	}
	h.failures[endpoint] = f
}

const relaySecret = "whsec_MfKQ9r0GdRwY/Bq8fJ+3xw=="

// relayHarness declares the relay's targets: the fan-out rules run.
func relayHarness() channeltest.Harness {
	cfg := relayConfig{Name: "status-hooks", Secret: relaySecret,
		Endpoints: []string{"hooks.example.net/a1", "hooks.example.org/b2", "hooks.example.com/c3"}}
	return channeltest.Harness{
		New: func(t *testing.T) (broadcast.Channel, channeltest.Backend) {
			hub := &fakeHub{secret: relaySecret}
			return &relay{name: cfg.Name, secret: string(cfg.Secret), endpoints: cfg.Endpoints, hub: hub}, hub
		},
		Secrets: []string{relaySecret},
		Config:  cfg,
		Targets: cfg.Endpoints,
		Keyed:   true,
		Failures: []channeltest.Failure{channeltest.FailTransient, channeltest.FailRateLimited,
			channeltest.FailUnauthorized, channeltest.FailRejected, channeltest.FailEcho,
			channeltest.FailForeign, channeltest.FailEchoDelivered},
		ServerField: "Config.Endpoints",
	}
}

// A channel with many targets books them with broadcast.NewFanout; its
// harness declares them, and a back end that fails them one by one lets
// the suite check that a retry reaches only the targets still pending.
func Example_fanout() {
	h := relayHarness()
	ch, be := h.New(nil)
	hub := be.(channeltest.TargetBackend)
	m := broadcast.NewMessage(broadcast.Update{
		Title:  "Elevated error rates on the CDN",
		Status: broadcast.StatusInvestigating,
	})

	hub.FailTarget("hooks.example.org/b2", channeltest.FailTransient)
	_, err := ch.Send(context.Background(), m)
	fmt.Println(err)

	hub.FailTarget("hooks.example.org/b2", channeltest.FailNone)
	m.Attempt = 2
	_, err = ch.Send(context.Background(), m)
	fmt.Println(err)
	for _, d := range be.Received() {
		fmt.Println(d.Target, d.Key == m.Key(d.Target))
	}
	// Output:
	// 1 of 3 targets not delivered (1 pending, 0 failed permanently): hooks.example.org/b2: post: status 503
	// <nil>
	// hooks.example.net/a1 true
	// hooks.example.com/c3 true
	// hooks.example.org/b2 true
}
