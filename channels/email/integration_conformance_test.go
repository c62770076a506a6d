//go:build integration

package email_test

import (
	"crypto/rand"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/channels/email"
)

// TestMailpitConformance runs the conformance suite against a real
// Mailpit, reading what it received through its REST API
// (https://mailpit.axllent.org/docs/api-v1/), with its chaos triggers
// (https://mailpit.axllent.org/docs/integration/chaos/) for the failures
// it can answer. Each channel New makes sends from an address of its own,
// and its back end sees only the messages from that address (Mailpit's
// search, https://mailpit.axllent.org/docs/usage/search-filters/): a
// fresh back end for every rule, without deleting the mail of other
// tests, and without a message a rule's channel had under way when it
// closed (CloseDuringSends) landing in the next rule's count.
//
// A back end's Fail must fail every request from then on. Mailpit's
// chaos triggers fail every AUTH, MAIL FROM or RCPT TO alike, whatever
// the recipient, and the recipients it refuses on its own ("bounce…",
// 550) are refused from its start to its end: it cannot fail one
// recipient and then take it again, as the suite's per-target rules
// (RetryReachesOnlyPendingTargets, FailedTargetNotRetried) do with
// TargetBackend.FailTarget, which a harness with Harness.Targets listing
// FailTransient or FailRejected runs. And a 535 to AUTH fails only the
// connections the channel dials, not one it keeps authenticated from an
// earlier Send (as a real server that stopped taking the credentials
// does), so FailUnauthorized holds only for a channel that keeps none
// (Config.IdleTimeout negative). The suite therefore runs three times,
// each harness listing the failures Mailpit can inject for it: one
// recipient, with 451 to RCPT TO (FailTransient) and 550 to MAIL FROM
// (FailRejected); two recipients, with none; and two recipients on a
// connection per Send, with 535 to AUTH (FailUnauthorized). The in-process
// fake server (TestConformance) checks the per-target rules and the
// failures Mailpit cannot answer: its chaos replies have a fixed text
// ("451 Chaos recipient error") with no rate limit in it
// (FailRateLimited) nor the credentials it received (FailEcho,
// FailEchoDelivered), and it is no other server (FailForeign); nor can
// Mailpit take the certificate UntrustedTLSServerRefused (Harness.TLS)
// makes, having its own from its start.
func TestMailpitConformance(t *testing.T) {
	mp := dialMailpit(t)
	run := strings.ToLower(rand.Text()[:10]) // this run's senders, apart from an earlier run's
	var made atomic.Int32
	for _, tt := range []struct {
		name     string
		to       []string
		idle     time.Duration // Config.IdleTimeout
		failures []channeltest.Failure
	}{
		{name: "one recipient", to: []string{"alice@example.net"},
			failures: []channeltest.Failure{channeltest.FailTransient, channeltest.FailRejected}},
		{name: "two recipients", to: []string{"alice@example.net", "bob@example.org"}},
		{name: "two recipients, a connection per Send", to: []string{"alice@example.net", "bob@example.org"}, idle: -1,
			failures: []channeltest.Failure{channeltest.FailUnauthorized}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			config := func(from string) email.Config {
				cfg := mailpitConfig(mp, from, tt.to)
				cfg.IdleTimeout = tt.idle
				return cfg
			}
			var targets []string
			if len(tt.to) > 1 {
				targets = tt.to
			}
			channeltest.Run(t, channeltest.Harness{
				New: func(t *testing.T) (broadcast.Channel, channeltest.Backend) {
					be := newMailpitBackend(t, mp, fmt.Sprintf("status-%s-%03d@example.com", run, made.Add(1)))
					return newChannel(t, config(be.sender)), be
				},
				Reopen: func(t *testing.T, be channeltest.Backend) broadcast.Channel {
					return newChannel(t, config(be.(*mailpitBackend).sender))
				},
				Secrets:         []string{mp.cfg.Password.Reveal()},
				CredentialField: "Config.Username and Config.Password", // FailUnauthorized's 535 to AUTH
				Config:          config("status@example.com"),
				ThreadsTo:       channeltest.Last,
				Targets:         targets,
				Failures:        tt.failures,
			})
		})
	}
}

// mailpitConfig is the Config of a channel to Mailpit sending from from to
// the recipients to, as its user writes it.
func mailpitConfig(mp *mailpit, from string, to []string) email.Config {
	cfg := mp.cfg
	cfg.From = "Example Status <" + from + ">"
	cfg.To = to
	// As in TestConformance: Timeout bounds a hang only, longer than the
	// suite's own hang detector (30s a call), which names the call that
	// hung; TenConcurrentSends dials up to 20 connections at once, each
	// with a TLS handshake and AUTH, under the race detector.
	cfg.Timeout = 2 * time.Minute
	return cfg
}

// mailpitBackend is a channeltest.Backend on Mailpit: the messages it
// holds from one sender, one Delivery each, oldest first.
type mailpitBackend struct {
	mp     *mailpit // its t is the one of the rule that made the back end
	sender string

	mu   sync.Mutex
	seen map[string]channeltest.Delivery // by Mailpit's message ID
}

