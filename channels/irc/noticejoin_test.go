package irc_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A JOIN the server answered with a notice only (UnrealIRCd 5's
// restrict-commands) counts as unanswered, but the replies after that
// notice answer later commands: an error reply naming nothing ("417 nick
// :Input line was too long") to a line of the channel posting answers
// that line, which was not relayed, not that JOIN.
func TestBareAnswerToLineAfterJoinRefusedByNotice(t *testing.T) {
	srv := newFakeServer(t, fakeOptions{
		joinRaw: map[string]string{
			"#ops": ":fake.test NOTICE %s :*** You cannot use the JOIN command until you've been connected for 10 seconds or more",
		},
		sendRaw: map[string]string{"#a": ":fake.test 417 %s :Input line was too long"},
	})
	cfg := testConfig(srv.addr())
	cfg.Channels = []string{"#a", "#ops"}
	cfg.Timeout = 500 * time.Millisecond

	m := message(sampleUpdate())
	_, err := newChannel(t, cfg).Send(context.Background(), m)
	require.Error(t, err)
	assert.Empty(t, srv.saidIn("#a"), "the server relayed no line of #a")
	done, _ := m.Ledger.Done("#a")
	assert.False(t, done, "#a counted as delivered, though the server answered its line with 417: %v", err)
	assert.Contains(t, pendingErr(t, err, "#a").Error(), "417 Input line was too long")
}
