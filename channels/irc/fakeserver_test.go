package irc_test

import (
	"cmp"
	"crypto/tls"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/outagecast/outagecast/channels/channeltest"
)

// fakeServer is a scripted IRC server in the test process: registration
// with PASS, CAP and SASL PLAIN, nicks in use, channels with keys and modes,
// PRIVMSG relayed as records, PING and QUIT. It records every line clients
// send, and for the channeltest harness one Delivery per PING that follows
// PRIVMSGs to a channel.
type fakeServer struct {
	t    *testing.T
	ln   net.Listener
	wg   sync.WaitGroup
	opts fakeOptions

	mu         sync.Mutex
	fail       channeltest.Failure
	failures   map[string]channeltest.Failure // channel → failure of that channel only
	clients    map[*fakeClient]bool
	nicks      map[string]*fakeClient
	members    map[string]map[*fakeClient]bool // channel → members
	said       map[string][]string             // channel → texts, in order
	speakers   []string                        // the nick of each text posted, in order
	lines      []string                        // every line from every client
	tooLong    []string                        // lines over 512 bytes
	deliveries []channeltest.Delivery
	conns      int                  // connections accepted
	open, peak int                  // connections open now, and the most open at once
	once       map[string]bool      // the one-shot events of kicks and dropAfter that happened, by channel
	banned     map[string]bool      // channels that ban the bot since a kick with "ban"
	frozen     map[*fakeClient]bool // connections whose lines no longer reach the server (see freeze)
	// moderatedNow and voicedNow are the +m of channels and the voice of
	// the bot in them as setMode changed them since fakeOptions set them.
	moderatedNow map[string]bool
	voicedNow    map[string]bool
}

