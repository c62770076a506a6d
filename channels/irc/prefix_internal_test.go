package irc

import (
	"testing"

	"github.com/ergochat/irc-go/ircmsg"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// What each server line tells of the prefix the server puts on our lines,
// for a connection whose nick is "bot".
func TestLearnPrefix(t *testing.T) {
	tests := []struct {
		name  string
		lines []string
		want  string // nick!user@host; "" unknown
	}{
		{"001 with the mask", []string{":irc.test 001 bot :Welcome to the Internet Relay Network bot!~bot@host.example"},
			"bot!~bot@host.example"},
		{"001 without it", []string{":irc.test 001 bot :Welcome to the Libera.Chat Internet Relay Chat Network bot"}, ""},
		{"001 naming another nick", []string{":irc.test 001 bot :Welcome bot2!x@y"}, ""},
		{"001 sets the nick", []string{":irc.test 001 bot_ :Welcome to the network bot_!u@h"}, "bot_!u@h"},
		{"900 after SASL", []string{":irc.test 900 bot bot!u@cloak/bot acct :You are now logged in as acct"},
			"bot!u@cloak/bot"},
		{"302, away and oper", []string{":irc.test 302 bot :bot*=-~u@10.0.0.1"}, "bot!~u@10.0.0.1"},
		{"302 of another nick", []string{":irc.test 302 bot :other=+u@h"}, ""},
		{"302 empty", []string{":irc.test 302 bot :"}, ""},
		{"396 after 001", []string{":irc.test 001 bot :Welcome bot!u@1.2.3.4",
			":irc.test 396 bot users.example :is now your displayed host"}, "bot!u@users.example"},
		{"396 with user@host", []string{":irc.test 396 bot id@users.example :is now your displayed host"},
			"bot!id@users.example"},
		{"396 alone: the user is still unknown", []string{":irc.test 396 bot users.example :is now your displayed host"}, ""},
		{"CHGHOST", []string{":bot!u@old CHGHOST newu new.host"}, "bot!newu@new.host"},
		{"CHGHOST of another nick", []string{":bot!u@h JOIN #a", ":x!u@old CHGHOST y z"}, "bot!u@h"},
		{"the echo of our JOIN", []string{":bot!~bot@relay.example JOIN #ops"}, "bot!~bot@relay.example"},
		{"the JOIN echo corrects USERHOST", []string{":irc.test 302 bot :bot=+u@10.0.0.1", ":bot!u@long.cloak.example JOIN #ops"},
			"bot!u@long.cloak.example"},
		{"someone else's JOIN", []string{":alice!a@h JOIN #ops"}, ""},
		{"a NICK change keeps user and host", []string{":bot!u@h NICK :bot2"}, "bot2!u@h"},
		{"a server notice", []string{":irc.test NOTICE bot :hello"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &conn{nick: "bot", joined: map[string]bool{}}
			for _, line := range tt.lines {
				m, err := ircmsg.ParseLine(line)
				require.NoError(t, err)
				c.track(m)
			}
			n, known := c.relayPrefix(0)
			assert.Equal(t, tt.want != "", known, "known")
			if tt.want != "" {
				assert.Equal(t, len(":"+tt.want+" "), n)
				assert.Equal(t, tt.want, c.nick+"!"+c.user+"@"+c.host)
			}
		})
	}
}

// Which symbols before a nick in NAMES mean voice or more, after each
// RPL_ISUPPORT line (draft-brocklesby-irc-isupport-03 section 3.14: PREFIX,
// default (ov)@+; "-PREFIX" withdraws a token, so the default is back).
func TestISupportPrefix(t *testing.T) {
	tests := []struct {
		name  string
		lines []string
		want  string
	}{
		{"none sent", nil, "@+"},
		{"other tokens", []string{":irc.test 005 bot CHANTYPES=# NETWORK=Test :are supported by this server"}, "@+"},
		{"five ranks", []string{":irc.test 005 bot CHANTYPES=# PREFIX=(qaohv)~&@%+ :are supported by this server"}, "~&@%+"},
		{"custom", []string{":irc.test 005 bot PREFIX=(Yov)!@+ :are supported by this server"}, "!@+"},
		{"empty: none", []string{":irc.test 005 bot PREFIX= :are supported by this server"}, ""},
		{"withdrawn", []string{":irc.test 005 bot PREFIX=(qov)~@+ :are supported", ":irc.test 005 bot -PREFIX :are supported"}, "@+"},
		{"malformed: kept", []string{":irc.test 005 bot PREFIX=(qov)~@+ :are supported", ":irc.test 005 bot PREFIX=~@+ :are supported"}, "~@+"},
		{"the text is no token", []string{":irc.test 005 bot :PREFIX=(o)@"}, "@+"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &conn{nick: "bot", joined: map[string]bool{}, ranks: defaultRanks}
			for _, line := range tt.lines {
				m, err := ircmsg.ParseLine(line)
				require.NoError(t, err)
				c.track(m)
			}
			assert.Equal(t, tt.want, c.ranks)
		})
	}
}

