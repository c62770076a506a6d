package irc

import (
	"context"
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ergochat/irc-go/ircmsg"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/endpoint"
	"github.com/outagecast/outagecast/channels/internal/httpx"
)

// session is one Send's (or Check's) use of a connection. It receives the
// server's lines through a sink and records what they say: registration
// progress, which channels were joined or refused us, which PINGs were
// answered. Only the goroutine of Send touches it.
type session struct {
	ctx   context.Context
	c     *conn
	s     *settings
	in    *sink
	reg   *registration // non-nil while registering
	chans map[string]*chanState
	pongs map[string]bool
	as    string // our nick as the server line being handled names us (see heard)
	// unplaced is the last error reply to a JOIN that names the command
	// rather than a channel (see unanswered), and unplacedAt when it came.
	unplaced   *ReplyError
	unplacedAt time.Time
	// heard counts the server lines handled since registration.
	heard int
	// joins are the channels whose JOIN was sent, in the order sent, and
	// answered how many of them the server's replies so far have
	// answered (see answer): a reply naming no channel answers
	// joins[answered] (see bareReply).
	joins    []*chanState
	answered int
	// notice is the last server notice refusing a command (see
	// refusalNotice), made safe, and noticeAt the count of heard when it
	// came.
	notice   string
	noticeAt int
	// wrote is set once a line to a channel was written (or its write
	// begun): the server may have relayed it.
	wrote bool
	// cutAfterLines: the Send ended with the connection (lost, an ERROR,
	// ctx) after a line of a channel it did not deliver may have been
	// relayed (see deliver): the connection's error is then Uncertain
	// too (see afterLines).
	cutAfterLines bool
	// posting is the channel whose lines are being sent, until the PONG
	// that follows them (see post): an error reply naming it then
	// answers its lines.
	posting *chanState
	// asking is the channel whose modes and members are asked (see
	// askModes), after the PONG of its lines, until the PONG that follows
	// the questions, or before its lines, until they are answered (see
	// learnModes): a reply naming it then answers MODE or NAMES.
	asking *chanState
	// askRefused: an error reply named the channel asked (see
	// learnModes); namesEnd: an RPL_ENDOFNAMES (366) did.
	askRefused, namesEnd bool
	// seq numbers this session among those of the connection (see
	// conn.sends): what the connection learnt of a channel's modes
	// under another is a belief from before this Send.
	seq uint64
}

// chanState is what the server said about one channel during a Send.
type chanState struct {
	t        *target
	joined   bool
	posted   int            // lines sent to it
	echoed   int            // of those, lines the server echoed (IRCv3 echo-message)
	left     bool           // the server kicked the bot from it, or parted it (see relayedSome)
	refusals int            // the lines of it the server refused while they were out (see refuse, relayedSome)
	answers  map[string]int // those refusals, by their kind (a numeric, KICK; "" another), each counted once a line
	lines    []string       // the lines it is to get, once known
	got      []bool         // of those, the lines the server relayed: in an earlier attempt, or echoed in this one
	order    []int          // the indexes in lines of the lines sent, in order
	matched  int            // the echoes so far matched order[:matched] (see echoedLine)
	modes    string         // the channel's modes, as RPL_CHANNELMODEIS gives them ("+mnt"); "": not known
	voiced   bool           // NAMES shows the bot with voice or more: a symbol of the server's PREFIX
	err      error          // why the channel failed, marked Permanent if for good; nil while it is fine
	sent     time.Time      // when its JOIN was sent
	deadline time.Time      // when a JOIN still unanswered fails the channel: Config.Timeout after, or before the attempt's end
	heardAt  int            // the session's heard when its JOIN was sent
	bare     *ReplyError    // an error reply naming nothing that was the server's answer to the JOIN (see bareReply)
	linesAt  int            // the session's heard when its first line was sent
}

// channelReplies are the numerics that refuse us a channel, with whether a
// retry is pointless. The channel is their second parameter. Whether they
// refuse the JOIN or the lines shows in the channel's state: several
// servers answer both with the same numeric (477). A refusal for a mode
// that admits only some users (477, ngIRCd's 471 for +z) is keptOut's.
//
// 473 is for good, though UnrealIRCd's channel flood protection sets +i
// for a while on a join flood (+f "[10j#i5]:15", or a +F profile;
// src/modules/chanmodes/floodprot.c) and answers the JOIN with the same
// "473 Cannot join channel (+i)" (src/modules/chanmodes/inviteonly.c):
// only the channel's operators get its notice and only members its MODE,
// and a non-member is shown no +f parameters (channel_modes,
// src/channel.c), so nothing tells the bot the two apart. The next
// update joins again (see the package doc, # Errors).
var channelReplies = map[string]bool{
	"403": true,  // no such channel
	"405": false, // too many channels, for this connection: the next one joins only the channels left
	"437": false, // channel temporarily unavailable
	"471": false, // channel is full (+l): "try later", say ngIRCd and Solanum
	"473": true,  // invite only (+i); UnrealIRCd's join-flood +i too, which looks the same (see above)
	"474": true,  // banned (+b)
	"475": true,  // bad channel key (+k)
	"476": true,  // bad channel mask
	"479": true,  // illegal channel name (Solanum, ratbox, Hybrid): a name the server does not take, or a channel an operator reserved
	"448": true,  // forbidden channel (UnrealIRCd's deny channel)
	"926": true,  // forbidden channel (InspIRCd's denychans and cban): no error numeric, but the JOIN's answer
	"404": true,  // cannot send: moderated, banned, +n (not UnrealIRCd's refusals for a while: see refusedForNow; nor InspIRCd's delaymsg: see joinDelay)
	"442": true,  // not on that channel
	// InspIRCd 2.0's m_censor (ERR_WORDFILTERED, "936 nick #chan word
	// :Your message contained a censored word, and was blocked"): outside
	// 400 to 599, the answer to a line it dropped for its text, which a
	// retry sends again. Its only 9xx error reply to a line; InspIRCd 3
	// and later send 404 instead. No other 9xx numeric refuses a line to
	// a channel: ngIRCd sends none, Solanum only those of SASL and
	// accounts (900 to 908), and UnrealIRCd's 972 ERR_CANNOTDOCOMMAND
	// answers a PRIVMSG only for its message tags, which the bot sends
	// none of, naming the command (spamfilter on message-tag).
	"936": true,
}

func newSession(ctx context.Context, c *conn, s *settings) *session {
	c.mu.Lock()
	c.sends++
	seq := c.sends
	c.mu.Unlock()
	return &session{
		ctx: ctx, c: c, s: s, in: c.attach(), seq: seq,
		chans: make(map[string]*chanState),
		pongs: make(map[string]bool),
	}
}

// end stops the delivery of server lines to this session.
func (ss *session) end() { ss.c.detach(ss.in) }

// wait handles server lines until done reports true (nil: never) or d
// passes; it reports whether done became true. It fails when the connection
// is lost or ctx ends.
func (ss *session) wait(done func() bool, d time.Duration) (bool, error) {
	t := time.NewTimer(d)
	defer t.Stop()
	for done == nil || !done() {
		select {
		case h := <-ss.in.msgs:
			ss.as = h.nick
			ss.handle(h.m)
			if h.m.Command == "ERROR" {
				return false, ss.ended()
			}
		case <-ss.c.done:
			return false, ss.lost()
		case <-ss.ctx.Done():
			return false, ss.ctxErr()
		case <-t.C:
			return false, nil
		}
	}
	return true, nil
}

