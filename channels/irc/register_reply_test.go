package irc_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/irc"
	"github.com/outagecast/outagecast/redact"
)

// A server that answers NICK or USER with an error numeric the bot does
// not act on, and then welcomes it never, answered all the same: the
// error of the registration that times out names its reply, and wraps it,
// instead of saying the server did not answer. Its numeric is not known
// to be permanent: the error stays transient. The reply's text is
// cleared of the passwords, as all server text is.
func TestRegisterTimeoutNamesLastErrorReply(t *testing.T) {
	const password = "fake-server-pass-731"
	for code, reply := range map[string]string{
		"438": "statusbot :Nick change too fast. Please wait 30 seconds.",
		"484": ":Your connection is restricted!",
		"451": ":You have not registered",
		"461": "USER :Not enough parameters",
		"477": ":You need to identify to a registered nick",
		"468": ":Your username is invalid",
	} {
		t.Run(code, func(t *testing.T) {
			srv := newFakeServer(t, fakeOptions{password: password, registerReply: []string{
				":fake.test " + code + " %s " + reply + " (" + password + ")",
			}})
			cfg := testConfig(srv.addr())
			cfg.Password = redact.NewSecret(password)
			cfg.Timeout = 200 * time.Millisecond
			ch := newChannel(t, cfg)
			_, err := ch.Send(context.Background(), message(sampleUpdate()))
			require.Error(t, err)
			assert.Contains(t, err.Error(), "irc: register: no welcome from the server within 200ms, after its error reply: "+code+" ")
			assert.NotContains(t, err.Error(), password)
			assert.Contains(t, err.Error(), redact.Redacted)
			var re *irc.ReplyError
			if assert.True(t, errors.As(err, &re), "a *irc.ReplyError in %q", err) {
				assert.Equal(t, code, re.Code)
				assert.NotContains(t, re.Text, password)
			}
			assert.False(t, broadcast.IsPermanent(err), "IsPermanent(%q)", err)
			assert.Empty(t, srv.commands("JOIN"))
		})
	}
}

// A server that refuses CAP as an unknown command (421) and registers the
// bot without SASL has said nothing against it: a registration that then
// times out names no reply.
func TestRegisterTimeoutIgnoresUnknownCAP(t *testing.T) {
	srv := newFakeServer(t, fakeOptions{noCap: true, registerReply: []string{":fake.test NOTICE %s :*** Hold on"}})
	cfg := testConfig(srv.addr())
	cfg.Timeout = 200 * time.Millisecond
	err := newChannel(t, cfg).Check(context.Background())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "irc: register: no answer from the server within 200ms")
	var re *irc.ReplyError
	assert.False(t, errors.As(err, &re), "no *irc.ReplyError in %q", err)
}

// A connection the server closes, without an ERROR, after an error reply
// to the registration: the error says the connection was lost, and names
// the reply; transient, as a lost connection is.
func TestRegisterLostNamesLastErrorReply(t *testing.T) {
	srv := newFakeServer(t, fakeOptions{registerClose: true, registerReply: []string{
		":fake.test 484 %s :Your connection is restricted!",
	}})
	err := newChannel(t, testConfig(srv.addr())).Check(context.Background())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "irc: connection lost")
	assert.Contains(t, err.Error(), "after the server's error reply: 484 Your connection is restricted!")
	re, ok := replyError(err)
	if assert.True(t, ok, "a *irc.ReplyError in %q", err) {
		assert.Equal(t, "484", re.Code)
	}
	assert.False(t, broadcast.IsPermanent(err))
}

// An attempt whose ctx ends first names the server's reply too.
func TestRegisterCtxEndNamesLastErrorReply(t *testing.T) {
	srv := newFakeServer(t, fakeOptions{registerReply: []string{":fake.test 438 %s statusbot :Nick change too fast"}})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	err := newChannel(t, testConfig(srv.addr())).Check(ctx)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, err.Error(), "after the server's error reply: 438 Nick change too fast")
	assert.False(t, broadcast.IsPermanent(err))
}

// An ERROR during registration ends it at once, as the connection's end
// does, though the server leaves the socket open: its text is the error,
// and a ban it names is permanent. It used to be ignored, and the
// registration failed after Config.Timeout with "no answer".
func TestRegisterERRORWithoutClose(t *testing.T) {
	tests := []struct {
		bye       string
		permanent bool
	}{
		{bye: "Closing Link: 127.0.0.1 (K-Lined: spam)", permanent: true},
		{bye: "Closing Link: 127.0.0.1 (Too many host connections (local))"},
	}
	for _, tt := range tests {
		t.Run(tt.bye, func(t *testing.T) {
			srv := newFakeServer(t, fakeOptions{registerReply: []string{
				":fake.test NOTICE %s :*** You are not welcome here",
				"ERROR :" + tt.bye,
			}})
			cfg := testConfig(srv.addr())
			cfg.Timeout = time.Hour // the ERROR is the answer: no timeout may end the wait
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			err := newChannel(t, cfg).Check(ctx)
			require.Error(t, err)
			assert.NotErrorIs(t, err, context.DeadlineExceeded)
			assert.Contains(t, err.Error(), "irc: connection closed by the server: "+tt.bye)
			assert.Equal(t, tt.permanent, broadcast.IsPermanent(err), "IsPermanent(%q)", err)
		})
	}
}

// A persistent Channel registers its kept connection as a Send does:
// the same error.
func TestRegisterTimeoutPersistent(t *testing.T) {
	srv := newFakeServer(t, fakeOptions{registerReply: []string{":fake.test 438 %s statusbot :Nick change too fast"}})
	cfg := testConfig(srv.addr())
	cfg.Persistent = true
	cfg.Timeout = 200 * time.Millisecond
	ch := newChannel(t, cfg)
	for range 2 {
		_, err := ch.Send(context.Background(), message(sampleUpdate()))
		require.Error(t, err)
		assert.Contains(t, err.Error(), "irc: register: no welcome from the server within 200ms, after its error reply: 438 Nick change too fast")
		assert.False(t, broadcast.IsPermanent(err))
	}
	assert.Equal(t, 2, srv.connections())
}

// An ERROR without a reason during registration, the socket left open,
// ends registration as one with a reason does: its error says the server
// closed the connection, and reads nothing of the reader, which is still
// running (it used to report "connection lost: %!w(<nil>)", racing with
// the reader's end).
func TestRegisterERRORWithoutReason(t *testing.T) {
	for _, bye := range []string{"ERROR :", "ERROR"} {
		t.Run(bye, func(t *testing.T) {
			srv := newFakeServer(t, fakeOptions{registerReply: []string{bye}})
			cfg := testConfig(srv.addr())
			cfg.Timeout = time.Hour // the ERROR is the answer: no timeout may end the wait
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			err := newChannel(t, cfg).Check(ctx)
			require.Error(t, err)
			assert.NotErrorIs(t, err, context.DeadlineExceeded)
			assert.Contains(t, err.Error(), "irc: connection closed by the server")
			assert.NotContains(t, err.Error(), "%!")
			assert.False(t, broadcast.IsPermanent(err), "IsPermanent(%q)", err)
		})
	}
}
