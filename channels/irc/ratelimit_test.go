package irc_test

import (
	"context"
	"encoding/binary"
	"io"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/httpx"
	"github.com/outagecast/outagecast/channels/irc"
)

// A server that refuses a connection for reconnecting too often is a rate
// limit: the attempt is retried, after httpx.RateLimitWait, since IRC
// servers name no wait, rather than at the Broadcaster's first backoff
// steps (1 s, 2 s, 4 s…), which Solanum's default throttle (more than 4
// connections within 60 s) refuses every time. The ERROR texts are the
// servers' own.
func TestThrottledConnection(t *testing.T) {
	tests := []struct {
		name      string
		refuse    string
		throttled bool
	}{
		// Solanum, ircd/listener.c, on its plaintext listeners.
		{name: "Solanum", refuse: "Reconnecting too fast, throttled.", throttled: true},
		// UnrealIRCd, src/modules/connect-flood.c.
		{name: "UnrealIRCd", refuse: "Closing Link: [127.0.0.1] (Throttled: Reconnecting too fast) - " +
			"Email admin@example.org for more information.", throttled: true},
		// InspIRCd's connflood module, with the quit message of its
		// example configuration.
		{name: "InspIRCd connflood", refuse: "Closing link: (statusbot@127.0.0.1) [Throttled]", throttled: true},
		// Ergo, irc/server.go (InspIRCd's connectban says much the same).
		{name: "Ergo", refuse: "You have attempted to connect too many times within a short duration. " +
			"Wait a while, and you will be able to connect.", throttled: true},
		// InspIRCd's connectban Z-lines the host for a while: a
		// throttle, not a ban for good.
		{name: "InspIRCd connectban", refuse: "Closing link: (statusbot@127.0.0.1) [Z-Lined: Your IP range has been " +
			"attempting to connect too many times in too short a duration.]", throttled: true},
		// ngIRCd's limit of connections at once (MaxConnectionsIP) is no
		// throttle: one of them may close any moment.
		{name: "ngIRCd too many connections", refuse: "Connection refused, too many connections from your IP address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newFakeServer(t, fakeOptions{refuse: tt.refuse})
			ch := newChannel(t, testConfig(srv.addr()))
			for _, call := range []func() error{
				func() error { _, err := ch.Send(context.Background(), message(sampleUpdate())); return err },
				func() error { return ch.Check(context.Background()) },
			} {
				err := call()
				require.Error(t, err)
				assert.Contains(t, err.Error(), "irc: connection closed by the server: "+tt.refuse)
				assert.False(t, broadcast.IsPermanent(err))
				d, hinted := broadcast.RetryDelay(err)
				if tt.throttled {
					assert.True(t, hinted, "a rate limit: %q", err)
					assert.Equal(t, httpx.RateLimitWait, d)
				} else {
					assert.False(t, hinted, "no rate limit: %q", err)
				}
			}
		})
	}
}

// A server disconnects a client that sends more lines than its flood limit
// lets through (Solanum's, ratbox's and Hybrid's client_flood, ircd/
// packet.c: "Excess Flood"; InspIRCd's "Excess flood" and "RecvQ
// exceeded"; UnrealIRCd's "Excess Flood"): the pacing (Config.Burst,
// Config.Interval) goes faster than the server allows. The error says so,
// naming the settings, and is a rate limit: retried at the Broadcaster's
// first backoff steps, the new connection would flood again at once, and
// the channels' members would read the lines posted before twice as often.
func TestDisconnectedForFlooding(t *testing.T) {
	for _, quit := range []string{
		"Closing Link: 127.0.0.1 (Excess Flood)",
		"Closing link: (statusbot@127.0.0.1) [Excess flood]",
		"Closing link: (statusbot@127.0.0.1) [RecvQ exceeded]",
	} {
		t.Run(quit, func(t *testing.T) {
			srv := newFakeServer(t, fakeOptions{modes: map[string]string{"#ops": "F"}, floodQuit: quit})
			ch := newChannel(t, testConfig(srv.addr()))
			_, err := ch.Send(context.Background(), message(sampleUpdate()))
			require.Error(t, err)
			assert.Contains(t, err.Error(), quit)
			assert.Contains(t, err.Error(), "lower Config.Burst or raise Config.Interval")
			assert.False(t, broadcast.IsPermanent(err))
			d, hinted := broadcast.RetryDelay(err)
			assert.True(t, hinted, "a rate limit: %q", err)
			assert.Equal(t, httpx.RateLimitWait, d)
		})
	}
}

