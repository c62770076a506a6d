package irc

import (
	"strings"

	"github.com/ergochat/irc-go/ircmsg"
)

// chanModes is what a connection knows of a channel the bot is in that
// decides whether the channel takes its NOTICEs: whether the channel is
// moderated (+m, RFC 2811 section 4.2.3) and whether the bot has voice or
// more there (any mode of the server's RPL_ISUPPORT PREFIX). It is
// learnt once per JOIN (the NAMES reply that follows the JOIN, RFC 2812
// section 3.2.1, shows the bot's membership symbols; a MODE query its
// modes) and kept current from the MODE lines the server relays to the
// channel's members, so that a kept connection knows it without asking
// again (see conn.track).
type chanModes struct {
	modesKnown bool   // moderated is known: a 324 (RPL_CHANNELMODEIS), or a relayed MODE with +m or -m
	moderated  bool   // the channel is +m
	voiceKnown bool   // held is known: the bot's nick in a NAMES reply, kept since
	held       string // the membership modes ("ov") the bot is known to hold
	// heldAll: held is every membership mode the bot holds. NAMES
	// without IRCv3 multi-prefix shows only the highest ("@" for a bot
	// both opped and voiced): after a -o, whether voice is left is not
	// known.
	heldAll bool
	// modesAt and voiceAt are the conn.sends of the Send during which
	// moderated and held were last learnt (0: before any): a belief
	// from before the Send that reads it may be stale (see
	// session.mutedNow).
	modesAt, voiceAt uint64
}

// voiced reports whether the bot may speak in a moderated channel.
func (m *chanModes) voiced() bool { return m.held != "" }

// defaultPrefixModes are the membership modes of a server whose
// RPL_ISUPPORT does not name them, as defaultRanks are their symbols.
const defaultPrefixModes = "ov"

// defaultChanModes are the channel modes by kind (RPL_ISUPPORT
// CHANMODES: lists, always a parameter, a parameter when set, never one)
// of a server that names none: RFC 2811 section 4's.
var defaultChanModes = [4]string{"beI", "k", "l", "aimnqpsrt"}

// setPrefix records an RPL_ISUPPORT PREFIX value, "(ov)@+"; "" when the
// token was given without a value or withdrawn: the default. The caller
// holds c.mu.
func (c *conn) setPrefix(value string, given bool) {
	if !given {
		c.ranks, c.prefixModes = defaultRanks, defaultPrefixModes
		return
	}
	modes, symbols, ok := strings.Cut(strings.TrimPrefix(value, "("), ")")
	if value == "" {
		modes, symbols, ok = "", "", true
	}
	if ok {
		c.ranks, c.prefixModes = symbols, modes
	}
}

// setChanModes records an RPL_ISUPPORT CHANMODES value, "beI,k,l,imnt";
// "" without one: the default. The caller holds c.mu.
func (c *conn) setChanModes(value string) {
	kinds := strings.Split(value, ",")
	if value == "" || len(kinds) < 4 {
		c.chanModeKinds = defaultChanModes
		return
	}
	copy(c.chanModeKinds[:], kinds)
}

