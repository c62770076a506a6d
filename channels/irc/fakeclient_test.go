package irc_test

import (
	"bufio"
	"cmp"
	"crypto/tls"
	"encoding/base64"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ergochat/irc-go/ircmsg"

	"github.com/outagecast/outagecast/channels/channeltest"
)

// The fake server's side of one client connection: it answers the
// registration, channel and message commands an IRC bot sends.

func (c *fakeClient) serve() {
	s := c.srv
	defer s.wg.Done()
	defer c.leave()
	sc := bufio.NewScanner(c.conn)
	sc.Buffer(make([]byte, 4096), 64*1024)
	for sc.Scan() {
		line := strings.TrimSuffix(sc.Text(), "\r")
		s.mu.Lock()
		if s.frozen[c] { // lost on the way (see fakeServer.freeze)
			s.mu.Unlock()
			continue
		}
		s.lines = append(s.lines, line)
		if len(line)+2 > 512 && utf8.ValidString(line) { // not a TLS handshake

			s.tooLong = append(s.tooLong, line)
		}
		s.mu.Unlock()
		m, err := ircmsg.ParseLine(line)
		if err != nil {
			continue
		}
		if !c.handle(m) {
			return
		}
	}
}

func (c *fakeClient) leave() {
	s := c.srv
	s.mu.Lock()
	s.open--
	delete(s.clients, c)
	if s.nicks[c.nick] == c {
		delete(s.nicks, c.nick)
	}
	for _, m := range s.members {
		delete(m, c)
	}
	s.mu.Unlock()
	_ = c.conn.Close()
}

func (c *fakeClient) reply(lines ...string) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	for _, l := range lines {
		_, _ = c.conn.Write([]byte(l + "\r\n"))
	}
}

func (c *fakeClient) numeric(code string, params ...string) {
	nick := c.nick
	if nick == "" {
		nick = "*"
	}
	m := ircmsg.MakeMessage(nil, "fake.test", code, append([]string{nick}, params...)...)
	line, _ := m.Line()
	c.reply(strings.TrimSuffix(line, "\r\n"))
}

func (c *fakeClient) failure() channeltest.Failure {
	c.srv.mu.Lock()
	defer c.srv.mu.Unlock()
	return c.srv.fail
}

// handle answers one line; false closes the connection.
func (c *fakeClient) handle(m ircmsg.Message) bool {
	switch m.Command {
	case "PASS":
		c.pass = param(m, 0)
	case "CAP":
		c.capability(m)
	case "AUTHENTICATE":
		c.authenticate(param(m, 0))
	case "NICK":
		c.setNick(param(m, 0))
	case "USER":
		c.user = param(m, 0)
	case "JOIN":
		c.join(param(m, 0), param(m, 1))
	case "PRIVMSG", "NOTICE":
		if strings.EqualFold(param(m, 0), "NickServ") {
			c.nickserv(param(m, 1))
			break
		}
		return c.privmsg(m.Command, param(m, 0), param(m, 1))
	case "PING":
		c.ping(param(m, 0))
	case "USERHOST":
		c.userhost(param(m, 0))
	case "WHOIS":
		c.whois(param(m, len(m.Params)-1))
	case "ISON":
		c.ison(m.Params)
	case "MODE":
		c.mode(param(m, 0))
	case "NAMES":
		c.names(param(m, 0))
	case "QUIT":
		c.reply("ERROR :Closing link: (" + c.user + "@127.0.0.1) [Quit: " + param(m, 0) + "]")
		return false
	}
	return c.maybeWelcome()
}

