package irc_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/irc"
)

// A 404 whose text no pattern knows (not delaymsg's, not a refusal for a
// while) refuses the channel for good, on a connection of its own or a
// kept one: Send fails for good when it was the only channel; beside a
// channel that got the update, Send returns nil, as broadcast.Fanout.Err
// has it, and the refusal is in the Ledger and the receipt's "failed". No
// update is counted delivered to the channel that refused it.
func TestUnknown404RefusesForGood(t *testing.T) {
	const text = "Cannot send to channel (+x) custom"
	for _, persistent := range []bool{false, true} {
		for _, channels := range [][]string{{"#ops"}, {"#status", "#ops"}} {
			t.Run(fmt.Sprintf("persistent=%v/%d channels", persistent, len(channels)), func(t *testing.T) {
				srv := newFakeServer(t, fakeOptions{sendReply: map[string]string{"#ops": "404 " + text}})
				cfg := testConfig(srv.addr())
				cfg.Channels = channels
				cfg.Persistent = persistent
				ch := newChannel(t, cfg)
				for range 2 { // on a kept connection, the second Send uses it again
					m := message(sampleUpdate())
					r, err := ch.Send(context.Background(), m)
					done, failure := m.Ledger.Done("#ops")
					assert.True(t, done)
					assert.Contains(t, failure, "404 "+text)
					if len(channels) == 1 {
						require.Error(t, err)
						assert.True(t, broadcast.IsPermanent(err), "%v", err)
						continue
					}
					require.NoError(t, err)
					assert.Equal(t, "#status", r.Meta["channels"])
					assert.Equal(t, "#ops", r.Meta["failed"])
				}
			})
		}
	}
}

// A 404 that names the channel in the server's casing, not the bot's
// (ngIRCd names a channel as it was created), refuses it all the same.
func TestRefusalNamingChannelInOtherCase(t *testing.T) {
	srv := newFakeServer(t, fakeOptions{
		sendReply: map[string]string{"#ops[1]": "404 Cannot send to channel"},
		replyName: map[string]string{"#ops[1]": "#OPS{1}"}, // CASEMAPPING=rfc1459
	})
	cfg := testConfig(srv.addr())
	cfg.Channels = []string{"#ops[1]"}
	cfg.Persistent = true
	_, err := newChannel(t, cfg).Send(context.Background(), message(sampleUpdate()))
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err), "%v", err)
	assert.Contains(t, err.Error(), "404 Cannot send to channel")
}

// The bot sends its lines to each channel by its configured name, which
// starts with a channel prefix (# & + !), never with a STATUSMSG prefix
// ("@#ops", to the channel's operators alone: New refuses such a name), so
// a server's reply to a line names the channel as the bot sent it, in the
// server's casing maybe: the reply is matched to the channel by the
// server's fold, whichever prefix the name has, for a 404 and for a
// numeric the package does not know alike.
func TestRefusalMatchesChannelAsSent(t *testing.T) {
	statusMsg := testConfig("irc.example:6667")
	statusMsg.Channels = []string{"@#ops"}
	_, err := irc.New(statusMsg)
	require.ErrorContains(t, err, "Config.Channels[0]: does not start with a channel prefix")
	for _, tc := range []struct{ sent, named string }{
		{"#ops", "#OPS"}, {"&ops", "&Ops"}, {"+ops", "+OPS"}, {"!12345ops", "!12345OPS"},
		{"#ops[1]", "#OPS{1}"}, // CASEMAPPING=rfc1459
	} {
		for _, code := range []string{"404", "439"} {
			t.Run(tc.sent+"/"+code, func(t *testing.T) {
				srv := newFakeServer(t, fakeOptions{
					sendReply: map[string]string{tc.sent: code + " Cannot send to channel"},
					replyName: map[string]string{tc.sent: tc.named},
				})
				cfg := testConfig(srv.addr())
				cfg.Channels = []string{tc.sent}
				m := message(sampleUpdate())
				_, err := newChannel(t, cfg).Send(context.Background(), m)
				require.Error(t, err)
				assert.Contains(t, err.Error(), "send to "+tc.sent+": ")
				assert.Contains(t, err.Error(), code+" Cannot send to channel")
				assert.Equal(t, code == "404", broadcast.IsPermanent(err), "%v", err)
				assert.Equal(t, []string{"PRIVMSG " + tc.sent}, privmsgTargets(srv))
			})
		}
	}
}

// privmsgTargets returns "PRIVMSG <target>" once for each target the
// clients posted to.
func privmsgTargets(srv *fakeServer) []string {
	var out []string
	for _, l := range srv.commands("PRIVMSG") {
		f := strings.Fields(l)
		if t := "PRIVMSG " + f[1]; !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}
