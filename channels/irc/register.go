package irc

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ergochat/irc-go/ircfmt"
	"github.com/ergochat/irc-go/ircmsg"
	"github.com/ergochat/irc-go/ircutils"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/httpx"
)

// registration is the state of connection registration: NICK and USER,
// preceded by PASS and by IRCv3 CAP negotiation (echo-message where the
// server offers it; with SASL, PLAIN or EXTERNAL, sasl and AUTHENTICATE).
type registration struct {
	nicks  []string // the configured nick, then the alternates
	next   int      // index in nicks of the nick being tried
	asked  int      // NICKs for the configured nick so far
	again  bool     // the configured nick is in use: ask for it again, after nickRetryEvery
	caps   []string // CAP LS tokens so far
	reqs   int      // CAP REQs not answered yet
	ended  bool     // CAP END sent
	authed bool     // SASL succeeded
	done   bool     // 001 received
	mechs  string   // the SASL mechanisms a 908 named, made safe (see serverText)
	err    error
	last   *ReplyError // the last error reply that handle does not act on; nil: none

	regaining *regaining // non-nil while taking the configured nick back (see regain)
}

// alternates are the nicks tried, in order, while the server answers 433
// (in use, or 437 or 436, see handle): with one or two underscores appended, then with the last
// character replaced by a digit, for servers whose nick length the
// configured nick already reaches.
func alternates(nick string) []string {
	base := nick
	if len(nick) > 1 {
		base = nick[:len(nick)-1]
	}
	return []string{nick, nick + "_", nick + "__", base + "1", base + "2"}
}

// nickAsks is how many times registration asks for the configured nick,
// nickRetryEvery apart, while the server answers that it is in use, before
// an alternate: a retry may connect while the server still holds the nick
// for the connection of the attempt before, its QUIT not processed yet
// (ngIRCd reads a client's lines only as fast as its penalty for flooding
// lets it, and only then the QUIT). On an alternate the bot would escape a
// ban on its nick, and not be on its account's. A nick someone else holds
// costs a connection these 3 s.
const (
	nickAsks       = 4
	nickRetryEvery = time.Second
)

// register registers the connection with the server.
func (ss *session) register() error {
	s := ss.s
	r := &registration{nicks: alternates(s.nick)}
	ss.reg = r
	defer func() { ss.reg = nil }()
	ss.c.setNick(r.nicks[0])
	var lines [][]string
	if s.secrets.password != "" {
		lines = append(lines, []string{"PASS", s.secrets.password})
	}
	lines = append(lines, []string{"CAP", "LS", "302"})
	lines = append(lines, []string{"NICK", r.nicks[0]}, []string{"USER", s.user, "0", "*", s.realName})
	for _, l := range lines {
		if err := ss.write(l[0], l[1:]...); err != nil {
			return passwordRefused(ss, ss.broken(err))
		}
	}
	if err := r.await(ss); err != nil {
		return r.after(passwordRefused(ss, err))
	}
	if r.err != nil {
		return r.err
	}
	// Not with Persistent: instances sharing the Config each keep a
	// connection, idle between Sends, and would ghost each other in turn.
	if r.next > 0 && s.sasl() && !s.persistent {
		if err := r.regain(ss); err != nil {
			return err
		}
	}
	if _, known := ss.c.relayPrefix(0); !known {
		// 001 did not show our user and host: ask. The answer comes
		// before those to the JOINs that follow, which Send waits for.
		return ss.write("USERHOST", ss.c.currentNick())
	}
	return nil
}

