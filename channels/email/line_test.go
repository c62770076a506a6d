package email_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/channels/email"
)

// A Send done with its last message gives its connection back to the line,
// which serves a Check waiting first before another Send. It handed the
// connection to another Send, passing over the Check: while Sends kept
// overlapping, a Check could wait until its context ended although Sends
// finished all along.
func TestFinishedSendServesTheLineInOrder(t *testing.T) {
	srv := startSMTP(t, serverOptions{user: testUser, pass: testPass, inTurn: true})
	rcpt := recipients(3)
	first, second := newHold(), newHold()
	srv.script(func(s *fakeSMTP) { s.dataHold[rcpt[0]] = first })
	cfg := config(srv, rcpt...)
	cfg.Concurrency = 1
	ch := newChannel(t, cfg)
	var wg sync.WaitGroup
	wg.Go(func() {
		_, err := ch.Send(context.Background(), broadcast.NewMessage(incident(1)))
		assert.NoError(t, err)
	})
	<-first.reached
	checked := make(chan error, 1)
	go func() { checked <- ch.Check(context.Background()) }()
	require.Eventually(t, func() bool { return email.WaitingForConnection(ch) == 1 }, 10*time.Second, time.Millisecond)
	m := broadcast.NewMessage(incident(2))
	m.Ledger = channeltest.NewLedger()
	for _, r := range rcpt[1:] {
		require.NoError(t, m.Ledger.MarkDelivered(r))
	}
	wg.Go(func() { _, err := ch.Send(context.Background(), m); assert.NoError(t, err) })
	require.Eventually(t, func() bool { return email.WaitingForConnection(ch) == 2 }, 10*time.Second, time.Millisecond)
	srv.script(func(s *fakeSMTP) { s.dataHold[rcpt[1]] = second }) // update 1's next message hangs
	close(first.release)
	// Update 1 reaches its next message either way: served after the
	// Check, which is then out of the line (and done, or about to be: it
	// needs no connection but the one it dialled), or before it, which
	// leaves the Check waiting for the connection update 1 holds. Which
	// of the Check's answer and update 1's message comes first says
	// nothing: the Check gives its slot back before it returns.
	<-second.reached
	assert.Zero(t, email.WaitingForConnection(ch),
		"update 2 finished, yet its connection went to update 1, not to the Check first in line")
	close(second.release)
	wg.Wait()
	require.NoError(t, <-checked)
}
