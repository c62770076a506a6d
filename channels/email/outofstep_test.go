package email_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/channels/email"
)

// TestUnexpectedEndOfDataReplyClosesConnection: a reply to the end of DATA
// that is neither 2yz, 4yz nor 5yz (a 1yz, which says a final reply
// follows; a 3yz; a code SMTP has no class for) is no delivery, and leaves
// client and server out of step: what the server sends next may be
// another reply to the message. The recipient stays pending, the delivery
// uncertain (the message went out whole), and the connection is closed
// rather than kept for the next Send, which would read that reply as its
// own RSET's. The next Send goes out on a new connection, and delivers.
func TestUnexpectedEndOfDataReplyClosesConnection(t *testing.T) {
	const alice = "alice@example.net"
	for _, reply := range []string{
		"150 2.0.0 queueing\r\n250 2.0.0 queued", // a preliminary reply, then the final one
		"354 go on",
		"650 what",
	} {
		for _, inTurn := range []bool{false, true} {
			t.Run(fmt.Sprintf("%.3s in turn %v", reply, inTurn), func(t *testing.T) {
				srv, ch := scriptedChannel(t, inTurn, func(s *fakeSMTP) { s.dataPlan[alice] = []string{reply} }, alice)
				ledger, err := sendLedger(ch, 1)
				require.Error(t, err, "no delivery")
				assert.False(t, broadcast.IsPermanent(err), "transient: %v", err)
				assert.ErrorIs(t, err, email.ErrDeliveryUncertain)
				assert.ErrorContains(t, err, reply[:3], "the error names the reply")
				done, _ := ledger.Done(alice)
				assert.False(t, done, "not marked delivered, nor failed")

				_, err = sendLedger(ch, 2)
				require.NoError(t, err, "the next Send is not out of step")
				assert.Equal(t, 2, srv.connections(), "the connection was closed, not kept")
				msgs := srv.messages()
				require.Len(t, msgs, 1)
				assert.Equal(t, 2, msgs[0].conn)
			})
		}
	}
}

// TestUnexpectedCommandReplyClosesConnection: a 1yz or 3yz reply to MAIL
// FROM, RCPT TO or DATA is neither an acceptance nor a refusal, and leaves
// the reply stream out of step: the connection is given up, and the
// recipient goes out on a new one, not deferred, held or refused.
func TestUnexpectedCommandReplyClosesConnection(t *testing.T) {
	const alice = "alice@example.net"
	for _, tt := range []struct {
		name   string
		script func(s *fakeSMTP)
	}{
		{"150 to MAIL", func(s *fakeSMTP) { s.mailPlan = []string{"150 2.1.0 checking\r\n250 2.1.0 OK"} }},
		{"150 to RCPT", func(s *fakeSMTP) { s.rcptPlan[alice] = []string{"150 2.1.5 checking\r\n250 2.1.5 OK"} }},
		{"354 to RCPT", func(s *fakeSMTP) { s.rcptPlan[alice] = []string{"354 go on"} }},
	} {
		for _, inTurn := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s in turn %v", tt.name, inTurn), func(t *testing.T) {
				srv, ch := scriptedChannel(t, inTurn, tt.script, alice)
				ledger, err := sendLedger(ch, 1)
				require.NoError(t, err)
				assert.Equal(t, []string{alice}, ledger.Delivered())
				assert.Equal(t, 2, srv.connections(), "the first connection was given up")
				msgs := srv.messages()
				require.Len(t, msgs, 1)
				assert.Equal(t, 2, msgs[0].conn)
			})
		}
	}
}

// scriptedChannel starts a fake server, answering each command in turn
// or with PIPELINING as inTurn says, scripted by script (nil: as it is),
// and a channel sending to rcpt over one connection at a time.
func scriptedChannel(t *testing.T, inTurn bool, script func(*fakeSMTP), rcpt ...string) (*fakeSMTP, *email.Channel) {
	t.Helper()
	srv := startSMTP(t, serverOptions{user: testUser, pass: testPass, inTurn: inTurn})
	if script != nil {
		srv.script(script)
	}
	cfg := config(srv, rcpt...)
	cfg.Concurrency = 1
	return srv, newChannel(t, cfg)
}

// sendLedger sends incident i through ch with a Ledger of its own, which
// it returns with Send's error.
func sendLedger(ch *email.Channel, i int) (*channeltest.Ledger, error) {
	m := broadcast.NewMessage(incident(i))
	ledger := channeltest.NewLedger()
	m.Ledger = ledger
	_, err := ch.Send(context.Background(), m)
	return ledger, err
}