// trackModes follows, from m, what the connection knows of the bot's
// channels' modes (see chanModes). The caller holds c.mu, and has not yet
// applied a NICK of m.
func (c *conn) trackModes(m ircmsg.Message, me bool) {
	if c.modes == nil {
		c.modes = map[string]*chanModes{}
	}
	switch {
	case m.Command == "JOIN" && me && len(m.Params) > 0:
		c.modes[c.chanFold(m.Params[0])] = &chanModes{} // anew: a bot that was out knows nothing of what changed meanwhile
	case m.Command == "PART" && me && len(m.Params) > 0:
		for name := range strings.SplitSeq(m.Params[0], ",") {
			delete(c.modes, c.chanFold(name))
		}
	case m.Command == "KICK" && len(m.Params) > 1 && c.isNick(m.Params[1]):
		delete(c.modes, c.chanFold(m.Params[0]))
	case m.Command == "324": // RPL_CHANNELMODEIS: me, channel, modes, their parameters
		if st := c.modes[c.chanFold(param(m, 1))]; st != nil {
			st.modesKnown, st.moderated, st.modesAt = true, strings.ContainsRune(param(m, 2), 'm'), c.sends
		}
	case m.Command == "353": // RPL_NAMREPLY: me, "=", channel, the members with their symbols
		st := c.modes[c.chanFold(param(m, len(m.Params)-2))]
		if st == nil {
			return
		}
		for _, name := range strings.Fields(param(m, len(m.Params)-1)) {
			nick := strings.TrimLeft(name, c.ranks)
			if !c.isNick(nick) {
				continue
			}
			symbols := name[:len(name)-len(nick)]
			st.voiceKnown, st.held, st.voiceAt = true, "", c.sends
			for _, s := range symbols {
				if k := strings.IndexRune(c.ranks, s); k >= 0 && k < len(c.prefixModes) {
					st.held += c.prefixModes[k : k+1]
				}
			}
			// No symbol: none held. The lowest one shown: every one
			// above it is shown too (multi-prefix), or it is the only
			// one held.
			st.heldAll = symbols == "" || strings.HasSuffix(c.ranks, symbols[len(symbols)-1:])
		}
	case m.Command == "MODE" && len(m.Params) > 1:
		if st := c.modes[c.chanFold(m.Params[0])]; st != nil {
			c.modeChange(st, m.Params[1], m.Params[2:])
		}
	}
}

// modeChange applies to st a MODE the server relayed for its channel:
// changes, as "+mv-o", and their parameters in order (RFC 2812 section
// 3.2.3). +m and -m take none; the other modes take one as CHANMODES
// and PREFIX say, a membership mode the nick it changes. After a mode
// of a kind not known, the parameters that follow are not known to be
// whose: a membership mode after it leaves the bot's voice unknown (it
// is asked again before a NOTICE). The caller holds c.mu.
func (c *conn) modeChange(st *chanModes, changes string, args []string) {
	set, lost := true, false
	next := func() (string, bool) {
		if len(args) == 0 {
			return "", false
		}
		a := args[0]
		args = args[1:]
		return a, true
	}
	for _, r := range changes {
		switch {
		case r == '+' || r == '-':
			set = r == '+'
		case r == 'm':
			st.modesKnown, st.moderated, st.modesAt = true, set, c.sends
		case strings.ContainsRune(c.prefixModes, r):
			nick, ok := next()
			if lost || !ok {
				st.voiceKnown = false
				continue
			}
			if !c.isNick(nick) {
				continue
			}
			mode := string(r)
			st.voiceAt = c.sends
			if set {
				if !strings.Contains(st.held, mode) {
					st.held += mode
				}
				continue
			}
			st.held = strings.ReplaceAll(st.held, mode, "")
			if st.held == "" && !st.heldAll {
				st.voiceKnown = false // a lower mode, not shown, may be left
			}
		case strings.ContainsRune(c.chanModeKinds[0], r) || strings.ContainsRune(c.chanModeKinds[1], r):
			next()
		case strings.ContainsRune(c.chanModeKinds[2], r):
			if set {
				next()
			}
		case strings.ContainsRune(c.chanModeKinds[3], r):
		default:
			lost = true
		}
	}
}

// knownModes returns what the connection knows of the channel name (see
// chanModes); ok is false when the bot is not in it.
func (c *conn) knownModes(name string) (m chanModes, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	st := c.modes[c.chanFold(name)]
	if st == nil {
		return chanModes{}, false
	}
	return *st, true
}

// forgetStale forgets, of the channel name, what tells whether it is
// moderated (modes set) or the bot's voice there (modes unset), if it
// was learnt before the Send numbered seq (see conn.sends), so that it
// is asked again; it reports whether it forgot anything.
func (c *conn) forgetStale(name string, seq uint64, modes bool) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	st := c.modes[c.chanFold(name)]
	switch {
	case st == nil:
		return false
	case modes && st.modesKnown && st.modesAt != seq:
		st.modesKnown = false
		return true
	case !modes && st.voiceKnown && st.voiceAt != seq:
		st.voiceKnown = false
		return true
	}
	return false
}

// muted reports whether m says the channel drops the bot's NOTICEs:
// moderated (+m), the bot without voice.
func (m *chanModes) muted() bool {
	return m.modesKnown && m.voiceKnown && m.moderated && !m.voiced()
}
