package email_test

import (
	"context"
	"crypto/tls"
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
	assert.Contains(t, failure, "Config.ListUnsubscribeFunc panicked")
	assert.NotContains(t, failure, token, "a panic's value may quote the URL, and its token")
	require.Contains(t, ledger.Failed(), "other@example.net")
	assert.Contains(t, ledger.Failed()["other@example.net"].Error(),
		"Config.ListUnsubscribeFunc panicked: runtime error: index out of range [1] with length 1", "a runtime error is named")
}

// A panic in a callback of Config.TLSConfig, which runs in the TLS
// handshake of a connection's dial, in a goroutine of the Send's, fails
// the channel for good, as a panic in Send does under a Broadcaster,
// rather than end the process; Check, which dials in the caller's
// goroutine, reports it likewise.
func TestPanickingTLSCallbackFailsTheChannel(t *testing.T) {
	srv := startSMTP(t, serverOptions{user: testUser, pass: testPass})
	cfg := config(srv, "a@example.net", "b@example.net", "c@example.net")
	cfg.TLSConfig.VerifyConnection = func(tls.ConnectionState) error { panic("pin store not loaded") }
	ch := newChannel(t, cfg)
	_, err := ch.Send(context.Background(), broadcast.Message{Update: incident(1), Ledger: channeltest.NewLedger()})
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err), "%v", err)
	assert.Contains(t, err.Error(), "panicked: pin store not loaded")
	assert.Empty(t, srv.messages())

	err = ch.Check(context.Background())
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err), "%v", err)
	assert.Contains(t, err.Error(), "panicked: pin store not loaded")
}
