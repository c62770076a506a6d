package irc

import (
	"strings"

	"github.com/ergochat/irc-go/ircmsg"
)

// The relay prefix. A server relays our PRIVMSG to a channel's members as
// ":nick!user@host PRIVMSG #channel :text\r\n", and that line must fit 512
// bytes, so the room for text depends on our user and host as the server
// shows them, which only the server knows: the user may gain a "~" (no
// ident), the host may be a name, an address or a cloak. The connection
// learns them from the server, from whatever comes first and last:
//
//   - RPL_WELCOME (001), whose text ends with nick!user@host on most
//     servers (RFC 2812);
//   - RPL_LOGGEDIN (900), after SASL, which names nick!user@host;
//   - RPL_USERHOST (302), the answer to the USERHOST that registration
//     sends when 001 did not say (some servers show their real IP here, and
//     a cloak in relays: the JOIN echo corrects it before anything is
//     posted);
//   - RPL_HOSTHIDDEN (396) and CHGHOST, when the server changes the host
//     we are shown with;
//   - any line the server relays from us, the echo of our JOIN first: its
//     prefix is the very one our lines get.
//
// A connection that has learnt nothing keeps the conservative budget (see
// relayPrefix in config.go).

// learnPrefix records what m says of our user and host. The caller holds
// c.mu; c.nick is our nick.
func (c *conn) learnPrefix(m ircmsg.Message) {
	if nick, user, host, ok := splitMask(m.Source); ok && c.isNick(nick) {
		c.user, c.host = user, host
	}
	last := ""
	if len(m.Params) > 0 {
		last = m.Params[len(m.Params)-1]
	}
	switch m.Command {
	case "001":
		if words := strings.Fields(last); len(words) > 0 {
			c.setMask(words[len(words)-1])
		}
	case "900":
		c.setMask(param(m, 1))
	case "302": // nick[*]=[+-]user@host, space-separated
		for _, reply := range strings.Fields(last) {
			nick, rest, ok := strings.Cut(reply, "=")
			if ok && len(rest) > 1 {
				c.setMask(strings.TrimSuffix(nick, "*") + "!" + rest[1:])
			}
		}
	case "396": // <nick> <host> :is now your displayed host; some send user@host
		if user, host, ok := strings.Cut(param(m, 1), "@"); ok {
			c.setUserHost(user, host)
		} else {
			c.setUserHost(c.user, param(m, 1))
		}
	case "CHGHOST": // :old!mask CHGHOST <user> <host>, IRCv3
		if c.isNick(m.Nick()) {
			c.setUserHost(param(m, 0), param(m, 1))
		}
	}
}

// setMask records the user and host of mask when it is ours.
func (c *conn) setMask(mask string) {
	if nick, user, host, ok := splitMask(mask); ok && c.isNick(nick) {
		c.user, c.host = user, host
	}
}

// setUserHost records user and host, when neither holds a space.
func (c *conn) setUserHost(user, host string) {
	if !strings.ContainsAny(user+host, " ") {
		c.user, c.host = user, host
	}
}

// splitMask splits "nick!user@host".
func splitMask(mask string) (nick, user, host string, ok bool) {
	nick, rest, ok1 := strings.Cut(mask, "!")
	user, host, ok2 := strings.Cut(rest, "@")
	if !ok1 || !ok2 || nick == "" || user == "" || host == "" || strings.ContainsAny(mask, " ") {
		return "", "", "", false
	}
	return nick, user, host, true
}

// relayPrefix returns the length of the prefix the server puts on our
// lines, ":nick!user@host ", with the nick counted as nickLen bytes when
// it is shorter, or as the longest nick the server allows (NICKLEN) when
// the server named it, and whether it is known. The server may rename the
// bot while it posts (services rename a nick not identified in time, a
// collision renames it to its UID), to any nick up to NICKLEN: the lines
// sent before the client reads the NICK are relayed with the new nick.
// A NICKLEN (or MAXNICKLEN) past maxNickLen, 64, is taken for none: the
// servers in use allow about 30 (UnrealIRCd 30 at most, ngIRCd 31 at
// most, Ergo 32 by default), and a nick counted as hundreds of bytes
// would leave the text so little room in a line that it would no longer
// fit Config.MaxLines, and every Send would fail. Such a server is posted
// to as one that names no NICKLEN: a rename to a longer nick seen while
// posting has the text split anew for the channels after it (see
// session.deliver). Nick, user and host are read at once: the reader
// changes the nick (a NICK the server granted, a rename) between two
// reads.
func (c *conn) relayPrefix(nickLen int) (int, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.user == "" || c.host == "" {
		return 0, false
	}
	serverLen := c.nickLen
	if serverLen > maxNickLen {
		serverLen = 0
	}
	return len(":!@ ") + max(len(c.nick), nickLen, serverLen) + len(c.user) + len(c.host), true
}

// budget returns the bytes of text a line may carry on this session's
// connection: with the prefix the server showed, or the conservative
// budget when it showed none. The nick in it counts as long as the
// longest nick the server allows (NICKLEN), or as the longest of the
// bot's nicks (see nickRoom) when that is longer or the server names no
// NICKLEN, whichever it has now: the
// lines are then split alike on every attempt, whether it registers on
// the nick or on an alternate (a retry after a connection lost without a
// QUIT finds the nick still held), and the lines an earlier attempt
// recorded as relayed are found again (see relayed) rather than posted
// twice.
func (ss *session) budget() int {
	if n, ok := ss.c.relayPrefix(nickRoom(ss.s.nick)); ok {
		return ss.s.budgetFor(n)
	}
	return ss.s.budget
}

// nickRoom is the length of the longest nick of the bot's that the
// budget counts: nick with two underscores, its longest alternate (see
// alternates).
func nickRoom(nick string) int {
	n := 0
	for _, alt := range alternates(nick) {
		n = max(n, len(alt))
	}
	return n
}
