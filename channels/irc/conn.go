package irc

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ergochat/irc-go/ircmsg"
	"github.com/ergochat/irc-go/ircreader"
	"golang.org/x/text/unicode/norm"
	"golang.org/x/time/rate"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/httpx"
)

const (
	maxLine     = 512             // bytes of an IRC line, CRLF included (RFC 1459)
	maxReadLine = maxLine + 8191  // a server line may add IRCv3 tags
	maxNickLen  = 64              // the longest NICKLEN the line budget trusts (see relayPrefix)
	quitWait    = 2 * time.Second // how long QUIT waits for the server to close
	quitMessage = "outagecast"    // shown to the channel when the bot leaves, whether the Send was delivered or not
)

// conn is one connection to the server: the socket and the one goroutine
// that reads it. The reader answers PING itself, keeps track of the nick and
// the channels joined, and hands every other line to the Send in progress
// (see attach); with no Send in progress, lines are dropped.
type conn struct {
	nc      net.Conn // the TLS connection, or raw
	raw     net.Conn // the TCP connection under nc
	timeout time.Duration
	limiter *rate.Limiter // flood pacing; used only by the Send holding the connection
	pings   atomic.Uint64 // numbers our PING tokens

	wmu sync.Mutex // serialises writes: Send's lines and the reader's PONGs

	mu      sync.Mutex
	nick    string // our nick as the server knows it
	user    string // our user and host as the server shows them (see learnPrefix); "": not known
	host    string
	joined  map[string]bool // folded names of the channels we are in
	echo    bool            // the server echoes our PRIVMSG and NOTICE (IRCv3 echo-message)
	ranks   string          // the symbols of channel membership, voice or more, NAMES shows before a nick (see isupport)
	nickLen int             // the longest nick the server allows, as RPL_ISUPPORT names it (NICKLEN), up to maxLine+1; 0: not named
	cm      atomic.Uint32   // the server's caseMapping (RPL_ISUPPORT CASEMAPPING), read without mu
	cmKnown bool            // the server named its CASEMAPPING, or ended its welcome (376, 422, a PONG after it) without
	bye     string          // the text of the server's ERROR line, if any
	ended   bool            // the server sent an ERROR line: its last word, whether or not it closes the socket
	sink    *sink           // the Send in progress, if any
	aborted bool            // the socket was closed under a Send
	crowded bool            // a JOIN got 405, too many channels: see usable

	// prefixModes are the channel modes of ranks, in the same order
	// (RPL_ISUPPORT PREFIX), and chanModeKinds the other channel modes,
	// by kind (CHANMODES): see modeChange. Guarded by mu, as modes is.
	prefixModes   string
	chanModeKinds [4]string
	modes         map[string]*chanModes // by folded name, the channels we are in: see trackModes
	sends         uint64                // the sessions begun on the connection: see chanModes.modesAt

	closing   chan struct{} // closed by close: the reader must stop
	done      chan struct{} // closed when the reader has returned
	readErr   error         // why the reader returned; read after done
	closeOnce sync.Once
}

// sink carries server lines to one Send.
type sink struct {
	msgs chan heard
	gone chan struct{} // closed by detach
}

// heard is one server line, with our nick when the reader read it: the
// nick the line names us by. A line the server sent before it renamed us
// (the echo of a line relayed then) names the nick before; the reader may
// have read the NICK after it by the time the Send handles it.
type heard struct {
	m    ircmsg.Message
	nick string
}

// dial connects to the server and starts the reader.
func dial(ctx context.Context, s *settings) (*conn, error) {
	dctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	d := net.Dialer{}
	raw, err := d.DialContext(dctx, "tcp", s.addr)
	if err != nil {
		return nil, dialErr(ctx, s, err)
	}
	nc := raw
	if s.tls == TLSOn {
		var heard bool
		if nc, heard, err = handshake(dctx, raw, s); err != nil {
			_ = raw.Close()
			if !heard && ctx.Err() == nil && unanswered(err) && plainIRC(ctx, s) {
				err = broadcast.Permanent(fmt.Errorf("%v: %w", err, errPlainIRC))
			} else {
				err = classifyTLS(err)
			}
			return nil, dialErr(ctx, s, err)
		}
	}
	c := &conn{
		nc: nc, raw: raw, timeout: s.timeout,
		limiter: newLimiter(s.burst, s.interval),
		joined:  make(map[string]bool),
		ranks:   defaultRanks, prefixModes: defaultPrefixModes, chanModeKinds: defaultChanModes,
		closing: make(chan struct{}),
		done:    make(chan struct{}),
	}
	go c.readLoop()
	return c, nil
}

