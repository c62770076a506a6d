package email_test

import (
	"context"
	"net/url"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/channels/email"
)

// unsubURL is the URL a test's ListUnsubscribeFunc returns for r.
func unsubURL(r string) string {
	return "https://status.example.com/unsubscribe?r=" + url.QueryEscape(r)
}

// countCalls sets cfg's ListUnsubscribeFunc to one returning unsubURL,
// and returns the count of its calls.
func countCalls(cfg *email.Config) *atomic.Int32 {
	var calls atomic.Int32
	cfg.ListUnsubscribeFunc = func(r string) string {
		calls.Add(1)
		return unsubURL(r)
	}
	return &calls
}

// deliveredOnce asserts that every recipient of want got exactly one
// message from srv, with its own List-Unsubscribe URL.
func deliveredOnce(t *testing.T, srv *fakeSMTP, want []string) {
	t.Helper()
	got := map[string]int{}
	for _, m := range srv.messages() {
		require.Len(t, m.to, 1)
		got[m.to[0]]++
		assert.Equal(t, "<"+unsubURL(m.to[0])+">", parse(t, m.data).header.Get("List-Unsubscribe"))
	}
	for _, r := range want {
		assert.Equal(t, 1, got[r], r)
	}
	assert.Len(t, got, len(want))
}

// The server drops every connection made before the fields are (it
// timed out idle clients, say): the workers' first messages find their
// connections gone, they connect again, and every recipient gets the
// update once, with the fields made once.
func TestUnsubscribeFuncConnectionsDroppedWhileMade(t *testing.T) {
	for _, opts := range []serverOptions{
		{user: testUser, pass: testPass},
		{user: testUser, pass: testPass, inTurn: true},
	} {
		srv := startSMTP(t, opts)
		rcpt := recipients(9)
		cfg := config(srv, rcpt...)
		cfg.Concurrency = 3
		var calls atomic.Int32
		cfg.ListUnsubscribeFunc = func(r string) string {
			if calls.Add(1) == 1 {
				srv.script(func(s *fakeSMTP) { s.dropUpTo = s.conns })
			}
			return unsubURL(r)
		}
		ledger := channeltest.NewLedger()
		send(t, newChannel(t, cfg), broadcast.Message{Update: incident(1), Ledger: ledger})
		assert.Equal(t, int32(len(rcpt)), calls.Load(), "one call per recipient")
		assert.Empty(t, ledger.Failed())
		deliveredOnce(t, srv, rcpt)
		var dropped int
		srv.script(func(s *fakeSMTP) { dropped = s.dropUpTo })
		assert.Greater(t, srv.connections(), dropped, "connected again after the drops")
	}
}

// A URL that cannot go in a header, or a panic, for one recipient
// refuses that recipient alone, with the calls made from several
// goroutines; the others get the update once.
func TestUnsubscribeFuncBadURLRefusesThatRecipientOnly(t *testing.T) {
	for _, conc := range []int{1, 2, 5} {
		srv := startSMTP(t, serverOptions{user: testUser, pass: testPass})
		rcpt := recipients(7)
		cfg := config(srv, rcpt...)
		cfg.Concurrency = conc
		cfg.ListUnsubscribeFunc = func(r string) string {
			switch r {
			case rcpt[2]:
				return "https://status.example.com/u?t=a b"
			case rcpt[5]:
				panic("no key")
			}
			return unsubURL(r)
		}
		ledger := channeltest.NewLedger()
		send(t, newChannel(t, cfg), broadcast.Message{Update: incident(1), Ledger: ledger})
		failed := ledger.Failed()
		assert.Len(t, failed, 2, "Concurrency %d", conc)
		assert.Contains(t, failed, rcpt[2])
		assert.Contains(t, failed, rcpt[5])
		var good []string
		for _, r := range rcpt {
			if r != rcpt[2] && r != rcpt[5] {
				good = append(good, r)
			}
		}
		deliveredOnce(t, srv, good)
	}
}

// A Send that takes a connection kept from the one before makes its
// recipients' fields again, on that connection too; one recipient, or
// Concurrency 1, make them in the worker's goroutine.
func TestUnsubscribeFuncKeptConnection(t *testing.T) {
	for _, conc := range []int{1, 3} {
		for _, n := range []int{1, 4} {
			srv := startSMTP(t, serverOptions{user: testUser, pass: testPass})
			rcpt := recipients(n)
			cfg := config(srv, rcpt...)
			cfg.Concurrency = conc
			calls := countCalls(&cfg)
			ch := newChannel(t, cfg)
			send(t, ch, broadcast.NewMessage(incident(1)))
			send(t, ch, broadcast.NewMessage(incident(2)))
			assert.Equal(t, int32(2*n), calls.Load(), "Concurrency %d, %d recipients", conc, n)
			assert.LessOrEqual(t, srv.connections(), min(conc, n), "the second Send took the kept connections")
			assert.Len(t, srv.messages(), 2*n)
		}
	}
}

