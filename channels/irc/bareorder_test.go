package irc_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A JOIN sent after another, whose answer comes first, and answered by an
// error reply naming neither a channel nor a command, names that reply
// when it fails its channel: servers answer in order, and the replies
// before it answered the JOIN before. It said only "no answer".
func TestJoinTimeoutNamesBareErrorReplyAfterEarlierJoin(t *testing.T) {
	srv := newFakeServer(t, fakeOptions{joinRaw: map[string]string{
		"#ops": ":fake.test 479 %s :Illegal channel name",
	}})
	cfg := testConfig(srv.addr())
	cfg.Channels = []string{"#a", "#ops"}
	cfg.Timeout = 300 * time.Millisecond

	_, err := newChannel(t, cfg).Send(context.Background(), message(sampleUpdate()))
	require.Error(t, err)
	te := onePending(t, err, "#ops")
	assert.Contains(t, te.Err.Error(), "irc: join #ops: not joined within 300ms, after the server's error reply: 479 Illegal channel name")
	assert.Len(t, srv.saidIn("#a"), 1)
}

// Two JOINs, each answered by an error reply naming nothing, name each
// its own: the first reply answered the first JOIN, not the second too.
func TestJoinTimeoutNamesEachJoinsOwnBareErrorReply(t *testing.T) {
	srv := newFakeServer(t, fakeOptions{joinRaw: map[string]string{
		"#ops":  ":fake.test 479 %s :Illegal channel name",
		"#noc":  ":fake.test 520 %s :Cannot join channel (IRCops only)",
		"#lost": ":fake.test NOTICE %s :*** Your host is masked",
	}})
	cfg := testConfig(srv.addr())
	cfg.Channels = []string{"#ops", "#noc", "#lost"}
	cfg.Timeout = 300 * time.Millisecond

	_, err := newChannel(t, cfg).Send(context.Background(), message(sampleUpdate()))
	require.Error(t, err)
	var te *broadcast.TargetsError
	require.ErrorAs(t, err, &te)
	got := map[string]string{}
	for _, f := range te.Pending {
		got[f.Target] = f.Err.Error()
	}
	assert.Contains(t, got["#ops"], "irc: join #ops: not joined within 300ms, after the server's error reply: 479 Illegal channel name")
	assert.Contains(t, got["#noc"], "irc: join #noc: not joined within 300ms, after the server's error reply: 520 Cannot join channel (IRCops only)")
	assert.Contains(t, got["#lost"], "irc: join #lost: no answer from the server within 300ms")
}

// A user mode the server sets on the bot (":nick MODE nick :+i", which may
// come after the first JOIN went out) answers no JOIN: the error reply
// naming nothing after it is still the JOIN's answer.
func TestJoinTimeoutNamesBareErrorReplyAfterUserMode(t *testing.T) {
	srv := newFakeServer(t, fakeOptions{joinRaw: map[string]string{
		"#ops": ":%s MODE %s :+i\r\n:fake.test 479 %s :Illegal channel name",
	}})
	cfg := testConfig(srv.addr())
	cfg.Timeout = 300 * time.Millisecond

	_, err := newChannel(t, cfg).Send(context.Background(), message(sampleUpdate()))
	require.Error(t, err)
	te := onePending(t, err, "#ops")
	assert.Contains(t, te.Err.Error(), "irc: join #ops: not joined within 300ms, after the server's error reply: 479 Illegal channel name")
}
