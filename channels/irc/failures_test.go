package irc_test

import (
	"context"
	"errors"
	"fmt"
	"github.com/outagecast/outagecast/redact"
	"net"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/channels/irc"
)

func TestSendFailures(t *testing.T) {
	tests := []struct {
		name      string
		opts      fakeOptions
		cfg       func(*irc.Config)
		wantText  string // in the error
		wantCode  string // of the *irc.ReplyError; "" none
		permanent bool
		closes    bool // the server closes the connection itself
	}{
		{name: "wrong channel key", opts: fakeOptions{keys: map[string]string{"#ops": "sesame"}},
			cfg:      func(c *irc.Config) { c.Channels = []string{"#ops wrong"} },
			wantText: "join #ops: 475", wantCode: "475", permanent: true},
		{name: "invite only", opts: fakeOptions{modes: map[string]string{"#ops": "i"}},
			wantText: "join #ops: 473", wantCode: "473", permanent: true},
		{name: "banned", opts: fakeOptions{modes: map[string]string{"#ops": "b"}},
			wantText: "join #ops: 474", wantCode: "474", permanent: true},
		// ngIRCd and Solanum say "channel is full, try later": a limit
		// bot raises +l as members come and go.
		{name: "full", opts: fakeOptions{modes: map[string]string{"#ops": "l"}},
			wantText: "join #ops: 471", wantCode: "471"},
		{name: "moderated", opts: fakeOptions{modes: map[string]string{"#ops": "m"}},
			wantText: "send to #ops: 404", wantCode: "404", permanent: true},
		// 477 (ERR_NEEDREGGEDNICK) says the channel takes only users
		// logged in to the network's services. Without a login to
		// offer, a retry cannot change that (the error names a join
		// flood's +R too: see TestUnrealJoinFloodRegisteredOnly).
		{name: "registered users only, no login", opts: fakeOptions{modes: map[string]string{"#ops": "R"}},
			wantText: "irc: join #ops: the channel takes only users logged in to the network's services (set so by its operators, " +
				"or for a while by the server against a join flood, as UnrealIRCd's channel anti-flood sets +R for 10 minutes; " +
				"the reply does not say which); log in with Config.SASLUser and Config.SASLPassword (or Config.SASLExternal), " +
				"which lets the bot in either way: 477 Cannot join channel (+R)",
			wantCode: "477", permanent: true},
		// Logged in, the bot may be on an alternate nick that is not
		// its account's (here the nick is statusbot, the account bot), or
		// services may lag: a later attempt may pass.
		{name: "registered users only, logged in", opts: fakeOptions{modes: map[string]string{"#ops": "R"}, sasl: map[string]string{"bot": "pw"}},
			cfg: func(c *irc.Config) { c.SASLUser, c.SASLPassword = "bot", redact.NewSecret("pw") },
			wantText: "irc: join #ops: the channel takes only users logged in to the network's services, " +
				"and the server does not count the bot's SASL login (yet", wantCode: "477"},
		// ngIRCd, InspIRCd and Hybrid answer a PRIVMSG to a channel
		// that is +M with 477 too: a refusal of the lines, not of a JOIN.
		{name: "registered users only to speak", opts: fakeOptions{modes: map[string]string{"#ops": "M"}},
			wantText: "irc: send to #ops: the channel takes only users logged in to the network's services; " +
				"log in with Config.SASLUser and Config.SASLPassword (or Config.SASLExternal): 477 Cannot send to channel (+M)",
			wantCode: "477", permanent: true},
		{name: "wrong server password", opts: fakeOptions{password: "right"},
			cfg:      func(c *irc.Config) { c.Password = redact.NewSecret("wrong") },
			wantText: "register: log in: 464", wantCode: "464", permanent: true, closes: true},
		{name: "wrong server password, ERROR only", opts: fakeOptions{password: "right", bare464: true},
			cfg:       func(c *irc.Config) { c.Password = redact.NewSecret("wrong") },
			wantText:  "irc: register: log in: the server closed the connection: Access denied: Bad password?",
			permanent: true, closes: true},
		{name: "server password missing, ERROR only", opts: fakeOptions{password: "right", bare464: true},
			wantText:  "irc: register: log in: the server closed the connection: Access denied: Bad password?",
			permanent: true, closes: true},
		{name: "wrong SASL password", opts: fakeOptions{sasl: map[string]string{"bot": "right"}},
			cfg:      func(c *irc.Config) { c.SASLUser, c.SASLPassword = "bot", redact.NewSecret("wrong") },
			wantText: "register: SASL: 904", wantCode: "904", permanent: true},
		// Solanum (Libera) leaves "sasl" out of CAP LS while its services
		// are away, and lists it again when they are back.
		{name: "no SASL on the server", opts: fakeOptions{},
			cfg:      func(c *irc.Config) { c.SASLUser, c.SASLPassword = "bot", redact.NewSecret("pw") },
			wantText: "register: SASL: the server does not offer SASL"},
		{name: "SASL gone between CAP LS and CAP REQ", opts: fakeOptions{sasl: map[string]string{"bot": "pw"}, saslGone: true},
			cfg:      func(c *irc.Config) { c.SASLUser, c.SASLPassword = "bot", redact.NewSecret("pw") },
			wantText: "register: SASL: the server does not offer SASL now"},
		{name: "SASL without PLAIN", opts: fakeOptions{sasl: map[string]string{"bot": "pw"}, saslMechs: "EXTERNAL"},
			cfg:      func(c *irc.Config) { c.SASLUser, c.SASLPassword = "bot", redact.NewSecret("pw") },
			wantText: "register: SASL: the server does not offer SASL PLAIN", permanent: true},
		// A server listing "sasl" without its mechanisms (CAP 3.1) answers
		// an AUTHENTICATE of one it lacks with 908, naming those it has,
		// then 904: the error says which.
		{name: "SASL without PLAIN, mechanisms unlisted", opts: fakeOptions{sasl: map[string]string{"bot": "pw"}, saslMechs: "EXTERNAL,SCRAM-SHA-256", saslBare: true},
			cfg:      func(c *irc.Config) { c.SASLUser, c.SASLPassword = "bot", redact.NewSecret("pw") },
			wantText: "register: SASL: 904 SASL authentication failed (the server's SASL mechanisms: EXTERNAL,SCRAM-SHA-256; PLAIN is not one of them)", wantCode: "904", permanent: true},
		{name: "erroneous nick", opts: fakeOptions{nickLen: 5},
			wantText: "register: nick statusbot: 432", wantCode: "432", permanent: true},
		{name: "every alternate nick in use",
			opts:     fakeOptions{nicksInUse: []string{"statusbot", "statusbot_", "statusbot__", "statusbo1", "statusbo2"}},
			wantText: "nick statusbot and 4 alternates: 433", wantCode: "433"},
		{name: "no PONG", opts: fakeOptions{noPong: true},
			cfg:      func(c *irc.Config) { c.Timeout = 100 * time.Millisecond },
			wantText: "PING: no answer from the server within 100ms"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newFakeServer(t, tt.opts)
			cfg := testConfig(srv.addr())
			if tt.cfg != nil {
				tt.cfg(&cfg)
			}
			ch := newChannel(t, cfg)
			_, err := ch.Send(context.Background(), message(sampleUpdate()))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantText)
			assert.Equal(t, tt.permanent, broadcast.IsPermanent(err), "IsPermanent(%q)", err)
			if re, ok := replyError(err); tt.wantCode != "" && assert.True(t, ok, "a *irc.ReplyError in %q", err) {
				assert.Equal(t, tt.wantCode, re.Code)
			}
			assert.NotContains(t, err.Error(), "wrong", "the error must not show a password")
			if !tt.closes {
				assert.Len(t, srv.commands("QUIT"), 1, "the bot quits cleanly after a failure")
			}
		})
	}
}

