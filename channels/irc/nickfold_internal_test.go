package irc

import (
	"testing"

	"github.com/ergochat/irc-go/ircmsg"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// trackLines has c track each of lines, raw server lines.
func trackLines(t *testing.T, c *conn, lines ...string) {
	t.Helper()
	for _, line := range lines {
		m, err := ircmsg.ParseLine(line)
		require.NoError(t, err)
		c.track(m)
	}
}

// On a server of CASEMAPPING=ascii (ngIRCd, Ergo) "bot[1]" and "bot{1}"
// are two users: what a line says of the other's user and host is not
// the prefix the server puts on the bot's lines. On an rfc1459 server
// they are one nick.
func TestLearnPrefixNickCaseMapping(t *testing.T) {
	tests := []struct {
		mapping string
		want    string
	}{
		{"ascii", "bot[1]!u@h"},
		{"rfc1459", "bot[1]!other@a.much.longer.host.example"},
	}
	for _, tt := range tests {
		t.Run(tt.mapping, func(t *testing.T) {
			for _, line := range []string{
				":bot{1}!other@a.much.longer.host.example JOIN #ops",
				":bot{1}!x@y CHGHOST other a.much.longer.host.example",
				":irc.test 302 bot[1] :bot{1}=+other@a.much.longer.host.example",
			} {
				c := &conn{nick: "bot[1]", joined: map[string]bool{}}
				trackLines(t, c, ":irc.test 005 bot[1] CASEMAPPING="+tt.mapping+" :are supported",
					":bot[1]!u@h JOIN #ops", line)
				assert.Equal(t, tt.want, c.nick+"!"+c.user+"@"+c.host, line)
			}
		})
	}
}

// The session tells the bot's lines (its echoes, its JOIN, a KICK of it)
// from another user's as the server's CASEMAPPING folds nicks, as the
// connection's tracking does (conn.isNick).
func TestSessionNickCaseMapping(t *testing.T) {
	tests := []struct {
		mapping string
		same    bool
	}{
		{"ascii", false},
		{"rfc1459", true},
	}
	for _, tt := range tests {
		t.Run(tt.mapping, func(t *testing.T) {
			c := &conn{nick: "bot[1]", joined: map[string]bool{}}
			trackLines(t, c, ":irc.test 005 bot[1] CASEMAPPING="+tt.mapping+" :are supported")
			ss := &session{c: c, as: "bot[1]"}
			assert.Equal(t, tt.same, ss.named("bot{1}"), "named")
			assert.Equal(t, tt.same, ss.isMe("BOT{1}"), "isMe")
			assert.True(t, ss.named("BOT[1]"), "named, another case")
			assert.True(t, ss.isMe("Bot[1]"), "isMe, another case")
		})
	}
}
