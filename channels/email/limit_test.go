package email_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/channels/email"
)

// TestConcurrencyIsPerChannel: Config.Concurrency bounds the connections
// of the channel, not those of one Send: 10 Sends at once (a Broadcaster's
// dispatch workers, or several updates in flight) share 3. Microsoft 365
// takes three concurrent SMTP AUTH connections per mailbox and refuses
// the others with "432 4.3.2 Concurrent connections limit exceeded"
// (learn.microsoft.com, exchange/troubleshoot/send-emails/smtp-submission-improvements).
//
// No connection is closed before the end (the idle ones wait in the pool),
// so the server's count of open connections is exact.
func TestConcurrencyIsPerChannel(t *testing.T) {
	srv := startSMTP(t, serverOptions{user: testUser, pass: testPass})
	srv.script(func(s *fakeSMTP) { s.gate = 3 }) // three connections before any message
	cfg := config(srv, recipients(3)...)
	cfg.Concurrency = 3
	ch := newChannel(t, cfg)
	var wg sync.WaitGroup
	for n := 1; n <= 10; n++ {
		wg.Go(func() {
			_, err := ch.Send(context.Background(), broadcast.NewMessage(incident(n)))
			assert.NoError(t, err, "Send %d", n)
		})
	}
	wg.Wait()
	assert.LessOrEqual(t, srv.mostOpen(), 3, "connections open at once")
	assert.Len(t, srv.messages(), 30)
}

// TestWaitForConnectionEndsWithContext: a Send that finds every
// connection of the channel in use waits for one within its context, and
// fails, transiently, with an error that says what it waited for and
// wraps the context's.
func TestWaitForConnectionEndsWithContext(t *testing.T) {
	srv := startSMTP(t, serverOptions{user: testUser, pass: testPass})
	busy, cancelBusy := context.WithCancel(context.Background())
	defer cancelBusy()
	inData := make(chan struct{})
	srv.script(func(s *fakeSMTP) {
		s.dataPlan["alice@example.net"] = []string{hang}
		s.onHang = sync.OnceFunc(func() { close(inData) })
	})
	cfg := config(srv, "alice@example.net")
	cfg.Concurrency = 1
	ch := newChannel(t, cfg)
	done := make(chan error, 1)
	go func() {
		_, err := ch.Send(busy, broadcast.NewMessage(incident(1)))
		done <- err
	}()
	<-inData // the one connection is in use
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := ch.Send(ctx, broadcast.NewMessage(incident(2)))
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.False(t, broadcast.IsPermanent(err), "transient: %v", err)
	assert.Contains(t, err.Error(), "Concurrency")
	cancelBusy()
	require.ErrorIs(t, <-done, context.Canceled)
	assert.Equal(t, 1, srv.connections(), "the waiting Send connected")
}

// TestCheckCountsInConcurrency: a Check's connection is one of the
// channel's Concurrency: it closes an idle one to make room, and waits,
// within its context, while every one is in use.
func TestCheckCountsInConcurrency(t *testing.T) {
	srv := startSMTP(t, serverOptions{user: testUser, pass: testPass})
	cfg := config(srv, "alice@example.net")
	cfg.Concurrency = 1
	ch := newChannel(t, cfg)
	send(t, ch, broadcast.NewMessage(incident(1)))
	require.NoError(t, ch.Check(context.Background()))
	assert.True(t, sawQuit(srv, 1), "the idle connection closed for the Check's")
	assert.Equal(t, 2, srv.connections())

	busy, cancelBusy := context.WithCancel(context.Background())
	defer cancelBusy()
	inData := make(chan struct{})
	srv.script(func(s *fakeSMTP) {
		s.dataPlan["alice@example.net"] = []string{hang}
		s.onHang = sync.OnceFunc(func() { close(inData) })
	})
	done := make(chan error, 1)
	go func() {
		_, err := ch.Send(busy, broadcast.NewMessage(incident(2)))
		done <- err
	}()
	<-inData
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := ch.Check(ctx)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, err.Error(), "Concurrency")
	cancelBusy()
	require.ErrorIs(t, <-done, context.Canceled)
	assert.Equal(t, 3, srv.connections(), "the Check waited, and did not connect")
}

// TestSendsTakeTurns: Sends that wait for one of the channel's
// connections get it in the order they began to wait, and a Send to many
// recipients hands its connection over between two messages rather than
// keep it for its next recipient: the "resolved" update, or another
// incident's, does not wait for the whole fan-out of the update before.
// Pipelined, the message whose commands went out with the one before is
// finished first.
func TestSendsTakeTurns(t *testing.T) {
	for _, inTurn := range []bool{false, true} {
		t.Run(map[bool]string{false: "pipelining", true: "in turn"}[inTurn], func(t *testing.T) {
			srv := startSMTP(t, serverOptions{user: testUser, pass: testPass, inTurn: inTurn})
			rcpt := recipients(4)
			first := newHold()
			srv.script(func(s *fakeSMTP) { s.dataHold[rcpt[0]] = first })
			cfg := config(srv, rcpt...)
			cfg.Concurrency = 1
			ch := newChannel(t, cfg)
			var wg sync.WaitGroup
			start := func(m broadcast.Message) {
				wg.Go(func() {
					_, err := ch.Send(context.Background(), m)
					assert.NoError(t, err, "update %s", m.Update.Body)
				})
			}
			start(broadcast.NewMessage(incident(1))) // to the 4 recipients
			<-first.reached                          // it holds the one connection
			for n := 2; n <= 3; n++ {
				m := broadcast.NewMessage(incident(n)) // to the first recipient only
				m.Ledger = channeltest.NewLedger()
				for _, r := range rcpt[1:] {
					require.NoError(t, m.Ledger.MarkDelivered(r))
				}
				start(m)
				require.Eventually(t, func() bool { return email.WaitingForConnection(ch) == n-1 },
					10*time.Second, time.Millisecond, "update %d waits", n)
			}
			close(first.release)
			wg.Wait()
			var got []string
			for _, m := range srv.messages() {
				for n := 1; n <= 3; n++ {
					if strings.Contains(m.data, fmt.Sprintf("Update %d:", n)) {
						got = append(got, fmt.Sprintf("%d to %s", n, m.to[0]))
					}
				}
			}
			want := []string{"1 to " + rcpt[0], "2 to " + rcpt[0], "3 to " + rcpt[0], "1 to " + rcpt[1]}
			if !inTurn {
				want = []string{"1 to " + rcpt[0], "1 to " + rcpt[1], "2 to " + rcpt[0], "3 to " + rcpt[0]}
			}
			want = append(want, "1 to "+rcpt[2], "1 to "+rcpt[3])
			assert.Equal(t, want, got, "messages in order")
			assert.Equal(t, 1, srv.mostOpen(), "connections open at once")
		})
	}
}