func (c *fakeClient) capability(m ircmsg.Message) {
	if c.srv.opts.noCap {
		c.numeric("421", "CAP", "Unknown command")
		return
	}
	switch param(m, 0) {
	case "LS":
		c.capping = true
		caps := "multi-prefix away-notify"
		if c.srv.opts.echoMessage { // as Solanum lists them
			caps = "account-notify away-notify cap-notify chghost echo-message extended-join invite-notify multi-prefix"
		}
		if c.srv.opts.sasl != nil {
			sasl := "sasl=" + cmp.Or(c.srv.opts.saslMechs, "PLAIN,EXTERNAL")
			if c.srv.opts.saslBare {
				sasl = "sasl"
			}
			c.reply(":fake.test CAP * LS * :"+caps, ":fake.test CAP * LS :"+sasl)
		} else {
			c.reply(":fake.test CAP * LS :" + caps)
		}
	case "REQ":
		switch {
		case param(m, 1) == "sasl" && c.srv.opts.sasl != nil && !c.srv.opts.saslGone:
			c.reply(":fake.test CAP * ACK :sasl")
		case param(m, 1) == "echo-message" && c.srv.opts.echoDelAtAck:
			c.reply(":fake.test CAP * ACK :echo-message", ":fake.test CAP * DEL :echo-message")
		case param(m, 1) == "echo-message" && c.srv.opts.echoMessage:
			c.echo = true
			c.reply(":fake.test CAP * ACK :echo-message")
		default:
			c.reply(":fake.test CAP * NAK :" + param(m, 1))
		}
	case "END":
		c.capping = false
	}
}

func (c *fakeClient) authenticate(arg string) {
	if mechs := c.srv.opts.saslMechs; (arg == "PLAIN" || arg == "EXTERNAL") && mechs != "" && !slices.Contains(strings.Split(mechs, ","), arg) {
		c.numeric("908", mechs, "are available SASL mechanisms")
		c.numeric("904", "SASL authentication failed")
		return
	}
	if arg == "PLAIN" || arg == "EXTERNAL" {
		c.mech = arg
		c.reply("AUTHENTICATE +")
		return
	}
	if c.mech == "EXTERNAL" {
		c.external(arg)
		return
	}
	c.sasl = arg
	raw, _ := base64.StdEncoding.DecodeString(arg)
	parts := strings.Split(string(raw), "\x00")
	ok := len(parts) == 3 && c.srv.opts.sasl[parts[1]] == parts[2] && parts[2] != ""
	if f := c.failure(); f == channeltest.FailUnauthorized || f == channeltest.FailEcho || !ok {
		c.numeric("904", "SASL authentication failed"+c.echoed())
		return
	}
	c.authed, c.account = true, parts[1]
	c.numeric("900", c.mask(), parts[1], "You are now logged in as "+parts[1])
	c.numeric("903", "SASL authentication successful")
}

// external answers the response to AUTHENTICATE EXTERNAL, "+" (no
// authorization identity): the account is the common name of the client's
// certificate.
func (c *fakeClient) external(arg string) {
	var account string
	if tc, ok := c.conn.(*tls.Conn); ok {
		if certs := tc.ConnectionState().PeerCertificates; len(certs) > 0 {
			account = certs[0].Subject.CommonName
		}
	}
	if _, ok := c.srv.opts.sasl[account]; arg != "+" || !ok {
		c.numeric("904", "SASL authentication failed")
		return
	}
	c.authed, c.account = true, account
	c.numeric("900", c.mask(), account, "You are now logged in as "+account)
	c.numeric("903", "SASL authentication successful")
}

func (c *fakeClient) setNick(nick string) {
	s := c.srv
	limit := s.opts.nickLen
	if limit == 0 {
		limit = 30
	}
	if len(nick) > limit || strings.ContainsAny(nick, "!@ ") {
		c.numeric("432", nick, "Erroneous nickname")
		return
	}
	s.mu.Lock()
	_, taken := s.nicks[nick]
	for _, n := range s.opts.nicksInUse {
		taken = taken || n == nick
	}
	if s.opts.nicksHeld[nick] > 0 {
		s.opts.nicksHeld[nick]--
		taken = true
	}
	collided := !taken && slices.Contains(s.opts.nickCollisions, nick)
	if !taken && !collided {
		delete(s.nicks, c.nick)
		s.nicks[nick] = c
	}
	s.mu.Unlock()
	if taken {
		c.numeric("433", nick, "Nickname is already in use")
		return
	}
	if collided {
		c.numeric("436", nick, "Nickname collision KILL from statusbot@127.0.0.1")
		return
	}

	if c.welcome {
		c.reply(":" + c.mask() + " NICK :" + nick)
	}
	c.nick = nick
}