// await is wait for d, whose passing is an error wrapping errNoAnswer.
func (ss *session) await(what string, done func() bool, d time.Duration) error {
	ok, err := ss.wait(done, d)
	if err == nil && !ok {
		err = fmt.Errorf("irc: %s: %w within %v", what, errNoAnswer, d)
	}
	return err
}

// errNoAnswer is wrapped by the error of a wait for the server that passed
// its time.
var errNoAnswer = errors.New("no answer from the server")

// ended is the error of a connection the server ended with an ERROR line,
// whether or not it closes the socket after it (a server may leave it open
// for a while): the ERROR is its last word, and no answer is to come. It
// is as transient as a lost connection is (see lost), naming the server's
// reason; an ERROR without one says no more, and the reader, which may
// still be running, is not asked why it ended.
func (ss *session) ended() error {
	if ss.bye() == "" && ss.ctx.Err() == nil {
		return errors.New("irc: connection closed by the server (an ERROR line without a reason)")
	}
	return ss.lost()
}

func (ss *session) ctxErr() error { return fmt.Errorf("irc: %w", ss.ctx.Err()) }

// lost explains why the connection ended under us. A closed socket after
// ctx ended is ctx's doing.
func (ss *session) lost() error {
	if ss.ctx.Err() != nil {
		return ss.ctxErr()
	}
	if bye := ss.bye(); bye != "" {
		err := fmt.Errorf("irc: connection closed by the server: %s", bye)
		switch {
		case flooded(bye):
			err = fmt.Errorf("%w: the bot sent faster than the server's flood limit; "+
				"lower Config.Burst or raise Config.Interval", err)
			return httpx.RateLimited(err, 0, false)
		case throttled(bye):
			return httpx.RateLimited(err, 0, false)
		case banned(bye):
			return broadcast.Permanent(err)
		}
		return err
	}
	return fmt.Errorf("irc: connection lost: %w", ss.c.readErr)
}

// throttled reports whether bye, the text of a server's ERROR line, refuses
// the connection for connecting too often: Solanum's "Reconnecting too
// fast, throttled.", UnrealIRCd's "Throttled: Reconnecting too fast",
// InspIRCd's connflood "Throttled", Ergo's and InspIRCd's connectban
// "attempted to connect too many times". Such a refusal is a rate limit
// that names no wait: a retry within seconds, at the Broadcaster's first
// backoff steps, would be refused again (Solanum throttles a host that
// connects more than 4 times within 60 s).
func throttled(bye string) bool {
	t := strings.ToLower(bye)
	return strings.Contains(t, "throttl") || strings.Contains(t, "too fast") ||
		strings.Contains(t, "connect too many times")
}

// banned reports whether bye, the text of a server's ERROR line, closes
// the connection for a ban of the bot's host by the server's operators,
// which no retry within minutes gets past: ngIRCd's "(G-Line)" and
// "(K-Line)", InspIRCd's "K-Lined: …" (G, Z likewise), UnrealIRCd's
// "banned from" the server. Solanum sends 465 first (see register).
// throttled is asked first: InspIRCd's connectban Z-lines a host that
// connects too often, for a while. A ban is a word of its own (not the
// end of a host's name, "ci.red-line.example"), and an operator's kill,
// "Killed (oper (reason))", whose reason is free text ("stop the g-line
// talk"), is none.
func banned(bye string) bool {
	t := strings.ToLower(bye)
	return !killRE.MatchString(t) && (strings.Contains(t, "banned from") || banRE.MatchString(t))
}

var (
	// banRE finds a K-, G-, Z- or D-line named in a server's ERROR text.
	banRE = regexp.MustCompile(`(^|[\s(\[])[kgzd]-lined?\b`)
	// killRE finds an operator's kill: "Killed (" as a word of its own.
	killRE = regexp.MustCompile(`(^|[\s(\[])killed \(`)
)

// flooded reports whether bye, the text of a server's ERROR line, ends the
// connection for sending too fast: "Excess Flood" (Solanum's, ratbox's and
// Hybrid's client_flood, ircd/packet.c; UnrealIRCd; InspIRCd writes
// "Excess flood") or InspIRCd's "RecvQ exceeded". The pacing is then faster
// than the server allows. A rate limit that names no wait: a connection
// made again at once would flood again, posting the same lines again.
func flooded(bye string) bool {
	t := strings.ToLower(bye)
	return strings.Contains(t, "excess flood") || strings.Contains(t, "recvq exceeded")
}

// bye returns the text of the server's ERROR line, cleared of secrets by
// serverText; "" if none came.
func (ss *session) bye() string { return ss.s.serverText(ss.c.errorText()) }

// broken explains err, the error of a write: the server may have closed
// the connection after saying why in an ERROR line (a throttled or banned
// connection gets it at once, before the server reads a line), which the
// reader may not have read yet. It waits for the reader to end, at most
// quitWait, and returns the server's reason if it gave one, else err.
func (ss *session) broken(err error) error {
	if err == nil || ss.ctx.Err() != nil || broadcast.IsPermanent(err) {
		return err
	}
	if _, lost := ss.wait(nil, quitWait); lost != nil && ss.bye() != "" {
		return lost
	}
	return err
}

// write sends a line now (registration, QUIT).
func (ss *session) write(command string, params ...string) error {
	if err := ss.c.send(command, params...); err != nil {
		if ss.ctx.Err() != nil {
			return ss.ctxErr()
		}
		return err
	}
	return nil
}

// paced sends a line when the flood limiter allows. It waits with wait
// rather than the limiter's Wait: both end when ctx does, but wait also
// handles the server's lines meanwhile (a refusal stops the posting to a
// channel, and the reader is never blocked) and notices a lost connection.
func (ss *session) paced(command string, params ...string) error {
	_, err := ss.pacedUnless(nil, command, params...)
	return err
}

// pacedUnless is paced, except that it sends nothing, and reports false,
// when stop (if not nil) reports true once the wait is over: a line to a
// channel the server refused or kicked the bot from meanwhile.
func (ss *session) pacedUnless(stop func() bool, command string, params ...string) (sent bool, err error) {
	now := time.Now()
	r := ss.c.limiter.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		if _, err := ss.wait(nil, d); err != nil {
			r.Cancel() // the line was not sent: give its slot back
			return false, err
		}
	}
	if stop != nil && stop() {
		r.Cancel()
		return false, nil
	}
	return true, ss.broken(ss.write(command, params...))
}