// The longest nick the server allows, as RPL_ISUPPORT names it (NICKLEN;
// InspIRCd names MAXNICKLEN too), is room kept for the nick in the
// prefix: the server may rename the bot to any nick that long.
func TestISupportNickLen(t *testing.T) {
	tests := []struct {
		name  string
		lines []string
		want  int
	}{
		{"none sent", nil, 0},
		{"NICKLEN", []string{":irc.test 005 bot CHANTYPES=# NICKLEN=16 :are supported by this server"}, 16},
		{"both", []string{":irc.test 005 bot MAXNICKLEN=31 NICKLEN=30 :are supported by this server"}, 31},
		{"not a number", []string{":irc.test 005 bot NICKLEN=x :are supported by this server"}, 0},
		{"absurd", []string{":irc.test 005 bot NICKLEN=100000 :are supported by this server"}, 0},
		// Past maxNickLen, no server's: taken for none, as is the
		// NICKLEN beside a MAXNICKLEN past it.
		{"the longest trusted", []string{":irc.test 005 bot NICKLEN=64 :are supported by this server"}, 64},
		{"past any server", []string{":irc.test 005 bot NICKLEN=300 :are supported by this server"}, 0},
		{"MAXNICKLEN past any server", []string{":irc.test 005 bot NICKLEN=30 MAXNICKLEN=300 :are supported by this server"}, 0},
		{"in two lines", []string{":irc.test 005 bot NICKLEN=30 :are supported by this server",
			":irc.test 005 bot MAXNICKLEN=65 :are supported by this server"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &conn{nick: "bot", user: "u", host: "h", joined: map[string]bool{}, ranks: defaultRanks}
			for _, line := range tt.lines {
				m, err := ircmsg.ParseLine(line)
				require.NoError(t, err)
				c.track(m)
			}
			n, _ := c.relayPrefix(len("bot__"))
			assert.Equal(t, len(":!u@h ")+max(tt.want, len("bot__")), n)
		})
	}
}

// The budget of a line counts the nick as long as the longest of the
// bot's nicks, whichever it has: it is the same while the server changes
// the nick under it (433 and an alternate, a rename, the nick taken back),
// and never computed from the prefix of one nick and the length of
// another, which would let a relayed line pass 512 bytes by the
// difference.
func TestBudgetWhileTheNickChanges(t *testing.T) {
	s, err := newSettings(Config{Server: "127.0.0.1:6667", TLS: TLSOff, Nick: "bot", Channels: []string{"#ops"}})
	require.NoError(t, err)
	c := &conn{nick: "bot", user: "u", host: "h.example", joined: map[string]bool{}}
	ss := &session{c: c, s: s}
	want := ss.budget()
	done := make(chan struct{})
	go func() { // as the reader, following the server's NICK lines
		defer close(done)
		nicks := []string{"bot", "bot__"}
		for i := range 100000 {
			m, err := ircmsg.ParseLine(":" + nicks[i%2] + "!u@h.example NICK :" + nicks[(i+1)%2])
			if err != nil {
				panic(err)
			}
			c.track(m)
		}
	}()
	torn := 0
	for running := true; running; {
		select {
		case <-done:
			running = false
		default:
		}
		if ss.budget() != want {
			torn++
		}
	}
	assert.Zero(t, torn, "budgets other than %d", want)
}