// forceNick renames the client to fakeOptions.rename.to, as services or
// a collision do: the client learns of it by a NICK line of its own.
func (c *fakeClient) forceNick() {
	s := c.srv
	to := s.opts.rename.to
	s.mu.Lock()
	delete(s.nicks, c.nick)
	s.nicks[to] = c
	s.mu.Unlock()
	c.reply(":" + c.mask() + " NICK :" + to)
	c.nick = to
}

// maybeWelcome completes registration once NICK, USER and CAP END are in.
func (c *fakeClient) maybeWelcome() bool {
	c.srv.mu.Lock()
	hasNick := c.srv.nicks[c.nick] == c
	c.srv.mu.Unlock()
	if c.welcome || c.stalled || c.capping || c.user == "" || !hasNick {
		return true
	}
	if lines := c.srv.opts.registerReply; len(lines) > 0 {
		c.stalled = true
		for _, l := range lines {
			c.reply(strings.ReplaceAll(l, "%s", c.nick))
		}
		return !c.srv.opts.registerClose
	}
	if c.srv.opts.password != "" && c.pass != c.srv.opts.password || c.failure() == channeltest.FailEcho {
		if c.srv.opts.bare464 {
			c.reply("ERROR :Access denied: Bad password?" + c.echoed())
			return false
		}
		c.numeric("464", "Password incorrect"+c.echoed())
		c.reply("ERROR :Closing link: (" + c.user + "@127.0.0.1) [Access denied by configuration]" + c.echoed())
		return false
	}
	c.welcome = true
	if c.srv.opts.welcomeMask && !c.srv.opts.bareSource {
		c.numeric("001", "Welcome to the fake IRC network "+c.mask())
	} else {
		c.numeric("001", "Welcome to the fake IRC network "+c.nick)
	}
	if c.srv.opts.quietWelcome {
		c.numeric("005", append(append([]string{"CHANTYPES=#"}, c.srv.opts.isupport...), "are supported by this server")...)
	} else {
		c.numeric("005", append(append([]string{"CHANTYPES=#", "CASEMAPPING=rfc1459"}, c.srv.opts.isupport...),
			"are supported by this server")...)
		c.numeric("422", "MOTD File is missing")
	}
	if h := c.srv.opts.hiddenHost; h != "" {
		c.host = h
		c.numeric("396", h, "is now your displayed host")
	}
	return true
}

// mask is the client's nick!user@host, as the server shows it.
func (c *fakeClient) mask() string { return c.nick + "!" + c.user + "@" + c.host }

// userhost answers USERHOST for the client itself.
func (c *fakeClient) userhost(nick string) {
	switch {
	case c.srv.opts.bareSource:
		c.numeric("421", "USERHOST", "Unknown command")
	case nick == c.nick:
		c.numeric("302", c.nick+"=+"+c.user+"@"+cmp.Or(c.srv.opts.sockhost, c.host))
	default:
		c.numeric("302", "")
	}
}

// echoed repeats the credentials the client sent, as it sent them, when
// the server echoes them (fakeOptions.echo, or channeltest.FailEcho).
func (c *fakeClient) echoed() string {
	if !c.srv.opts.echo && c.failure() != channeltest.FailEcho {
		return ""
	}
	if c.joinKey != "" {
		return " (you sent PASS " + c.pass + " AUTHENTICATE " + c.sasl + " JOIN key " + c.joinKey + ")"
	}
	return " (you sent PASS " + c.pass + " AUTHENTICATE " + c.sasl + ")"
}

