package irc

import (
	"bufio"
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/ergochat/irc-go/ircmsg"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// Lines split for the bot's prefix are not sent once the server has
// renamed the bot to a longer nick (a server that names no NICKLEN):
// relayed with the new prefix, they would pass 512 bytes and be cut. The
// channel is left for the next attempt, transiently, and says why.
func TestPostStopsWhenRenamedPastTheLines(t *testing.T) {
	s, err := newSettings(Config{Server: "127.0.0.1:6667", TLS: TLSOff, Nick: "bot", Channels: []string{"#ops"},
		Interval: time.Millisecond, Timeout: 5 * time.Second})
	require.NoError(t, err)
	client, server := net.Pipe()
	c := &conn{nc: client, raw: client, timeout: s.timeout, limiter: newLimiter(s.burst, s.interval),
		nick: "bot", user: "u", host: "h.example", joined: map[string]bool{}, ranks: defaultRanks,
		closing: make(chan struct{}), done: make(chan struct{})}
	go c.readLoop()
	got := make(chan []string, 1)
	go func() { // the server: answers PING, records the rest
		var lines []string
		sc := bufio.NewScanner(server)
		for sc.Scan() {
			m, err := ircmsg.ParseLine(sc.Text())
			if err != nil {
				continue
			}
			if m.Command == "PING" {
				_, _ = server.Write([]byte(":irc.test PONG irc.test :" + param(m, 0) + "\r\n"))
				continue
			}
			lines = append(lines, sc.Text())
		}
		got <- lines
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ss := newSession(ctx, c, s)
	full := ss.budget()
	st := &chanState{t: s.targets[0], joined: true, lines: []string{strings.Repeat("x", full), "short"}}
	st.got = make([]bool, len(st.lines))
	ss.chans["#ops"] = st
	rename, err := ircmsg.ParseLine(":bot!u@h.example NICK :Guest12345678")
	require.NoError(t, err)
	c.track(rename) // read by the reader before the lines go out

	require.NoError(t, ss.post(st))
	ss.end()
	c.close()
	_ = server.Close()
	assert.Empty(t, <-got, "no line sent")
	require.Error(t, st.err)
	assert.False(t, broadcast.IsPermanent(st.err), "left for the next attempt: %v", st.err)
	assert.ErrorContains(t, st.err, "irc: send to #ops: the server renamed the bot (now Guest12345678!u@h.example)")
	assert.Less(t, ss.budget(), full)
}