// handle records what one server line means for the Send.
func (ss *session) handle(m ircmsg.Message) {
	if ss.reg != nil {
		ss.reg.handle(ss, m) // an ERROR ends registration (see registration.await)
		return
	}
	if m.Command == "ERROR" {
		return // the connection keeps it (see bye), and wait ends
	}
	defer func() {
		ss.answer(m)
		ss.heard++
	}()
	switch m.Command {
	case "JOIN":
		if st := ss.chans[ss.c.chanFold(param(m, 0))]; st != nil && ss.named(m.Nick()) {
			st.joined = true
		}
	case "PONG":
		ss.pongs[param(m, len(m.Params)-1)] = true
	case "PRIVMSG", "NOTICE":
		if ss.named(m.Nick()) {
			if st := ss.chans[ss.c.chanFold(param(m, 0))]; st != nil {
				st.echoed++ // see post
				st.echoedLine(param(m, 1))
			}
		} else if name, ok := floodDropped(m); ok {
			ss.refuse(name, httpx.RateLimited(fmt.Errorf("the server dropped the lines: %s",
				ss.s.serverText(param(m, 1))), 0, false), false)
		} else if refusalNotice(m) {
			ss.notice, ss.noticeAt = ss.s.serverText(param(m, 1)), ss.heard
		}
	case "324": // RPL_CHANNELMODEIS: me, channel, modes, their parameters
		if st := ss.chans[ss.c.chanFold(param(m, 1))]; st != nil {
			st.modes = param(m, 2)
		}
	case "353": // RPL_NAMREPLY: me, "=", channel, the members with their prefix
		if st := ss.chans[ss.c.chanFold(param(m, len(m.Params)-2))]; st != nil {
			for _, name := range strings.Fields(param(m, len(m.Params)-1)) {
				if nick, ranked := ss.c.rank(name); ss.named(nick) {
					st.voiced = ranked
				}
			}
		}
	case "KICK":
		// A kick is no refusal for good (RFC 2812 section 3.2.8): the
		// bot may rejoin unless banned, invited only or keyed, which the
		// JOIN of the next attempt tells. Flood-protection bots kick a
		// bot that posts several lines at once: a rate limit that names
		// no wait, since a rejoin within seconds looks like that flood.
		if ss.named(param(m, 1)) {
			ss.leave(param(m, 0))
			ss.refuse(param(m, 0), httpx.RateLimited(&ReplyError{Code: "KICK", Text: ss.s.serverText(param(m, 2))}, 0, false), false)
		}
	case "PART":
		// The bot sends no PART: one of its own is a kick the server
		// shows so (Solanum's and charybdis's REMOVE, an operator's
		// SAPART), and is taken as a KICK is, before the 404 that the
		// lines sent meanwhile get, as from a client not in the channel.
		if ss.named(m.Nick()) {
			for name := range strings.SplitSeq(param(m, 0), ",") {
				ss.leave(name)
				ss.refuse(name, httpx.RateLimited(&ReplyError{Code: "PART", Text: ss.s.serverText(param(m, 1))}, 0, false), false)
			}
		}
	case "707":
		// Solanum's ERR_TARGCHANGE: a client neither opped nor voiced
		// may message only so many channels (10 after connecting, 4
		// from a host that exceeded it, one more a minute); past that,
		// the line is dropped, and the PONG after it proves nothing. A
		// rate limit that names no wait.
		ss.refuse(param(m, 1), httpx.RateLimited(ss.replyOf(m), 0, false), false)
	default:
		if st := ss.chans[ss.c.chanFold(param(m, 1))]; st != nil && st == ss.asking {
			// Answers the MODE or NAMES, not the lines (their PONG came
			// first, or they are not sent yet): RFC 2812's 477
			// ERR_NOCHANMODES to MODE on a channel without modes is no
			// refusal of them.
			ss.askRefused = ss.askRefused || isErrorReply(m.Command)
			ss.namesEnd = ss.namesEnd || m.Command == "366"
			return
		}
		if isErrorReply(m.Command) && len(m.Params) <= 2 {
			// Names neither a channel nor a command: "479 nick :Illegal
			// channel name" on some servers (see bareReply).
			ss.bareReply(m)
		} else if only := keptOut(m.Command, param(m, len(m.Params)-1)); only != anyone {
			st := ss.chans[ss.c.chanFold(param(m, 1))]
			permanent, err := ss.closed(only, ss.replyOf(m), st != nil && !st.joined)
			ss.refuse(param(m, 1), err, permanent)
		} else if m.Command == "480" {
			// Solanum's ERR_THROTTLE (ratbox's, charybdis's): the
			// channel's join throttle (+j) is exceeded, "try again
			// later". A rate limit that names no wait: retried within
			// seconds, the JOIN would be refused again.
			ss.refuse(param(m, 1), httpx.RateLimited(ss.replyOf(m), 0, false), false)
		} else if m.Command == "404" && refusedForNow(param(m, len(m.Params)-1)) {
			ss.refuse(param(m, 1), httpx.RateLimited(ss.replyOf(m), 0, false), false)
		} else if d, ok := joinDelay(m.Command, param(m, len(m.Params)-1)); ok {
			permanent, err := ss.delayed(d, ss.replyOf(m))
			ss.refuse(param(m, 1), err, permanent)
		} else if permanent, ok := channelReplies[m.Command]; ok {
			ss.refuse(param(m, 1), ss.replyOf(m), permanent)
		} else if st := ss.chans[ss.c.chanFold(param(m, 1))]; st != nil && !st.joined && isErrorReply(m.Command) {
			// A refusal RFC 2812 does not list (UnrealIRCd's 520
			// opers only, Solanum's 470 forward):
			// of unknown permanence, but an answer to the JOIN, which
			// the other channels must not wait for. A 439 asks for
			// the wait it names (see targetWait).
			re := ss.replyOf(m)
			ss.refuse(param(m, 1), waitOf(re, re), false)
		} else if isErrorReply(m.Command) && param(m, 1) == "JOIN" {
			// An answer to a JOIN that names the command, not its
			// channel: UnrealIRCd's restrict-commands answers "421
			// JOIN :You must be connected for at least 10 seconds".
			ss.unplaced, ss.unplacedAt = ss.replyOf(m), time.Now()
			ss.answered = min(ss.answered+1, len(ss.joins))
		} else if st := ss.chans[ss.c.chanFold(param(m, 1))]; st != nil && isErrorReply(m.Command) {
			// A refusal this package does not know naming a joined
			// channel (ircu's 439, a numeric of a server's own): see
			// unknownReply.
			ss.unknownReply(st, ss.replyOf(m))
		} else if isErrorReply(m.Command) && strings.EqualFold(param(m, 1), ss.s.command) && ss.posting != nil {
			// An answer to a line that names the command, not its
			// channel: "461 PRIVMSG :Not enough parameters".
			ss.unknownReply(ss.posting, ss.replyOf(m))
		}
	}
}

// unknownReply records re, an error reply (400 to 599, RFC 2812 section
// 5.2) naming st, a joined channel, whose numeric this package does not
// know, or naming no channel and answering a command sent after every
// JOIN (see bareReply), or naming the lines' command. While st's lines are
// out, before the PONG that follows them (see post), the only command the
// server has to answer that names st, or that is sent after every JOIN, is
// a line of them: the server refused that line, or may have, and st is not
// delivered. Its permanence is not known: the failure is transient, and
// the next attempt posts the lines not known to be relayed, and a 439
// (ERR_TARGETTOOFAST) that names a wait asks for it (see targetWait).
// Outside that time it answers no line, and is ignored.
func (ss *session) unknownReply(st *chanState, re *ReplyError) {
	if st != ss.posting || st.posted == 0 {
		return
	}
	ss.refuse(st.t.name, waitOf(re, fmt.Errorf("the server answered its lines with an error reply, "+
		"so they may not have been relayed: %w", re)), false)
}

// targetWaitRE finds the wait a 439 names: ircu's "Target change too
// fast. Please wait 10 seconds." (ircd/s_err.c), UnrealIRCd's "Message
// target change too fast. Please wait 12 seconds" (include/numeric.h).
var targetWaitRE = regexp.MustCompile(`(?i)\bplease wait (\d+) seconds?\b`)

// minTargetWait is the least wait a 439 asks for (see targetWait). The
// server names its wait in whole seconds, rounded down from the time its
// limit has left: "Please wait 0 seconds" says that under a second is
// left, not that the limit is over, and a retry at once would be refused
// again.
const minTargetWait = time.Second