func (c *fakeClient) join(channel, key string) {
	s := c.srv
	if key != "" {
		c.joinKey = key
	}
	if l, ok := s.opts.joinRaw[channel]; ok {
		c.reply(strings.ReplaceAll(l, "%s", c.nick))
		return
	}
	if want, ok := s.opts.keys[channel]; ok && key != want {
		c.numeric("475", channel, "Cannot join channel (+k) - bad key "+key) // some servers echo it
		return
	}
	switch s.failureOf(channel) {
	case channeltest.FailTransient:
		c.numeric("437", channel, "Channel is temporarily unavailable"+c.echoed())
		return
	case channeltest.FailUnauthorized:
		c.numeric("477", channel, "You need a registered nick to join that channel"+c.echoed())
		return
	}
	s.mu.Lock()
	banned := s.banned[channel]
	s.mu.Unlock()
	if banned {
		c.numeric("474", channel, "Cannot join channel (+b)"+c.echoed())
		return
	}
	if code, text, ok := strings.Cut(s.opts.joinReply[channel], " "); ok {
		c.numeric(code, channel, text+c.echoed())
		return
	}
	switch s.opts.modes[channel] {
	case "i":
		c.numeric("473", channel, "Cannot join channel (+i)"+c.echoed())
		return
	case "b":
		c.numeric("474", channel, "Cannot join channel (+b)"+c.echoed())
		return
	case "l":
		c.numeric("471", channel, "Cannot join channel (+l)"+c.echoed())
		return
	case "O": // UnrealIRCd's ERR_OPERONLY, a numeric outside RFC 2812
		c.numeric("520", channel, "Cannot join channel (IRCops only)"+c.echoed())
		return
	case "x": // the JOIN is never answered
		return
	case "w": // the JOIN is answered late (and nothing else meanwhile)
		time.Sleep(s.opts.joinDelay)
	case "R": // registered nicks only, as UnrealIRCd has it: logged in, on the account's nick
		if !c.authed || c.nick != c.account {
			c.numeric("477", channel, "Cannot join channel (+R) - you need to be identified with services"+c.echoed())
			return
		}
	}
	s.mu.Lock()
	in := 0
	for _, m := range s.members {
		if m[c] {
			in++
		}
	}
	s.mu.Unlock()
	if s.opts.maxJoins > 0 && in >= s.opts.maxJoins {
		c.numeric("405", channel, "You have joined too many channels"+c.echoed())
		return
	}
	s.mu.Lock()
	if s.members[channel] == nil {
		s.members[channel] = map[*fakeClient]bool{}
	}
	s.members[channel][c] = true
	s.mu.Unlock()
	if c.joined == nil {
		c.joined = map[string]time.Time{}
	}
	c.joined[channel] = time.Now()
	source := c.mask()
	if s.opts.bareSource {
		source = c.nick
	}
	c.reply(":" + source + " JOIN " + channel)
	if !s.opts.joinNoNames {
		c.names(channel) // as RFC 2812 section 3.2.1 has it, and every server does
	}
}

