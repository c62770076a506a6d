package email_test

import (
	"bytes"
	"context"
	"errors"
	"net"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/broadcast/boltstore"
	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/channels/email"
)

// breakingConn passes writes on until one holds at: it passes on what
// comes before the MAIL FROM that at follows, then closes the connection
// and fails the write, as a connection reset while that write went out.
type breakingConn struct {
	net.Conn
	at   []byte
	keep int // bytes before that MAIL FROM not passed on either: a cut inside the message before it
}

var errReset = errors.New("connection reset by peer")

func (c *breakingConn) Write(p []byte) (int, error) {
	k := bytes.Index(p, c.at)
	if k < 0 {
		return c.Conn.Write(p)
	}
	start := bytes.LastIndex(p[:k], []byte("MAIL FROM:"))
	if start < 0 {
		return c.Conn.Write(p) // not pipelined behind a message: the test fails on what follows
	}
	n, err := c.Conn.Write(p[:start-c.keep])
	_ = c.Conn.Close()
	if err == nil {
		err = errReset
	}
	return n, err
}

// breakingConfig is config for the tests of a connection that breaks:
// in plain text, one connection at a time, and with a Timeout no loaded
// machine reaches (the go test timeout finds a hang). These tests are
// not about time, and config's 5s bounded each connection's greeting,
// EHLO and AUTH, which a test process starved of the CPU went past once
// (the Send failed with "i/o timeout"). A greeting that comes after
// endpoint.ProbeWait (Timeout/2 if shorter) still has the Channel ask
// the port, on a connection of its own, whether it speaks TLS: the fake
// server counts it, so these tests count the connections the Send
// dialled, which go through WrapConnections, and not the server's.
func breakingConfig(srv *fakeSMTP, to ...string) email.Config {
	cfg := config(srv, to...)
	cfg.TLS, cfg.TLSConfig, cfg.Concurrency, cfg.Timeout = email.TLSPlaintext, nil, 1, time.Hour
	return cfg
}

// TestBrokenInNextCommandsIsUncertain: pipelined, the message to alice
// goes out in one write with the commands of the next message, bob's. A
// write that breaks inside bob's commands has sent alice's message whole,
// its final "." included, and the server may have taken it: her delivery
// is as uncertain as when the connection breaks right after her message
// (TestBrokenAfterEndOfDataIsUncertain). She stays pending with
// ErrDeliveryUncertain for the retry, rather than go out again at once on
// a new connection as though nothing had gone out; bob, whose message
// never went out, goes out on the new connection. The retry's receipt
// names alice as one who may have the message twice.
func TestBrokenInNextCommandsIsUncertain(t *testing.T) {
	const alice, bob = "alice@example.net", "bob@example.net"
	srv := startSMTP(t, serverOptions{user: testUser, pass: testPass, noTLS: true}) // plain, to see the commands
	ch := newChannel(t, breakingConfig(srv, alice, bob))
	var dialled atomic.Int32
	email.WrapConnections(ch, func(c net.Conn) net.Conn {
		if dialled.Add(1) > 1 {
			return c // only the first connection breaks
		}
		return &breakingConn{Conn: c, at: []byte("RCPT TO:<" + bob + ">")}
	})
	ledger := channeltest.NewLedger()
	m := broadcast.NewMessage(incident(1))
	m.Ledger = ledger
	_, err := ch.Send(context.Background(), m)
	require.Error(t, err, "alice's delivery is uncertain")
	assert.False(t, broadcast.IsPermanent(err), "transient: %v", err)
	var te *broadcast.TargetsError
	require.ErrorAs(t, err, &te)
	require.Len(t, te.Pending, 1, "%v", err)
	assert.Equal(t, alice, te.Pending[0].Target)
	assert.ErrorIs(t, te.Pending[0].Err, email.ErrDeliveryUncertain)
	assert.ErrorIs(t, te.Pending[0].Err, errReset)
	assert.Equal(t, []string{bob}, ledger.Delivered())
	// The first connection's session may read alice's message after the
	// Send is over.
	require.Eventually(t, func() bool { return deliveredTo(srv)[alice] == 1 }, 10*time.Second, time.Millisecond)
	assert.Equal(t, map[string]int{alice: 1, bob: 1}, deliveredTo(srv), "alice's message not sent again in the same attempt")

	m.Attempt = 2
	r := send(t, ch, m)
	assert.Equal(t, alice, r.Meta["uncertain"], "the retry's receipt says alice may have the message twice")
	ids := messageIDs(t, srv)[alice]
	require.Len(t, ids, 2, "the retry sent alice's message again")
	assert.Equal(t, ids[0], ids[1])
}