// targetWait reports whether re is a 439, ERR_TARGETTOOFAST (ircu,
// UnrealIRCd: the bot messaged more targets than the server allows in a
// while, and the line was dropped), whose text names how long to wait, and
// returns that wait, at least minTargetWait and at most
// httpx.MaxRetryAfter, as other servers' waits are capped (a number too
// large to read is taken for the cap).
func targetWait(re *ReplyError) (time.Duration, bool) {
	sub := targetWaitRE.FindStringSubmatch(re.Text)
	if re.Code != "439" || sub == nil {
		return 0, false
	}
	n, err := strconv.ParseUint(sub[1], 10, 64)
	if err != nil || n > uint64(httpx.MaxRetryAfter/time.Second) {
		return httpx.MaxRetryAfter, true
	}
	return max(time.Duration(n)*time.Second, minTargetWait), true
}

// waitOf gives err, the failure of a channel that re answered, the wait
// re names, with broadcast.RetryAfter, when it is a 439 that names one
// (see targetWait); else it returns err as is: a plain transient failure.
func waitOf(re *ReplyError, err error) error {
	if d, ok := targetWait(re); ok {
		return broadcast.RetryAfter(err, d)
	}
	return err
}

// answer records which JOINs of the bot m, a server line handled after
// registration, shows answered: the server answers the bot's commands in
// the order sent, so a reply to a JOIN, or to a command sent after the
// JOINs, shows every JOIN sent before it answered. A reply naming a
// channel whose JOIN was sent (the echo of the JOIN, the topic and names
// that follow it, an error reply naming it) answers that JOIN; a PONG, the
// echo of the bot's lines, or a reply naming a channel joined before this
// Send answer commands sent after every JOIN (see deliver). An error reply
// naming nothing answers the next JOIN (see bareReply), as one naming the
// command JOIN does (see unanswered), and as a server notice refusing the
// JOIN command does (see refusalNotice). Other lines (the rest of the
// welcome, which may come after the first JOIN went out, a user mode the
// server sets on the bot, other users' lines, server notices) answer none.
func (ss *session) answer(m ircmsg.Message) {
	all := len(ss.joins)
	switch {
	case m.Command == "PONG":
		ss.answered = all
	case refusalNotice(m) && noticeRefusesJoin(m):
		// The JOIN's whole answer: the replies after it answer later
		// commands, a line of the channel posting (see bareReply).
		ss.answered = min(ss.answered+1, all)
	case !ss.named(m.Nick()) && (len(m.Command) != 3 || strings.Trim(m.Command, "0123456789") != ""):
	case m.Command == "JOIN":
		ss.answeredUpTo(param(m, 0))
	case m.Command == "PRIVMSG" || m.Command == "NOTICE":
		if ss.chans[ss.c.chanFold(param(m, 0))] != nil {
			ss.answered = all
		}
	case len(m.Command) != 3: // another line of the bot's own: a user mode, a nick
	case m.Command == "353": // RPL_NAMREPLY: me, "=", channel, the members
		ss.answeredUpTo(param(m, len(m.Params)-2))
	default: // bare and JOIN error replies: see handle
		ss.answeredUpTo(param(m, 1))
	}
}

// answeredUpTo records a reply naming the channel name: if its JOIN was
// sent, that JOIN and those before it are answered; if the channel was
// joined before this Send, every JOIN is. Any other name changes nothing.
func (ss *session) answeredUpTo(name string) {
	st := ss.chans[ss.c.chanFold(name)]
	if st == nil {
		return
	}
	if k := slices.Index(ss.joins, st); k >= 0 {
		ss.answered = max(ss.answered, k+1)
	} else {
		ss.answered = len(ss.joins)
	}
}

// bareReply records m, an error reply that names neither a channel nor a
// command (some servers answer a JOIN so: "479 nick :Illegal channel
// name", "520 nick :Cannot join channel (IRCops only)"), as the answer of
// the next JOIN the server's replies so far have not answered (see
// answer), if that JOIN is still unanswered: servers answer in order. Its
// channel is not known for sure, so it fails none; the JOIN, left
// unanswered at its deadline, names it (see unanswered). A reply after
// every JOIN was answered answers another command: while a channel's
// lines are out (see post), a line of them (see unknownReply), as "417
// nick :Input line was too long" does. 422 (no MOTD) ends the welcome,
// which may come after the first JOIN went out, and answers none.
func (ss *session) bareReply(m ircmsg.Message) {
	if m.Command == "422" {
		return
	}
	if ss.answered >= len(ss.joins) {
		if ss.posting != nil {
			ss.unknownReply(ss.posting, ss.replyOf(m))
		}
		return
	}
	if st := ss.joins[ss.answered]; !st.joined && st.err == nil && st.bare == nil {
		st.bare = ss.replyOf(m)
	}
	ss.answered++
}

// refusalNotice reports whether m is a server's notice that it refused a
// command of the bot: UnrealIRCd 5's restrict-commands sends no numeric
// but "*** You cannot use the JOIN command until you've been connected
// for 10 seconds or more" (or "send messages to channels"), and "*** The
// command JOIN has been disabled by the network administrators". Only a
// server sends it (no "!" in its source); its other notices are no
// refusal.
func refusalNotice(m ircmsg.Message) bool {
	text, found := strings.CutPrefix(param(m, 1), "*** ")
	return m.Command == "NOTICE" && found && !strings.Contains(m.Source, "!") &&
		(strings.HasPrefix(text, "You cannot ") || strings.HasSuffix(text, "disabled by the network administrators"))
}

// noticeRefusesJoinRE finds the command JOIN in a refusal notice's
// text: "You cannot use the JOIN command until …", "The command JOIN has
// been disabled …".
var noticeRefusesJoinRE = regexp.MustCompile(`^\*\*\* (?:You cannot use the JOIN command|The command JOIN has been disabled)\b`)

// noticeRefusesJoin reports whether m, a refusal notice (see
// refusalNotice), refuses a JOIN: it is that JOIN's answer.
func noticeRefusesJoin(m ircmsg.Message) bool {
	return noticeRefusesJoinRE.MatchString(param(m, 1))
}

// noticeSince returns the last server notice refusing a command (see
// refusalNotice) that came after the heard-th line; "" if none.
func (ss *session) noticeSince(heard int) string {
	if ss.notice == "" || ss.noticeAt < heard {
		return ""
	}
	return ss.notice
}

// floodDropped reports whether m is the server's notice that it dropped a
// PRIVMSG to a channel for flooding, and names the channel: Solanum's
// ":server NOTICE nick :*** Message to #chan throttled due to flooding"
// (flood_attack_channel, ircd/channel.c, as in ratbox and charybdis),
// sent for every line dropped while the channel gets more than its
// floodcount (10 by default) lines a second from the server's users. A
// rate limit that names no wait; only a server sends it (no "!" in its
// source).
func floodDropped(m ircmsg.Message) (channel string, ok bool) {
	rest, found := strings.CutPrefix(param(m, 1), "*** Message to ")
	if !found || strings.Contains(m.Source, "!") || !strings.HasSuffix(rest, " throttled due to flooding") {
		return "", false
	}
	return strings.TrimSuffix(rest, " throttled due to flooding"), true
}

// refusedForNow reports whether text, a 404's (ERR_CANNOTSENDTOCHAN),
// refuses the line for a while rather than for good (a ban, +m), as
// UnrealIRCd words it: its target-flood drops what a channel gets past 45
// PRIVMSGs in 5 seconds from its users, by default, "Channel is being
// flooded. Message not delivered." (src/modules/targetfloodprot.c), and
// its restrict-commands the channel messages of a connection younger than
// a connect-time, "You cannot send messages to channels until you've
// been connected for 30 seconds or more" (src/modules/restrict-commands.c;
// UnrealIRCd 5 said it in a notice, see refusalNotice). A rate limit that
// names no wait.
func refusedForNow(text string) bool {
	t := strings.ToLower(text)
	return strings.Contains(t, "channel is being flooded") || strings.Contains(t, "until you've been connected for")
}