// await handles the server's lines until registration succeeds or fails,
// within Config.Timeout, asking for the configured nick again when the
// server answers that it is in use (see nickAsks). The pauses before
// those asks are the bot's, not the server's: they do not count against
// Config.Timeout. A timeout after an error reply that handle does not act
// on names that reply; an ERROR line ends the wait (see session.ended),
// whether or not the server closes the connection after it.
func (r *registration) await(ss *session) error {
	deadline := time.Now().Add(ss.s.timeout)
	for {
		ok, err := ss.wait(func() bool { return r.done || r.err != nil || r.again }, time.Until(deadline))
		switch {
		case err != nil:
			return err
		case !ok && r.last != nil:
			return fmt.Errorf("irc: register: no welcome from the server within %v, after its error reply: %w", ss.s.timeout, r.last)
		case !ok:
			return fmt.Errorf("irc: register: no answer from the server within %v", ss.s.timeout)
		case !r.again:
			return nil
		}
		r.again = false
		paused := time.Now()
		if _, err := ss.wait(func() bool { return r.err != nil }, nickRetryEvery); err != nil {
			return err
		}
		deadline = deadline.Add(time.Since(paused))
		r.asked++
		r.write(ss, "NICK", r.nicks[0])
	}
}

// regaining is what the server and its services said while the bot takes
// its nick back (see regain).
type regaining struct {
	nick     string // the configured nick
	idle     int    // the holder's idle seconds, as WHOIS shows them; -1 not shown
	whoised  bool   // WHOIS answered: 318, or no such nick
	free     bool   // no one holds the nick now
	answered bool   // the services answered
	gone     bool   // ISON, after the GHOST, says no one holds the nick
	none     bool   // the server has no services: no such nick as NickServ, or services down
	refused  bool   // the server refused the nick again
}

// regain takes the configured nick back, once, when the bot registered on
// an alternate and is logged in with SASL, from a connection of the bot
// lost without a QUIT, which the server keeps until its ping timeout,
// minutes. It asks WHOIS how long the holder has been idle (RPL_WHOISIDLE,
// 317): only one idle for ghostIdle or more is taken for such a ghost,
// since a connection of the same bot that is alive (another process with
// the same Config) posts a line well within that while it sends, and is
// left alone. A persistent connection is idle between Sends: with
// Config.Persistent, register does not call regain. It then asks
// the network's services to disconnect the ghost (NickServ GHOST, which
// Atheme, Anope and Ergo take from a user logged in to the account that
// owns the nick, with no password: Atheme's modules/nickserv/ghost.c) and,
// once they answer or ISON finds the nick free (Ergo grants a GHOST
// without a word), asks for the nick. Whatever the server or the services
// answer, or when they do not answer within Config.Timeout (a server that penalises a
// burst of lines, as ngIRCd does, may take seconds), the bot goes on with
// the nick it has. A server without services answers 401 (no such nick) to the
// services' nick, and the bot then asks for no nick.
func (r *registration) regain(ss *session) error {
	g := &regaining{nick: r.nicks[0], idle: -1}
	r.regaining = g
	defer func() { r.regaining = nil }()
	if err := ss.write("WHOIS", g.nick, g.nick); err != nil { // twice: the holder's own server tells its idle time
		return ss.broken(err)
	}
	if _, err := ss.wait(func() bool { return g.whoised }, ss.s.timeout); err != nil {
		return err
	}
	if !g.free {
		if g.idle < 0 || time.Duration(g.idle)*time.Second < ghostIdle(ss.s) {
			return nil // alive, maybe: not a ghost to disconnect
		}
		if err := ss.write("PRIVMSG", "NickServ", "GHOST "+g.nick); err != nil {
			return ss.broken(err)
		}
		// Services in the server (Ergo) have disconnected the ghost when
		// the server reads the next line, and may say nothing: ISON tells.
		// Services on a server of their own (Atheme, Anope) disconnect it
		// a moment later, and answer.
		if err := ss.write("ISON", g.nick); err != nil {
			return ss.broken(err)
		}
		if _, err := ss.wait(func() bool { return g.answered || g.none || g.gone }, ss.s.timeout); err != nil {
			return err
		}
		if g.none || ss.isMe(g.nick) { // no services; services that change the nick themselves (Anope)
			return nil
		}
	}
	if err := ss.write("NICK", g.nick); err != nil {
		return ss.broken(err)
	}
	_, err := ss.wait(func() bool { return g.refused || ss.isMe(g.nick) }, ss.s.timeout)
	return err
}

// ghostIdle is how long the holder of the nick must have been idle for
// regain to take it for a ghost: 3 × Config.Timeout, at least a minute,
// longer than a live connection of the bot stays silent while it sends
// (registering, waiting for a JOIN's answer), and shorter than the ping
// timeout after which the server drops a ghost (2 minutes and more).
func ghostIdle(s *settings) time.Duration { return max(3*s.timeout, time.Minute) }

