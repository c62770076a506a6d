package email_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
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