// joinDelayRE finds the delay of InspIRCd's delaymsg (channel mode +d) in
// the text of its 404 (src/modules/m_delaymsg.cpp): "You must wait 60
// seconds after joining to send to channel (+d)" (2.0), "… to send to the
// channel (+d is set)" (3.0 to 3.5), and since 3.6 "You cannot send
// messages to this channel until you have been a member for 60 seconds.",
// the delay in words since 4.7 (see delayWords). The first group holds
// the older texts' seconds, the second the newer texts' delay.
var joinDelayRE = regexp.MustCompile(`^(?:You must wait (\d+) seconds? after joining to send to|` +
	`You cannot send messages to this channel until you(?: have|'ve) been a member for ([^.]+)\.?$)`)

// delayPartRE is one part of a delay in words: "90 seconds", "1 minute".
var delayPartRE = regexp.MustCompile(`^(\d+) (year|week|day|hour|minute|second)s?$`)

// delayUnits are the seconds of each unit of a delay in words, as
// InspIRCd counts them (src/helperfuncs.cpp: a year of 365 days).
var delayUnits = map[string]uint64{
	"year": 365 * 24 * 3600, "week": 7 * 24 * 3600, "day": 24 * 3600,
	"hour": 3600, "minute": 60, "second": 1,
}

// delayWords reads a delay as InspIRCd 4.7 and later write it
// (Duration::ToLongString, src/helperfuncs.cpp): "60 seconds", "1 minute
// and 30 seconds", "1 hour, 2 minutes, and 3 seconds", within the bounds
// of capWait. Its counts have any number of digits: InspIRCd 4 keeps the
// delay as an intptr_t (src/modules/m_delaymsg.cpp), whose largest reads
// "292471208677 years, …". It reports false for any other text.
func delayWords(s string) (time.Duration, bool) {
	s = strings.ReplaceAll(strings.ReplaceAll(s, ", and ", ", "), " and ", ", ")
	limit := uint64(httpx.MaxRetryAfter / time.Second)
	var secs uint64 // at most limit+1: past it, the sum is capped anyway
	for part := range strings.SplitSeq(s, ", ") {
		sub := delayPartRE.FindStringSubmatch(part)
		if sub == nil {
			return 0, false
		}
		n := countOf(sub[1])
		if unit := delayUnits[sub[2]]; n > limit/unit {
			secs = limit + 1
		} else {
			secs = min(secs+n*unit, limit+1)
		}
	}
	return capWait(secs), true
}

// countOf is the count digits writes, at most math.MaxUint64, which is
// more than any wait capWait returns.
func countOf(digits string) uint64 {
	n, err := strconv.ParseUint(digits, 10, 64)
	if err != nil {
		return math.MaxUint64 // only too many digits: the pattern holds digits alone
	}
	return n
}

// capWait is secs seconds, at most httpx.MaxRetryAfter and at least a
// second: InspIRCd sets a delay below 1 to 1 (DelayMsgMode::OnSet,
// src/modules/m_delaymsg.cpp), so a text saying "0 seconds" (InspIRCd
// 3.6 writes the intptr_t delay with %d, whose low 32 bits can be 0, as
// Duration::ToLongString(0) writes "0 seconds") names a delay it cut, not
// none.
func capWait(secs uint64) time.Duration {
	if secs > uint64(httpx.MaxRetryAfter/time.Second) {
		return httpx.MaxRetryAfter
	}
	return time.Duration(max(secs, 1)) * time.Second
}

// joinDelay reports whether a reply (its numeric and text) refuses the
// lines of a member who joined the channel less than a delay ago, and
// returns that delay, at most httpx.MaxRetryAfter: InspIRCd's delaymsg
// (+d), which lets a newly joined member speak, unless voiced, only once
// the channel's delay has passed since its JOIN.
func joinDelay(code, text string) (time.Duration, bool) {
	sub := joinDelayRE.FindStringSubmatch(text)
	if code != "404" || sub == nil {
		return 0, false
	}
	if sub[1] == "" {
		return delayWords(sub[2])
	}
	return capWait(countOf(sub[1])), true
}

// delayed explains the refusal re of the lines to a channel that holds a
// newly joined member's lines for d (see joinDelay). A kept connection
// (Config.Persistent) stays in the channel: the next attempt, on it, d
// from now, posts, so the refusal is a rate limit that asks for d, at
// most httpx.MaxRetryAfter (see joinDelay), as other servers' hints are
// capped: a delay of years (InspIRCd 3 and 4 keep it as an intptr_t,
// and 4 writes up to "292471208677 years, …") is an operator's way of
// muting newcomers, and a wait asked for so long is no retry. Any other
// Send joins on a connection of its own and posts at once, within d
// of its JOIN, which no retry changes: it is permanent.
func (ss *session) delayed(d time.Duration, re *ReplyError) (permanent bool, err error) {
	if ss.s.persistent {
		return false, httpx.RateLimited(fmt.Errorf("the channel takes a member's lines only %v after its JOIN "+
			"(InspIRCd's delaymsg, +d): %w", d, re), d, true)
	}
	return true, fmt.Errorf("the channel takes a member's lines only %v after its JOIN (InspIRCd's delaymsg, +d), "+
		"and each Send joins it anew; set Config.Persistent, whose connection stays in the channel, "+
		"or give the bot voice: %w", d, re)
}

// admits is who a channel's mode lets in, when it refuses the bot.
type admits int

const (
	anyone   admits = iota // no mode that keeps the bot out for good
	tlsUsers               // users connected with TLS
	opers                  // IRC operators
	loggedIn               // users logged in to the network's services
)

// keptOut tells, from a refusal (its numeric and the server's text, as
// sent), whether the channel's mode admits only some users, which no retry
// makes of the bot. ngIRCd answers a JOIN to a +z (TLS), +O (opers) or +R
// (logged-in) channel with 471, ERR_CHANNELISFULL, as to a full one, and
// says which in the text (src/ngircd/messages.h); Solanum answers its
// TLS-only +S (and -U) with 480, as its join throttle +j
// (extensions/chm_sslonly.c). A full channel and a throttle pass with
// time. 489 (ERR_SECUREONLYCHAN) and 520 (ERR_OPERONLY) are UnrealIRCd's,
// which InspIRCd and Solanum's chm_operonly use too; 477 see needsLogin.
func keptOut(code, text string) admits {
	switch code {
	case "477":
		return loggedIn
	case "489":
		return tlsUsers
	case "520":
		return opers
	case "471", "480":
		_, mode, _ := strings.Cut(text, "(")
		mode, _, _ = strings.Cut(mode, ")")
		switch mode {
		case "+z", "+S", "-U":
			return tlsUsers
		case "+O":
			return opers
		case "+R":
			return loggedIn
		}
	}
	return anyone
}

// closed explains the refusal re of a channel that admits only users
// (see keptOut); joining says that it refused the JOIN.
func (ss *session) closed(users admits, re *ReplyError, joining bool) (permanent bool, err error) {
	switch users {
	case tlsUsers:
		const what = "the channel takes only users connected with TLS"
		if ss.s.tls == TLSOff {
			return true, fmt.Errorf("%s; set Config.TLS to TLSOn: %w", what, re)
		}
		return true, fmt.Errorf("%s, and does not count this connection as one: %w", what, re)
	case opers:
		return true, fmt.Errorf("the channel takes only IRC operators: %w", re)
	}
	return ss.needsLogin(re, joining)
}

