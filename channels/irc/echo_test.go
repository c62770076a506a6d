package irc_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/redact"
)

// Solanum drops a NOTICE to a channel it holds as flooded without a word:
// flood_attack_channel (ircd/channel.c) sends its "throttled" notice only
// for PRIVMSG. Where the server offers IRCv3 echo-message
// (https://ircv3.net/specs/extensions/echo-message; Solanum ircd/send.c
// echoes every channel message it relays to a sender that asked), Send
// asks for it, and a line not echoed before the PONG was dropped: the
// channel is left pending, with the shared rate limit's wait, not marked
// delivered.
func TestNoticeDroppedWithoutEcho(t *testing.T) {
	srv := newFakeServer(t, fakeOptions{echoMessage: true, modes: map[string]string{"#ops": "f"}})
	cfg := testConfig(srv.addr())
	cfg.Channels = []string{"#status", "#ops"}
	cfg.Notice = true
	ch := newChannel(t, cfg)
	m := message(sampleUpdate())
	_, err := ch.Send(context.Background(), m)
	assertOpsRateLimited(t, err, m, "irc: send to #ops: the server dropped 1 of 1 lines: "+
		"it did not echo them (IRCv3 echo-message)")
	assert.Contains(t, srv.commands("CAP"), "CAP REQ echo-message")
	assert.Empty(t, srv.saidIn("#ops"))
}

// With echo-message acknowledged, lines the server relays (and echoes) are
// delivered, as PRIVMSG or NOTICE, with or without a SASL login, whose
// request is separate: a REQ is granted or refused whole.
func TestEchoedLinesDelivered(t *testing.T) {
	for _, sasl := range []bool{false, true} {
		for _, notice := range []bool{false, true} {
			opts := fakeOptions{echoMessage: true}
			if sasl {
				opts.sasl = map[string]string{"bot": "pw"}
			}
			srv := newFakeServer(t, opts)
			cfg := testConfig(srv.addr())
			cfg.Channels = []string{"#status", "#ops"}
			cfg.Notice = notice
			if sasl {
				cfg.SASLUser, cfg.SASLPassword = "bot", redact.NewSecret("pw")
			}
			ch := newChannel(t, cfg)
			r, err := ch.Send(context.Background(), message(sampleUpdate()))
			require.NoError(t, err, "sasl %v, notice %v", sasl, notice)
			assert.Equal(t, "#status,#ops", r.Meta["channels"])
			assert.NotEmpty(t, srv.saidIn("#ops"))
			want := []string{"CAP LS 302", "CAP REQ echo-message", "CAP END"}
			if sasl {
				want = []string{"CAP LS 302", "CAP REQ echo-message", "CAP REQ sasl", "CAP END"}
			}
			assert.Equal(t, want, srv.commands("CAP"))
		}
	}
}

// Without echo-message (ngIRCd offers only multi-prefix, src/ngircd/
// irc-cap.c), nothing is awaited: lines not refused are delivered, and a
// NOTICE Solanum would drop silently cannot be told from one relayed (see
// # Limits). CAP negotiation ends at once.
func TestNoEchoOffered(t *testing.T) {
	srv := newFakeServer(t, fakeOptions{})
	cfg := testConfig(srv.addr())
	cfg.Notice = true
	ch := newChannel(t, cfg)
	_, err := ch.Send(context.Background(), message(sampleUpdate()))
	require.NoError(t, err)
	assert.Equal(t, []string{"CAP LS 302", "CAP END"}, srv.commands("CAP"))
}

// A server older than IRCv3 answers CAP with 421 (unknown command) and
// registers the bot all the same: without SASL, that is no failure.
func TestServerWithoutCAP(t *testing.T) {
	srv := newFakeServer(t, fakeOptions{noCap: true})
	ch := newChannel(t, testConfig(srv.addr()))
	require.NoError(t, ch.Check(context.Background()))
	_, err := ch.Send(context.Background(), message(sampleUpdate()))
	require.NoError(t, err)
	assert.NotEmpty(t, srv.saidIn("#ops"))
}