type fakeOptions struct {
	password  string            // server password; "" none
	sasl      map[string]string // SASL accounts; nil: no SASL offered
	saslMechs string            // the mechanisms CAP LS lists for sasl, and AUTHENTICATE takes; "": PLAIN,EXTERNAL
	saslBare  bool              // CAP LS lists "sasl" without its mechanisms (CAP 3.1): another one is answered 908 and 904
	saslGone  bool              // CAP LS lists sasl, CAP REQ gets NAK: the services left in between
	// echoMessage offers IRCv3 echo-message in CAP LS, as Solanum does;
	// once acknowledged, every PRIVMSG and NOTICE the server relays is
	// echoed to its sender.
	echoMessage bool
	echoLate    bool // echo after the PONG that follows the lines, not before it
	// echoDelAt withdraws echo-message at the client's n-th PING, after
	// its PONG (CAP DEL, IRCv3 cap-notify, as a server whose module for
	// it is unloaded says), and echoes no more.
	echoDelAt int
	// echoDelAtAck withdraws echo-message in the write that acknowledges
	// it: CAP ACK, then CAP DEL, back to back.
	echoDelAtAck bool
	// echoPings holds each echo back until the server gets the n-th PING
	// after the line, and sends it just before that PING's PONG: with 2,
	// after the Send of the line has ended, before the PONG of the next
	// Send's first PING.
	echoPings int
	noCap     bool // CAP is an unknown command (421), as on servers older than IRCv3
	// quietWelcome ends registration with 001 and a 005 naming no
	// CASEMAPPING, and sends no end of the MOTD (neither 376 nor 422).
	quietWelcome bool
	nicksInUse   []string // nicks that get 433
	// nickCollisions are nicks that get 436 (ERR_NICKCOLLISION): the
	// server drops the NICK, and kills no one (RFC 1459 section 4.1.2).
	nickCollisions []string
	nicksHeld      map[string]int    // nicks an earlier connection of the bot holds, its QUIT not processed yet: 433 to the first n NICKs for each
	nickLen        int               // longer nicks get 432; 0: 30
	keys           map[string]string // channel → key (+k)
	modes          map[string]string // channel → one of "i" (473), "b" (474), "l" (471), "O" (520, UnrealIRCd's opers only), "m" (404 on PRIVMSG), "x" (no answer to JOIN),
	// "R" (477 to JOIN unless logged in), "M" (477 to PRIVMSG unless logged in),
	// "w" (JOIN answered after joinDelay), "t" (707 to PRIVMSG and NOTICE, the line dropped: Solanum's target change limit),
	// "f" (the line dropped: Solanum's channel flood limit, which says so in a NOTICE to a PRIVMSG, and to a NOTICE says nothing),
	// "d" (the connection drops at a line to it), "T" (a 707, then the connection drops),
	// "F" (an ERROR of floodQuit, then the connection drops, at the line to it),
	// "u" (404 to PRIVMSG, the line dropped: UnrealIRCd's target-flood, which says nothing to a NOTICE),
	// "c" (404 to PRIVMSG, the line dropped: UnrealIRCd 6's restrict-commands, a connect-time for channel messages)
	// joinReply answers the JOIN of a channel with a numeric, "471 Cannot
	// join channel (+z) -- SSL connections only": the code, then the text.
	joinReply map[string]string
	joinDelay time.Duration
	// delayMsg holds a client's lines to a channel for a while after its
	// JOIN, answering each with 404, as InspIRCd's delaymsg (+d) does.
	delayMsg map[string]time.Duration
	// delayText is the text of delayMsg's 404, a format given the delay
	// in whole seconds; "" InspIRCd 2.0's.
	delayText string
	// sendReply answers each line to a channel with a numeric, the line
	// dropped: "404 Cannot send to channel (+m)", the code, then the text.
	sendReply map[string]string
	// replyName is the name sendReply's numeric gives a channel, where
	// the server names it otherwise than the line did (its own casing).
	replyName map[string]string
	// sendRaw answers each line to a channel with a raw line, "%s"
	// standing for the nick, the line dropped: a reply that names no
	// channel, or names the command.
	sendRaw map[string]string
	// modeReply answers a query of a channel's modes with a numeric, "477
	// Channel doesn't support modes" (RFC 2812's ERR_NOCHANMODES, to MODE
	// on a modeless "+" channel): the code, then the text; "-" answers
	// nothing.
	modeReply map[string]string
	// onLine, when set, decides for each line a client sends to a channel
	// (by the client's nick, the command, the channel and the text)
	// whether the server relays it, and the raw lines it sends before and
	// after the line's echo; onPing, the raw lines it sends before the
	// PONG of each PING. Both run on the client's goroutine.
	onLine func(nick, command, channel, text string) (relay bool, before, after []string)
	onPing func(nick string) []string
	// sendNote relays each line to a channel, then sends a numeric naming
	// the channel, "324 +nt": the code, then the text.
	sendNote map[string]string
	// maxJoins is how many channels a client may be in at once (ngIRCd's
	// MaxJoins, Solanum's max_chans_per_user): a JOIN past it gets 405.
	// 0: no limit.
	maxJoins int
	// kicks kicks the bot from a channel at its first line there, once
	// (the line not relayed), as a flood-protection bot does: "kick" only,
	// "ban" also bans it (+b), so that a later JOIN gets 474, "remove"
	// removes it as Solanum's REMOVE does: a PART of the bot's, and 404
	// to its lines to the channel until it joins again.
	kicks map[string]string
	// dropAfter drops the connection, once, at the line to a channel
	// that follows the first n, which were relayed (and echoed).
	dropAfter map[string]int
	// holdOnDrop keeps the nick of a connection dropAfter dropped held
	// for the next 4 NICKs (433), as a server keeps a connection lost
	// without a QUIT until its ping timeout.
	holdOnDrop bool
	// voiced gives the bot voice (+v) in a channel when it joins: NAMES
	// shows it, and it may speak when the channel is moderated (+m).
	voiced map[string]bool
	// joinNoNames answers a JOIN without the NAMES reply (353, 366) that
	// RFC 2812 section 3.2.1 has follow it.
	joinNoNames bool
	// isupport adds tokens to RPL_ISUPPORT (005), as "PREFIX=(Yov)!@+";
	// voiceSymbol is the symbol NAMES shows before a voiced bot (default "+").
	isupport    []string
	voiceSymbol string
	floodQuit   string // the text of mode "F"'s ERROR
	// mute drops every line to a channel without a word, as a flood
	// limit does, whatever its modes; muteNotice, if set, is the text of
	// a server NOTICE to the client for each line dropped so, as
	// UnrealIRCd's restrict-commands sends.
	mute       map[string]bool
	muteNotice string
	// services answers PRIVMSG NickServ (else 401, no such nick): GHOST
	// frees a nick of nicksInUse for a client logged in to the account
	// of that name, as Atheme's modules/nickserv/ghost.c does.
	services bool
	// ghostReply is the services' answer to a GHOST they grant, %s
	// standing for the nick; default Atheme's "\x02%s\x02 has been
	// ghosted.". chatter is a notice of NickServ about something else,
	// sent at once, before it; with ghostDelay, the ghost is disconnected
	// and the answer sent that long after the GHOST, as services on a
	// server of their own answer a moment later.
	ghostReply string
	chatter    string
	ghostDelay time.Duration
	// ghostSilent grants a GHOST without a word, as Ergo's NickServ
	// (irc/nickserv.go) does.
	ghostSilent bool
	// holderIdle is the idle seconds WHOIS shows (317) for the holder of
	// a nick of nicksInUse; -1 shows none.
	holderIdle int
	noPong     bool   // never answer PING
	greet      bool   // send a NOTICE as soon as a client connects
	refuse     string // the text of an ERROR sent to every client as soon as it connects, which is then closed
	bare464    bool   // refuse a password with ERROR only, as ngIRCd does
	echo       bool   // error answers repeat the credentials received, as sent, channel keys included
	// The prefix the server puts on what it relays from a client is
	// ":nick!user@host ". host is the host it shows (default 127.0.0.1);
	// hiddenHost replaces it right after registration, with a 396 reply.
	host, hiddenHost string
	welcomeMask      bool   // 001 ends with nick!user@host, as RFC 2812 has it
	sockhost         string // the host USERHOST shows for a client itself (Solanum: the real IP); default host
	bareSource       bool   // the server never shows the client's user@host: 001 and JOIN name the nick only, USERHOST is unknown
	// rename renames the bot as the network's services do to a nick not
	// identified in time (Atheme's "Guest12345"), or as a server does
	// after a collision (to its UID).
	rename fakeRename
	// tls makes the server speak TLS. SASL EXTERNAL logs a client in as
	// the common name of its certificate, when sasl lists it.
	tls *tls.Config
	// registerReply answers a registration (NICK, USER and CAP END in),
	// once, with these lines, raw, "%s" standing for the nick, instead of
	// the welcome, which never comes; registerClose then closes the
	// connection, without an ERROR.
	registerReply []string
	registerClose bool
	// joinRaw answers the JOIN of a channel with a raw line, "%s"
	// standing for the nick, and nothing else: the bot stays out.
	joinRaw map[string]string
}

