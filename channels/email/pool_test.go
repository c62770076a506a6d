package email_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/channels/email"
)

// deliveredTo counts the messages srv accepted per recipient.
func deliveredTo(srv *fakeSMTP) map[string]int {
	out := map[string]int{}
	for _, m := range srv.messages() {
		for _, to := range m.to {
			out[to]++
		}
	}
	return out
}

// sawQuit reports whether the client said QUIT on connection conn.
func sawQuit(srv *fakeSMTP, conn int) bool {
	return slices.Contains(srv.verbs(conn), "QUIT")
}

// TestConnectionsKeptAcrossSends: the Sends of a channel reuse its
// authenticated connections, each starting again with RSET.
func TestConnectionsKeptAcrossSends(t *testing.T) {
	for _, inTurn := range []bool{false, true} {
		t.Run(map[bool]string{false: "pipelining", true: "in turn"}[inTurn], func(t *testing.T) {
			srv := startSMTP(t, serverOptions{user: testUser, pass: testPass, inTurn: inTurn})
			srv.script(func(s *fakeSMTP) { s.gate = 2 }) // both connections before any message
			rcpt := recipients(4)
			ch := newChannel(t, config(srv, rcpt...)) // Concurrency 2
			for n := 1; n <= 3; n++ {
				send(t, ch, broadcast.NewMessage(incident(n)))
			}
			assert.Equal(t, 2, srv.connections(), "connections for 3 Sends")
			for conn := 1; conn <= 2; conn++ {
				verbs := srv.verbs(conn)
				assert.Equal(t, 1, strings.Count(strings.Join(verbs, " "), "AUTH"), "one login per connection: %v", verbs)
				assert.False(t, sawQuit(srv, conn), "kept open")
			}
			for n, r := range rcpt {
				assert.Equal(t, 3, deliveredTo(srv)[r], "messages to recipient %d", n)
			}
			require.NoError(t, ch.Close())
			require.Eventually(t, func() bool { return sawQuit(srv, 1) && sawQuit(srv, 2) },
				10*time.Second, time.Millisecond, "Close says QUIT on the kept connections")
		})
	}
}

// TestResetOnReuse: a kept connection starts each Send with RSET; the
// messages of one Send follow each other without.
func TestResetOnReuse(t *testing.T) {
	srv := startSMTP(t, serverOptions{user: testUser, pass: testPass})
	cfg := config(srv, recipients(2)...)
	cfg.Concurrency = 1
	ch := newChannel(t, cfg)
	for n := 1; n <= 3; n++ {
		send(t, ch, broadcast.NewMessage(incident(n)))
	}
	const msg = "MAIL RCPT DATA"
	assert.Equal(t, "EHLO STARTTLS EHLO AUTH "+msg+" "+msg+" RSET "+msg+" "+msg+" RSET "+msg+" "+msg,
		strings.Join(srv.verbs(1), " "))
	assert.Equal(t, 1, srv.connections())
}

// TestPipelining: where the server offers PIPELINING, MAIL, RCPT and DATA
// go out together, and with the content of the message before; otherwise
// each waits for the reply to the one before.
func TestPipelining(t *testing.T) {
	for _, inTurn := range []bool{false, true} {
		srv := startSMTP(t, serverOptions{user: testUser, pass: testPass, inTurn: inTurn})
		rcpt := recipients(3)
		srv.script(func(s *fakeSMTP) { s.rcptPlan[rcpt[1]] = []string{"550 5.1.1 no such user"} })
		cfg := config(srv, rcpt...)
		cfg.Concurrency = 1
		ch := newChannel(t, cfg)
		send(t, ch, broadcast.NewMessage(incident(1)))
		send(t, ch, broadcast.NewMessage(incident(2)))
		var got []string
		for _, c := range srv.commands() {
			if c.verb == "RSET" || c.verb == "MAIL" || c.verb == "RCPT" {
				assert.Equal(t, !inTurn, c.pipelined, "inTurn %v: %s sent with what follows it", inTurn, c.verb)
			}
			got = append(got, c.verb)
		}
		// The second recipient's RCPT is refused: pipelined, its DATA went
		// out with it (and was refused too); in turn, it is not sent. RSET
		// comes before the next MAIL, and first on the kept connection.
		want := "AUTH MAIL RCPT DATA MAIL RCPT DATA RSET MAIL RCPT DATA RSET MAIL RCPT DATA MAIL RCPT DATA MAIL RCPT DATA"
		if inTurn {
			want = "AUTH MAIL RCPT DATA MAIL RCPT RSET MAIL RCPT DATA RSET MAIL RCPT DATA MAIL RCPT DATA MAIL RCPT DATA"
		}
		assert.True(t, strings.HasSuffix(strings.Join(got, " "), want), "inTurn %v: %v", inTurn, got)
		assert.Equal(t, 1, srv.connections(), "a refusal keeps the connection")
		assert.Equal(t, map[string]int{rcpt[0]: 2, rcpt[1]: 1, rcpt[2]: 2}, deliveredTo(srv))
		// Pipelined, a message goes out with the commands of the next one
		// of its Send, unless a refusal came between.
		var chained []bool
		for _, m := range srv.messages() {
			chained = append(chained, m.chained)
		}
		wantChained := []bool{true, false, true, true, false}
		if inTurn {
			wantChained = []bool{false, false, false, false, false}
		}
		assert.Equal(t, wantChained, chained, "inTurn %v", inTurn)
	}
}

