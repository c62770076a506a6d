//go:build integration

package email_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/internal/tcpproxy"
)

// TestMailpitKeptConnectionCut: a kept connection to Mailpit cut while it
// was idle is replaced in the same Send, without a duplicate; and, when the
// server then refuses new connections for good (a 554 greeting, RFC 5321
// 4.3.2), the dead connection proves nothing: the Send fails permanently
// at once, not after one more attempt.
func TestMailpitKeptConnectionCut(t *testing.T) {
	m := newMailpit(t)
	proxy := tcpproxy.Start(t, env(t, "OUTAGECAST_MAILPIT_SMTP"))
	cfg := m.config("alice@example.net")
	cfg.Port = proxy.Port()
	ch := newChannel(t, cfg)
	send(t, ch, broadcast.NewMessage(incident(1)))
	proxy.Cut(0, "")
	send(t, ch, broadcast.NewMessage(incident(2)))
	m.messages(2)

	proxy.Cut(-1, "554 5.3.2 no SMTP service here\r\n")
	_, err := ch.Send(context.Background(), broadcast.NewMessage(incident(3)))
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err), "%v", err)
	assert.ErrorContains(t, err, "554")
	assert.ErrorContains(t, err, "127.0.0.1:"+strconv.Itoa(proxy.Port()))
	m.messages(2)
}