type fakeClient struct {
	srv     *fakeServer
	conn    net.Conn
	wmu     sync.Mutex
	nick    string
	user    string
	pass    string
	sasl    string // the AUTHENTICATE payload, base64 as sent
	mech    string // the SASL mechanism asked for
	joinKey string // the last channel key sent with JOIN
	host    string // the host shown in the client's prefix
	capping bool   // CAP LS seen, CAP END not yet
	echo    bool   // echo-message acknowledged
	authed  bool
	account string // the SASL account logged in to
	welcome bool
	stalled bool                 // registerReply sent: no welcome
	pending map[string][]string  // channel → texts since the last PING
	late    []string             // echoes held back until after the next PONG (fakeOptions.echoLate)
	held    []heldEcho           // echoes held back for fakeOptions.echoPings
	msgs    int                  // lines to channels so far (fakeOptions.rename)
	joined  map[string]time.Time // channel → when the client joined it (fakeOptions.delayMsg)
	pings   int                  // PINGs so far (fakeOptions.rename)
}

func newFakeServer(t *testing.T, opts fakeOptions) *fakeServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if opts.tls != nil {
		ln = tls.NewListener(ln, opts.tls)
	}
	s := &fakeServer{
		t: t, ln: ln, opts: opts,
		clients: map[*fakeClient]bool{}, nicks: map[string]*fakeClient{},
		members: map[string]map[*fakeClient]bool{}, said: map[string][]string{},
	}
	s.wg.Add(1)
	go s.accept()
	t.Cleanup(s.close)
	return s
}

func (s *fakeServer) addr() string { return s.ln.Addr().String() }

func (s *fakeServer) close() {
	_ = s.ln.Close()
	s.mu.Lock()
	for c := range s.clients {
		_ = c.conn.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
	if len(s.tooLong) > 0 {
		s.t.Errorf("lines over 512 bytes reached the server: %q", s.tooLong)
	}
}

func (s *fakeServer) accept() {
	defer s.wg.Done()
	for {
		conn, err := s.ln.Accept()
		if err != nil {
			return
		}
		c := &fakeClient{srv: s, conn: conn, pending: map[string][]string{}, host: cmp.Or(s.opts.host, "127.0.0.1")}
		s.mu.Lock()
		s.clients[c] = true
		s.conns++
		s.open++
		s.peak = max(s.peak, s.open)
		s.mu.Unlock()
		if s.opts.greet {
			c.reply(":fake.test NOTICE * :*** Looking up your hostname...")
		}
		if s.opts.refuse != "" {
			// As a throttled connection gets it: Solanum and UnrealIRCd
			// write the ERROR and close before reading a line.
			c.reply("ERROR :" + s.opts.refuse)
			_ = conn.Close()
		}
		s.wg.Add(1)
		go c.serve()
	}
}

// Fail implements channeltest.Backend.
func (s *fakeServer) Fail(f channeltest.Failure) {
	s.mu.Lock()
	s.fail = f
	s.mu.Unlock()
}

// FailTarget implements channeltest.TargetBackend: a transient failure is
// 437 (temporarily unavailable) to JOIN, a refusal 404 (cannot send) to
// PRIVMSG, an unauthorized one 477 (needs a registered nick) to JOIN.
func (s *fakeServer) FailTarget(channel string, f channeltest.Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failures == nil {
		s.failures = map[string]channeltest.Failure{}
	}
	s.failures[channel] = f
}

// failureOf returns the failure injected for channel.
func (s *fakeServer) failureOf(channel string) channeltest.Failure {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.failures[channel]
}

// Received implements channeltest.Backend.
func (s *fakeServer) Received() []channeltest.Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]channeltest.Delivery(nil), s.deliveries...)
}

