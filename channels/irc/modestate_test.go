package irc_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/irc"
)

// noticesTo returns the NOTICE lines among lines that go to channel.
func noticesTo(lines []string, channel string) []string {
	var out []string
	for _, l := range lines {
		if strings.HasPrefix(l, "NOTICE "+channel+" ") {
			out = append(out, l)
		}
	}
	return out
}

// A NOTICE to a moderated channel (+m) where the bot has no voice, on a
// server without echo-message, fails for good before any line goes out:
// the NAMES reply that follows the JOIN (RFC 2812 section 3.2.1) shows
// the bot's voice, one MODE query the channel's modes. Nothing is posted
// to be dropped.
func TestNoticeToModeratedChannelSendsNothing(t *testing.T) {
	srv := newFakeServer(t, fakeOptions{modes: map[string]string{"#ops": "m"}})
	cfg := testConfig(srv.addr())
	cfg.Channels = []string{"#status", "#ops"}
	cfg.Notice = true
	ch := newChannel(t, cfg)
	m := message(sampleUpdate())
	r, err := ch.Send(context.Background(), m)
	require.NoError(t, err, "#status got the update")
	assert.Equal(t, "#status", r.Meta["channels"])
	done, failure := m.Ledger.Done("#ops")
	assert.True(t, done)
	assert.Contains(t, failure, "irc: send to #ops: the channel is moderated (+m) and the bot has no voice (+v)")
	assert.Empty(t, noticesTo(srv.received(), "#ops"), "no line sent to #ops")
	assert.Empty(t, srv.commands("NAMES"), "the JOIN's NAMES reply showed the voice")
}

// keptNoticeChannel is a persistent Channel posting NOTICEs to #status and
// #ops of srv, which has no echo-message, after a first Send that joined
// them both and delivered.
func keptNoticeChannel(t *testing.T, srv *fakeServer) *irc.Channel {
	t.Helper()
	cfg := testConfig(srv.addr())
	cfg.Channels = []string{"#status", "#ops"}
	cfg.Notice = true
	cfg.Persistent = true
	ch := newChannel(t, cfg)
	r, err := ch.Send(context.Background(), message(sampleUpdate()))
	require.NoError(t, err)
	require.Equal(t, "#status,#ops", r.Meta["channels"])
	return ch
}

// secondUpdate is an update other than sampleUpdate.
func secondUpdate() broadcast.Update {
	u := sampleUpdate()
	u.ID, u.Status, u.Body = "u2", broadcast.StatusIdentified, "The cause is a bad deploy."
	return u
}

// On a kept connection, a Send of NOTICEs to channels neither moderated
// nor muted for the bot costs no line beyond the connection's probe, the
// lines and the PING after each channel's lines: the channels' modes and
// the bot's voice are known since their JOIN, kept current by the MODE
// lines the server relays.
func TestNoticeOnKeptConnectionAsksNothing(t *testing.T) {
	srv := newFakeServer(t, fakeOptions{modes: map[string]string{"#ops": "m"}, voiced: map[string]bool{"#ops": true}})
	ch := keptNoticeChannel(t, srv)
	before := len(srv.received())
	m := message(secondUpdate())
	r, err := ch.Send(context.Background(), m)
	require.NoError(t, err)
	assert.Equal(t, "#status,#ops", r.Meta["channels"])
	var other []string
	pings := 0
	for _, l := range srv.received()[before:] {
		switch {
		case strings.HasPrefix(l, "PING "):
			pings++
		case strings.HasPrefix(l, "NOTICE "):
		default:
			other = append(other, l)
		}
	}
	assert.Empty(t, other, "no MODE, NAMES or other line")
	assert.Equal(t, 3, pings, "the probe, and one after each channel's lines")
}

// A channel made moderated (+m), or the bot devoiced there, between two
// Sends on a kept connection: the server relays the MODE to the bot, and
// the next Send fails the channel for good before sending it a line,
// once the server's answers to MODE and NAMES confirm what the relayed
// MODE says (see TestNoticeMutedBeliefAskedAgain). Voiced again, it is
// delivered.
func TestNoticeModeChangedBetweenSends(t *testing.T) {
	tests := []struct {
		name   string
		opts   fakeOptions
		change string
	}{
		{name: "made moderated", opts: fakeOptions{}, change: "+m"},
		{name: "devoiced", opts: fakeOptions{modes: map[string]string{"#ops": "m"}, voiced: map[string]bool{"#ops": true}},
			change: "-v statusbot"},
		{name: "moderated and devoiced in one", opts: fakeOptions{voiced: map[string]bool{"#ops": true}},
			change: "+mv-v statusbot statusbot"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newFakeServer(t, tt.opts)
			ch := keptNoticeChannel(t, srv)
			srv.setMode("#ops", tt.change)
			before := len(srv.received())
			m := message(secondUpdate())
			r, err := ch.Send(context.Background(), m)
			require.NoError(t, err, "#status got the update")
			assert.Equal(t, "#status", r.Meta["channels"])
			done, failure := m.Ledger.Done("#ops")
			assert.True(t, done)
			assert.Contains(t, failure, "irc: send to #ops: the channel is moderated (+m) and the bot has no voice (+v)")
			sent := srv.received()[before:]
			assert.Empty(t, noticesTo(sent, "#ops"), "no line sent to #ops")
			assert.Equal(t, []string{"MODE #ops", "NAMES #ops"}, asked(sent),
				"a belief from before the Send, asked again before failing for good")

			srv.setMode("#ops", "+v statusbot")
			u := secondUpdate()
			u.ID = "u3"
			r, err = ch.Send(context.Background(), message(u))
			require.NoError(t, err)
			assert.Equal(t, "#status,#ops", r.Meta["channels"])
		})
	}
}

// A kept connection that lost track of the bot's voice (it was opped and
// voiced, NAMES showed only "@", and it was deopped: whether voice is
// left, nothing said) asks NAMES again before the lines.
func TestNoticeAsksWhenVoiceUnknown(t *testing.T) {
	srv := newFakeServer(t, fakeOptions{modes: map[string]string{"#ops": "m"}, voiced: map[string]bool{"#ops": true},
		voiceSymbol: "@"})
	ch := keptNoticeChannel(t, srv)
	srv.setMode("#ops", "-o statusbot")
	before := len(srv.received())
	m := message(secondUpdate())
	_, err := ch.Send(context.Background(), m)
	require.NoError(t, err)
	var names int
	for _, l := range srv.received()[before:] {
		if strings.HasPrefix(l, "NAMES ") {
			names++
		}
	}
	assert.Equal(t, 1, names)
}
