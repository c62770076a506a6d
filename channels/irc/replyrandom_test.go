package irc_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
)

// replyScript is a server's random answers to the bot's lines, in the order
// a server keeps (every answer to a line before the PONG of the PING that
// follows it), and the record of what it relayed: the oracle of
// TestRandomRepliesAgainstRelayed.
type replyScript struct {
	mu    sync.Mutex
	rng   *rand.Rand
	chans []string
	echo  bool // the client has echo-message: the server may drop a line without a word
	// per channel: the line from which on the server refuses every line,
	// and how; the lines seen; relayed; refused
	from    map[string]int
	kind    map[string]int
	seen    map[string]int
	relayed map[string]int
	refused map[string]bool
	held    []string // answers sent at the next line or PING
	log     []string // what the server did, for a failure's message
}

// refusals are the answers a server may give a line it does not relay: %c
// the channel, %n the nick, %m the command.
var refusals = []string{
	":fake.test 404 %n %c :Cannot send to channel",
	":fake.test 439 %n %c :Target change too fast. Please wait 10 seconds.",
	":fake.test 439 %n %c :Message target change too fast. Please wait 12 seconds",
	":fake.test 439 %n %c :Target change too fast",
	":fake.test 936 %n %c badword :Your message contained a censored word, and was blocked",
	":fake.test 531 %n %c :You are not permitted to send",
	":fake.test 400 %n %c :Unknown error",
	":fake.test 417 %n :Input line was too long",
	":fake.test 461 %n %m :Not enough parameters",
	":floodbot!bot@fake.test KICK %c %n :Flooding",
	":fake.test 707 %n %c :Targets changing too fast, message dropped",
	":fake.test NOTICE %n :*** Message to %c throttled due to flooding",
	"", // dropped without a word (with echo-message only)
}

// newSend draws, for one Send, how the server treats each channel's lines.
func (sc *replyScript) newSend() {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	sc.from, sc.kind = map[string]int{}, map[string]int{}
	sc.seen, sc.relayed, sc.refused = map[string]int{}, map[string]int{}, map[string]bool{}
	sc.held, sc.log = nil, nil
	for _, ch := range sc.chans {
		sc.from[ch] = -1
		if sc.rng.IntN(3) > 0 {
			sc.from[ch] = sc.rng.IntN(3)
		}
		n := len(refusals)
		if !sc.echo {
			n-- // without echo-message a line dropped silently is not seen: no oracle for it
		}
		sc.kind[ch] = sc.rng.IntN(n)
	}
}

func (sc *replyScript) fill(line, nick, command, channel string) string {
	if sc.rng.IntN(4) == 0 {
		channel = strings.ToUpper(channel) // the server's casing
	}
	return strings.NewReplacer("%n", nick, "%c", channel, "%m", command).Replace(line)
}

// noise is what a server may send at any time that answers no line of the
// channel being posted to: informational numerics, a notice, another
// user's line, an unknown error naming another channel, which is not
// being posted to.
func (sc *replyScript) noise(nick, posting string) []string {
	var out []string
	for range sc.rng.IntN(3) {
		ch := sc.chans[sc.rng.IntN(len(sc.chans))]
		switch sc.rng.IntN(4) {
		case 0:
			out = append(out, sc.fill(":fake.test 324 %n %c +nt", nick, "", ch))
		case 1:
			out = append(out, ":fake.test NOTICE "+nick+" :*** Notice -- a server notice")
		case 2:
			out = append(out, ":alice!a@example PRIVMSG "+ch+" :hello")
		case 3:
			if posting != "" && ch != posting {
				out = append(out, sc.fill(":fake.test 439 %n %c :Target change too fast", nick, "", ch))
			}
		}
	}
	return out
}

func (sc *replyScript) onLine(nick, command, channel, text string) (relay bool, before, after []string) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	before, sc.held = sc.held, nil
	i := sc.seen[channel]
	sc.seen[channel]++
	relay = sc.from[channel] < 0 || i < sc.from[channel]
	if relay {
		sc.relayed[channel]++
		sc.log = append(sc.log, fmt.Sprintf("%s line %d relayed", channel, i))
	} else {
		sc.refused[channel] = true
		sc.log = append(sc.log, fmt.Sprintf("%s line %d refused: %q", channel, i, refusals[sc.kind[channel]]))
		if r := refusals[sc.kind[channel]]; r != "" {
			answer := sc.fill(r, nick, command, channel)
			switch sc.rng.IntN(3) {
			case 0:
				before = append(before, answer)
			case 1:
				after = append(after, answer)
			default:
				sc.held = append(sc.held, answer)
			}
		}
	}
	before = append(before, sc.noise(nick, channel)...)
	after = append(after, sc.noise(nick, channel)...)
	return relay, before, after
}

func (sc *replyScript) onPing(nick string) []string {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	out := sc.held
	sc.held = nil
	return append(out, sc.noise(nick, "")...)
}

