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

// TestMalformedEndOfDataReplyRedacted: a reply to the end of DATA that is
// not a reply line at all, or is no outcome (a 1yz), leaves the delivery
// uncertain; a server that quotes the credentials in it gets them into no
// error.
func TestMalformedEndOfDataReplyRedacted(t *testing.T) {
	const alice = "alice@example.net"
	for _, reply := range []string{"2x " + echoCreds, "150 " + echoCreds} {
		t.Run(reply[:3], func(t *testing.T) {
			srv := startSMTP(t, serverOptions{user: testUser, pass: testPass})
			srv.script(func(s *fakeSMTP) { s.dataPlan[alice] = []string{reply} })
			cfg := config(srv, alice)
			cfg.Concurrency = 1
			ch := newChannel(t, cfg)
			m := broadcast.NewMessage(incident(1))
			m.Ledger = channeltest.NewLedger()
			_, err := ch.Send(context.Background(), m)
			require.Error(t, err)
			assert.ErrorIs(t, err, email.ErrDeliveryUncertain)
			shown := chainText(err)
			assert.Contains(t, shown, "you sent", "the server quoted the credentials")
			channeltest.AssertNoSecret(t, shown, testPass)
		})
	}
}