// needsLogin explains a refusal for a channel that takes only users logged
// in to the network's services, as a registered nick or account: 477,
// ERR_NEEDREGGEDNICK on the servers that send it to a JOIN (Solanum,
// UnrealIRCd, InspIRCd, Hybrid) or to the lines (ngIRCd, InspIRCd and
// Hybrid for a +M channel), or ngIRCd's 471 for +R. (RFC 2812's 477,
// ERR_NOCHANMODES, answers MODE, which the bot sends only in askModes,
// whose answers fail nothing.) Without a
// SASL login a retry cannot change that: it is permanent. Logged in, it is
// transient: services may not have marked the login yet, or the bot is on
// an alternate nick that is not its account's (the nick was in use), which
// a later connection may not be.
//
// A channel may also take only those users for a while: UnrealIRCd's
// channel anti-flood (+F, on by default since 6.2.0, or +f) sets +R for
// 10 minutes on a join flood, and then answers a JOIN with the same 477
// as to a channel its operators made +R ("You need a registered nick to
// join that channel.", which names no mode; its channel's members see the
// MODE, the bot outside does not). Send cannot tell the two apart: the
// refusal of a JOIN stays permanent without a login, and its error names
// both causes; the next update joins again.
func (ss *session) needsLogin(re *ReplyError, joining bool) (permanent bool, err error) {
	const what = "the channel takes only users logged in to the network's services"
	if !ss.s.sasl() {
		if joining && re.Code == "477" {
			return true, fmt.Errorf("%s (set so by its operators, or for a while by the server against a join flood, "+
				"as UnrealIRCd's channel anti-flood sets +R for 10 minutes; the reply does not say which); "+
				"log in with Config.SASLUser and Config.SASLPassword (or Config.SASLExternal), "+
				"which lets the bot in either way: %w", what, re)
		}
		return true, fmt.Errorf("%s; log in with Config.SASLUser and Config.SASLPassword "+
			"(or Config.SASLExternal): %w", what, re)
	}
	return false, fmt.Errorf("%s, and the server does not count the bot's SASL login (yet; "+
		"or the bot is on an alternate nick, not its account's): %w", what, re)
}

// isErrorReply reports whether command is an error numeric, 400 to 599
// (RFC 2812 section 5.2).
func isErrorReply(command string) bool {
	return len(command) == 3 && (command[0] == '4' || command[0] == '5') &&
		'0' <= command[1] && command[1] <= '9' && '0' <= command[2] && command[2] <= '9'
}

// refuse records the first failure of a channel. Its error says whether
// the JOIN or the lines were refused, and names the channel; err wraps the
// *ReplyError with the numeric.
//
// A refusal of the channel whose lines are out (see post) answers one of
// them, and is counted (see relayedSome) per line: a server may answer a
// line it refuses with more than one numeric naming the channel (a 404
// and InspIRCd 2.0's 936, a 477 and a 404), but with the same ones for
// each line it refuses so, so the lines refused are as many as the
// refusals of the kind that came most often (a numeric, a KICK). Lines
// refused with different numerics alone are counted as one: the count
// errs towards a line relayed (Uncertain), never towards a line posted
// and not told.
func (ss *session) refuse(name string, err error, permanent bool) {
	st := ss.chans[ss.c.chanFold(name)]
	if st == nil {
		return
	}
	if st == ss.posting && st.posted > 0 {
		kind := ""
		if re := (*ReplyError)(nil); errors.As(err, &re) {
			kind = re.Code
		}
		if st.answers == nil {
			st.answers = map[string]int{}
		}
		st.answers[kind]++
		st.refusals = max(st.refusals, st.answers[kind])
	}
	ss.fail(st, err, permanent)
}

// fail records the first failure of st (see refuse).
func (ss *session) fail(st *chanState, err error, permanent bool) {
	if st.err != nil {
		return
	}
	doing := "join"
	if st.joined {
		doing = "send to"
	}
	st.err = permanentIf(fmt.Errorf("irc: %s %s: %w", doing, st.t.name, err), permanent)
}

// isMe reports whether nick is ours now.
func (ss *session) isMe(nick string) bool {
	return ss.c.sameNick(nick, ss.c.currentNick())
}

// named reports whether nick is ours as the server line being handled
// names us: a line the server sent before it renamed us (the echo of a
// line relayed then, a KICK) names the nick before, though the reader may
// have read the NICK since.
func (ss *session) named(nick string) bool {
	return ss.c.sameNick(nick, ss.as)
}

// join sends JOIN for every target not joined yet and returns the state of
// each, in the order of targets. It does not wait for the answers: see
// nextAnswered.
func (ss *session) join(targets []*target) ([]*chanState, error) {
	sts := make([]*chanState, len(targets))
	for k, t := range targets {
		st := &chanState{t: t, joined: ss.c.isJoined(t.name)}
		ss.chans[ss.c.chanFold(t.name)], sts[k] = st, st
		if st.joined {
			continue
		}
		params := []string{t.name}
		if t.key != "" {
			params = append(params, t.key)
		}
		if err := ss.paced("JOIN", params...); err != nil {
			return nil, err
		}
		st.sent, st.heardAt = time.Now(), ss.heard
		ss.joins = append(ss.joins, st)
		st.deadline = st.sent.Add(ss.s.timeout)
		if d, ok := ss.ctx.Deadline(); ok && d.Add(-postMargin).Before(st.deadline) && d.Add(-postMargin).After(st.sent) {
			// The attempt ends first: the channel fails, by name, before
			// the attempt's deadline ends everything with a context error.
			// (An attempt with less than postMargin left waits to its end.)
			st.deadline = d.Add(-postMargin)
		}
	}
	return sts, nil
}

// nextAnswered waits until the server has answered the JOIN of a channel
// of sts not taken yet and returns its index: a refused one first, else
// the first joined, so that a JOIN left unanswered holds back no other
// channel. A JOIN still unanswered at its deadline (Config.Timeout after
// it was sent, or a second before the attempt's end) fails its channel,
// transiently: the server may have lost it, and a later attempt may get
// the answer. It returns -1 when every channel is taken.
func (ss *session) nextAnswered(sts []*chanState, taken []bool) (int, error) {
	for {
		var next time.Time // the earliest deadline of a JOIN still unanswered
		joined := -1
		for k, st := range sts {
			switch {
			case taken[k]:
			case !st.joined && st.err == nil && !time.Now().Before(st.deadline):
				st.err = ss.unanswered(st)
				return k, nil
			case st.err != nil:
				return k, nil
			case st.joined:
				if joined < 0 {
					joined = k
				}
			case next.IsZero() || st.deadline.Before(next):
				next = st.deadline
			}
		}
		if joined >= 0 || next.IsZero() {
			return joined, nil
		}
		answered := func() bool {
			for k, st := range sts {
				if !taken[k] && (st.joined || st.err != nil) {
					return true
				}
			}
			return false
		}
		if _, err := ss.wait(answered, time.Until(next)); err != nil {
			return -1, err
		}
	}
}

// unanswered is the error of a channel whose JOIN got no answer that
// names it by its deadline. An error reply to a JOIN that named no
// channel, since this one was sent, is named, and wrapped: it may be this
// JOIN's answer. So is an error reply that names nothing, when it came as
// this JOIN's answer, in the order of the replies (see bareReply). Its numeric is not known to
// be permanent; a 439 that names a wait asks for it, as one naming the
// channel does (see waitOf). Without either, a server notice refusing a
// command (see refusalNotice) since the JOIN is named.
func (ss *session) unanswered(st *chanState) error {
	within := st.deadline.Sub(st.sent).Round(time.Millisecond)
	re := st.bare
	if ss.unplaced != nil && !ss.unplacedAt.Before(st.sent) {
		re = ss.unplaced
	}
	if re != nil {
		return waitOf(re, fmt.Errorf("irc: join %s: not joined within %v, after the server's error reply: %w", st.t.name, within, re))
	}
	if n := ss.noticeSince(st.heardAt); n != "" {
		return fmt.Errorf("irc: join %s: not joined within %v, after the server's notice: %s", st.t.name, within, n)
	}
	return fmt.Errorf("irc: join %s: no answer from the server within %v", st.t.name, within)
}