// Solanum throttles its TLS listeners too, but writes a TLS alert instead
// of an ERROR line: 15 03 00 00 02 02 31, a fatal "access denied" (ircd/
// listener.c, ssldeniederrcode). The default connection (TLSOn) sees only
// that.
func TestThrottledTLSConnection(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	done := make(chan struct{})
	t.Cleanup(func() { _ = ln.Close(); <-done })
	go func() {
		defer close(done)
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			// Read the ClientHello record whole, so that closing sends
			// no reset that could overtake the alert.
			hdr := make([]byte, 5)
			if _, err := io.ReadFull(conn, hdr); err == nil {
				_, _ = io.CopyN(io.Discard, conn, int64(binary.BigEndian.Uint16(hdr[3:])))
				_, _ = conn.Write([]byte{0x15, 0x03, 0x00, 0x00, 0x02, 0x02, 0x31})
			}
			_ = conn.Close()
		}
	}()
	cfg := testConfig(ln.Addr().String())
	cfg.TLS = irc.TLSOn
	ch := newChannel(t, cfg)
	_, err = ch.Send(context.Background(), message(sampleUpdate()))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "access denied")
	assert.False(t, broadcast.IsPermanent(err))
	d, hinted := broadcast.RetryDelay(err)
	assert.True(t, hinted, "a rate limit: %q", err)
	assert.Equal(t, httpx.RateLimitWait, d)
}

// Solanum limits how many channels a client that is neither opped nor
// voiced may message: 10 after connecting, 4 for a host that exceeded it
// before, one more a minute. Past that, it drops the line and answers 707
// (ERR_TARGCHANGE, doc/features/tgchange.txt), which the PONG that follows
// does not undo: the channel did not get the update, and is left for a
// later attempt, after the rate limit's wait.
func TestTargetChangeLimit(t *testing.T) {
	srv := newFakeServer(t, fakeOptions{modes: map[string]string{"#ops": "t"}})
	cfg := testConfig(srv.addr())
	cfg.Channels = []string{"#status", "#ops"}
	for _, notice := range []bool{false, true} {
		cfg.Notice = notice
		ch := newChannel(t, cfg)
		m := message(sampleUpdate())
		_, err := ch.Send(context.Background(), m)
		assertOpsRateLimited(t, err, m, "irc: send to #ops: 707 Targets changing too fast, message dropped")
		re, ok := replyError(err)
		require.True(t, ok)
		assert.Equal(t, "707", re.Code)
	}
	assert.Empty(t, srv.saidIn("#ops"))
	assert.NotEmpty(t, srv.saidIn("#status"))
}

// A server that refuses a connection as soon as it is made writes an ERROR
// line with its reason and closes, before it reads a line: the bot's
// registration lines then fail to write ("broken pipe"), and the error
// gives the server's reason, not that. (ngIRCd's words for a host with
// more connections than MaxConnectionsIP, src/ngircd/conn.c.)
func TestServerClosesAtOnce(t *testing.T) {
	const reason = "Connection refused, too many connections from your IP address"
	srv := newFakeServer(t, fakeOptions{refuse: reason})
	ch := newChannel(t, testConfig(srv.addr()))
	for range 5 { // the write fails at a different line each time, or not at all
		_, err := ch.Send(context.Background(), message(sampleUpdate()))
		require.Error(t, err)
		assert.Equal(t, "irc: connection closed by the server: "+reason, err.Error())
		assert.False(t, broadcast.IsPermanent(err))
		err = ch.Check(context.Background())
		require.Error(t, err)
		assert.Equal(t, "irc: connection closed by the server: "+reason, err.Error())
	}
}

// Solanum drops the messages to a channel that gets more than 10 a second
// from the users of the server (its default floodcount: the bot's lines
// and everyone's questions in a busy channel during an outage), and says
// so in a server NOTICE for each PRIVMSG dropped (flood_attack_channel,
// ircd/channel.c). The channel did not get the update: it is left for a
// later attempt, after the rate limit's wait.
func TestChannelFloodLimit(t *testing.T) {
	srv := newFakeServer(t, fakeOptions{modes: map[string]string{"#ops": "f"}})
	cfg := testConfig(srv.addr())
	cfg.Channels = []string{"#status", "#ops"}
	ch := newChannel(t, cfg)
	m := message(sampleUpdate())
	_, err := ch.Send(context.Background(), m)
	assertOpsRateLimited(t, err, m, "irc: send to #ops: the server dropped the lines: *** Message to #ops throttled due to flooding")
}

