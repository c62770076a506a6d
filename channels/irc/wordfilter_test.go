package irc_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
)

// InspIRCd 2.0's m_censor answers a line with a censored word with 936
// ERR_WORDFILTERED ("936 nick #chan word :Your message contained a
// censored word, and was blocked"), outside the 400 to 599 of error
// replies, and drops it: the channel is refused for good (the same text
// is blocked again), not delivered, nor left for a rate limit.
func TestWordFilteredIsRefusedForGood(t *testing.T) {
	for _, echo := range []bool{false, true} {
		srv := newFakeServer(t, fakeOptions{echoMessage: echo, sendRaw: map[string]string{
			"#ops": ":fake.test 936 %s #ops badword :Your message contained a censored word, and was blocked"}})
		m := message(sampleUpdate())
		ledger := channeltest.NewLedger()
		m.Ledger = ledger
		_, err := newChannel(t, testConfig(srv.addr())).Send(context.Background(), m)
		require.Error(t, err, "echo %v: counted delivered", echo)
		assert.True(t, broadcast.IsPermanent(err), "echo %v: %v", echo, err)
		failed := ledger.Failed()["#ops"]
		require.Error(t, failed, "echo %v", echo)
		assert.Contains(t, failed.Error(), "send to #ops")
		assert.Contains(t, failed.Error(), "936 Your message contained a censored word")
		assert.False(t, broadcast.IsUncertain(failed), "echo %v: the only line was refused: %v", echo, failed)
	}
}