// saidIn returns the texts posted to channel, in order.
func (s *fakeServer) saidIn(channel string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.said[channel]...)
}

// speakersOf returns the nick of each text posted, in order.
func (s *fakeServer) speakersOf() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.speakers...)
}

// commands returns every line clients sent whose command is one of cmds.
func (s *fakeServer) commands(cmds ...string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, l := range s.lines {
		for _, c := range cmds {
			if strings.HasPrefix(l, c+" ") || l == c {
				out = append(out, l)
			}
		}
	}
	return out
}

// received returns every line clients sent, in order.
func (s *fakeServer) received() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.lines...)
}

func (s *fakeServer) connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conns
}

// mostOpen returns the most connections that were open at once.
func (s *fakeServer) mostOpen() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.peak
}

// happenOnce reports whether the one-shot event key has not happened yet,
// and records that it has.
func (s *fakeServer) happenOnce(key string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.once[key] {
		return false
	}
	if s.once == nil {
		s.once = map[string]bool{}
	}
	s.once[key] = true
	return true
}

// freeze makes every connection open now half-open, as a NAT or firewall
// that forgot an idle flow leaves it: the client's lines no longer reach
// the server, which answers nothing, and neither side sees a reset. New
// connections work.
func (s *fakeServer) freeze() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.frozen == nil {
		s.frozen = map[*fakeClient]bool{}
	}
	for c := range s.clients {
		s.frozen[c] = true
	}
}

// moderated reports whether channel is moderated (+m) now.
func (s *fakeServer) moderated(channel string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m, ok := s.moderatedNow[channel]; ok {
		return m
	}
	return s.opts.modes[channel] == "m"
}

// voicedIn reports whether the bot has voice in channel now.
func (s *fakeServer) voicedIn(channel string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if v, ok := s.voicedNow[channel]; ok {
		return v
	}
	return s.opts.voiced[channel]
}

// setMode changes the modes of channel as an operator of it would, with
// MODE: "+m", "-m", "+v NICK", "-v NICK" (NICK: the bot's voice), and
// relays the MODE line to the channel's members, as a server does.
func (s *fakeServer) setMode(channel, change string) { s.changeMode(channel, change, true) }

// setModeQuietly changes the modes of channel as setMode does, but
// relays nothing: as a server that does not tell its members, or a relay
// the bot missed or misread.
func (s *fakeServer) setModeQuietly(channel, change string) { s.changeMode(channel, change, false) }

// changeMode is setMode, relaying the MODE line only if relay is set.
func (s *fakeServer) changeMode(channel, change string, relay bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.moderatedNow == nil {
		s.moderatedNow, s.voicedNow = map[string]bool{}, map[string]bool{}
	}
	modes, _, _ := strings.Cut(change, " ")
	on := true
	for _, r := range modes {
		switch r {
		case '+', '-':
			on = r == '+'
		case 'm':
			s.moderatedNow[channel] = on
		case 'v', 'o':
			s.voicedNow[channel] = on
		}
	}
	if !relay {
		return
	}
	for c := range s.members[channel] {
		c.reply(":ChanServ!ChanServ@services.test MODE " + channel + " " + change)
	}
}

// sayAll writes the raw line to every client connection.
func (s *fakeServer) sayAll(line string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.clients {
		c.reply(line)
	}
}

// dropAll closes every client connection, as a server restart would.
func (s *fakeServer) dropAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.clients {
		_ = c.conn.Close()
	}
}

// fakeRename renames a client to to, which no one else holds: before
// relaying its atLine-th line to a channel, right after relaying (and
// echoing) its afterLine-th, or at its atPing-th PING, before the PONG
// (0: never).
type fakeRename struct {
	to                        string
	atLine, afterLine, atPing int
}

// heldEcho is an echo that waits for pings more PINGs (fakeOptions.echoPings).
type heldEcho struct {
	line  string
	pings int
}