// A server's answers to the lines, drawn at random (refusals known and
// unknown, naming the channel in its casing or not, naming the command or
// nothing, or none where echo-message shows the drop; answered at once or
// with the next line, before or after an echo; informational numerics,
// notices, other users' lines and errors naming other channels between
// them), checked against what the server relayed: a channel is never
// delivered when a line of it was refused (so never when none was
// relayed), and never failed for good or left pending with a rate limit
// (RetryAfter: a KICK, a 707, a flood notice), with no Uncertain mark,
// when some line was relayed in the attempt: a Permanent or RetryAfter
// mark alone says that nothing was posted (see broadcast.Channel), and a
// 404 or a rate limit of a later line fails the channel after the lines
// before it were relayed. Nor does Send's own error, when it is not a
// *broadcast.TargetsError, say so while a channel not delivered had a
// line relayed. Without echo-message, a channel every line of which got a
// refusal of its own had none relayed, and is not Uncertain. One to
// three channels, PRIVMSG or NOTICE, echo-message or not, and with
// Persistent a second Send on the kept connection, whose channels are
// joined already.
func TestRandomRepliesAgainstRelayed(t *testing.T) {
	for seed := range uint64(150) {
		rng := rand.New(rand.NewPCG(seed, 55))
		all := []string{"#a", "#b", "#c"}
		chans := all[:1+rng.IntN(3)]
		sc := &replyScript{rng: rng, chans: chans, echo: rng.IntN(2) == 0}
		srv := newFakeServer(t, fakeOptions{echoMessage: sc.echo, onLine: sc.onLine, onPing: sc.onPing})
		cfg := testConfig(srv.addr())
		cfg.Channels = chans
		cfg.Notice = rng.IntN(4) == 0
		cfg.Persistent = rng.IntN(2) == 0
		ch := newChannel(t, cfg)
		sends := 1
		if cfg.Persistent {
			sends = 2
		}
		for n := range sends {
			sc.newSend()
			u := sampleUpdate()
			u.ID = fmt.Sprintf("u%d", n)
			u.Body = strings.Repeat("We are investigating elevated error rates on the CDN edge. ", 12)
			m := message(u)
			ledger := channeltest.NewLedger()
			m.Ledger = ledger
			_, err := ch.Send(context.Background(), m)
			sc.mu.Lock()
			what := fmt.Sprintf("seed %d send %d (echo %v, notice %v, persistent %v): %v\nerr: %v",
				seed, n, sc.echo, cfg.Notice, cfg.Persistent, sc.log, err)
			for _, name := range chans {
				done, failure := m.Ledger.Done(name)
				if !sc.refused[name] {
					// Every line relayed: no answer to another
					// channel's lines (one that names only the
					// command, or nothing) fails it.
					assert.True(t, done && failure == "", "%s not delivered (%q), though the server relayed every line\n%s", name, failure, what)
				}
				if done && failure == "" {
					assert.False(t, sc.refused[name], "%s delivered, though a line was refused\n%s", name, what)
					assert.Positive(t, sc.relayed[name], "%s delivered, though nothing was relayed\n%s", name, what)
				}
				if failed := ledger.Failed()[name]; failed != nil && !broadcast.IsUncertain(failed) {
					assert.Zero(t, sc.relayed[name], "%s failed for good (%s), not Uncertain, though lines were relayed\n%s", name, failure, what)
				}
				// Without echo-message, every line written refused by a
				// reply of its own (not a KICK, which answers none):
				// nothing was relayed, and nothing says it may have been.
				perLine := !sc.echo && sc.from[name] == 0 && refusals[sc.kind[name]] != "" &&
					!strings.Contains(refusals[sc.kind[name]], " KICK ")
				if failed := ledger.Failed()[name]; failed != nil && perLine {
					assert.False(t, broadcast.IsUncertain(failed), "%s Uncertain (%s), though every line got a refusal\n%s", name, failure, what)
				}
				var te *broadcast.TargetsError
				if errors.As(err, &te) {
					for _, p := range te.Pending {
						if _, waits := broadcast.RetryDelay(p.Err); p.Target == name && waits && !broadcast.IsUncertain(p.Err) {
							assert.Zero(t, sc.relayed[name], "%s pending with a rate limit (%v), not Uncertain, though lines were relayed\n%s", name, p.Err, what)
						}
						if p.Target == name && perLine {
							assert.False(t, broadcast.IsUncertain(p.Err), "%s pending Uncertain (%v), though every line got a refusal\n%s", name, p.Err, what)
						}
					}
				} else if _, waits := broadcast.RetryDelay(err); (waits || broadcast.IsPermanent(err)) && !broadcast.IsUncertain(err) && !(done && failure == "") {
					assert.Zero(t, sc.relayed[name], "Send failed (%v), not Uncertain, though lines of %s were relayed\n%s", err, name, what)
				}
			}
			sc.mu.Unlock()
			if t.Failed() {
				return
			}
		}
		require.NoError(t, ch.Close())
		srv.close()
	}
}
