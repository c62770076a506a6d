package irc_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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
