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

// TestRefusalAfterUncertainDeliveryIsNotPermanent: a refusal that ends the
// attempt for every recipient (the message's content, X.6.x, or the
// sender, a 5xx to MAIL FROM) while another recipient's message went out
// whole and got no reply does not say that nothing was sent: that
// recipient may have the message. Send used to return the refusal alone,
// broadcast.Permanent, which tells the Broadcaster the update went
// nowhere; the uncertain recipient is now pending (ErrDeliveryUncertain)
// for the retry, and the others fail with the refusal, as after a
// delivery.
func TestRefusalAfterUncertainDeliveryIsNotPermanent(t *testing.T) {
	for _, c := range []struct {
		name string
		plan func(s *fakeSMTP)
	}{
		// Every copy but alice's first is refused: with PIPELINING, the
		// next copy goes out with the refused one, and is refused too.
		{"message refused", func(s *fakeSMTP) { s.dataAll = "554 5.6.0 Invalid message content" }},
		// bob's MAIL FROM comes after alice's message (one connection,
		// whose second MAIL goes out after alice's end of DATA), and after
		// alice's connection broke, on a new one.
		{"sender refused", func(s *fakeSMTP) { s.mailPlan = []string{"250 2.1.0 OK", "550 5.7.1 Sender not allowed"} }},
	} {
		for _, inTurn := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s, in turn %v", c.name, inTurn), func(t *testing.T) {
				srv := startSMTP(t, serverOptions{user: testUser, pass: testPass, inTurn: inTurn})
				srv.script(func(s *fakeSMTP) {
					s.dataPlan["alice@example.net"] = []string{acceptDrop}
					c.plan(s)
				})
				cfg := config(srv, "alice@example.net", "bob@example.net", "carol@example.net")
				cfg.Concurrency = 1
				ch := newChannel(t, cfg)
				m := broadcast.NewMessage(incident(1))
				ledger := channeltest.NewLedger()
				m.Ledger = ledger
				_, err := ch.Send(context.Background(), m)
				require.Error(t, err)
				assert.False(t, broadcast.IsPermanent(err), "alice may have the message: %v", err)
				assert.ErrorIs(t, err, email.ErrDeliveryUncertain)
				var te *broadcast.TargetsError
				require.ErrorAs(t, err, &te)
				require.Len(t, te.Pending, 1, "%v", err)
				assert.Equal(t, "alice@example.net", te.Pending[0].Target)
				done, _ := ledger.Done("alice@example.net")
				assert.False(t, done, "alice waits for the retry")
				for _, to := range []string{"bob@example.net", "carol@example.net"} {
					done, failure := ledger.Done(to)
					assert.True(t, done && failure != "", "%s failed for good", to)
				}
			})
		}
	}
}