// UnrealIRCd drops the PRIVMSGs to a channel that got more than 45 in 5
// seconds from its users (set::anti-flood::target-flood, on by default:
// src/modules/targetfloodprot.c) and answers each with 404, the numeric
// of a ban or a moderated channel, as "Channel is being flooded. Message
// not delivered." (src/modules/message.c). That passes in seconds: the
// channel is left for a later attempt, after the rate limit's wait, not
// failed for good.
func TestUnrealTargetFlood(t *testing.T) {
	srv := newFakeServer(t, fakeOptions{modes: map[string]string{"#ops": "u"}})
	cfg := testConfig(srv.addr())
	cfg.Channels = []string{"#status", "#ops"}
	ch := newChannel(t, cfg)
	m := message(sampleUpdate())
	_, err := ch.Send(context.Background(), m)
	assertOpsRateLimited(t, err, m, "irc: send to #ops: 404 Channel is being flooded. Message not delivered.")
	re, ok := replyError(err)
	require.True(t, ok)
	assert.Equal(t, "404", re.Code)
}

// UnrealIRCd 6 can refuse channel messages from a connection younger than
// a connect-time (restrict-commands, channel-message: "except {
// connect-time 30; }"), with a 404 (src/modules/restrict-commands.c),
// where UnrealIRCd 5 said it in a server notice, which Send takes for a
// rate limit (TestDroppedLinesNameRefusalNotice). It passes with time, on
// a kept connection (Config.Persistent), or with a SASL login the server
// exempts: the channel is left for a later attempt, after the rate
// limit's wait, not failed for good.
func TestUnrealConnectTimeForChannelMessages(t *testing.T) {
	srv := newFakeServer(t, fakeOptions{modes: map[string]string{"#ops": "c"}})
	cfg := testConfig(srv.addr())
	cfg.Channels = []string{"#status", "#ops"}
	ch := newChannel(t, cfg)
	m := message(sampleUpdate())
	_, err := ch.Send(context.Background(), m)
	assertOpsRateLimited(t, err, m, "irc: send to #ops: 404 You cannot send messages to channels until you've been connected for 30 seconds")
}

// assertOpsRateLimited checks err, the error of Send of m to #status and
// #ops, for a rate limit of #ops alone: #ops pending with the error text
// want and the shared rate limit's wait, not marked done; #status done.
func assertOpsRateLimited(t *testing.T, err error, m broadcast.Message, want string) {
	t.Helper()
	require.Error(t, err)
	assert.False(t, broadcast.IsPermanent(err))
	p := onePending(t, err, "#ops")
	assert.Contains(t, p.Err.Error(), want)
	d, hinted := broadcast.RetryDelay(err)
	assert.True(t, hinted, "a rate limit: %q", err)
	assert.Equal(t, httpx.RateLimitWait, d)
	done, failure := m.Ledger.Done("#ops")
	assert.False(t, done, "#ops did not get the update (%s)", failure)
	done, _ = m.Ledger.Done("#status")
	assert.True(t, done)
}

// A rate limit of one channel (a 707 or a flood notice) still asks for its
// wait when the connection is lost later in the same attempt, whether at
// the lines of the next channel or before the PONG that follows its own:
// the attempt is not retried at the Broadcaster's first backoff steps,
// where the server would drop the lines again.
func TestRateLimitKeptWhenConnectionLost(t *testing.T) {
	tests := []struct {
		name     string
		modes    map[string]string
		channels []string
	}{
		{name: "lost at the next channel", modes: map[string]string{"#ops": "t", "#drop": "d"},
			channels: []string{"#ops", "#drop"}},
		{name: "flood notice, lost at the next channel", modes: map[string]string{"#ops": "f", "#drop": "d"},
			channels: []string{"#ops", "#drop"}},
		{name: "lost before the PONG", modes: map[string]string{"#ops": "T"}, channels: []string{"#ops"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newFakeServer(t, fakeOptions{modes: tt.modes})
			cfg := testConfig(srv.addr())
			cfg.Channels = tt.channels
			ch := newChannel(t, cfg)
			m := message(sampleUpdate())
			_, err := ch.Send(context.Background(), m)
			require.Error(t, err)
			assert.False(t, broadcast.IsPermanent(err))
			d, hinted := broadcast.RetryDelay(err)
			assert.True(t, hinted, "the rate limit's wait is kept: %q", err)
			assert.Equal(t, httpx.RateLimitWait, d)
			for _, name := range tt.channels {
				done, _ := m.Ledger.Done(name)
				assert.False(t, done, "%s did not get the update", name)
			}
		})
	}
}

