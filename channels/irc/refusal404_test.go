package irc_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
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
