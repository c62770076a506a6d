package channeltest_test

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/templates"
)

// chat stands for an adapter: it posts each update as one message of at
// most chatLimit characters to a chat platform that threads replies.
type chat struct {
	name  string
	token string // secret: kept out of errors and printing
	api   *fakeChat
}

const chatLimit = 500

func (c *chat) Name() string { return c.name }

func (c *chat) String() string { return "chat " + c.name }
func (c *chat) GoString() string {
	return "&chat{name: " + strconv.Quote(c.name) + ", token: REDACTED}"
}
func (c *chat) LogValue() slog.Value { return slog.StringValue(c.String()) }

// Send renders, posts once and classifies the platform's answer.
func (c *chat) Send(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	text, err := templates.Default().Text(c.name, "short", m.Update, chatLimit, templates.Runes)
	if err != nil {
		return broadcast.Receipt{}, broadcast.Permanent(fmt.Errorf("chat: render: %w", err))
	}
	if err := ctx.Err(); err != nil { // where a real adapter's HTTP request would fail
		return broadcast.Receipt{}, fmt.Errorf("chat: post: %w", err)
	}
	status, id := c.api.post(c.token, text, m.Thread.ID)
	err = fmt.Errorf("chat: post: status %d", status)
	switch {
	case status == 200:
		return broadcast.Receipt{Channel: c.name, ID: id, Time: m.Update.Time}, nil
	case status == 429:
		return broadcast.Receipt{}, broadcast.RetryAfter(err, time.Minute)
	case status >= 500:
		return broadcast.Receipt{}, err
	default:
		return broadcast.Receipt{}, broadcast.Permanent(err)
	}
}

// fakeChat is the platform's fake: it answers with the status each
// channeltest.Failure stands for and records what it accepts.
type fakeChat struct {
	mu       sync.Mutex
	token    string
	failure  channeltest.Failure
	received []channeltest.Delivery
}

var failStatus = map[channeltest.Failure]int{
	channeltest.FailTransient:    503,
	channeltest.FailRateLimited:  429,
	channeltest.FailUnauthorized: 401,
	channeltest.FailRejected:     400,
}

func (f *fakeChat) post(token, text, replyTo string) (status int, id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if token != f.token {
		return 401, ""
	}
	if status, ok := failStatus[f.failure]; ok {
		return status, ""
	}
	f.received = append(f.received, channeltest.Delivery{Text: text, Parts: []string{text}, ReplyTo: replyTo})
	return 200, "msg-" + strconv.Itoa(len(f.received))
}

func (f *fakeChat) Received() []channeltest.Delivery {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.received)
}

func (f *fakeChat) Fail(failure channeltest.Failure) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failure = failure
}

// chatHarness is what a test passes to channeltest.Run:
//
//	func TestConformance(t *testing.T) { channeltest.Run(t, chatHarness()) }
func chatHarness() channeltest.Harness {
	const token = "tok-3f9a7c1e"
	return channeltest.Harness{
		New: func(t *testing.T) (broadcast.Channel, channeltest.Backend) {
			api := &fakeChat{token: token}
			return &chat{name: "ops-chat", token: token, api: api}, api
		},
		Secrets:   []string{token},
		MaxLength: chatLimit,
		Threads:   true,
		Failures: []channeltest.Failure{channeltest.FailTransient, channeltest.FailRateLimited,
			channeltest.FailUnauthorized, channeltest.FailRejected},
	}
}

// An adapter's test wires the adapter to a fake of its platform and hands
// both to channeltest.Run. The fake records what it accepted and fails on
// demand; here it is exercised by hand.
func Example() {
	h := chatHarness()
	api := &fakeChat{token: h.Secrets[0]}
	ch := &chat{name: "ops-chat", token: h.Secrets[0], api: api}
	m := broadcast.Message{Attempt: 1, Update: broadcast.Update{
		Title:  "Elevated error rates on the CDN",
		Status: broadcast.StatusInvestigating,
		URL:    "https://status.example.com/incidents/42",
	}}

	r, err := ch.Send(context.Background(), m)
	fmt.Println(r.ID, err, api.Received()[0].Text)

	api.Fail(channeltest.FailRateLimited)
	_, err = ch.Send(context.Background(), m)
	wait, _ := broadcast.RetryDelay(err)
	fmt.Println(err, "- retry in", wait)

	fmt.Println(ch, h.Failures)
	// Output:
	// msg-1 <nil> Investigating: Elevated error rates on the CDN https://status.example.com/incidents/42
	// chat: post: status 429 - retry in 1m0s
	// chat ops-chat [transient rate-limited unauthorized rejected]
}
