package email_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// TestAnyPositiveReplyToACommandAccepts: a 2yz reply to RSET, MAIL FROM or
// RCPT TO other than the 250 RFC 5321 (4.3.2) names for it is still a
// positive completion: a client that gets an unexpected code acts on its
// first digit (4.2.1), and 2 says the action was completed. The message
// goes out on the same connection. Before, such a reply was taken for one
// out of step: the connection was closed and the recipient sent on a new
// one, whose server answered the same, until the attempt gave up with
// nothing delivered.
func TestAnyPositiveReplyToACommandAccepts(t *testing.T) {
	for _, tt := range []struct {
		name   string
		script func(s *fakeSMTP)
	}{
		{"251 to MAIL", func(s *fakeSMTP) { s.mailAll = "251 2.1.0 sender OK, will forward" }},
		{"252 to MAIL", func(s *fakeSMTP) { s.mailAll = "252 2.1.0 sender accepted" }},
		{"220 to RCPT", func(s *fakeSMTP) { s.rcptAll = "220 2.1.5 recipient OK" }},
		{"200 to RSET", func(s *fakeSMTP) { s.resetAll = "200 2.0.0 reset" }},
	} {
		for _, inTurn := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s in turn %v", tt.name, inTurn), func(t *testing.T) {
				srv, ch := scriptedChannel(t, inTurn, nil, recipients(3)...)
				// The first Send keeps the connection, whose RSET the
				// second Send's first message sends.
				send(t, ch, broadcast.NewMessage(incident(1)))
				srv.script(tt.script)

				ledger, err := sendLedger(ch, 2)
				require.NoError(t, err)
				assert.ElementsMatch(t, recipients(3), ledger.Delivered())
				assert.Equal(t, 1, srv.connections(), "the connection carried every message")
				assert.Len(t, srv.messages(), 6)
			})
		}
	}
}