// leave records that the server took the bot out of the channel name (a
// KICK, a PART it did not send).
func (ss *session) leave(name string) {
	if st := ss.chans[ss.c.chanFold(name)]; st != nil {
		st.left = true
	}
}

// relayedSome reports whether the server may have relayed a line of st
// that this attempt wrote, as its answers so far show: with echo-message
// (echoes), whether it echoed one; without, whether more lines were
// written than the server refused, since a refusal, which comes after the
// line it answers and may come after later ones, then may answer a later
// line than the first, and the server says nothing of the lines it
// relays (it answers a line it refuses, with one numeric or more, and one
// it relays not at all: as many lines refused as written, each refusal
// naming the channel, say that none was relayed; see refuse for how lines
// refused are counted); or whether one was written before a KICK (or a
// PART of the bot's), which answers no line: a line the server took
// before it was relayed.
func (st *chanState) relayedSome(echoes bool) bool {
	if echoes {
		return st.echoed > 0
	}
	return st.posted > max(st.refusals, 1) || st.left && st.posted > 0
}

// echoedLine records that the server relayed text, the echo of a line
// sent: the first line sent, after those matched already, that has this
// text (the server echoes in the order it relays; a line it dropped has no
// echo). An echo that matches no line (a server that altered the text)
// confirms none.
func (st *chanState) echoedLine(text string) {
	for j := st.matched; j < len(st.order); j++ {
		if i := st.order[j]; st.lines[i] == text {
			st.got[i], st.matched = true, j+1
			return
		}
	}
}

// post sends st.lines to one joined channel, then a PING: the PONG comes
// after any error reply to the lines, so when it arrives without one the
// server has relayed every line. A channel refused meanwhile gets no more
// lines, but the PING still goes: the answers to the lines written come
// before its PONG, not among the next channel's. Where the server echoes the bot's lines
// (IRCv3 echo-message), it echoes each line it relays, before the PONG: a
// line not echoed by then was dropped without a word, as Solanum drops a
// NOTICE to a channel it holds as flooded (flood_attack_channel,
// ircd/channel.c, notifies only PRIVMSG). That is the channel's rate
// limit.
//
// Lines st.got holds as relayed in an earlier attempt are not sent again.
func (ss *session) post(st *chanState) error {
	if ss.s.command == "NOTICE" {
		n := len(st.lines) - st.relayedBefore()
		if err := ss.learnModes(st, n); err != nil {
			return err
		}
		muted, err := ss.mutedNow(st, n)
		if err != nil {
			return err
		}
		if muted {
			// Nothing sent: nothing dropped, and nothing to be unsure of.
			ss.fail(st, errModerated, true)
			return nil
		}
	}
	ss.posting = st
	defer func() { ss.posting = nil }()
	refused := func() bool { return st.err != nil }
	for i, line := range st.lines {
		if st.got[i] {
			continue
		}
		if len(line) > ss.budget() {
			// Renamed by the server while posting, to a nick longer
			// than the line leaves room for (see relayPrefix), or given
			// a longer host: relayed,
			// the line would pass 512 bytes, and be cut. The PING below
			// still collects the echoes of the lines sent.
			ss.fail(st, errors.New(ss.renamed()+": the lines left go to it in the next attempt"), false) // no refusal of the server's
			break
		}
		sent, err := ss.pacedUnless(refused, ss.s.command, st.t.name, line)
		ss.wrote = ss.wrote || sent
		if err != nil {
			return err
		}
		if !sent {
			// Refused meanwhile: the PING below still collects the
			// answers to the lines written, which may not have come
			// yet, so that no answer to them is taken for one to the
			// next channel's lines (see unknownReply).
			break
		}
		if st.posted == 0 {
			st.linesAt = ss.heard
		}
		st.order = append(st.order, i)
		st.posted++
	}
	err := ss.probe()
	ss.posting = nil // what comes after the PONG answers no line (see unknownReply)
	if err != nil {
		if n := ss.noticeSince(st.linesAt); n != "" && st.posted > 0 && errors.Is(err, errNoAnswer) {
			err = fmt.Errorf("%w, after the server's notice: %s", err, n)
		}
		return err
	}
	if st.err != nil || st.posted == 0 || ss.c.echoes() && st.echoed >= st.posted {
		return nil
	}
	if !ss.c.echoes() {
		// A PONG without a refusal: relayed. Without echoes, a NOTICE a
		// moderated channel drops for good without a word (ngIRCd
		// answers only PRIVMSG there) cannot be told from one relayed
		// but by the channel's modes and the bot's voice, known before
		// the lines (see learnModes): a MODE relayed while they were
		// out (+m, the bot's voice taken) may have dropped some.
		if ss.s.command != "NOTICE" {
			return nil
		}
		muted, err := ss.mutedNow(st, 0)
		if err != nil {
			return err
		}
		if muted {
			ss.refuse(st.t.name, errModerated, true)
		}
		return nil
	}
	if ss.s.command == "NOTICE" {
		if err := ss.askModes(st); err != nil {
			return err
		}
		if st.echoed >= st.posted {
			// Echoed late, but relayed: a refusal since the PONG
			// answered the MODE or NAMES (RFC 2812's 477
			// ERR_NOCHANMODES to MODE on a modeless "+" channel), not
			// the lines.
			st.err = nil
			return nil
		}
		if strings.ContainsRune(st.modes, 'm') && !st.voiced {
			ss.refuse(st.t.name, errModerated, true)
			return nil
		}
	}
	dropped := fmt.Errorf("the server dropped %d of %d lines: "+
		"it did not echo them (IRCv3 echo-message)", st.posted-st.echoed, st.posted)
	if n := ss.noticeSince(st.linesAt); n != "" {
		dropped = fmt.Errorf("%w, after the server's notice: %s", dropped, n)
	}
	ss.refuse(st.t.name, httpx.RateLimited(dropped, 0, false), false)
	return nil
}

// renamed says that the server changed the bot's prefix (a nick longer
// than the server's NICKLEN, if it names none; a new host) past the room
// the lines were split for.
func (ss *session) renamed() string {
	ss.c.mu.Lock()
	mask := ss.c.nick + "!" + ss.c.user + "@" + ss.c.host
	ss.c.mu.Unlock()
	return fmt.Sprintf("the server renamed the bot (now %s) while it posted, and its lines, "+
		"split for the prefix before, would pass 512 bytes relayed", ss.s.serverText(mask))
}

// askModes asks the server for the modes of st's channel and for its
// members, whose answers (see handle) tell whether it is moderated (+m)
// and whether the bot has voice there: a NOTICE it drops has no reply to
// say why (RFC 2812 section 3.3.2). It asks only when the pacing lets it
// before the deadline; else the modes stay unknown. An error reply naming
// the channel meanwhile answers the questions, not the lines, and fails
// nothing (see session.asking).
func (ss *session) askModes(st *chanState) error {
	if !ss.fits(2) {
		return nil
	}
	ss.asking = st
	defer func() { ss.asking = nil }()
	if err := ss.paced("MODE", st.t.name); err != nil {
		return err
	}
	if err := ss.paced("NAMES", st.t.name); err != nil {
		return err
	}
	return ss.probe() // the answers come before the PONG
}