// TestCloseWhileSendsWait: Close while one Send holds the channel's only
// connection and another waits in line: both Sends finish, the
// connection is not handed over but closed (QUIT), and the waiting Send
// connects anew and keeps nothing either.
func TestCloseWhileSendsWait(t *testing.T) {
	srv := startSMTP(t, serverOptions{user: testUser, pass: testPass})
	rcpt := recipients(2)
	first := newHold()
	srv.script(func(s *fakeSMTP) { s.dataHold[rcpt[0]] = first })
	cfg := config(srv, rcpt...)
	cfg.Concurrency = 1
	ch := newChannel(t, cfg)
	var wg sync.WaitGroup
	for n := 1; n <= 2; n++ {
		wg.Go(func() {
			_, err := ch.Send(context.Background(), broadcast.NewMessage(incident(n)))
			assert.NoError(t, err, "update %d", n)
		})
		if n == 1 {
			<-first.reached
		}
	}
	require.Eventually(t, func() bool { return email.WaitingForConnection(ch) == 1 },
		10*time.Second, time.Millisecond, "update 2 waits")
	require.NoError(t, ch.Close())
	close(first.release)
	wg.Wait()
	assert.Len(t, srv.messages(), 4)
	require.Equal(t, 2, srv.connections())
	for conn := 1; conn <= 2; conn++ {
		assert.True(t, sawQuit(srv, conn), "connection %d closed with QUIT", conn)
	}
}

// TestCheckTakesNoSendsConnection: a Check that waits for one of the
// channel's connections gets one given back, or a slot freed, and not one
// a Send hands over between two messages: it would close it to dial its
// own, and the Send would connect (TLS, AUTH) again. Sends still hand
// their connection to each other, first come first served, past a Check
// waiting before them.
func TestCheckTakesNoSendsConnection(t *testing.T) {
	for _, withSend := range []bool{false, true} {
		t.Run(map[bool]string{false: "check", true: "check and send"}[withSend], func(t *testing.T) {
			srv := startSMTP(t, serverOptions{user: testUser, pass: testPass})
			rcpt := recipients(3)
			first := newHold()
			srv.script(func(s *fakeSMTP) { s.dataHold[rcpt[0]] = first })
			cfg := config(srv, rcpt...)
			cfg.Concurrency = 1
			ch := newChannel(t, cfg)
			var wg sync.WaitGroup
			wg.Go(func() {
				_, err := ch.Send(context.Background(), broadcast.NewMessage(incident(1)))
				assert.NoError(t, err, "update 1")
			})
			<-first.reached // update 1 holds the one connection
			wg.Go(func() { assert.NoError(t, ch.Check(context.Background())) })
			require.Eventually(t, func() bool { return email.WaitingForConnection(ch) == 1 },
				10*time.Second, time.Millisecond, "the Check waits")
			if withSend {
				m := broadcast.NewMessage(incident(2)) // to the first recipient only
				m.Ledger = channeltest.NewLedger()
				for _, r := range rcpt[1:] {
					require.NoError(t, m.Ledger.MarkDelivered(r))
				}
				wg.Go(func() {
					_, err := ch.Send(context.Background(), m)
					assert.NoError(t, err, "update 2")
				})
				require.Eventually(t, func() bool { return email.WaitingForConnection(ch) == 2 },
					10*time.Second, time.Millisecond, "update 2 waits")
			}
			close(first.release)
			wg.Wait()
			msgs := srv.messages()
			if !withSend {
				require.Len(t, msgs, 3)
				for _, m := range msgs {
					assert.Equal(t, 1, m.conn, "update 1 keeps its connection: message to %s", m.to[0])
				}
				assert.Equal(t, 2, srv.connections(), "update 1's and the Check's")
				return
			}
			require.Len(t, msgs, 4)
			// Pipelined, update 1's second message went out with its
			// first, before update 2 waited: update 2 comes after it.
			i := slices.IndexFunc(msgs, func(m gotMessage) bool { return strings.Contains(m.data, "Update 2:") })
			require.GreaterOrEqual(t, i, 1)
			assert.Less(t, i, 3, "update 2 goes between the messages of update 1")
			assert.Equal(t, 1, msgs[i].conn, "update 2 got update 1's connection, not the Check")
		})
	}
}