// reply records what m says to regain.
func (g *regaining) reply(m ircmsg.Message) {
	about := fold(param(m, 1))
	switch m.Command {
	case "317": // RPL_WHOISIDLE: me, nick, idle seconds, signon, text
		if n, err := strconv.Atoi(param(m, 2)); err == nil && about == fold(g.nick) && n >= 0 {
			g.idle = n
		}
	case "318": // RPL_ENDOFWHOIS
		g.whoised = true
	case "401", "402": // no such nick (or, as the server of WHOIS nick nick, no such server)
		if about == fold(g.nick) {
			g.free, g.whoised = true, true
		}
		g.none = g.none || about == fold("NickServ")
	case "440": // ERR_SERVICESDOWN
		g.none = true
	case "303": // RPL_ISON: me, the nicks asked for that are online
		g.gone = !slices.ContainsFunc(strings.Fields(param(m, 1)), func(n string) bool { return fold(n) == fold(g.nick) })
	case "NOTICE", "PRIVMSG":
		g.answered = g.answered || fold(m.Nick()) == fold("NickServ") && ghostAnswer(param(m, 1))
	case "433", "437", "436", "432":
		g.refused = true
	}
}

// ghostAnswers are what services answer to GHOST, lower case, without
// formatting: Atheme's (modules/nickserv/ghost.c: "\2%s\2 has been
// ghosted.", and its refusals), Anope's (ns_ghost, and ns_recover, which
// GHOST is an alias of in Anope 2: "Ghost with your nick has been
// killed.", "You have regained control of %s.") and Ergo's refusals
// (irc/nickserv.go; it grants a GHOST without a word). NickServ says other
// things meanwhile, unasked ("This nickname is registered…", "You are now
// logged in as …"): taken for the answer, they would have the bot ask for
// the nick before the ghost is gone, and stay on the alternate.
var ghostAnswers = []string{
	"has been ghosted", "is not online", "is not a registered nickname", "you may not ghost",
	"invalid password for", "password authentication is disabled", "you cannot ghost",
	"ghost with your nick has been killed", "regained control of", "no one is using your nick",
	"isn't currently in use", "isn't registered", "access denied", "you can't ghost yourself",
	"you don't own that nick", "no such nick", "you are not authorized",
}

// ghostAnswer reports whether text, a notice of NickServ, answers GHOST.
func ghostAnswer(text string) bool {
	t := strings.ToLower(ircfmt.Strip(text))
	return slices.ContainsFunc(ghostAnswers, func(a string) bool { return strings.Contains(t, a) })
}

// passwordField is the Config field of the server password, which a 464
// or an ERROR about the password refuses (see httpx.CredentialRefused).
const passwordField = "Config.Password"

// saslField returns the Config fields of the SASL login a 904 refuses:
// the TLS client certificate of Config.TLSConfig for EXTERNAL, the user
// and password for PLAIN.
func (s *settings) saslField() string {
	if s.saslMech == "EXTERNAL" {
		return "Config.TLSConfig (its client certificate, Config.SASLExternal)"
	}
	return "Config.SASLUser and Config.SASLPassword"
}

// passwordRefused makes permanent a registration that the server ended with
// an ERROR about the password, without 464 (ngIRCd says only "ERROR :Access
// denied: Bad password?"; InspIRCd's reason also names the password),
// whether the password was wrong or missing from the Config.
func passwordRefused(ss *session, err error) error {
	bye := ss.bye()
	if ss.ctx.Err() != nil || !strings.Contains(strings.ToLower(bye), "password") {
		return err
	}
	return httpx.CredentialRefused(broadcast.Permanent(fmt.Errorf("irc: register: log in: the server closed the connection: %s", bye)), passwordField)
}