// learnModes makes sure, before NOTICE lines go to st's channel on a
// server without echo-message, that the connection knows whether the
// channel is moderated (+m) and whether the bot has voice there (see
// chanModes): a NOTICE a moderated channel drops has no reply to say so
// (RFC 2812 section 3.3.2), nor, without echo-message, an echo missing.
// The NAMES reply that follows the JOIN shows the bot's voice; it asks
// MODE once per JOIN, and NAMES only when the voice was lost track of
// (see modeChange), waiting for the answers, Config.Timeout at most and
// no later than the deadline allows; a question the pacing would not let
// through before the deadline with the n lines after it is not asked
// (the lines go as they would without it: a channel its deadline holds
// back would be left for the next attempt, which joins it again, and
// asks again). On a kept connection, both are known
// from the JOIN of an earlier Send, kept current by the MODE lines the
// server relays: nothing is asked. An error reply naming the channel
// answers the question and fails nothing (see session.asking): what
// stays unknown, the lines go as they would without the question. With
// echo-message a line dropped shows (see post): nothing is asked before.
func (ss *session) learnModes(st *chanState, n int) error {
	if ss.c.echoes() {
		return nil
	}
	ss.asking = st
	defer func() { ss.asking = nil }()
	for _, q := range []string{"MODE", "NAMES"} {
		known := func() bool {
			k, in := ss.c.knownModes(st.t.name)
			return !in || q == "MODE" && k.modesKnown || q == "NAMES" && k.voiceKnown
		}
		d := ss.s.timeout
		if deadline, ok := ss.ctx.Deadline(); ok {
			d = min(d, time.Until(deadline)-postMargin)
		}
		if known() || d <= 0 || !ss.fits(n+1) {
			continue
		}
		ss.askRefused, ss.namesEnd = false, false
		if err := ss.paced(q, st.t.name); err != nil {
			return err
		}
		answered := func() bool { return known() || ss.askRefused || q == "NAMES" && ss.namesEnd }
		if _, err := ss.wait(answered, d); err != nil {
			return err
		}
	}
	return nil
}

// relayedBefore returns how many of st's lines the server relayed in an
// earlier attempt (see chanState.got): post does not send them again.
func (st *chanState) relayedBefore() int {
	n := 0
	for _, got := range st.got {
		if got {
			n++
		}
	}
	return n
}

// muted reports whether the connection believes st's channel to drop
// the bot's NOTICEs: moderated (+m), the bot without voice (see
// chanModes).
func (ss *session) muted(st *chanState) bool {
	k, in := ss.c.knownModes(st.t.name)
	return in && k.muted()
}

// mutedNow reports whether st's channel drops the bot's NOTICEs, as
// answers the server gave during this Send say: a belief from before it
// (an earlier Send's answers, a relayed MODE) may be stale (a server
// that changes modes without relaying them, a relay missed or misread),
// and a channel failed on it would fail for good on every later Send of
// a kept connection without a question. What says muted, learnt before
// this Send, is asked again (MODE; then NAMES, when the channel is still
// moderated and the voice is from before), as learnModes asks, n lines
// to follow; what the answer leaves unknown mutes nothing.
func (ss *session) mutedNow(st *chanState, n int) (bool, error) {
	for _, modes := range []bool{true, false} {
		if !ss.muted(st) {
			return false, nil
		}
		if ss.c.forgetStale(st.t.name, ss.seq, modes) {
			if err := ss.learnModes(st, n); err != nil {
				return false, err
			}
		}
	}
	return ss.muted(st), nil
}

// errModerated is the error of a channel that drops the bot's NOTICEs for
// good: moderated (+m), without voice for the bot, which a retry does not
// change (RFC 2811 section 4.2.3).
var errModerated = errors.New("the channel is moderated (+m) and the bot has no voice (+v): " +
	"the server drops its NOTICEs without a reply; give the bot voice")

// probe sends a PING and waits for its PONG, Config.Timeout at most.
func (ss *session) probe() error { return ss.ping(ss.s.timeout) }

// alive is the probe of a kept connection before it is used: a PING whose
// PONG is waited for endpoint.ProbeWait at most (Config.Timeout if shorter).
// A connection on an alternate nick first asks for the configured one (see
// # Nick in the package documentation), which a ghost of the bot may have
// held when it registered: the server's answer, the NICK granted or 433,
// comes before the PONG, so the lines that follow go out under the nick
// the server has given.
func (ss *session) alive() error {
	if !ss.isMe(ss.s.nick) {
		if err := ss.write("NICK", ss.s.nick); err != nil {
			return err
		}
	}
	return ss.ping(min(endpoint.ProbeWait, ss.s.timeout))
}

// ping sends a PING and waits d for its PONG.
func (ss *session) ping(d time.Duration) error {
	token := "outagecast-" + strconv.FormatUint(ss.c.pings.Add(1), 10)
	if err := ss.paced("PING", token); err != nil {
		return err
	}
	return ss.await("PING", func() bool { return ss.pongs[token] }, d)
}

// ReplyError is an error reply of the IRC server: a numeric such as 475
// (bad channel key) or 904 (SASL failed), with the server's text. Errors of
// Send and Check wrap it when the server refused something; find it with
// errors.As.
type ReplyError struct {
	Code string // the numeric, as "475"; "KICK" when an operator kicked the bot, "PART" when one removed it (see # Errors)
	Text string // the server's explanation, without control characters, shortened
}

// Error returns the numeric and the server's text, as "475 Cannot join
// channel (+k)".
func (e *ReplyError) Error() string {
	if e.Text == "" {
		return e.Code
	}
	return e.Code + " " + e.Text
}

// replyOf is the error reply m.
func (ss *session) replyOf(m ircmsg.Message) *ReplyError {
	return &ReplyError{Code: m.Command, Text: ss.s.serverText(param(m, len(m.Params)-1))}
}

// serverText makes a server's text fit for an error: the passwords
// redacted, in whatever encoding the server echoed them (a password in a
// 464 reply or an ERROR line, the base64 AUTHENTICATE payload in a 904),
// and the channel keys, each where it stands as a word (redact's
// Redactor.WithWords: a server repeats a key as the JOIN gave it, a word
// of its own, "bad key sesame", "(key: k)"; a key hidden wherever its
// characters occur, as a password is, would take a one-letter key out of
// every word of the text, "Cannot" for the key "n"), all in one pass, then
// made safe and short. It is the one place where server text enters an
// error, so that a *ReplyError, whose Text it is, stays clean and
// matchable with errors.As. Redacting comes first: cutting first could
// leave part of a secret. The secrets are redacted in the text as sent
// and again once its formatting codes are gone: the digits of a colour
// code right before a key ("\x0304sesame") run on with it until the code
// is removed, and the key would show.
func (s *settings) serverText(text string) string {
	lines := Split(s.redactor.String(clean(s.redactor.String(text))), 160)
	if len(lines) == 0 {
		return ""
	}
	if len(lines) > 1 {
		return lines[0] + "…"
	}
	return lines[0]
}

func param(m ircmsg.Message, i int) string {
	if i < 0 || i >= len(m.Params) {
		return ""
	}
	return m.Params[i]
}

// permanentIf marks err permanent when p is true.
func permanentIf(err error, p bool) error {
	if p {
		return broadcast.Permanent(err)
	}
	return err
}

var (
	errSASLAway = errors.New("the server does not offer SASL now (some leave it out while their services are away)")
)
