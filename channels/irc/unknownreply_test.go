package irc_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// An error numeric this package does not know that names the channel
// whose lines are out (ircu's 439 ERR_TARGETTOOFAST, a numeric of a
// server's own) leaves the channel not delivered: the server refused the
// lines, or may have. Its permanence is not known: the failure is
// transient. Beside it, a channel that got its lines is delivered.
func TestUnknownErrorReplyToLinesIsNoDelivery(t *testing.T) {
	checkNoDelivery(t, []noDeliveryCase{
		{name: "439 naming the channel",
			opts: fakeOptions{sendReply: map[string]string{"#ops": "439 Target change too fast. Please wait 10 seconds."}},
			want: "439 Target change too fast"},
		{name: "5xx naming the channel",
			opts: fakeOptions{sendReply: map[string]string{"#ops": "531 You are not permitted to send"}},
			want: "531 You are not permitted to send"},
		{name: "in the server's casing",
			opts: fakeOptions{sendReply: map[string]string{"#ops": "439 Target change too fast"},
				replyName: map[string]string{"#ops": "#OPS"}},
			want: "439 Target change too fast"},
	})
}

type noDeliveryCase struct {
	name string
	opts fakeOptions
	want string // in the failure of #ops
}

// checkNoDelivery sends an update, for each case, to #ops alone, and with
// #status before and after it: #ops is not delivered and Send fails for a
// while (a retry posts to #ops again), naming the server's reply; #status
// is delivered.
func checkNoDelivery(t *testing.T, cases []noDeliveryCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, channels := range [][]string{{"#ops"}, {"#status", "#ops"}, {"#ops", "#status"}} {
				srv := newFakeServer(t, tc.opts)
				cfg := testConfig(srv.addr())
				cfg.Channels = channels
				m := message(sampleUpdate())
				_, err := newChannel(t, cfg).Send(context.Background(), m)
				require.Error(t, err, "%v", channels)
				assert.False(t, broadcast.IsPermanent(err), "%v", err)
				assert.Contains(t, err.Error(), "send to #ops")
				assert.Contains(t, err.Error(), tc.want)
				done, _ := m.Ledger.Done("#ops")
				assert.False(t, done, "%v: #ops counted delivered", channels)
				if len(channels) > 1 {
					done, failure := m.Ledger.Done("#status")
					assert.True(t, done, "%v", channels)
					assert.Empty(t, failure, "%v", channels)
					assert.NotEmpty(t, srv.saidIn("#status"))
				}
			}
		})
	}
}

// A numeric that is no error (RPL_CHANNELMODEIS), naming the channel while
// its lines are out, leaves it delivered.
func TestInformationalNumericWhilePostingDelivers(t *testing.T) {
	srv := newFakeServer(t, fakeOptions{sendNote: map[string]string{"#ops": "324 +nt"}})
	cfg := testConfig(srv.addr())
	cfg.Channels = []string{"#status", "#ops"}
	m := message(sampleUpdate())
	r, err := newChannel(t, cfg).Send(context.Background(), m)
	require.NoError(t, err)
	assert.Equal(t, "#status,#ops", r.Meta["channels"])
	assert.NotEmpty(t, srv.saidIn("#ops"))
}

// An error reply that names no channel (417 ERR_INPUTTOOLONG), or names the
// command rather than the channel, while a channel's lines are out and
// every JOIN was answered, answers a line of that channel: it is not
// delivered.
func TestBareErrorReplyToLinesIsNoDelivery(t *testing.T) {
	checkNoDelivery(t, []noDeliveryCase{
		{name: "naming nothing",
			opts: fakeOptions{sendRaw: map[string]string{"#ops": ":fake.test 417 %s :Input line was too long"}},
			want: "417 Input line was too long"},
		{name: "naming the command",
			opts: fakeOptions{sendRaw: map[string]string{"#ops": ":fake.test 461 %s PRIVMSG :Not enough parameters"}},
			want: "461 Not enough parameters"},
	})
}

// A refusal that comes after the PONG that follows a channel's lines
// answers a later command, not the lines: where the bot sends NOTICE and
// asks the channel's modes for lines not echoed by the PONG, RFC 2812's
// 477 ERR_NOCHANMODES to that MODE on a modeless channel ("+ops") does not
// fail the channel whose echoes came meanwhile.
func TestRefusalAfterPongLeavesEchoedChannelDelivered(t *testing.T) {
	srv := newFakeServer(t, fakeOptions{echoMessage: true, echoLate: true,
		modeReply: map[string]string{"+ops": "477 Channel doesn't support modes"}})
	cfg := testConfig(srv.addr())
	cfg.Channels = []string{"+ops"}
	cfg.Notice = true
	m := message(sampleUpdate())
	r, err := newChannel(t, cfg).Send(context.Background(), m)
	require.NoError(t, err)
	assert.Equal(t, "+ops", r.Meta["channels"])
	assert.NotEmpty(t, srv.commands("MODE"), "the modes were not asked")
}

// A 477 that answers the MODE Send asks for NOTICE lines not echoed (RFC
// 2812's ERR_NOCHANMODES, on a channel without modes) comes after the
// PONG of the lines and answers no line: the channel's error says that
// the lines were dropped (a rate limit), not that the channel takes only
// logged-in users.
func TestNoChanModesToModeLeavesTheDropAsReason(t *testing.T) {
	srv := newFakeServer(t, fakeOptions{echoMessage: true, mute: map[string]bool{"+ops": true},
		modeReply: map[string]string{"+ops": "477 Channel doesn't support modes"}})
	cfg := testConfig(srv.addr())
	cfg.Channels = []string{"+ops"}
	cfg.Notice = true
	_, err := newChannel(t, cfg).Send(context.Background(), message(sampleUpdate()))
	require.Error(t, err)
	assert.NotEmpty(t, srv.commands("MODE"), "the modes were not asked")
	assert.False(t, broadcast.IsPermanent(err), "%v", err)
	pending := pendingErr(t, err, "+ops")
	assert.Contains(t, pending.Error(), "the server dropped")
	assert.NotContains(t, pending.Error(), "logged in")
	_, waits := broadcast.RetryDelay(pending)
	assert.True(t, waits, "%v", pending)
}