// The context ends while one worker makes the fields (its goroutines'
// calls under way until then) and the others, connected, wait for them:
// no call starts after, every worker ends, nothing goes out, and every
// recipient is left pending with the context's error.
func TestUnsubscribeFuncContextEndsWhileWorkersWait(t *testing.T) {
	srv := startSMTP(t, serverOptions{user: testUser, pass: testPass})
	rcpt := recipients(8)
	cfg := config(srv, rcpt...)
	cfg.Concurrency = 4
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var calls atomic.Int32
	cfg.ListUnsubscribeFunc = func(r string) string {
		if calls.Add(1) == 1 {
			// Until the Send's other workers connected (a guard, not
			// a measure: they may not all get there).
			deadline := time.Now().Add(5 * time.Second)
			for srv.connections() < 4 && time.Now().Before(deadline) {
				time.Sleep(time.Millisecond)
			}
			cancel()
		}
		<-ctx.Done() // each call under way when the context ends ends then
		return unsubURL(r)
	}
	ledger := channeltest.NewLedger()
	_, err := newChannel(t, cfg).Send(ctx, broadcast.Message{Update: incident(1), Ledger: ledger})
	require.ErrorIs(t, err, context.Canceled)
	assert.LessOrEqual(t, calls.Load(), int32(4), "no call starts after the context ended")
	assert.Empty(t, srv.messages())
	assert.Empty(t, ledger.Failed())
	for _, r := range rcpt {
		done, _ := ledger.Done(r)
		assert.False(t, done, r)
	}
	assert.True(t, strings.Contains(err.Error(), "context canceled"), "%v", err)
}

// Sends at once share the Channel's connections, handing them over to
// one another: each makes its own recipients' fields, on a connection
// handed over too, and every recipient gets each update once.
func TestUnsubscribeFuncSendsAtOnce(t *testing.T) {
	for _, conc := range []int{1, 2} {
		srv := startSMTP(t, serverOptions{user: testUser, pass: testPass})
		rcpt := recipients(6)
		cfg := config(srv, rcpt...)
		cfg.Concurrency = conc
		calls := countCalls(&cfg)
		ch := newChannel(t, cfg)
		const sends = 3
		errs := make(chan error, sends)
		for n := range sends {
			go func() {
				_, err := ch.Send(context.Background(), broadcast.NewMessage(incident(n+1)))
				errs <- err
			}()
		}
		for range sends {
			require.NoError(t, <-errs)
		}
		assert.Equal(t, int32(sends*len(rcpt)), calls.Load(), "Concurrency %d", conc)
		got := map[string]int{}
		for _, m := range srv.messages() {
			require.Len(t, m.to, 1)
			got[parse(t, m.data).header.Get("Message-Id")+" "+m.to[0]]++
			assert.Equal(t, "<"+unsubURL(m.to[0])+">", parse(t, m.data).header.Get("List-Unsubscribe"))
		}
		assert.Len(t, got, sends*len(rcpt), "Concurrency %d", conc)
		for k, n := range got {
			assert.Equal(t, 1, n, k)
		}
	}
}

// A ListUnsubscribeFunc that ends its goroutine rather than return (it
// calls runtime.Goexit, as testing's FailNow does: a require in it)
// refuses that recipient, as a panic does: its message went out with no
// To and no List-Unsubscribe field before, and counted as delivered.
// Here every goroutine that makes the fields ends so, and the recipients
// none of them took are made all the same.
func TestUnsubscribeFuncGoexitRefusesThatRecipient(t *testing.T) {
	srv := startSMTP(t, serverOptions{user: testUser, pass: testPass})
	rcpt := recipients(6)
	cfg := config(srv, rcpt...)
	cfg.Concurrency = 2
	var calls atomic.Int32
	cfg.ListUnsubscribeFunc = func(r string) string {
		if calls.Add(1) <= 2 {
			runtime.Goexit()
		}
		return unsubURL(r)
	}
	ledger := channeltest.NewLedger()
	r := send(t, newChannel(t, cfg), broadcast.Message{Update: incident(1), Ledger: ledger})
	assert.Equal(t, int32(len(rcpt)), calls.Load(), "one call per recipient")
	failed := ledger.Failed()
	require.Len(t, failed, 2)
	var good []string
	for _, to := range rcpt {
		if err, ok := failed[to]; ok {
			assert.True(t, broadcast.IsPermanent(err), "%v", err)
			assert.Contains(t, err.Error(), "Config.ListUnsubscribeFunc")
			continue
		}
		good = append(good, to)
	}
	assert.Equal(t, "4", r.Meta["sent"])
	deliveredOnce(t, srv, good)
}