// after adds to err, the end of a registration that failed without an
// answer it acts on (Config.Timeout passed, the connection lost, ctx
// ended), the last error reply the server sent meanwhile, which it
// wraps: a 438 (nick change too fast), 484 (connection restricted), 451 or
// 461 answers NICK or USER on some servers, and registration then goes no
// further. The reply changes no retry decision: its numeric is not known
// to be permanent.
func (r *registration) after(err error) error {
	var re *ReplyError
	if r.last == nil || errors.As(err, &re) {
		return err
	}
	return fmt.Errorf("%w, after the server's error reply: %w", err, r.last)
}

// handle advances registration with one server line.
func (r *registration) handle(ss *session, m ircmsg.Message) {
	if r.regaining != nil {
		r.regaining.reply(m)
		return
	}
	switch m.Command {
	case "001":
		if ss.s.sasl() && !r.authed {
			r.fail(noSASL(ss.s.saslMech), "001", true)
			return
		}
		ss.c.setNick(param(m, 0))
		r.done = true
	case "433", "437", "436":
		// 436, a collision with the nick on another server of the
		// network, is an answer to a NICK from a client connected to the
		// server, which drops the NICK and kills no one (RFC 1459 section
		// 4.1.2): another nick may be asked for, as after 433.
		if r.next == 0 && r.asked+1 < nickAsks {
			r.again = true // held by the bot's connection before, maybe
			return
		}
		r.retryNick(ss, m)
	case "432":
		if r.next == 0 {
			r.fail(ss.replyOf(m), "nick "+r.nicks[0], true)
			return
		}
		r.retryNick(ss, m)
	case "464":
		// ERR_PASSWDMISMATCH: the server password (RFC 2812 section 5.2).
		r.refused(ss.replyOf(m), "log in", passwordField)
	case "465":
		r.fail(ss.replyOf(m), "log in", true)
	case "CAP":
		r.capability(ss, m)
	case "AUTHENTICATE":
		if param(m, 0) == "+" {
			r.authenticate(ss)
		}
	case "903":
		r.authed = true
		r.end(ss)
	case "908":
		// The server's mechanisms, sent before the 904 that refuses
		// one it lacks, where CAP LS listed "sasl" without them.
		r.mechs = ss.s.serverText(param(m, 1))
	case "904":
		if err := ss.replyOf(m); r.mechs != "" && !slices.Contains(strings.Split(r.mechs, ","), ss.s.saslMech) {
			r.fail(fmt.Errorf("%w (the server's SASL mechanisms: %s; %s is not one of them)", err, r.mechs, ss.s.saslMech), "SASL", true)
		} else {
			// ERR_SASLFAIL: "invalid credentials or other errors not
			// explicitly mentioned by other numerics" (IRCv3 sasl-3.1,
			// ircv3.net/specs/extensions/sasl-3.1): the login refused.
			r.refused(err, "SASL", ss.s.saslField())
		}
	case "902", "905":
		r.fail(ss.replyOf(m), "SASL", true)
	case "906":
		r.fail(ss.replyOf(m), "SASL", false)
	case "421":
		// A server that does not know CAP registers the bot all the
		// same; only SASL needs it.
		if param(m, 1) != "CAP" {
			r.last = ss.replyOf(m)
		} else if ss.s.sasl() {
			r.fail(noSASL(ss.s.saslMech), "SASL", true)
		}
	default:
		if isErrorReply(m.Command) {
			r.last = ss.replyOf(m)
		}
	}
}

func (r *registration) fail(err error, doing string, permanent bool) {
	if r.err == nil {
		r.err = permanentIf(fmt.Errorf("irc: register: %s: %w", doing, err), permanent)
	}
}

// refused is fail, for good, of a refusal of the credential of the Config
// field named field (see httpx.CredentialRefused).
func (r *registration) refused(err error, doing, field string) {
	if r.err == nil {
		r.err = httpx.CredentialRefused(broadcast.Permanent(fmt.Errorf("irc: register: %s: %w", doing, err)), field)
	}
}

func (r *registration) write(ss *session, command string, params ...string) {
	if err := ss.write(command, params...); err != nil && r.err == nil {
		r.err = err
	}
}