// A NOTICE to a moderated channel (+m) from a user without voice or
// operator status is dropped for good, and without a word: RFC 2812
// section 3.3.2 forbids any automatic reply to a NOTICE, and Hybrid's and
// Solanum's can_send refuse a moderated channel to all but chanops,
// halfops and voiced users (RFC 2811 section 4.2.3). When its lines are
// not echoed, Send asks the channel's modes (RPL_CHANNELMODEIS, RFC 2812
// section 3.2.3) and NAMES (RPL_NAMREPLY, section 3.2.5, which shows the
// bot's voice): moderated without voice, no retry gets the lines through
// and the channel fails for good, saying why; voiced, or not moderated
// (a flood limit: TestNoticeDroppedWithoutEcho), it stays pending.
func TestNoticeToModeratedChannel(t *testing.T) {
	for _, voiced := range []bool{false, true} {
		t.Run(fmt.Sprintf("voiced %v", voiced), func(t *testing.T) {
			srv := newFakeServer(t, fakeOptions{echoMessage: true, modes: map[string]string{"#ops": "m"},
				voiced: map[string]bool{"#ops": voiced}})
			cfg := testConfig(srv.addr())
			cfg.Channels = []string{"#status", "#ops"}
			cfg.Notice = true
			ch := newChannel(t, cfg)
			m := message(sampleUpdate())
			r, err := ch.Send(context.Background(), m)
			if voiced {
				require.NoError(t, err)
				assert.Len(t, srv.saidIn("#ops"), 1)
				return
			}
			require.NoError(t, err, "#status got the update")
			assert.Equal(t, "#ops", r.Meta["failed"])
			done, failure := m.Ledger.Done("#ops")
			assert.True(t, done)
			assert.Contains(t, failure, "irc: send to #ops: the channel is moderated (+m) and the bot has no voice (+v): "+
				"the server drops its NOTICEs without a reply; give the bot voice")
			assert.Empty(t, srv.saidIn("#ops"))
		})
	}
}

// An echo that comes after the PONG (a server that relays, and echoes,
// later than it answers PING) is no proof of a drop for good: as PRIVMSG,
// the channel is pending, with a rate limit's wait; as NOTICE, the echoes
// that arrive while Send asks the channel's modes deliver it.
func TestLateEchoStaysTransient(t *testing.T) {
	for _, notice := range []bool{false, true} {
		t.Run(fmt.Sprintf("notice %v", notice), func(t *testing.T) {
			srv := newFakeServer(t, fakeOptions{echoMessage: true, echoLate: true})
			cfg := testConfig(srv.addr())
			cfg.Channels = []string{"#status", "#ops"}
			cfg.Notice = notice
			ch := newChannel(t, cfg)
			m := message(sampleUpdate())
			_, err := ch.Send(context.Background(), m)
			if notice {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.False(t, broadcast.IsPermanent(err))
			done, _ := m.Ledger.Done("#ops")
			assert.False(t, done)
		})
	}
}

// Whether NAMES shows the bot with voice or more depends on the server's
// membership symbols, which RPL_ISUPPORT's PREFIX names, highest first
// (draft-brocklesby-irc-isupport-03 section 3.14; InspIRCd's customprefix
// module, say, adds modes of the administrator's choosing): a server with
// PREFIX=(Yqaohv)!~&@%+ shows a bot with its Y mode as "!bot". Send reads
// PREFIX, and takes the default, (ov)@+, from a server that sends none. A
// voiced bot's NOTICEs that a moderated channel drops without a word were
// dropped by a flood limit, not for the mode: the channel stays pending
// instead of failing for good.
func TestNoticeToModeratedChannelReadsISupportPrefix(t *testing.T) {
	for _, tc := range []struct {
		name     string
		isupport []string
		symbol   string
	}{
		{"custom symbol", []string{"PREFIX=(Yqaohv)!~&@%+"}, "!"},
		{"default", nil, "+"},
		{"voice only", []string{"PREFIX=(v)+"}, "+"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newFakeServer(t, fakeOptions{echoMessage: true, modes: map[string]string{"#ops": "m"},
				voiced: map[string]bool{"#ops": true}, mute: map[string]bool{"#ops": true},
				isupport: tc.isupport, voiceSymbol: tc.symbol})
			cfg := testConfig(srv.addr())
			cfg.Channels = []string{"#status", "#ops"}
			cfg.Notice = true
			ch := newChannel(t, cfg)
			m := message(sampleUpdate())
			_, err := ch.Send(context.Background(), m)
			require.Error(t, err)
			assert.False(t, broadcast.IsPermanent(err), "%v", err)
			assert.NotContains(t, err.Error(), "moderated")
			done, _ := m.Ledger.Done("#ops")
			assert.False(t, done, "pending")
			_, limited := broadcast.RetryDelay(err)
			assert.True(t, limited, "a rate limit's wait: %v", err)
		})
	}
}

