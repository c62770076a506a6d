package email_test

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
)

// With the server down, a Send calls the ListUnsubscribeFunc for no
// recipient: nothing can go out, and every retry would call it again for
// every recipient left. The recipients are left pending.
func TestUnsubscribeFuncNotCalledWithTheServerDown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := ln.Addr().(*net.TCPAddr).Port
	require.NoError(t, ln.Close()) // nothing listens there now: connections are refused
	cfg := configFor(port, recipients(5)...)
	calls := countCalls(&cfg)
	ch := newChannel(t, cfg)
	ledger := channeltest.NewLedger()
	for attempt := 1; attempt <= 3; attempt++ {
		_, err := ch.Send(context.Background(), broadcast.Message{Update: incident(1), Ledger: ledger, Attempt: attempt})
		require.Error(t, err, "attempt %d", attempt)
		assert.False(t, broadcast.IsPermanent(err), "attempt %d: %v", attempt, err)
	}
	assert.Zero(t, calls.Load(), "calls with no server to send to")
	assert.Empty(t, ledger.Failed())
}

// The ListUnsubscribeFunc, which may be slow (a signing service it asks),
// is called from up to Concurrency goroutines at once: here each call
// waits until Concurrency calls are under way together, which calls made
// one after another never are (the guard's wait then fails the test).
// Every recipient gets the update, with their own URL.
func TestUnsubscribeFuncCallsOverlap(t *testing.T) {
	const concurrency = 4
	srv := startSMTP(t, serverOptions{user: testUser, pass: testPass})
	cfg := config(srv, recipients(2*concurrency)...)
	cfg.Concurrency = concurrency
	var (
		inFlight, most atomic.Int32
		together       = make(chan struct{})
		closed         atomic.Bool
		timedOut       atomic.Bool
	)
	cfg.ListUnsubscribeFunc = func(r string) string {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		if n == concurrency && closed.CompareAndSwap(false, true) {
			close(together)
		}
		select {
		case <-together:
		case <-time.After(10 * time.Second): // a guard, not a measure: the calls never met
			timedOut.Store(true)
		}
		return "https://status.example.com/unsubscribe?r=" + url.QueryEscape(r)
	}
	send(t, newChannel(t, cfg), broadcast.NewMessage(incident(1)))
	assert.False(t, timedOut.Load(), "the calls were not under way together; at most %d at once", most.Load())
	assert.LessOrEqual(t, most.Load(), int32(concurrency), "no more than Concurrency calls at once")
	msgs := srv.messages()
	require.Len(t, msgs, 2*concurrency)
	for _, m := range msgs {
		require.Len(t, m.to, 1)
		assert.Equal(t, "<https://status.example.com/unsubscribe?r="+url.QueryEscape(m.to[0])+">",
			parse(t, m.data).header.Get("List-Unsubscribe"))
	}
}

// Every recipient gets the update or none does holds within one Send: a
// retry makes the List-Unsubscribe fields again, and a URL grown longer
// since (here an expiry with one more digit) that makes the message
// larger than the server takes refuses the recipients left for good,
// after others got the update, as Config.ListUnsubscribeFunc says.
func TestUnsubscribeFuncURLThatGrowsOnARetry(t *testing.T) {
	srv := startSMTP(t, serverOptions{user: testUser, pass: testPass})
	rcpt := recipients(2)
	cfg := config(srv, rcpt...)
	cfg.Concurrency = 1
	var expiry atomic.Int64
	expiry.Store(9)
	cfg.ListUnsubscribeFunc = func(r string) string {
		return "https://status.example.com/unsubscribe?r=" + url.QueryEscape(r) + "&e=" + strconv.FormatInt(expiry.Load(), 10)
	}
	srv.script(func(s *fakeSMTP) { s.size = "SIZE 100000" })
	send(t, newChannel(t, cfg), broadcast.NewMessage(incident(1)))
	largest := 0
	for _, m := range srv.messages() {
		largest = max(largest, messageSize([]byte(m.data)))
	}
	require.NotZero(t, largest)

	srv.script(func(s *fakeSMTP) {
		s.size = "SIZE " + strconv.Itoa(largest)
		s.rcptPlan[rcpt[1]] = []string{"450 4.2.1 try again in a moment"}
	})
	ch := newChannel(t, cfg)
	ledger := channeltest.NewLedger()
	_, err := ch.Send(context.Background(), broadcast.Message{Update: incident(1), Ledger: ledger, Attempt: 1})
	require.Error(t, err, "the second recipient deferred")
	done, _ := ledger.Done(rcpt[0])
	require.True(t, done)

	expiry.Store(10)
	_, err = ch.Send(context.Background(), broadcast.Message{Update: incident(1), Ledger: ledger, Attempt: 2})
	require.NoError(t, err, "the update is recorded: the first recipient has it")
	failed := ledger.Failed()
	require.Contains(t, failed, rcpt[1])
	assert.True(t, broadcast.IsPermanent(failed[rcpt[1]]))
	assert.Contains(t, failed[rcpt[1]].Error(), fmt.Sprintf("the message is %d bytes, over the %d", largest+1, largest))
	assert.Len(t, srv.messages(), 3)
}