// retryNick tries the next alternate nick after 433 (in use), 437
// (unavailable), 436 (a collision) or, for an alternate, 432 (too long,
// say).
func (r *registration) retryNick(ss *session, m ircmsg.Message) {
	r.next++
	if r.next >= len(r.nicks) {
		r.fail(ss.replyOf(m), fmt.Sprintf("nick %s and %d alternates", r.nicks[0], len(r.nicks)-1), false)
		return
	}
	ss.c.setNick(r.nicks[r.next])
	r.write(ss, "NICK", r.nicks[r.next])
}

// capability follows CAP LS (possibly on several lines), then ACK or NAK of
// our requests: one for "echo-message" when the server offers it (see
// session.post), one for "sasl" with SASL. Each is a REQ of its own, so that
// a NAK of one does not refuse the other (a REQ is granted or refused
// whole, IRCv3 Capability Negotiation).
func (r *registration) capability(ss *session, m ircmsg.Message) {
	caps := strings.Fields(param(m, len(m.Params)-1))
	switch param(m, 1) {
	case "LS":
		r.caps = append(r.caps, caps...)
		if len(m.Params) > 3 && m.Params[2] == "*" {
			return // more to come
		}
		if slices.ContainsFunc(r.caps, isCap("echo-message")) {
			r.request(ss, "echo-message")
		}
		if ss.s.sasl() {
			switch {
			case !slices.ContainsFunc(r.caps, isCap("sasl")):
				// Solanum lists sasl only while its services are there.
				r.fail(errSASLAway, "SASL", false)
				return
			case !offers(r.caps, ss.s.saslMech):
				r.fail(noSASL(ss.s.saslMech), "SASL", true)
				return
			}
			r.request(ss, "sasl")
		}
	case "ACK":
		r.reqs-- // an echo-message acknowledged: conn.track has read it
		if slices.Contains(caps, "sasl") {
			r.write(ss, "AUTHENTICATE", ss.s.saslMech)
		}
	case "NAK":
		r.reqs--
		if slices.Contains(caps, "sasl") {
			r.fail(errSASLAway, "SASL", false) // listed by LS, gone since
			return
		}
	default:
		return
	}
	r.end(ss)
}

// request asks for one capability.
func (r *registration) request(ss *session, capability string) {
	r.reqs++
	r.write(ss, "CAP", "REQ", capability)
}

// end sends CAP END, which lets registration complete, once every request
// is answered and a SASL login, if any, has succeeded.
func (r *registration) end(ss *session) {
	if r.ended || r.err != nil || r.reqs > 0 || ss.s.sasl() && !r.authed {
		return
	}
	r.ended = true
	r.write(ss, "CAP", "END")
}

// noSASL is the error of a server without SASL mechanism mech.
func noSASL(mech string) error { return fmt.Errorf("the server does not offer SASL %s", mech) }

// isCap returns a test of whether a CAP LS token, as "sasl" or
// "sasl=PLAIN,EXTERNAL", is the capability name.
func isCap(name string) func(token string) bool {
	return func(token string) bool {
		n, _, _ := strings.Cut(token, "=")
		return n == name
	}
}

// offers reports whether CAP LS tokens offer SASL with mechanism mech:
// "sasl" alone (CAP 301 lists no mechanisms) or "sasl=PLAIN,EXTERNAL".
func offers(caps []string, mech string) bool {
	for _, c := range caps {
		name, mechs, hasMechs := strings.Cut(c, "=")
		if name == "sasl" {
			return !hasMechs || slices.Contains(strings.Split(mechs, ","), mech)
		}
	}
	return false
}

// authenticate sends the response to the server's "+". EXTERNAL's is
// empty, "+": the identity is the certificate's, with no other asked for.
// PLAIN's is authzid NUL authcid NUL password, base64 in chunks of 400
// bytes.
func (r *registration) authenticate(ss *session) {
	if ss.s.saslMech == "EXTERNAL" {
		r.write(ss, "AUTHENTICATE", "+")
		return
	}
	raw := []byte(ss.s.saslUser + "\x00" + ss.s.saslUser + "\x00" + ss.s.secrets.saslPassword)
	for _, chunk := range ircutils.EncodeSASLResponse(raw) {
		r.write(ss, "AUTHENTICATE", chunk)
	}
}
