package email_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
)

// A refusal of the message itself at the end of DATA (enhanced status
// X.3.4, too big for the system, or X.6.x, its content) would be the same
// for every recipient: the message is uploaded once (twice with
// PIPELINING, the next copy already on its way), and the channel fails
// for good with that reply, as for a refused sender. Each recipient's copy used to be uploaded and
// refused in turn, a large fan-out uploading it for nothing hundreds of
// times. A refusal of one recipient's copy (5.2.2, a full mailbox) stays
// that recipient's.
func TestMessageRefusedForEveryRecipient(t *testing.T) {
	for _, c := range []struct {
		reply   string
		uploads int // DATA commands the server got
		failed  int // recipients the Ledger has failed; the error fails the rest
	}{
		{"552 5.3.4 Message size exceeds fixed maximum message size", 1, 1},
		{"554 5.6.0 Invalid message content", 1, 1},
		{"552 5.2.2 Mailbox full", 5, 5},
	} {
		t.Run(c.reply, func(t *testing.T) {
			srv := startSMTP(t, serverOptions{user: testUser, pass: testPass, inTurn: true})
			srv.script(func(s *fakeSMTP) { s.dataAll = c.reply })
			cfg := config(srv, recipients(5)...)
			cfg.Concurrency = 1
			ch := newChannel(t, cfg)
			m := broadcast.NewMessage(incident(1))
			ledger := channeltest.NewLedger()
			m.Ledger = ledger
			_, err := ch.Send(context.Background(), m)
			require.Error(t, err)
			assert.True(t, broadcast.IsPermanent(err), "%v", err)
			assert.Contains(t, err.Error(), c.reply)
			data := 0
			for _, cmd := range srv.commands() {
				if cmd.verb == "DATA" {
					data++
				}
			}
			assert.Equal(t, c.uploads, data, "messages uploaded")
			failed := 0
			for _, to := range recipients(5) {
				if done, failure := ledger.Done(to); done && failure != "" {
					failed++
				}
			}
			assert.Equal(t, c.failed, failed, "recipients failed for good")
		})
	}
}
