package channeltest_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"testing"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/templates"
)

// poster stands for an adapter with many targets whose platform gives each
// post an id (Harness.Posts), as Slack's channels or Matrix rooms do: its
// receipt names every endpoint's post in Meta, keyed by the endpoint, each
// kept in the Ledger as it is made (broadcast.Fanout.Posted), and Retract
// deletes every post its receipt names.
type poster struct {
	name      string
	endpoints []string
	hub       *postHub
	// flaw breaks the poster for the suite's own tests; "" keeps every rule.
	flaw string
}

// The poster's flaws.
const (
	// receiptOfAttempt: the receipt names the posts of this attempt only,
	// not those the Ledger kept of the attempts before it.
	receiptOfAttempt = "receipt of attempt"
	// retryPostBare: a retry drops the ids of the posts it makes, and
	// keeps an empty receipt of each in the Ledger: no receipt names them.
	retryPostBare = "retry post bare"
)

var errPosterNotMade = broadcast.Permanent(errors.New("poster: not made by its constructor"))

func (p *poster) made() bool { return p != nil && p.hub != nil }

func (p *poster) Name() string {
	if p == nil {
		return ""
	}
	return p.name
}

// Send posts to every endpoint not done in an earlier attempt.
func (p *poster) Send(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	if !p.made() {
		return broadcast.Receipt{}, errPosterNotMade
	}
	text, err := templates.Default().Text(p.name, "short", m.Update, 0, nil)
	if err != nil {
		return broadcast.Receipt{}, broadcast.Permanent(fmt.Errorf("poster: render: %w", err))
	}
	f := broadcast.NewFanout(m, p.endpoints)
	var own broadcast.Receipt // this attempt's posts, for the flaw receiptOfAttempt
	for _, i := range f.Todo() {
		endpoint := p.endpoints[i]
		if err := ctx.Err(); err != nil {
			f.Report(i, fmt.Errorf("post: %w", err))
			continue
		}
		id, err := p.hub.post(endpoint, text)
		if err != nil {
			f.Report(i, err)
			continue
		}
		post := broadcast.Receipt{ID: id, Meta: map[string]string{endpoint: id}}
		if p.flaw == retryPostBare && m.Attempt > 1 {
			post = broadcast.Receipt{}
		}
		f.Posted(i, post)
		if own.Meta == nil {
			own.ID, own.Meta = id, map[string]string{}
		}
		own.Meta[endpoint] = id
	}
	r := f.Receipt()
	if p.flaw == receiptOfAttempt {
		r = own
	}
	r.Channel, r.Time = p.name, m.Update.Time
	return r, f.Err()
}

// Retract deletes every post prev names; a post already gone is fine.
func (p *poster) Retract(ctx context.Context, prev broadcast.Receipt) error {
	if !p.made() {
		return errPosterNotMade
	}
	for _, endpoint := range p.endpoints {
		id, ok := prev.Meta[endpoint]
		if !ok {
			continue
		}
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("poster: delete: %w", err)
		}
		if err := p.hub.remove(id); err != nil {
			return fmt.Errorf("poster: delete: %w", err)
		}
	}
	return nil
}

// postHub is the poster's platform: it numbers the posts, deletes them,
// and fails transiently as told, all endpoints at once or one by one.
type postHub struct {
	mu       sync.Mutex
	failure  channeltest.Failure
	failures map[string]channeltest.Failure // by endpoint
	posts    []channeltest.Delivery
}

// errUnavailable is the hub's transient failure, a 503.
var errUnavailable = errors.New("status 503")

func (h *postHub) post(endpoint, text string) (string, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.failure != channeltest.FailNone || h.failures[endpoint] != channeltest.FailNone {
		return "", errUnavailable
	}
	id := "post-" + strconv.Itoa(len(h.posts)+1)
	h.posts = append(h.posts, channeltest.Delivery{Text: text, Parts: []string{text}, ID: id, Target: endpoint})
	return id, nil
}

func (h *postHub) remove(id string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.failure != channeltest.FailNone {
		return errUnavailable
	}
	if i := slices.IndexFunc(h.posts, func(d channeltest.Delivery) bool { return d.ID == id }); i >= 0 {
		h.posts[i].Deleted = true
	}
	return nil
}

func (h *postHub) Received() []channeltest.Delivery {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.posts)
}

func (h *postHub) Fail(f channeltest.Failure) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.failure = f
}

func (h *postHub) FailTarget(endpoint string, f channeltest.Failure) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.failures == nil {
		h.failures = map[string]channeltest.Failure{}
	}
	h.failures[endpoint] = f
}

// posterHarness declares the poster's targets and posts: the rule that the
// posts are kept in the Ledger runs, with its Retract.
func posterHarness(flaw string) channeltest.Harness {
	endpoints := []string{"rooms.example.net/ops", "rooms.example.org/status", "rooms.example.com/noc"}
	return channeltest.Harness{
		New: func(t *testing.T) (broadcast.Channel, channeltest.Backend) {
			hub := &postHub{}
			return &poster{name: "status-rooms", endpoints: endpoints, hub: hub, flaw: flaw}, hub
		},
		Targets:  endpoints,
		Posts:    true,
		Failures: []channeltest.Failure{channeltest.FailTransient},
	}
}

// posterNotRun are the rules the poster's harness does not declare what
// they need for.
var posterNotRun = slices.Concat(checkPreviewOnly, ownClientOnly, closerOnly, reopenOnly, []string{
	"LengthLimitHolds", "ThreadReceiptUsed", "ThreadSurvivesRestart", "IdempotencyKeyStable", "RateLimitedTargetGivesRetryAfter",
	"FailedTargetNotRetried", "EditChangesPost", "EditErrorsLikeSend", "EditOfGonePost",
	"ReplyToGonePost", "RateLimitedGivesRetryAfter",
	"UnauthorizedIsPermanent", "RejectedIsPermanent", "NoSecretLeaks", "NoSecretInEchoedErrors",
	"NoSecretInEchoedSuccess", "RefusedSuccessIsUncertain", "ForeignAnswerIsPermanent",
	"UntrustedCertificateIsPermanent", "UntrustedTLSServerRefused",
})

// withoutRetract returns h with its channel's Send alone, as a poster
// that cannot delete its posts: only the Ledger and the receipt of a
// retry show which posts it made.
func withoutRetract(h channeltest.Harness) channeltest.Harness {
	inner := h.New
	h.New = func(t *testing.T) (broadcast.Channel, channeltest.Backend) {
		ch, be := inner(t)
		return broadcast.ChannelFunc(ch.Name(), ch.Send), be
	}
	return h
}