func (c *fakeClient) privmsg(command, channel, text string) bool {
	s := c.srv
	if c.msgs++; c.msgs == s.opts.rename.atLine {
		c.forceNick()
	}
	if c.kicked(channel) {
		return true
	}
	if s.opts.onLine != nil {
		relay, before, after := s.opts.onLine(c.nick, command, channel, text)
		c.reply(before...)
		defer c.reply(after...) // after the echo
		if !relay {
			return true
		}
	}
	if c.removed(channel) {
		// Solanum answers a line to a +n channel from a client not in it so.
		c.numeric("404", channel, "Cannot send to channel")
		return true
	}
	if n, ok := s.opts.dropAfter[channel]; ok && len(s.saidIn(channel)) >= n && s.happenOnce("drop "+channel) {
		if s.opts.holdOnDrop {
			s.mu.Lock()
			if s.opts.nicksHeld == nil {
				s.opts.nicksHeld = map[string]int{}
			}
			s.opts.nicksHeld[c.nick] = 4
			s.mu.Unlock()
		}
		return false // the connection drops
	}
	switch {
	case s.opts.mute[channel]:
		if s.opts.muteNotice != "" {
			c.reply(":fake.test NOTICE " + c.nick + " :" + s.opts.muteNotice)
		}
		return true
	case c.failure() == channeltest.FailTransient || s.opts.modes[channel] == "d":
		return false // the connection drops
	case s.opts.modes[channel] == "F": // the server's flood limit disconnects the client
		c.reply("ERROR :" + s.opts.floodQuit)
		return false
	case s.opts.modes[channel] == "T": // a 707, then the connection drops
		c.numeric("707", channel, "Targets changing too fast, message dropped")
		return false
	case command == "PRIVMSG" && (c.failure() == channeltest.FailRejected || s.moderated(channel) && !s.voicedIn(channel) ||
		s.failureOf(channel) == channeltest.FailRejected):
		c.numeric("404", channel, "Cannot send to channel"+c.echoed())
		return true
	case command == "PRIVMSG" && s.opts.modes[channel] == "u":
		// UnrealIRCd's target-flood (src/modules/targetfloodprot.c), as
		// src/modules/message.c words its 404: the line is dropped.
		c.numeric("404", channel, "Channel is being flooded. Message not delivered. ("+channel+")")
		return true
	case s.opts.sendReply[channel] != "":
		code, text, _ := strings.Cut(s.opts.sendReply[channel], " ")
		c.numeric(code, cmp.Or(s.opts.replyName[channel], channel), text)
		return true
	case s.opts.sendRaw[channel] != "":
		c.reply(strings.ReplaceAll(s.opts.sendRaw[channel], "%s", c.nick))
		return true
	case s.opts.delayMsg[channel] > 0 && time.Since(c.joined[channel]) < s.opts.delayMsg[channel]:
		// InspIRCd's delaymsg (src/modules/m_delaymsg.cpp; by default
		// 2.0's text): the line is dropped, the member not voiced.
		c.numeric("404", channel, fmt.Sprintf(cmp.Or(s.opts.delayText, "You must wait %d seconds after joining to send to channel (+d)"),
			int(s.opts.delayMsg[channel]/time.Second)))
		return true
	case command == "PRIVMSG" && s.opts.modes[channel] == "c":
		// UnrealIRCd 6's restrict-commands with a connect-time for
		// channel-message (src/modules/restrict-commands.c): the line is dropped.
		c.numeric("404", channel, "You cannot send messages to channels until you've been connected for 30 seconds or more ("+channel+")")
		return true
	case s.opts.modes[channel] == "t": // Solanum's channel target change limit (doc/features/tgchange.txt)
		c.numeric("707", channel, "Targets changing too fast, message dropped")
		return true
	case s.opts.modes[channel] == "f": // Solanum's flood_attack_channel (ircd/channel.c)
		if command == "PRIVMSG" {
			c.reply(":fake.test NOTICE " + c.nick + " :*** Message to " + channel + " throttled due to flooding")
		}
		return true
	case command == "NOTICE" && s.moderated(channel) && !s.voicedIn(channel):
		// RFC 2812 section 3.3.2: no reply to a NOTICE, ever; Solanum
		// and Hybrid (can_send, m_message.c) drop it without a word.
		return true
	case command == "PRIVMSG" && s.opts.modes[channel] == "M" && !c.authed: // as ngIRCd says it
		c.numeric("477", channel, "Cannot send to channel (+M) -- You need to be identified to a registered account to message this channel")
		return true
	}
	if code, text, ok := strings.Cut(s.opts.sendNote[channel], " "); ok {
		defer c.numeric(code, channel, text) // after the echo
	}
	if c.msgs == s.opts.rename.afterLine {
		defer c.forceNick() // after the echo, as the next line the client reads
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.members[channel][c] {
		return true
	}
	// What the server relays to the channel's members must fit 512 bytes.
	if relayed := ":" + c.mask() + " " + command + " " + channel + " :" + text + "\r\n"; len(relayed) > 512 {
		s.tooLong = append(s.tooLong, relayed)
	}
	s.said[channel] = append(s.said[channel], text)
	s.speakers = append(s.speakers, c.nick)
	c.pending[channel] = append(c.pending[channel], text)
	if echo := ":" + c.mask() + " " + command + " " + channel + " :" + text; c.echo && s.opts.echoLate {
		c.late = append(c.late, echo)
	} else if c.echo && s.opts.echoPings > 0 {
		c.held = append(c.held, heldEcho{line: echo, pings: s.opts.echoPings})
	} else if c.echo {
		c.reply(echo)
	}
	return true
}

// whois answers WHOIS for a nick of fakeOptions.nicksInUse (or held by a
// client) with its idle time (RPL_WHOISIDLE, 317: fakeOptions.holderIdle);
// 401 for a nick no one holds.
func (c *fakeClient) whois(nick string) {
	s := c.srv
	s.mu.Lock()
	held := slices.Contains(s.opts.nicksInUse, nick) || s.nicks[nick] != nil
	idle := s.opts.holderIdle
	s.mu.Unlock()
	if !held {
		c.numeric("401", nick, "No such nick or channel name")
	} else {
		c.numeric("311", nick, "statusbot", "10.0.0.9", "*", "outagecast")
		if idle >= 0 {
			c.numeric("317", nick, strconv.Itoa(idle), "1700000000", "seconds idle, signon time")
		}
	}
	c.numeric("318", nick, "End of WHOIS list")
}

// ison answers ISON (RFC 2812 section 4.9) with the nicks asked for that
// someone holds (RPL_ISON, 303).
func (c *fakeClient) ison(nicks []string) {
	s := c.srv
	s.mu.Lock()
	var on []string
	for _, n := range strings.Fields(strings.Join(nicks, " ")) {
		if slices.Contains(s.opts.nicksInUse, n) || s.nicks[n] != nil {
			on = append(on, n)
		}
	}
	s.mu.Unlock()
	c.numeric("303", strings.Join(on, " "))
}

// nickserv answers a line to NickServ (fakeOptions.services).
func (c *fakeClient) nickserv(text string) {
	s := c.srv
	if !s.opts.services {
		c.numeric("401", "NickServ", "No such nick or channel name")
		return
	}
	notice := func(text string) { c.reply(":NickServ!services@services.fake.test NOTICE " + c.nick + " :" + text) }
	cmd, nick, _ := strings.Cut(text, " ")
	if !strings.EqualFold(cmd, "GHOST") {
		notice("Unknown command " + cmd)
		return
	}
	if !c.authed || c.account != nick {
		notice("You are not authorized to perform this operation.")
		return
	}
	if s.opts.chatter != "" {
		notice(s.opts.chatter)
	}
	ghost := func() {
		s.mu.Lock()
		s.opts.nicksInUse = slices.DeleteFunc(s.opts.nicksInUse, func(n string) bool { return n == nick })
		s.mu.Unlock()
		if !s.opts.ghostSilent {
			notice(strings.ReplaceAll(cmp.Or(s.opts.ghostReply, "\x02%s\x02 has been ghosted."), "%s", nick))
		}
	}
	if s.opts.ghostDelay == 0 {
		ghost()
		return
	}
	s.wg.Add(1)
	time.AfterFunc(s.opts.ghostDelay, func() {
		defer s.wg.Done()
		ghost()
	})
}

// kicked kicks the client from channel, as fakeOptions.kicks has it,
// and reports whether it did.
func (c *fakeClient) kicked(channel string) bool {
	s := c.srv
	how, ok := s.opts.kicks[channel]
	if !ok || !s.happenOnce("kick "+channel) {
		return false
	}
	s.mu.Lock()
	delete(s.members[channel], c)
	if how == "ban" {
		if s.banned == nil {
			s.banned = map[string]bool{}
		}
		s.banned[channel] = true
	}
	s.mu.Unlock()
	if how == "remove" {
		// Solanum's (charybdis's) REMOVE: a kick the client sees as its
		// own PART, which clients do not rejoin at once.
		c.reply(":" + c.mask() + " PART " + channel + " :requested by floodbot (Flooding (more than 3 lines in 2 seconds))")
		return true
	}
	c.reply(":floodbot!bot@fake.test KICK " + channel + " " + c.nick + " :Flooding (more than 3 lines in 2 seconds)")
	return true
}

// removed reports whether the client was removed from channel (kicks
// "remove") and is not back in it.
func (c *fakeClient) removed(channel string) bool {
	s := c.srv
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.opts.kicks[channel] == "remove" && s.once["kick "+channel] && !s.members[channel][c]
}

// mode answers a query of a channel's modes (RFC 2812 section 3.2.3,
// RPL_CHANNELMODEIS): the mode of fakeOptions.modes, with +nt.
func (c *fakeClient) mode(channel string) {
	if c.srv.opts.modeReply[channel] == "-" {
		return // no answer
	}
	if code, text, ok := strings.Cut(c.srv.opts.modeReply[channel], " "); ok {
		c.numeric(code, channel, text)
		return
	}
	modes := c.srv.opts.modes[channel]
	if modes == "m" && !c.srv.moderated(channel) {
		modes = ""
	} else if modes != "m" && c.srv.moderated(channel) {
		modes += "m"
	}
	c.numeric("324", channel, "+"+modes+"nt")
}

// names answers NAMES (RFC 2812 section 3.2.5, RPL_NAMREPLY): a channel
// operator, and the bot, voiced as fakeOptions.voiced has it.
func (c *fakeClient) names(channel string) {
	me := c.nick
	if c.srv.voicedIn(channel) {
		me = cmp.Or(c.srv.opts.voiceSymbol, "+") + me
	}
	c.numeric("353", "=", channel, "@ChanServ floodbot "+me)
	c.numeric("366", channel, "End of /NAMES list.")
}

// ping answers PING and turns the lines posted since the last one into a
// Delivery.
func (c *fakeClient) ping(token string) {
	s := c.srv
	s.mu.Lock()
	for channel, texts := range c.pending {
		if len(texts) > 0 {
			s.deliveries = append(s.deliveries,
				channeltest.Delivery{Text: strings.Join(texts, "\n"), Parts: texts, Target: channel})
		}
	}
	c.pending = map[string][]string{}
	s.mu.Unlock()
	if c.pings++; c.pings == s.opts.rename.atPing {
		c.forceNick()
	}
	held := c.held[:0]
	for _, h := range c.held {
		if h.pings--; h.pings > 0 {
			held = append(held, h)
		} else {
			c.reply(h.line)
		}
	}
	c.held = held
	if s.opts.onPing != nil {
		c.reply(s.opts.onPing(c.nick)...)
	}
	if !s.opts.noPong {
		c.reply(":fake.test PONG fake.test :" + token)
	}
	c.reply(c.late...)
	c.late = nil
	if c.pings == s.opts.echoDelAt && c.echo {
		c.echo = false
		c.reply(":fake.test CAP " + c.nick + " DEL :echo-message")
	}
}

func param(m ircmsg.Message, i int) string {
	if i < len(m.Params) {
		return m.Params[i]
	}
	return ""
}