// dialErr explains a failed connection; when the caller's ctx ended, that
// is the reason (Send's caller may match it with errors.Is).
func dialErr(ctx context.Context, s *settings, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("irc: connect %s: %w", s.server, ctx.Err())
	}
	return fmt.Errorf("irc: connect %s: %w", s.server, err)
}

// classifyTLS marks TLS failures that a retry cannot fix (the certificate
// does not verify, the port does not speak TLS: httpx.PermanentTLS, the
// rule of every channel) as permanent, and the server's "access denied"
// alert as a rate limit: it is how Solanum's TLS listeners refuse a
// throttled host (and a D-lined one), where its plaintext ones send an
// ERROR line (see throttled).
func classifyTLS(err error) error {
	var remote *net.OpError
	switch {
	case httpx.PermanentTLS(err):
		return broadcast.Permanent(err)
	case errors.As(err, &remote) && remote.Op == "remote error" && remote.Err != nil &&
		remote.Err.Error() == "tls: access denied":
		return httpx.RateLimited(err, 0, false)
	}
	return err
}

func (c *conn) readLoop() {
	defer close(c.done)
	var r ircreader.Reader
	r.Initialize(c.nc, 1024, maxReadLine)
	for {
		line, err := r.ReadLine()
		if err != nil {
			c.readErr = err
			return
		}
		m, err := ircmsg.ParseLine(string(line))
		if err != nil {
			continue // not IRC; nothing we could act on
		}
		if m.Command == "PING" {
			_ = c.send("PONG", m.Params...) // a broken socket shows in the next read
			continue
		}
		nick := c.track(m)
		if !c.deliver(heard{m: m, nick: nick}) {
			c.readErr = net.ErrClosed
			return
		}
	}
}

// track follows our nick, user and host, channel membership (with what
// decides whether a channel takes our NOTICEs: see trackModes) and whether
// the server still echoes our lines (a CAP DEL of echo-message), which
// persistent connections keep between Sends, and keeps the server's ERROR
// line, which may come before a Send attaches (see errorText). It returns
// our nick as m names us: the one 001 gives, else the one before m (a
// NICK of ours names us by the nick it changes).
func (c *conn) track(m ircmsg.Message) (nick string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if m.Command == "ERROR" {
		c.bye, c.ended = param(m, 0), true
	}
	if m.Command == "001" && len(m.Params) > 0 {
		c.nick = m.Params[0]
	}
	nick = c.nick // before a NICK of ours, below, changes it
	c.learnPrefix(m)
	if m.Command == "005" {
		c.isupport(m.Params)
	}
	switch m.Command {
	case "376", "422": // the end of the MOTD, or none: the welcome is over
		c.cmKnown = true
	case "CAP":
		// echo-message acknowledged (CAP ACK), or withdrawn (IRCv3
		// cap-notify, implied by CAP LS 302): without it, no echo is to
		// be awaited. Both are read here, in the order they came: a kept
		// connection hears a withdrawal between Sends too, when no Send is
		// there to read it, and one right after the acknowledgement must
		// stay the last word.
		switch param(m, 1) {
		case "ACK":
			if slices.Contains(strings.Fields(param(m, 2)), "echo-message") {
				c.echo = true
			}
		case "DEL":
			if slices.ContainsFunc(strings.Fields(param(m, 2)), isCap("echo-message")) {
				c.echo = false
			}
		}
	case "PONG":
		// The answer to a PING of ours, sent after 001 (see
		// session.alive): a server answers in order, so its welcome
		// is over, a MOTD or not. Else a server that ends it with
		// neither numeric, nor names its casemapping, held every Send
		// on a kept connection for Config.Timeout.
		c.cmKnown = true
	}
	me := c.isNick(m.Nick())
	c.trackModes(m, me)
	switch {
	case m.Command == "NICK" && me && len(m.Params) > 0:
		c.nick = m.Params[0]
	case m.Command == "JOIN" && me && len(m.Params) > 0:
		c.joined[c.chanFold(m.Params[0])] = true
	case m.Command == "PART" && me && len(m.Params) > 0:
		for name := range strings.SplitSeq(m.Params[0], ",") {
			delete(c.joined, c.chanFold(name))
		}
	case m.Command == "KICK" && len(m.Params) > 1 && c.isNick(m.Params[1]):
		delete(c.joined, c.chanFold(m.Params[0]))
	case m.Command == "405":
		c.crowded = true
	}
	return nick
}

