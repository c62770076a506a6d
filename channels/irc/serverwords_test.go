package irc_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/redact"
)

// An ERROR line after registration ends the attempt at once, though the
// server leaves the socket open: the error names the server's reason,
// cleared of the password, and is transient, as a lost connection is. It
// was ignored, and the JOIN waited for an answer to its deadline.
func TestErrorAfterRegistrationEndsTheAttempt(t *testing.T) {
	const password = "fake-pass-5521"
	srv := newFakeServer(t, fakeOptions{password: password, joinRaw: map[string]string{
		"#ops": "ERROR :Closing Link: %s[127.0.0.1] (Server shutting down; PASS " + password + ")",
	}})
	cfg := testConfig(srv.addr())
	cfg.Password = redact.NewSecret(password)
	cfg.Timeout = time.Hour
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()

	_, err := newChannel(t, cfg).Send(ctx, message(sampleUpdate()))
	require.Error(t, err)
	assert.False(t, errors.Is(err, context.DeadlineExceeded), "not the context's error: %v", err)
	assert.Contains(t, err.Error(), "irc: connection closed by the server: Closing Link: statusbot[127.0.0.1] (Server shutting down; PASS REDACTED)")
	assert.NotContains(t, err.Error(), password)
	assert.False(t, broadcast.IsPermanent(err), "IsPermanent(%q)", err)
	var te *broadcast.TargetsError
	assert.False(t, errors.As(err, &te), "the connection's error, not a channel's: %q", err)
}

// A JOIN answered by an error reply that names neither a channel nor a
// command ("479 nick :Illegal channel name"), as its answer, fails its channel, transiently, once Config.Timeout has
// passed, naming that reply and wrapping it: the server answered.
func TestJoinTimeoutNamesBareErrorReply(t *testing.T) {
	srv := newFakeServer(t, fakeOptions{joinRaw: map[string]string{
		"#ops": ":fake.test 479 %s :Illegal channel name",
	}})
	cfg := testConfig(srv.addr())
	cfg.Channels = []string{"#ops", "#a"}
	cfg.Timeout = 300 * time.Millisecond

	_, err := newChannel(t, cfg).Send(context.Background(), message(sampleUpdate()))
	require.Error(t, err)
	assert.False(t, broadcast.IsPermanent(err), "IsPermanent(%q)", err)
	te := onePending(t, err, "#ops")
	assert.Contains(t, te.Err.Error(), "irc: join #ops: not joined within 300ms, after the server's error reply: 479 Illegal channel name")
	re, ok := replyError(err)
	if assert.True(t, ok, "a *irc.ReplyError in %q", err) {
		assert.Equal(t, "479", re.Code)
	}
	assert.Len(t, srv.saidIn("#a"), 1)
}

// A JOIN refused by a server notice, as UnrealIRCd 5's restrict-commands
// refuses one ("*** You cannot use the JOIN command until …"), and
// otherwise unanswered, names the notice when it fails its channel.
func TestJoinTimeoutNamesRefusalNotice(t *testing.T) {
	srv := newFakeServer(t, fakeOptions{joinRaw: map[string]string{
		"#ops": ":fake.test NOTICE %s :*** You cannot use the JOIN command until you've been connected for 10 seconds or more",
	}})
	cfg := testConfig(srv.addr())
	cfg.Timeout = 300 * time.Millisecond

	_, err := newChannel(t, cfg).Send(context.Background(), message(sampleUpdate()))
	require.Error(t, err)
	te := onePending(t, err, "#ops")
	assert.Contains(t, te.Err.Error(), "irc: join #ops: not joined within 300ms, after the server's notice: "+
		"*** You cannot use the JOIN command until you've been connected for 10 seconds or more")
}

// An ordinary server notice after a JOIN is no refusal: the JOIN left
// unanswered says only that.
func TestJoinTimeoutIgnoresOrdinaryNotice(t *testing.T) {
	srv := newFakeServer(t, fakeOptions{joinRaw: map[string]string{
		"#ops": ":fake.test NOTICE %s :*** Your host is masked",
	}})
	cfg := testConfig(srv.addr())
	cfg.Timeout = 300 * time.Millisecond

	_, err := newChannel(t, cfg).Send(context.Background(), message(sampleUpdate()))
	require.Error(t, err)
	te := onePending(t, err, "#ops")
	assert.Contains(t, te.Err.Error(), "irc: join #ops: no answer from the server within 300ms")
}

// Lines the server dropped, not echoing them, after a notice refusing
// them (UnrealIRCd 5's restrict-commands: "*** You cannot send messages to
// channels until …"), name the notice.
func TestDroppedLinesNameRefusalNotice(t *testing.T) {
	const notice = "*** You cannot send messages to channels until you've been connected for 10 seconds or more"
	srv := newFakeServer(t, fakeOptions{echoMessage: true, mute: map[string]bool{"#ops": true}, muteNotice: notice})
	cfg := testConfig(srv.addr())

	_, err := newChannel(t, cfg).Send(context.Background(), message(sampleUpdate()))
	require.Error(t, err)
	te := onePending(t, err, "#ops")
	assert.Contains(t, te.Err.Error(), "it did not echo them (IRCv3 echo-message), after the server's notice: "+notice)
}

// Lines followed by a PING the server does not answer in time, after a
// notice refusing them, name the notice in Send's error.
func TestPingTimeoutAfterLinesNamesRefusalNotice(t *testing.T) {
	const notice = "*** You cannot send messages to channels until you've been connected for 10 seconds or more"
	srv := newFakeServer(t, fakeOptions{noPong: true, mute: map[string]bool{"#ops": true}, muteNotice: notice})
	cfg := testConfig(srv.addr())
	cfg.Timeout = 300 * time.Millisecond

	_, err := newChannel(t, cfg).Send(context.Background(), message(sampleUpdate()))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "irc: PING: no answer from the server within 300ms, after the server's notice: "+notice)
}