// TestKeptConnectionClosedByServer: a kept connection the server closed
// meanwhile is replaced without a failure, and without a duplicate.
func TestKeptConnectionClosedByServer(t *testing.T) {
	srv := startSMTP(t, serverOptions{user: testUser, pass: testPass})
	rcpt := recipients(3)
	cfg := config(srv, rcpt...)
	cfg.Concurrency = 1
	ch := newChannel(t, cfg)
	send(t, ch, broadcast.NewMessage(incident(1)))
	srv.dropConnections(t)
	r := send(t, ch, broadcast.NewMessage(incident(2)))
	assert.Equal(t, "3", r.Meta["sent"])
	assert.Equal(t, 2, srv.connections())
	for _, r := range rcpt {
		assert.Equal(t, 2, deliveredTo(srv)[r], "messages to %s", r)
	}
}

// TestKeptConnectionAnswers421: a kept connection whose server says 421
// (closing) is given up, and the message sent on a new one.
func TestKeptConnectionAnswers421(t *testing.T) {
	srv := startSMTP(t, serverOptions{user: testUser, pass: testPass})
	srv.script(func(s *fakeSMTP) { s.perConn = 1 })
	ch := newChannel(t, config(srv, "alice@example.net"))
	send(t, ch, broadcast.NewMessage(incident(1)))
	send(t, ch, broadcast.NewMessage(incident(2)))
	assert.Equal(t, 2, srv.connections())
	assert.Equal(t, map[string]int{"alice@example.net": 2}, deliveredTo(srv))
}

// TestRefusedResetSendsNoEmptyMessage: a server that refuses RSET and
// still accepts the DATA after it gets no message cut short: the
// connection is closed in the middle of DATA, and the message sent whole on
// a new one.
func TestRefusedResetSendsNoEmptyMessage(t *testing.T) {
	srv := startSMTP(t, serverOptions{user: testUser, pass: testPass})
	ch := newChannel(t, config(srv, "alice@example.net"))
	send(t, ch, broadcast.NewMessage(incident(1)))
	srv.script(func(s *fakeSMTP) { s.resetAll = "502 5.5.2 RSET not implemented" })
	send(t, ch, broadcast.NewMessage(incident(2)))
	msgs := srv.messages()
	require.Len(t, msgs, 2)
	for _, m := range msgs {
		assert.Contains(t, parse(t, m.data).text, "we are investigating.", "a whole message")
	}
	assert.Equal(t, 2, srv.connections())
}

// TestIdleTimeout: a kept connection is closed, with QUIT, once idle for
// Config.IdleTimeout; with a negative one, none is kept.
func TestIdleTimeout(t *testing.T) {
	t.Run("expires", func(t *testing.T) {
		srv := startSMTP(t, serverOptions{user: testUser, pass: testPass})
		cfg := config(srv, "alice@example.net")
		cfg.IdleTimeout = 20 * time.Millisecond
		ch := newChannel(t, cfg)
		send(t, ch, broadcast.NewMessage(incident(1)))
		require.Eventually(t, func() bool { return sawQuit(srv, 1) }, 10*time.Second, time.Millisecond)
		send(t, ch, broadcast.NewMessage(incident(2)))
		assert.Equal(t, 2, srv.connections(), "the next Send connects anew")
	})
	t.Run("none kept", func(t *testing.T) {
		srv := startSMTP(t, serverOptions{user: testUser, pass: testPass})
		cfg := config(srv, "alice@example.net")
		cfg.IdleTimeout = -1
		ch := newChannel(t, cfg)
		send(t, ch, broadcast.NewMessage(incident(1)))
		assert.True(t, sawQuit(srv, 1), "QUIT before Send returned")
		send(t, ch, broadcast.NewMessage(incident(2)))
		assert.Equal(t, 2, srv.connections())
	})
}