// defaultRanks are the membership symbols of a server whose RPL_ISUPPORT
// does not name them: PREFIX=(ov)@+, as draft-brocklesby-irc-isupport-03
// section 3.14 has it.
const defaultRanks = "@+"

// isupport records what an RPL_ISUPPORT (005) line's tokens, after the
// nick and before the closing text, say of the longest nick (NICKLEN, and
// MAXNICKLEN, which InspIRCd names too) and of the membership symbols: PREFIX
// maps channel modes to the symbols NAMES shows before a nick, highest
// first, as "(qaohv)~&@%+" (every one voice or more); "PREFIX=" says there
// are none, and "-PREFIX" or "PREFIX" alone bring back the default. The
// caller holds c.mu.
func (c *conn) isupport(params []string) {
	if len(params) < 3 {
		return
	}
	for _, token := range params[1 : len(params)-1] {
		name, value, _ := strings.Cut(token, "=")
		switch name {
		case "PREFIX":
			c.setPrefix(value, strings.Contains(token, "="))
		case "-PREFIX":
			c.setPrefix("", false)
		case "CHANMODES":
			c.setChanModes(value)
		case "-CHANMODES":
			c.setChanModes("")
		case "CASEMAPPING":
			c.cm.Store(uint32(parseCaseMapping(value)))
			c.cmKnown = true
		case "-CASEMAPPING":
			c.cm.Store(uint32(mapUnnamed))
		case "NICKLEN", "MAXNICKLEN":
			// The longest nick the server may give the bot, renaming it
			// (services, a collision): see relayPrefix, which trusts
			// none past maxNickLen.
			if n, err := strconv.Atoi(value); err == nil && n > 0 {
				c.nickLen = max(c.nickLen, min(n, maxLine+1))
			}
		}
	}
}

// rank returns nick without the membership symbols NAMES put before it
// (several with IRCv3 multi-prefix), and whether it had any.
func (c *conn) rank(name string) (nick string, ranked bool) {
	c.mu.Lock()
	ranks := c.ranks
	c.mu.Unlock()
	nick = strings.TrimLeft(name, ranks)
	return nick, nick != name
}

// deliver hands m to the Send in progress. It reports false when the
// connection is closing.
func (c *conn) deliver(m heard) bool {
	c.mu.Lock()
	s := c.sink
	c.mu.Unlock()
	if s == nil {
		return true
	}
	select {
	case s.msgs <- m:
	case <-s.gone:
	case <-c.closing:
		return false
	}
	return true
}

// attach makes the caller the receiver of server lines until detach.
func (c *conn) attach() *sink {
	s := &sink{msgs: make(chan heard), gone: make(chan struct{})}
	c.mu.Lock()
	c.sink = s
	c.mu.Unlock()
	return s
}

func (c *conn) detach(s *sink) {
	c.mu.Lock()
	if c.sink == s {
		c.sink = nil
	}
	c.mu.Unlock()
	close(s.gone)
}

// send writes one IRC line. ircmsg refuses parameters that contain CR, LF
// or NUL, a second guard after Split.
func (c *conn) send(command string, params ...string) error {
	m := ircmsg.MakeMessage(nil, "", command, params...)
	b, err := m.LineBytesStrict(true, maxLine)
	if err != nil {
		return broadcast.Permanent(fmt.Errorf("irc: encode %s: %w", command, err))
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_ = c.nc.SetWriteDeadline(time.Now().Add(c.timeout))
	if _, err := c.nc.Write(b); err != nil {
		return fmt.Errorf("irc: send %s: %w", command, err)
	}
	return nil
}

// watch closes the socket when ctx ends, which unblocks every read and
// write. The returned stop ends the watch; it returns only once the closing,
// if it started, is over, so no goroutine of the watch outlives it.
func (c *conn) watch(ctx context.Context) (stop func()) {
	return whenDone(ctx, func() {
		c.mu.Lock()
		c.aborted = true
		c.mu.Unlock()
		_ = c.raw.Close()
	})
}

// whenDone calls end once ctx is done. The returned stop ends the watch;
// it returns only once end, if it started, has returned, so no goroutine
// of the watch outlives it.
func whenDone(ctx context.Context, end func()) (stop func()) {
	fired := make(chan struct{})
	stopWatch := context.AfterFunc(ctx, func() {
		defer close(fired)
		end()
	})
	return func() {
		if !stopWatch() {
			<-fired
		}
	}
}

// usable reports whether a persistent connection can carry another Send.
// One the server refused a JOIN for being in too many channels (405) cannot:
// it stays in the channels it joined, so the channels left for the next
// attempt would be refused again; a new connection joins only those. Nor
// can one the server ended with an ERROR line while it was idle, though
// it left the socket open (and answers a PING on it): lines sent there
// may never reach a channel.
func (c *conn) usable() bool {
	c.mu.Lock()
	aborted := c.aborted || c.crowded || c.ended
	c.mu.Unlock()
	select {
	case <-c.done:
		return false
	default:
		return !aborted
	}
}

func (c *conn) setNick(nick string) {
	c.mu.Lock()
	c.nick = nick
	c.mu.Unlock()
}

// echoes reports whether the server echoes our PRIVMSG and NOTICE lines.
func (c *conn) echoes() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.echo
}