// Solanum's join throttle (channel mode +j) refuses a JOIN with 480,
// ERR_THROTTLE, "Cannot join channel (+j) - throttle exceeded, try again
// later" (include/messages.h, NUMERIC_STR_480; modules/core/m_join.c): a
// rate limit that names no wait. Retried at the Broadcaster's first
// backoff steps, the JOIN would be refused again; the channel is left
// pending with the shared rate limit's wait.
func TestJoinThrottle(t *testing.T) {
	srv := newFakeServer(t, fakeOptions{joinReply: map[string]string{
		"#ops": "480 Cannot join channel (+j) - throttle exceeded, try again later"}})
	cfg := testConfig(srv.addr())
	cfg.Channels = []string{"#status", "#ops"}
	ch := newChannel(t, cfg)
	m := message(sampleUpdate())
	_, err := ch.Send(context.Background(), m)
	assertOpsRateLimited(t, err, m, "irc: join #ops: 480 Cannot join channel (+j)")
	re, ok := replyError(err)
	require.True(t, ok)
	assert.Equal(t, "480", re.Code)
	assert.Empty(t, srv.saidIn("#ops"))
}

// InspIRCd's delaymsg (+d) refuses a newly joined member's lines with a
// 404 that states the delay. A kept connection stays in the channel: the
// refusal is a rate limit that asks for that delay, and the retry, on the
// same connection once it has passed, posts. It was a refusal for good.
func TestDelayMsgOnKeptConnectionWaitsAndPosts(t *testing.T) {
	checkDelayMsgWaitsAndPosts(t, "", "404 You must wait 1 seconds after joining to send to channel (+d)")
}

// checkDelayMsgWaitsAndPosts checks that a delaymsg 404 worded by
// delayText (the fake's default when empty) on a kept connection leaves
// #ops pending, its error holding refusal, as a rate limit asking for the
// delay the server stated, and that the retry, once it has passed, posts.
func checkDelayMsgWaitsAndPosts(t *testing.T, delayText, refusal string) {
	t.Helper()
	const delay = time.Second
	srv := newFakeServer(t, fakeOptions{delayMsg: map[string]time.Duration{"#ops": delay}, delayText: delayText})
	cfg := testConfig(srv.addr())
	cfg.Channels = []string{"#status", "#ops"}
	cfg.Persistent = true
	ch := newChannel(t, cfg)
	m := message(sampleUpdate())

	_, err := ch.Send(context.Background(), m)
	require.Error(t, err)
	assert.False(t, broadcast.IsPermanent(err), "%v", err)
	assert.Contains(t, onePending(t, err, "#ops").Err.Error(), refusal)
	d, hinted := broadcast.RetryDelay(err)
	require.True(t, hinted, "a rate limit: %q", err)
	assert.Equal(t, delay, d, "the wait the server stated")
	done, _ := m.Ledger.Done("#ops")
	assert.False(t, done)

	time.Sleep(d) // as the Broadcaster waits before its retry
	_, err = ch.Send(context.Background(), m)
	require.NoError(t, err)
	done, failure := m.Ledger.Done("#ops")
	assert.True(t, done, failure)
	assert.NotEmpty(t, srv.saidIn("#ops"))
}

// On a connection of its own each Send joins anew and posts within the
// delay: delaymsg refuses every attempt, and Send fails the channel for
// good, saying what would let it post.
func TestDelayMsgOnOwnConnectionPermanent(t *testing.T) {
	srv := newFakeServer(t, fakeOptions{delayMsg: map[string]time.Duration{"#ops": time.Minute}})
	cfg := testConfig(srv.addr())
	cfg.Channels = []string{"#ops"}
	_, err := newChannel(t, cfg).Send(context.Background(), message(sampleUpdate()))
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err), "%v", err)
	assert.Contains(t, err.Error(), "Config.Persistent")
	assert.Contains(t, err.Error(), "404 You must wait 60 seconds after joining")
}