func TestSendConnectionFailures(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	closedAddr := ln.Addr().String()
	require.NoError(t, ln.Close())

	t.Run("connection refused is transient", func(t *testing.T) {
		ch := newChannel(t, testConfig(closedAddr))
		_, err := ch.Send(context.Background(), message(sampleUpdate()))
		require.Error(t, err)
		assert.Contains(t, err.Error(), "irc: connect "+closedAddr)
		assert.False(t, broadcast.IsPermanent(err))
	})
	t.Run("connection dropped mid-send is transient", func(t *testing.T) {
		srv := newFakeServer(t, fakeOptions{})
		srv.Fail(channeltest.FailTransient)
		ch := newChannel(t, testConfig(srv.addr()))
		_, err := ch.Send(context.Background(), message(sampleUpdate()))
		require.Error(t, err)
		assert.Contains(t, err.Error(), "irc: connection lost")
		assert.False(t, broadcast.IsPermanent(err))
	})
	t.Run("TLS to a plaintext port is permanent", func(t *testing.T) {
		srv := newFakeServer(t, fakeOptions{greet: true})
		cfg := testConfig(srv.addr())
		cfg.TLS = irc.TLSOn
		ch := newChannel(t, cfg)
		err := ch.Check(context.Background())
		require.Error(t, err)
		assert.Contains(t, err.Error(), "TLS")
		assert.True(t, broadcast.IsPermanent(err))
	})
	t.Run("ctx ending mid-send stops at once", func(t *testing.T) {
		srv := newFakeServer(t, fakeOptions{noPong: true})
		ch := newChannel(t, testConfig(srv.addr()))
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		_, err := ch.Send(ctx, message(sampleUpdate()))
		require.ErrorIs(t, err, context.DeadlineExceeded)
		assert.False(t, broadcast.IsPermanent(err))
	})
}

