package email_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
)

// Any 2yz reply to the end of DATA is a positive completion (RFC 5321,
// 4.2.1): the server has the message. RFC 5321 names 250 for it, but a
// server answering another 2yz still took the message, and sending it
// again would make a duplicate. Before, such a reply counted as a
// deferral, and the message was sent again on the retry.
func TestAnyPositiveReplyToTheDataDelivers(t *testing.T) {
	for _, inTurn := range []bool{true, false} {
		srv := startSMTP(t, serverOptions{user: testUser, pass: testPass, inTurn: inTurn})
		srv.script(func(s *fakeSMTP) { s.dataAll = "251 2.0.0 queued elsewhere" })
		ch := newChannel(t, config(srv, recipients(3)...))
		m := broadcast.NewMessage(incident(1))
		ledger := channeltest.NewLedger()
		m.Ledger = ledger
		_, err := ch.Send(context.Background(), m)
		require.NoError(t, err, "pipelining off: %v", inTurn)
		for _, to := range recipients(3) {
			done, failure := ledger.Done(to)
			assert.True(t, done && failure == "", "%s delivered (pipelining off: %v)", to, inTurn)
		}
	}
}