// On a persistent connection, the echoes of a Send's lines that come
// after that Send ended (a server that echoes later than it answers PING)
// are not taken by the next Send for the echoes of its own lines, the same
// text to the same channel: the next Send PINGs the kept connection before
// posting, and what the server sends before that PONG belongs to an
// earlier Send. Its own lines, not echoed before its PONG, leave the
// channel pending again.
func TestLateEchoNotTakenByTheNextSend(t *testing.T) {
	srv := newFakeServer(t, fakeOptions{echoMessage: true, echoPings: 2})
	cfg := testConfig(srv.addr())
	cfg.Persistent = true
	ch := newChannel(t, cfg)
	m := message(sampleUpdate())
	for send := 1; send <= 2; send++ {
		_, err := ch.Send(context.Background(), m)
		require.Error(t, err, "send %d", send)
		assert.Contains(t, err.Error(), "it did not echo them", "send %d", send)
		done, _ := m.Ledger.Done("#ops")
		assert.False(t, done, "send %d: pending", send)
	}
	assert.Equal(t, 1, srv.connections(), "one kept connection")
}

// A server withdraws echo-message with CAP DEL (IRCv3 cap-notify, which
// CAP LS 302 turns on: InspIRCd's ircv3_capnotify "notifies users when
// client capabilities are added or removed", as when the module that
// provides one is unloaded) and echoes nothing after it. On a kept
// connection that news may come while no Send is under way: the next
// Sends await no echo, and count the lines the server relayed as
// delivered, not as dropped (and so posted again, attempt after attempt).
func TestEchoWithdrawnWhileIdle(t *testing.T) {
	srv := newFakeServer(t, fakeOptions{echoMessage: true, echoDelAt: 1}) // the PING after the first Send's lines
	cfg := testConfig(srv.addr())
	cfg.Persistent = true
	ch := newChannel(t, cfg)
	_, err := ch.Send(context.Background(), message(sampleUpdate()))
	require.NoError(t, err)
	u := sampleUpdate()
	u.Title += " (update)"
	r, err := ch.Send(context.Background(), message(u))
	require.NoError(t, err)
	assert.Equal(t, "#ops", r.Meta["channels"])
	assert.Equal(t, 1, srv.connections())
	assert.Len(t, srv.saidIn("#ops"), 2, "each Send's line, relayed once")
}

// A server that withdraws echo-message right after acknowledging it (CAP
// ACK then CAP DEL, read back to back) echoes nothing: the withdrawal is
// the last word, whichever of the reader and the registration handles
// its line first, and the Send awaits no echo.
func TestEchoWithdrawnRightAfterAck(t *testing.T) {
	for range 20 { // the two lines' handling raced: a few tries show it
		srv := newFakeServer(t, fakeOptions{echoMessage: true, echoDelAtAck: true})
		cfg := testConfig(srv.addr())
		cfg.Persistent = true
		ch := newChannel(t, cfg)
		r, err := ch.Send(context.Background(), message(sampleUpdate()))
		require.NoError(t, err)
		assert.Equal(t, "#ops", r.Meta["channels"])
		require.Len(t, srv.saidIn("#ops"), 1, "the line, relayed once")
		require.NoError(t, ch.Close())
	}
}