// TestCloseLeavesNothingRunning: after Close, no goroutine or connection of
// the channel is left, and a later Send keeps no connection.
func TestCloseLeavesNothingRunning(t *testing.T) {
	srv := startSMTP(t, serverOptions{user: testUser, pass: testPass})
	srv.script(func(s *fakeSMTP) { s.gate = 2 }) // both connections before any message
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	ch, err := email.New(config(srv, recipients(4)...))
	require.NoError(t, err)
	send(t, ch, broadcast.NewMessage(incident(1)))
	require.Equal(t, 2, srv.connections())
	require.NoError(t, ch.Close())
	assert.True(t, sawQuit(srv, 1) && sawQuit(srv, 2), "Close said QUIT on both connections")
	send(t, ch, broadcast.NewMessage(incident(2)))
	require.Greater(t, srv.connections(), 2)
	for conn := 3; conn <= srv.connections(); conn++ {
		assert.True(t, sawQuit(srv, conn), "after Close, a Send keeps no connection")
	}
	require.NoError(t, ch.Close(), "Close again")
}

// TestCancelledSendKeepsNoConnection: a connection a cancelled Send was
// using is closed, not kept: the next Send connects anew.
//
// The Send is cancelled once the server holds back its reply to the end of
// DATA, not after a fixed time: under load (-race, GOMAXPROCS=1) a 100ms
// timer ended it while it was still connecting, which left the silent
// reply planned for the next Send, whose wait for it nothing but RFC
// 5321's 10 minutes ended (the package's tests once hung that long).
func TestCancelledSendKeepsNoConnection(t *testing.T) {
	srv := startSMTP(t, serverOptions{user: testUser, pass: testPass})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv.script(func(s *fakeSMTP) {
		s.dataPlan["alice@example.net"] = []string{hang}
		s.onHang = cancel
	})
	ch := newChannel(t, config(srv, "alice@example.net"))
	_, err := ch.Send(ctx, broadcast.NewMessage(incident(1)))
	require.ErrorIs(t, err, context.Canceled)
	require.ErrorIs(t, err, email.ErrDeliveryUncertain, "the message went out whole")
	send(t, ch, broadcast.NewMessage(incident(2)))
	assert.Equal(t, 2, srv.connections())
}

// TestDeadKeptConnectionProvesNothing: a kept connection the server
// closed while it was idle (as a server's idle timeout, or a restart,
// does) is replaced within the same Send, and proves nothing about the
// configuration: only one that answers does. A server that refuses the
// credentials once the dead one is found (the password was changed while
// the connection idled) fails the Send for good at once, as it fails a
// Send that found no kept connection, and not after one more attempt.
func TestDeadKeptConnectionProvesNothing(t *testing.T) {
	for _, inTurn := range []bool{false, true} {
		t.Run(map[bool]string{false: "pipelining", true: "in turn"}[inTurn], func(t *testing.T) {
			srv := startSMTP(t, serverOptions{user: testUser, pass: testPass, inTurn: inTurn})
			cfg := config(srv, "alice@example.net")
			ch := newChannel(t, cfg)
			send(t, ch, broadcast.NewMessage(incident(1)))
			srv.dropConnections(t)
			srv.script(func(s *fakeSMTP) { s.authAll = "535 5.7.8 authentication credentials invalid" })
			_, err := ch.Send(context.Background(), broadcast.NewMessage(incident(2)))
			require.Error(t, err)
			assert.True(t, broadcast.IsPermanent(err), "a 535 with no live connection is permanent: %v", err)
			assert.ErrorContains(t, err, "535")
			assert.Len(t, srv.messages(), 1)
		})
	}
}

// TestLiveKeptConnectionProves: a kept connection that answers its RSET,
// pipelined with the first message, proves the configuration good for the
// whole Send, also to a worker whose dial is refused (535) before that
// answer came: the refusal waits for it, and is transient, whatever the
// order, and no recipient fails for good.
func TestLiveKeptConnectionProves(t *testing.T) {
	srv := startSMTP(t, serverOptions{user: testUser, pass: testPass})
	rcpt := recipients(2)
	cfg := config(srv, rcpt...)
	cfg.Concurrency = 2
	ch := newChannel(t, cfg)
	first := broadcast.NewMessage(incident(1))
	first.Ledger = channeltest.NewLedger()
	require.NoError(t, first.Ledger.MarkDelivered(rcpt[1]))
	send(t, ch, first) // one connection, kept
	srv.script(func(s *fakeSMTP) { s.authAll = "535 5.7.8 authentication credentials invalid" })
	ledger := channeltest.NewLedger()
	m := broadcast.NewMessage(incident(2))
	m.Ledger = ledger
	_, err := ch.Send(context.Background(), m)
	assert.False(t, broadcast.IsPermanent(err), "%v", err)
	assert.Empty(t, ledger.Failed())
	assert.Contains(t, ledger.Delivered(), rcpt[0])
}