// TestBrokenBeforeFinalDotIsNotUncertain: a write that breaks before the
// final "." of alice's message went out, though it held bob's commands
// too, delivered nothing: alice goes out on a new connection in the same
// attempt, once, and no receipt names her.
func TestBrokenBeforeFinalDotIsNotUncertain(t *testing.T) {
	const alice, bob = "alice@example.net", "bob@example.net"
	srv := startSMTP(t, serverOptions{user: testUser, pass: testPass, noTLS: true})
	ch := newChannel(t, breakingConfig(srv, alice, bob))
	var dialled atomic.Int32
	email.WrapConnections(ch, func(c net.Conn) net.Conn {
		if dialled.Add(1) > 1 {
			return c
		}
		return &breakingConn{Conn: c, at: []byte("RCPT TO:<" + bob + ">"), keep: len(".\r\n")}
	})
	m := broadcast.NewMessage(incident(1))
	m.Attempt = 2 // as a retry: a receipt would name an uncertain recipient
	r := send(t, ch, m)
	assert.Empty(t, r.Meta["uncertain"])
	assert.Equal(t, map[string]int{alice: 1, bob: 1}, deliveredTo(srv))
	assert.Equal(t, int32(2), dialled.Load(), "the connections the Send dialled (see breakingConfig)")
}

// TestUncertainDeliveryKeptAcrossRetries: alice's message went out, and
// the connection broke before the server's reply: her delivery is
// uncertain, and a retry sends the message again. The retry that delivers
// it names her in its receipt (Meta["uncertain"]) as one who may have it
// twice, though the retry itself got its reply: the uncertainty is the
// earlier attempt's, which the Ledger remembers, through the Broadcaster's
// retries and, with a durable Store, across a restart. Carol, deferred
// on two attempts, makes the third attempt the one whose receipt is the
// Result's: it still names alice, delivered by the second. Bob, and carol,
// whose deliveries were never uncertain, are not named.
func TestUncertainDeliveryKeptAcrossRetries(t *testing.T) {
	const alice, bob, carol = "alice@example.net", "bob@example.net", "carol@example.net"
	script := func(s *fakeSMTP) {
		s.dataPlan[alice] = []string{acceptDrop}
		s.rcptPlan[carol] = []string{"451 4.2.0 mailbox busy", "451 4.2.0 mailbox busy"}
	}
	run := func(t *testing.T, srv *fakeSMTP, store broadcast.Store, attempts int) broadcast.Result {
		t.Helper()
		cfg := config(srv, alice, bob, carol)
		cfg.Concurrency = 1
		b, err := broadcast.New([]broadcast.Channel{newChannel(t, cfg)}, broadcast.Options{
			Store: store, AttemptTimeout: 10 * time.Second,
			Retry: broadcast.RetryPolicy{MaxAttempts: attempts, InitialInterval: time.Millisecond,
				MaxInterval: 2 * time.Millisecond, MaxElapsed: 20 * time.Second},
		})
		require.NoError(t, err)
		rep, _ := b.Send(context.Background(), incident(1))
		require.NoError(t, b.Close())
		return rep.Results[0]
	}
	t.Run("retries", func(t *testing.T) {
		srv := startSMTP(t, serverOptions{user: testUser, pass: testPass})
		srv.script(script)
		res := run(t, srv, broadcast.NewMemoryStore(), 3)
		require.NoError(t, res.Err)
		assert.Equal(t, 3, res.Attempts)
		assert.Equal(t, alice, res.Receipt.Meta["uncertain"])
		assert.Equal(t, map[string]int{alice: 2, bob: 1, carol: 1}, deliveredTo(srv))
	})
	t.Run("restart", func(t *testing.T) {
		srv := startSMTP(t, serverOptions{user: testUser, pass: testPass})
		srv.script(script)
		path := filepath.Join(t.TempDir(), "outagecast.db")
		store, err := boltstore.Open(path, nil)
		require.NoError(t, err)
		first := run(t, srv, store, 1)
		require.Error(t, first.Err)
		assert.ErrorIs(t, first.Err, email.ErrDeliveryUncertain)
		require.NoError(t, store.Close())

		store, err = boltstore.Open(path, nil) // the program started again
		require.NoError(t, err)
		defer func() { require.NoError(t, store.Close()) }()
		second := run(t, srv, store, 2)
		require.NoError(t, second.Err)
		assert.Equal(t, alice, second.Receipt.Meta["uncertain"])
		assert.Equal(t, map[string]int{alice: 2, bob: 1, carol: 1}, deliveredTo(srv))
	})
}