// onePending requires err to be a *broadcast.TargetsError with one
// pending target, asserts that it is target, and returns it.
func onePending(t *testing.T, err error, target string) broadcast.TargetFailure {
	t.Helper()
	var te *broadcast.TargetsError
	require.ErrorAs(t, err, &te)
	require.Len(t, te.Pending, 1, "%v", err)
	assert.Equal(t, target, te.Pending[0].Target)
	return te.Pending[0]
}

// replyError finds the *irc.ReplyError of err: in its chain (a refusal of
// the connection: password, SASL, nick) or in the error of one of the IRC
// channels a *broadcast.TargetsError lists (a refusal of that channel).
func replyError(err error) (*irc.ReplyError, bool) {
	var re *irc.ReplyError
	if errors.As(err, &re) {
		return re, true
	}
	var te *broadcast.TargetsError
	if errors.As(err, &te) {
		for _, f := range slices.Concat(te.Pending, te.Failures) {
			if errors.As(f.Err, &re) {
				return re, true
			}
		}
	}
	return nil, false
}

// A server that repeats the credentials it received in its error answers
// (a 464 reply, an ERROR line, a SASL 904 with the AUTHENTICATE payload in
// base64) does not get them into the channel's errors, which still carry
// the numeric and the server's other words.
func TestServerEchoIsRedacted(t *testing.T) {
	tests := []struct {
		name     string
		opts     fakeOptions
		sasl     bool
		wantText string
		wantCode string
	}{
		{name: "464 reply", opts: fakeOptions{password: "right", echo: true},
			wantText: "register: log in: 464 Password incorrect (you sent PASS REDACTED", wantCode: "464"},
		{name: "ERROR line", opts: fakeOptions{password: "right", bare464: true, echo: true},
			wantText: "the server closed the connection: Access denied: Bad password? (you sent PASS REDACTED"},
		{name: "SASL 904 with the AUTHENTICATE payload", opts: fakeOptions{sasl: map[string]string{"bot": "right"}, echo: true},
			sasl: true, wantText: "register: SASL: 904 SASL authentication failed (you sent PASS REDACTED AUTHENTICATE REDACTED)",
			wantCode: "904"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newFakeServer(t, tt.opts)
			cfg := testConfig(srv.addr())
			cfg.Password = redact.NewSecret(serverPassword)
			if tt.sasl {
				cfg.SASLUser, cfg.SASLPassword = "bot", redact.NewSecret(saslPassword)
			}
			ch := newChannel(t, cfg)
			for _, call := range []func() error{
				func() error { _, err := ch.Send(context.Background(), message(sampleUpdate())); return err },
				func() error { return ch.Check(context.Background()) },
			} {
				err := call()
				require.Error(t, err)
				require.NotEmpty(t, srv.commands("PASS"), "the password was sent")
				for _, shown := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
					channeltest.AssertNoSecret(t, shown, serverPassword, saslPassword)
				}
				assert.Contains(t, err.Error(), tt.wantText)
				assert.True(t, broadcast.IsPermanent(err))
				if re, ok := replyError(err); tt.wantCode != "" && assert.True(t, ok, "a *irc.ReplyError in %q", err) {
					assert.Equal(t, tt.wantCode, re.Code)
					channeltest.AssertNoSecret(t, re.Text, serverPassword, saslPassword)
				}
			}
		})
	}
}
