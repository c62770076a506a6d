package email_test

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
)

// A Send's connections work in goroutines of their own, where a panic
// would end the process: the Broadcaster recovers a panic in Send, not in
// a goroutine Send starts. So a panic in code of the Config that they
// call, ListUnsubscribeFunc for a recipient's header, is that recipient's
// failure, as a URL it returns that cannot go in a header is; the other
// recipients get the update.
func TestPanickingUnsubscribeFuncRefusesThatRecipient(t *testing.T) {
	srv := startSMTP(t, serverOptions{user: testUser, pass: testPass})
	cfg := config(srv, "good@example.net", "bad@example.net", "other@example.net")
	const token = "signed-token-4b1d9e"
	cfg.ListUnsubscribeFunc = func(r string) string {
		switch r {
		case "bad@example.net":
			panic("no key for https://x.example/u?t=" + token)
		case "other@example.net":
			return "https://x.example/u?t=" + strings.Split(r, "#")[1] // a runtime error
		}
		return "https://x.example/u"
	}
	ledger := channeltest.NewLedger()
	r := send(t, newChannel(t, cfg), broadcast.Message{Update: incident(1), Ledger: ledger})
	require.Len(t, srv.messages(), 1)
	assert.Equal(t, []string{"good@example.net"}, srv.messages()[0].to)
	assert.Equal(t, "1", r.Meta["sent"])
	require.Contains(t, ledger.Failed(), "bad@example.net")
	failure := ledger.Failed()["bad@example.net"].Error()
	assert.Contains(t, failure, "Config.ListUnsubscribeFunc: panicked")
	assert.NotContains(t, failure, token, "a panic's value may quote the URL, and its token")
	require.Contains(t, ledger.Failed(), "other@example.net")
	assert.Contains(t, ledger.Failed()["other@example.net"].Error(),
		"Config.ListUnsubscribeFunc: panicked: runtime error: index out of range [1] with length 1", "a runtime error is named")
}

// A panic in a callback of Config.TLSConfig, which runs in the TLS
// handshake of a connection's dial, in a goroutine of the Send's, fails
// the channel for good, as a panic in Send does under a Broadcaster,
// rather than end the process; Check, which dials in the caller's
// goroutine, reports it likewise. The panic's value is not shown, unless
// it is a runtime error: it may quote a secret the callback holds.
func TestPanickingTLSCallbackFailsTheChannel(t *testing.T) {
	srv := startSMTP(t, serverOptions{user: testUser, pass: testPass})
	cfg := config(srv, "a@example.net", "b@example.net", "c@example.net")
	const pin = "pin-key-7c1e0a"
	cfg.TLSConfig.VerifyConnection = func(tls.ConnectionState) error { panic("pin store not loaded: " + pin) }
	ch := newChannel(t, cfg)
	_, err := ch.Send(context.Background(), broadcast.Message{Update: incident(1), Ledger: channeltest.NewLedger()})
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err), "%v", err)
	assert.Contains(t, err.Error(), "connect to 127.0.0.1:")
	assert.Contains(t, err.Error(), ": panicked")
	assert.NotContains(t, err.Error(), pin)
	assert.Empty(t, srv.messages())

	err = ch.Check(context.Background())
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err), "%v", err)
	assert.Contains(t, err.Error(), ": panicked")
	assert.NotContains(t, err.Error(), pin)

	cfg.TLSConfig.VerifyConnection = func(tls.ConnectionState) error {
		return errors.New(strings.Split(pin, "/")[1]) // a runtime error: index out of range
	}
	err = newChannel(t, cfg).Check(context.Background())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "panicked: runtime error: index out of range [1] with length 1", "a runtime error is named")
}

// panickyLedger is a caller-built Ledger with a bug in MarkDelivered for
// one target.
type panickyLedger struct {
	*channeltest.Ledger
	target string
}

func (l panickyLedger) MarkDelivered(target string) error {
	if target == l.target {
		panic("ledger bug: " + target)
	}
	return l.Ledger.MarkDelivered(target)
}

// A panic in a caller-built Ledger, which a Send's connections mark in
// from goroutines of their own, is raised in the goroutine that called
// Send once they ended, as if the Send had made it there, rather than end
// the process; the others get the update. The connection it happened on
// is closed, not kept: replies of its pipelined commands may be under way
// on it, and a later Send gets the update to everyone all the same.
func TestLedgerPanicRaisedInTheCaller(t *testing.T) {
	srv := startSMTP(t, serverOptions{user: testUser, pass: testPass})
	to := []string{"a@example.net", "b@example.net", "c@example.net", "d@example.net"}
	ch := newChannel(t, config(srv, to...))
	ledger := channeltest.NewLedger()
	var raised any
	func() {
		defer func() { raised = recover() }()
		_, _ = ch.Send(context.Background(), broadcast.Message{Update: incident(1), Ledger: panickyLedger{ledger, "b@example.net"}})
	}()
	require.NotNil(t, raised, "the panic reaches the caller")
	assert.Equal(t, "email: panicked", fmt.Sprint(raised), "a value other than a runtime error is not shown")
	assert.Contains(t, ledger.Delivered(), "a@example.net")
	assert.NotContains(t, ledger.Delivered(), "b@example.net")

	before := len(srv.messages())
	later := channeltest.NewLedger()
	send(t, ch, broadcast.Message{Update: incident(2), Ledger: later})
	assert.ElementsMatch(t, to, later.Delivered())
	var got []string
	for _, m := range srv.messages()[before:] {
		got = append(got, m.to...)
	}
	assert.ElementsMatch(t, to, got)
}
