package irc_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A JOIN the server never answers fails that channel alone, transiently,
// once Config.Timeout has passed since it was sent: the other channels get
// the lines, and a retry posts only to it.
func TestUnansweredJoinFailsThatChannel(t *testing.T) {
	srv := newFakeServer(t, fakeOptions{modes: map[string]string{"#silent": "x"}})
	cfg := testConfig(srv.addr())
	cfg.Channels = []string{"#silent", "#a", "#b"}
	cfg.Timeout = 300 * time.Millisecond
	ch := newChannel(t, cfg)
	m := message(sampleUpdate())

	_, err := ch.Send(context.Background(), m)
	require.Error(t, err)
	assert.False(t, broadcast.IsPermanent(err), "IsPermanent(%q)", err)
	var te *broadcast.TargetsError
	require.True(t, errors.As(err, &te), "a *broadcast.TargetsError: %q", err)
	require.Len(t, te.Pending, 1)
	assert.Equal(t, "#silent", te.Pending[0].Target)
	assert.Contains(t, te.Pending[0].Err.Error(), "irc: join #silent: no answer from the server within 300ms")
	assert.Empty(t, te.Failures)
	for _, name := range []string{"#a", "#b"} {
		assert.Len(t, srv.saidIn(name), 1, name)
		done, _ := m.Ledger.Done(name)
		assert.True(t, done, name)
	}
	done, _ := m.Ledger.Done("#silent")
	assert.False(t, done, "#silent is left for a retry")
}

// The channels whose JOIN the server answered do not wait for one it does
// not answer: they get the lines while its wait (here an hour) goes on.
func TestUnansweredJoinDoesNotHoldTheOthers(t *testing.T) {
	srv := newFakeServer(t, fakeOptions{modes: map[string]string{"#silent": "x"}})
	cfg := testConfig(srv.addr())
	cfg.Channels = []string{"#silent", "#a", "#b"}
	cfg.Timeout = time.Hour
	ch := newChannel(t, cfg)
	m := message(sampleUpdate())

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sent := make(chan error, 1)
	go func() {
		_, err := ch.Send(ctx, m)
		sent <- err
	}()
	posted := func() bool {
		a, _ := m.Ledger.Done("#a")
		b, _ := m.Ledger.Done("#b")
		return a && b
	}
	// The bound only keeps a broken Send from hanging the test.
	assert.Eventually(t, posted, 10*time.Second, 5*time.Millisecond, "#a and #b posted while #silent waits")
	cancel()
	require.ErrorIs(t, <-sent, context.Canceled)
	assert.Len(t, srv.saidIn("#a"), 1)
	assert.Len(t, srv.saidIn("#b"), 1)
}

// A JOIN answered so late that the channel's lines no longer fit the
// attempt's deadline at the pacing leaves that channel for the next
// attempt, with nothing posted: begun, the lines would be cut short by the
// deadline, and the retry would post them again.
func TestLateJoinLeavesTheChannelForTheNextAttempt(t *testing.T) {
	srv := newFakeServer(t, fakeOptions{modes: map[string]string{"#late": "w"}, joinDelay: 5 * time.Second})
	cfg := testConfig(srv.addr())
	cfg.Channels = []string{"#late"}
	cfg.Burst, cfg.Interval, cfg.MaxLines = 2, time.Second, 3
	cfg.Timeout = time.Minute
	ch := newChannel(t, cfg)
	u := sampleUpdate()
	u.Body = strings.Repeat("Error rates are elevated on the CDN in every region. ", 40)
	m := message(u)

	ctx, cancel := context.WithTimeout(context.Background(), 6500*time.Millisecond)
	defer cancel()
	_, err := ch.Send(ctx, m)
	require.Error(t, err)
	assert.False(t, broadcast.IsPermanent(err), "transient: the next attempt posts it: %v", err)
	assert.Empty(t, srv.saidIn("#late"), "no line was posted to be cut short")
	done, _ := m.Ledger.Done("#late")
	assert.False(t, done)
}

// A JOIN unanswered when the attempt is about to end fails that channel by
// name before the attempt's deadline ends the Send with a context error:
// the default Config.Timeout is as long as the Broadcaster's default
// attempt, so without this the error never named the channel.
func TestUnansweredJoinFailsByNameBeforeTheAttemptEnds(t *testing.T) {
	srv := newFakeServer(t, fakeOptions{modes: map[string]string{"#silent": "x"}})
	cfg := testConfig(srv.addr())
	cfg.Channels = []string{"#silent", "#a"}
	cfg.Timeout = time.Hour
	ch := newChannel(t, cfg)
	m := message(sampleUpdate())

	ctx, cancel := context.WithTimeout(context.Background(), 7*time.Second) // 6s go to connecting and registering
	defer cancel()
	_, err := ch.Send(ctx, m)
	require.Error(t, err)
	assert.False(t, errors.Is(err, context.DeadlineExceeded), "not the context's error: %v", err)
	p := onePending(t, err, "#silent")
	assert.Contains(t, p.Err.Error(), "irc: join #silent: no answer from the server within")
	assert.Len(t, srv.saidIn("#a"), 1)
}

// A JOIN answered by an error reply that names no channel, as UnrealIRCd's
// restrict-commands answers one ("421 JOIN :You must be connected for at
// least 10 seconds"), fails its channel, transiently, once Config.Timeout
// has passed, naming that reply and wrapping it: the server answered.
func TestJoinTimeoutNamesUnplacedErrorReply(t *testing.T) {
	srv := newFakeServer(t, fakeOptions{bareSource: true, joinRaw: map[string]string{
		"#ops": ":fake.test 421 %s JOIN :You must be connected for at least 10 seconds before you can use this command",
	}})
	cfg := testConfig(srv.addr())
	cfg.Channels = []string{"#ops", "#a"}
	cfg.Timeout = 300 * time.Millisecond
	ch := newChannel(t, cfg)
	m := message(sampleUpdate())

	_, err := ch.Send(context.Background(), m)
	require.Error(t, err)
	assert.False(t, broadcast.IsPermanent(err), "IsPermanent(%q)", err)
	p := onePending(t, err, "#ops")
	assert.Contains(t, p.Err.Error(), "irc: join #ops: not joined within 300ms, after the server's error reply: "+
		"421 You must be connected for at least 10 seconds before you can use this command")
	re, ok := replyError(err)
	if assert.True(t, ok, "a *irc.ReplyError in %q", err) {
		assert.Equal(t, "421", re.Code)
	}
	assert.Len(t, srv.saidIn("#a"), 1)
}

// A JOIN never answered, on a server that answered USERHOST with 421 and
// sent 422 (no MOTD) after its welcome, says so, naming neither reply:
// they answer no JOIN.
func TestJoinTimeoutIgnoresOtherCommandsReplies(t *testing.T) {
	srv := newFakeServer(t, fakeOptions{bareSource: true, modes: map[string]string{"#silent": "x"}})
	cfg := testConfig(srv.addr())
	cfg.Channels = []string{"#silent"}
	cfg.Timeout = 300 * time.Millisecond
	_, err := newChannel(t, cfg).Send(context.Background(), message(sampleUpdate()))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "irc: join #silent: no answer from the server within 300ms")
	_, ok := replyError(err)
	assert.False(t, ok, "no *irc.ReplyError in %q", err)
	assert.Contains(t, srv.commands("USERHOST"), "USERHOST statusbot")
}