// On a connection of its own, a Send to several channels fails for good
// only the one whose delaymsg (+d) holds the bot's lines: the others post,
// and the Send succeeds with that failure recorded.
func TestDelayMsgOnOwnConnectionFailsThatChannelAlone(t *testing.T) {
	srv := newFakeServer(t, fakeOptions{delayMsg: map[string]time.Duration{"#ops": time.Minute}})
	cfg := testConfig(srv.addr())
	cfg.Channels = []string{"#status", "#ops", "#noc"}
	m := message(sampleUpdate())
	r, err := newChannel(t, cfg).Send(context.Background(), m)
	require.NoError(t, err)
	assert.Equal(t, "#ops", r.Meta["failed"])
	done, failure := m.Ledger.Done("#ops")
	assert.True(t, done, "failed for good")
	assert.Contains(t, failure, "Config.Persistent")
	assert.Empty(t, srv.saidIn("#ops"))
	for _, name := range []string{"#status", "#noc"} {
		done, failure := m.Ledger.Done(name)
		assert.True(t, done, name)
		assert.Empty(t, failure, name)
		assert.NotEmpty(t, srv.saidIn(name), name)
	}
}

// A kept connection kicked from a +d channel between two attempts joins it
// anew on the next, which delaymsg holds again: that attempt is a rate
// limit asking for the delay once more, not a refusal for good, and the
// one after it, on a connection that stayed, posts.
func TestDelayMsgKickedBetweenAttemptsWaitsAgain(t *testing.T) {
	const delay = time.Second
	srv := newFakeServer(t, fakeOptions{delayMsg: map[string]time.Duration{"#ops": delay}})
	cfg := testConfig(srv.addr())
	cfg.Persistent = true
	ch := newChannel(t, cfg)
	m := message(sampleUpdate())

	_, err := ch.Send(context.Background(), m)
	require.Error(t, err)
	onePending(t, err, "#ops")
	srv.sayAll(":op!op@fake.test KICK #ops statusbot :out")

	time.Sleep(delay) // the kick, not the delay, keeps the bot out now
	_, err = ch.Send(context.Background(), m)
	require.Error(t, err)
	assert.False(t, broadcast.IsPermanent(err), "%v", err)
	assert.Contains(t, onePending(t, err, "#ops").Err.Error(), "after joining")
	d, hinted := broadcast.RetryDelay(err)
	require.True(t, hinted, "a rate limit: %q", err)
	assert.Equal(t, delay, d)

	time.Sleep(d)
	_, err = ch.Send(context.Background(), m)
	require.NoError(t, err)
	assert.NotEmpty(t, srv.saidIn("#ops"))
}

// The 404 of a ban or of a moderated channel whose text mentions "+d" or
// a wait in seconds is no delaymsg, nor is one that begins like InspIRCd
// 3.6's delaymsg but names no delay it can read: it stays a refusal for
// good, also on a kept connection, and asks for no wait.
func TestNotDelayMsg404StaysPermanent(t *testing.T) {
	for _, text := range []string{
		"Cannot send to channel (+d)",
		"You are banned: wait 60 seconds after joining to send to channel (+b)",
		"Cannot send to channel (+m): you must wait 60 seconds after joining to send to channel (+d)",
		"You must wait 60 minutes after joining to send to channel (+d)",
		delayPrefix + "a while.",
		delayPrefix + "60 fortnights.",
		delayPrefix + "seconds.",
		"Cannot send to channel (+m); " + delayPrefix + "60 seconds.",
	} {
		t.Run(text, func(t *testing.T) {
			srv := newFakeServer(t, fakeOptions{sendReply: map[string]string{"#ops": "404 " + text}})
			cfg := testConfig(srv.addr())
			cfg.Persistent = true
			_, err := newChannel(t, cfg).Send(context.Background(), message(sampleUpdate()))
			require.Error(t, err)
			assert.True(t, broadcast.IsPermanent(err), "%v", err)
			_, hinted := broadcast.RetryDelay(err)
			assert.False(t, hinted, "%v", err)
		})
	}
}
