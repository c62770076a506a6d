package email_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/channels/email"
)

// TestUncertainAfterAReplySaysOne: a reply to the end of DATA that is no
// outcome (a 1yz, a 3yz) leaves the delivery uncertain, and the error
// quotes that reply; it does not also say that no reply came, which
// would send the reader after a timeout or a broken connection that
// never happened.
func TestUncertainAfterAReplySaysOne(t *testing.T) {
	const alice = "alice@example.net"
	for _, reply := range []string{"150 2.0.0 queueing", "354 go on"} {
		t.Run(reply[:3], func(t *testing.T) {
			srv := startSMTP(t, serverOptions{user: testUser, pass: testPass})
			srv.script(func(s *fakeSMTP) { s.dataPlan[alice] = []string{reply} })
			ch := newChannel(t, config(srv, alice))
			m := broadcast.NewMessage(incident(1))
			m.Ledger = channeltest.NewLedger()
			_, err := ch.Send(context.Background(), m)
			require.ErrorIs(t, err, email.ErrDeliveryUncertain)
			assert.ErrorContains(t, err, reply[:3], "the error quotes the reply")
			assert.NotContains(t, err.Error(), "no reply", "a reply came")
		})
	}
}