func newMailpitBackend(t *testing.T, base *mailpit, sender string) *mailpitBackend {
	mp := *base
	mp.t = t
	b := &mailpitBackend{mp: &mp, sender: sender, seen: map[string]channeltest.Delivery{}}
	// Registered before the channel's Close, so run after it: no chaos
	// trigger outlives the rule, and its mail goes.
	t.Cleanup(func() {
		b.Fail(channeltest.FailNone)
		mp.do(http.MethodDelete, "/api/v1/search?query="+url.QueryEscape(b.query()), nil)
	})
	return b
}

func (b *mailpitBackend) query() string { return "from:" + b.sender }

// Received maps each message as the fake server's backend does: Text is
// the subject and the text part, Parts the text part, ID the Message-ID
// and ReplyTo the In-Reply-To header, and Target the one recipient the
// message names. Mailpit lists a message's envelope recipients that its
// header does not name as Bcc, so a copy that went to another recipient
// than its To shows two. References must end with the In-Reply-To, as
// RFC 5322 (3.6.4) builds them, since mail clients thread by either.
func (b *mailpitBackend) Received() []channeltest.Delivery {
	t := b.mp.t
	t.Helper()
	var list struct {
		MessagesCount int `json:"messages_count"`
		Messages      []mpSummary
	}
	b.mp.do(http.MethodGet, "/api/v1/search?limit=1000&query="+url.QueryEscape(b.query()), &list)
	require.Len(t, list.Messages, list.MessagesCount, "Mailpit listed every message from %s", b.sender)
	// Newest first, by the millisecond Mailpit stored each, before its 250
	// to the end of DATA: a Send made after another returned is not
	// earlier, but may be in the same millisecond (a fan-out's copies
	// often are). Mailpit v1.27.11 orders by that millisecond alone
	// (ORDER BY Created DESC, internal/storage/search.go): a tie comes in
	// the order SQLite reads its index on Created in, newest stored first
	// when read backwards, as the runs show, but no order the API
	// promises. Consecutive Sends in one millisecond ordered otherwise
	// would fail a rule as posted out of order.
	slices.Reverse(list.Messages)
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]channeltest.Delivery, 0, len(list.Messages))
	for _, s := range list.Messages {
		d, ok := b.seen[s.ID]
		if !ok {
			d = b.delivery(s)
			b.seen[s.ID] = d // a sent message never changes
		}
		out = append(out, d)
	}
	return out
}

// delivery reads the message s lists.
func (b *mailpitBackend) delivery(s mpSummary) channeltest.Delivery {
	t := b.mp.t
	t.Helper()
	var m mpMessage
	b.mp.do(http.MethodGet, "/api/v1/message/"+s.ID, &m)
	h := b.mp.headers(s.ID)
	var rcpts []string
	for _, a := range slices.Concat(m.To, m.Cc, m.Bcc) {
		rcpts = append(rcpts, a.Address)
	}
	if len(rcpts) != 1 {
		t.Errorf("message %s names %d recipients (To, Cc, and the envelope's missing from them as Bcc): %q",
			h["Message-Id"], len(rcpts), rcpts)
		rcpts = append(rcpts, "")
	}
	one := func(name string) string {
		if len(h[name]) > 1 {
			t.Errorf("message %s has %d %s headers: %q", h["Message-Id"], len(h[name]), name, h[name])
		}
		if len(h[name]) == 0 {
			return ""
		}
		return h[name][0]
	}
	id, inReplyTo, refs := one("Message-Id"), one("In-Reply-To"), strings.Fields(one("References"))
	if (inReplyTo == "") != (len(refs) == 0) || len(refs) > 0 && refs[len(refs)-1] != inReplyTo {
		t.Errorf("message %s: In-Reply-To %q, References %q: the References end with the In-Reply-To", id, inReplyTo, refs)
	}
	text := strings.ReplaceAll(m.Text, "\r\n", "\n")
	return channeltest.Delivery{Text: m.Subject + "\n" + text, Parts: []string{text}, ReplyTo: inReplyTo, ID: id,
		Target: rcpts[0]}
}

// mailpitFailures are the chaos triggers of each failure: the reply code
// of every AUTH, MAIL FROM and RCPT TO (0: none).
var mailpitFailures = map[channeltest.Failure]struct{ auth, sender, rcpt int }{
	channeltest.FailTransient:    {rcpt: 451},
	channeltest.FailUnauthorized: {auth: 535},
	channeltest.FailRejected:     {sender: 550},
}

func (b *mailpitBackend) Fail(f channeltest.Failure) {
	c, ok := mailpitFailures[f]
	if !ok && f != channeltest.FailNone {
		b.mp.t.Fatalf("Mailpit cannot answer the %s failure", f)
	}
	b.mp.chaos(c.auth, c.sender, c.rcpt)
}