// TestSilentKeptConnectionProbed: a kept connection whose server vanished
// without closing it (host down, a NAT or firewall that dropped the flow)
// never answers its RSET. Its reply is waited for only a short probe, not
// Config.Timeout (here far longer than the Send's context allows), and the
// message goes on a fresh connection, without a failure and without a
// duplicate. The other kept connections, idle as long or longer, are
// dropped with it rather than probed in turn: one RSET goes out.
func TestSilentKeptConnectionProbed(t *testing.T) {
	for _, inTurn := range []bool{false, true} {
		t.Run(map[bool]string{false: "pipelining", true: "in turn"}[inTurn], func(t *testing.T) {
			srv := startSMTP(t, serverOptions{user: testUser, pass: testPass, inTurn: inTurn})
			srv.script(func(s *fakeSMTP) { s.gate = 2 }) // both connections before any message
			rcpt := recipients(2)
			cfg := config(srv, rcpt...)
			cfg.Concurrency, cfg.Timeout = 2, time.Hour
			ch := newChannel(t, cfg)
			email.SetProbeWait(ch, 50*time.Millisecond)
			send(t, ch, broadcast.NewMessage(incident(1))) // two connections, kept
			srv.script(func(s *fakeSMTP) { s.gate, s.resetAll = 0, hang })

			m := broadcast.NewMessage(incident(2))
			m.Ledger = channeltest.NewLedger()
			require.NoError(t, m.Ledger.MarkDelivered(rcpt[1])) // one recipient: one worker
			// A watchdog, far longer than the probe: without it, the test
			// would wait for Config.Timeout.
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			r, err := ch.Send(ctx, m)
			require.NoError(t, err)
			assert.Equal(t, "1", r.Meta["sent"])
			assert.Equal(t, map[string]int{rcpt[0]: 2, rcpt[1]: 1}, deliveredTo(srv), "no duplicate")
			assert.Equal(t, 3, srv.connections(), "a fresh connection")
			var resets int
			for _, c := range srv.commands() {
				if c.verb == "RSET" {
					resets++
				}
			}
			assert.Equal(t, 1, resets, "the other kept connection is not probed too")
		})
	}
}

// TestSilentProbeKeepsConnectionsGivenBackSince: when a kept connection's
// RSET goes unanswered, the connections dropped with it are those idle
// since before its probe began, not one another Send gave back meanwhile:
// that one just ended a transaction, so its server is there, and the
// probing Send sends on it instead of dialing.
//
// The other Send's reply is held until the probe's RSET reaches the
// server, so it gives its connection back while the probe runs; the probe
// (1s) only has to outlast that Send reading one reply.
func TestSilentProbeKeepsConnectionsGivenBackSince(t *testing.T) {
	srv := startSMTP(t, serverOptions{user: testUser, pass: testPass})
	srv.script(func(s *fakeSMTP) { s.gate = 2 }) // both connections before any message
	rcpt := recipients(2)
	cfg := config(srv, rcpt...)
	cfg.Concurrency, cfg.Timeout = 2, time.Hour
	ch := newChannel(t, cfg)
	email.SetProbeWait(ch, time.Second)
	send(t, ch, broadcast.NewMessage(incident(1))) // two connections, kept
	require.Equal(t, 2, srv.connections())

	held := newHold()
	srv.script(func(s *fakeSMTP) { s.gate, s.dataHold[rcpt[0]] = 0, held })
	only := func(n int, to string) broadcast.Message {
		m := broadcast.NewMessage(incident(n))
		m.Ledger = channeltest.NewLedger()
		for _, r := range rcpt {
			if r != to {
				require.NoError(t, m.Ledger.MarkDelivered(r))
			}
		}
		return m
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second) // a watchdog
	defer cancel()
	other := make(chan error, 1)
	go func() { // takes one kept connection, which answers; its reply is held
		_, err := ch.Send(ctx, only(2, rcpt[0]))
		other <- err
	}()
	<-held.reached
	srv.script(func(s *fakeSMTP) {
		s.resetAll = hang // the next RSET: the other kept connection's
		s.onHang = sync.OnceFunc(func() {
			srv.script(func(s *fakeSMTP) { s.resetAll = "" })
			close(held.release) // the other Send gives its connection back
		})
	})
	_, err := ch.Send(ctx, only(3, rcpt[1]))
	require.NoError(t, err)
	require.NoError(t, <-other)
	assert.Equal(t, map[string]int{rcpt[0]: 2, rcpt[1]: 2}, deliveredTo(srv), "no duplicate")
	assert.Equal(t, 2, srv.connections(), "the connection given back during the probe was kept, not redialed")
}