func (c *conn) currentNick() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.nick
}

// errorText returns the text of the server's ERROR line, as the server
// sent it; "" if none came. A server that refuses a connection at once
// sends it before the Send is attached, which would not see it.
func (c *conn) errorText() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.bye
}

func (c *conn) isJoined(name string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.joined[c.chanFold(name)]
}

// quit says goodbye and waits, bounded, for the server to close the
// connection (so the QUIT is processed, not lost in a reset), then closes it.
// The caller must have detached.
func (c *conn) quit(ctx context.Context) {
	if c.send("QUIT", quitMessage) == nil {
		t := time.NewTimer(quitWait)
		select {
		case <-c.done:
		case <-t.C:
		case <-ctx.Done():
		}
		t.Stop()
	}
	c.close()
}

// close closes the socket and waits for the reader to return: no goroutine
// of this connection outlives close.
func (c *conn) close() {
	c.closeOnce.Do(func() {
		close(c.closing)
		_ = c.nc.Close()
		_ = c.raw.Close()
	})
	<-c.done
}

// caseMapping returns the server's casemapping, as its RPL_ISUPPORT names
// it; mapUnnamed before that, or when it names none.
func (c *conn) caseMapping() caseMapping { return caseMapping(c.cm.Load()) }

// welcomeWait bounds how long a Send waits, after registration, for the
// server to name its casemapping or end its welcome (see
// session.deliver): servers send both right after 001, and a server that
// sends neither must not hold an attempt for Config.Timeout, which the
// Broadcaster's attempt deadline may not leave.
const welcomeWait = 5 * time.Second

// endWelcome takes the welcome for over, with the casemapping known as the
// server named it, or unnamed (see caseMapping).
func (c *conn) endWelcome() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cmKnown = true
}

// caseMappingKnown reports whether the server named its casemapping, or
// ended its welcome without naming one: whether chanFold folds names as
// the server does.
func (c *conn) caseMappingKnown() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cmKnown
}

// chanFold maps a channel name to the form two names of one channel share
// on this server (see caseMapping).
func (c *conn) chanFold(name string) string { return c.caseMapping().fold(name) }

// isNick reports whether nick is the bot's, c.nick, as sameNick compares
// them. The caller holds c.mu.
func (c *conn) isNick(nick string) bool { return c.sameNick(nick, c.nick) }

// sameNick reports whether a and b name one user, as the server's
// casemapping folds nicks (RPL_ISUPPORT CASEMAPPING names one mapping
// for nicks and channel names): on an "ascii" server "bot[1]" and
// "bot{1}" are two users, and a MODE, KICK, NAMES entry, echo or host
// of the other says nothing of the bot. It is the one comparison of the
// bot's nick with a server line's.
func (c *conn) sameNick(a, b string) bool {
	cm := c.caseMapping()
	return a != "" && cm.fold(a) == cm.fold(b)
}

// fold maps an IRC name to its case-insensitive form on any server: RFC
// 1459 casemapping ({}|^ are the lower case of []\~), and, beyond ASCII,
// the lower case of each letter in NFC, as servers of CASEMAPPING=rfc8265
// (or Ergo's "permissive") fold a name: there "#Café" and "#café" are one
// channel, which a server names as it was first written, in its JOIN
// too. It compares the nicks regaining asks about, and the channel names
// of a server that names no casemapping of those caseMapping knows;
// channel names elsewhere fold by the server's (see conn.chanFold), and
// the bot's nick compares with a server line's as the server folds nicks
// (see conn.sameNick).
func fold(s string) string {
	return foldRunes(norm.NFC.String(s), true, true, true)
}
