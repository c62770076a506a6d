//go:build integration

package irc_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ergochat/irc-go/ircmsg"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/channels/irc"
	"github.com/outagecast/outagecast/templates"
)

const (
	// conformanceKey is the key of the second IRC channel of the
	// conformance suite, as the fake's harness has one (#dev).
	conformanceKey = "dev-key-9c41e7"
	// wrongKey is the key the audience sets on a channel to refuse the
	// bot (FailUnauthorized): not the one the bot is given.
	wrongKey = "other-key-3a7d52"
)

// TestIntegrationConformance runs the conformance suite against the real
// ngIRCd: what the suite counts as delivered is what a member of the IRC
// channels saw, the audience (see audience). Its two IRC channels, named
// for this run, are the Harness.Targets, the second with a key (a secret
// of the Config); each New makes a bot of its own user name, whose lines
// alone its Backend counts, and takes the channels' modes back to none:
// a fresh back end. The bot makes a connection per Send (the default):
// its JOIN and its QUIT are where a Send's lines begin and end for the
// audience. A persistent connection joins once for every Send, and
// what the audience sees does not show where one Send ends and the next
// begins (the bot's PINGs do not reach it): the fake's harness checks that
// one.
//
// The failures are those an operator of the channels makes ngIRCd answer
// on demand (see audience.inject): transient, a full channel (+l, 471);
// unauthorized, a key the bot does not have (+k, 475); rejected, a
// moderated channel (+m, 404 to the lines). ngIRCd cannot be made to
// answer the others: it has no answer to rate-limit a client with a delay
// to wait (its flood control reads a flooding client's lines later, or
// disconnects it), no error quoting a key or password (FailEcho), no
// success answer to quote one (FailEchoDelivered), and it is the server,
// not another one (FailForeign). Nor does it take a server password
// without one configured (scripts/ngircd.sh sets none, and ngIRCd refuses
// any PASS then), nor SASL: the channel key is the Config's secret. The
// TLS rule needs a server with the suite's certificate, which ngIRCd's
// TLS port (its certificate written by scripts/ngircd.sh) is not;
// TestIntegrationTLS checks an untrusted certificate there, and the fake's
// harness the rule.
func TestIntegrationConformance(t *testing.T) {
	t.Parallel()
	addr := env(t, "OUTAGECAST_IRC_ADDR")
	run := fmt.Sprintf("%05d%03d", time.Now().UnixNano()/int64(time.Millisecond)%100000, seq.Add(1)%1000)
	ops, dev := "#cfops"+run, "#cfdev"+run
	aud := newAudience(t, addr, map[string]string{ops: "", dev: conformanceKey})
	bot := func(user string) irc.Config {
		return irc.Config{
			Server: addr, TLS: irc.TLSOff, Nick: user, User: user,
			Channels: []string{ops, dev + " " + conformanceKey},
			// ngIRCd reads a client's commands at its own pace: 3 at a
			// time, then a penalty of a second while more wait
			// (src/ngircd/conn.c, Handle_Buffer), and, as ngIRCd 26.1
			// answers here, a second after a registration and two
			// after each error reply, which hold the bot back however
			// it paces. The suite's Sends are a few short
			// lines, which its buffer holds: the default pacing, which
			// keeps a 50-line update under its limits (see
			// TestIntegrationFiftyLinesNotFlooded), would make each Send
			// take twice as long (4 s instead of 2), and the suite run
			// for minutes.
			Burst: 4, Interval: 250 * time.Millisecond,
		}
	}
	// The room the server's relay prefix leaves on a line: the nick as
	// long as its NICKLEN allows (the bot's lines must fit on any nick it
	// may be renamed to), the user as ngIRCd shows it without ident ("~"),
	// and the loopback address the bot connects from.
	user := botUser()
	maxLength := 512 - len("\r\n") - len(":") - serverNickLen - len("!~"+user+"@127.0.0.1 ") -
		len("PRIVMSG ") - len(ops) - len(" :")
	channeltest.Run(t, channeltest.Harness{
		New: func(t *testing.T) (broadcast.Channel, channeltest.Backend) {
			be := aud.backend(t, botUser())
			return newChannel(t, bot(be.user)), be
		},
		Reopen: func(t *testing.T, be channeltest.Backend) broadcast.Channel {
			return newChannel(t, bot(be.(*ngircdBackend).user))
		},
		Secrets:   []string{conformanceKey},
		Config:    bot(user),
		MaxLength: maxLength,
		Measure:   templates.Bytes,
		ThreadsTo: channeltest.Unthreaded,
		Targets:   []string{ops, dev},
		Failures: []channeltest.Failure{channeltest.FailTransient, channeltest.FailUnauthorized,
			channeltest.FailRejected},
	})
}

// botUser returns a user name (and nick) no other bot of this or an
// earlier run has, always 10 bytes long, so that Harness.MaxLength,
// which counts it, holds for each.
func botUser() string {
	return fmt.Sprintf("cf%05d%03d", time.Now().UnixNano()/int64(time.Millisecond)%100000, seq.Add(1)%1000)
}

// audience is what sits in the conformance suite's channels for the whole
// run: two operators of each channel, the first of which made it, and a
// listener, which records what each bot posts there. The operators set
// the channels' modes that make ngIRCd refuse the bots, taking turns:
// ngIRCd holds back a client's next command for a second after a MODE
// (its penalty), and a failure is often injected right after the one
// before was taken back. The listener sends no MODE, so that its PINGs
// (see sync) are answered at once.
type audience struct {
	w    *watcher
	keys map[string]string      // channel → the key the bots are given, "" none
	ops  map[string][]*operator // channel → its operators
	wg   sync.WaitGroup

	mu         sync.Mutex
	deliveries []seenDelivery
	open       map[string]map[string]int // nick → channel → index in deliveries of the post under way, -1 before its first line
	pongs      map[string]chan struct{}  // PING token → closed at its PONG
	failing    map[string]channeltest.Failure
	turns      int // MODEs sent so far: whose turn it is
}

// seenDelivery is a Delivery and the user name of the bot that made it.
type seenDelivery struct {
	user string
	d    channeltest.Delivery
}

func newAudience(t *testing.T, addr string, keys map[string]string) *audience {
	t.Helper()
	a := &audience{keys: keys, ops: map[string][]*operator{}, open: map[string]map[string]int{},
		pongs: map[string]chan struct{}{}, failing: map[string]channeltest.Failure{}}
	t.Cleanup(a.wg.Wait) // after the watchers' close, which ends the goroutines
	var channels []string
	for channel, key := range keys {
		channels = append(channels, strings.TrimSpace(channel+" "+key))
		first := newOperator(t, addr, channel, "", &a.wg)
		if key != "" {
			first.mode(t, "+k "+key)
			first.await(t)
		}
		second := newOperator(t, addr, channel, key, &a.wg)
		first.mode(t, "+o "+second.w.nick)
		first.await(t)
		a.ops[channel] = []*operator{second, first} // the first has the penalty of its MODE now
	}
	a.w = newWatcher(t, addr, channels...)
	a.wg.Add(1)
	go a.collect()
	return a
}

// sync returns once the server has answered a PING of the listener's:
// everything it relayed to the listener before, the lines of a Send that
// has returned (the bot waits for the PONG of a PING after its lines), has
// been read.
func (a *audience) sync(t *testing.T) {
	t.Helper()
	token := fmt.Sprintf("sync%d", seq.Add(1))
	done := make(chan struct{})
	a.mu.Lock()
	a.pongs[token] = done
	a.mu.Unlock()
	_, err := a.w.conn.Write([]byte("PING :" + token + "\r\n"))
	require.NoError(t, err)
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Fatalf("ngIRCd did not answer the listener's PING %s", token)
	}
}

// collect reads what the server relays to the listener until its
// connection closes.
func (a *audience) collect() {
	defer a.wg.Done()
	for m := range a.w.msgs {
		a.mu.Lock()
		a.take(m)
		a.mu.Unlock()
	}
}

// take records m. A bot's lines to a channel between its JOIN there and its
// QUIT (or PART, or KICK) are one Delivery, in the order of their first
// line: one Send, since the bot connects for each. The caller holds a.mu.
func (a *audience) take(m ircmsg.Message) {
	nick := m.Nick()
	param := func(i int) string {
		if i < len(m.Params) {
			return m.Params[i]
		}
		return ""
	}
	switch m.Command {
	case "PONG":
		if done, ok := a.pongs[param(len(m.Params)-1)]; ok {
			close(done)
			delete(a.pongs, param(len(m.Params)-1))
		}
	case "JOIN":
		if _, ok := a.keys[param(0)]; ok {
			if a.open[nick] == nil {
				a.open[nick] = map[string]int{}
			}
			a.open[nick][param(0)] = -1
		}
	case "PRIVMSG", "NOTICE":
		channel, text := param(0), param(1)
		if _, ok := a.keys[channel]; !ok {
			return
		}
		if i, ok := a.open[nick][channel]; ok && i >= 0 {
			d := &a.deliveries[i].d
			d.Parts = append(d.Parts, text)
			d.Text = strings.Join(d.Parts, "\n")
			return
		}
		if a.open[nick] == nil { // a line from outside the channel (-n)
			a.open[nick] = map[string]int{}
		}
		a.open[nick][channel] = len(a.deliveries)
		_, rest, _ := strings.Cut(m.Source, "!")
		user, _, _ := strings.Cut(strings.TrimPrefix(rest, "~"), "@")
		a.deliveries = append(a.deliveries, seenDelivery{user: user,
			d: channeltest.Delivery{Text: text, Parts: []string{text}, Target: channel}})
	case "PART":
		delete(a.open[nick], param(0))
	case "KICK":
		delete(a.open[param(1)], param(0))
	case "QUIT":
		delete(a.open, nick)
	case "NICK":
		if posts, ok := a.open[nick]; ok {
			a.open[param(0)] = posts
			delete(a.open, nick)
		}
	}
}

// inject makes ngIRCd refuse the bots in each channel of fs as its
// Failure says, with the channel's modes, which its operator may set (RFC
// 2811 section 4): FailTransient, a full channel (+l 1: 471 to a JOIN,
// which may succeed later); FailUnauthorized, a key the bots do not have
// (+k: 475, a credential refused); FailRejected, a moderated channel (+m:
// 404 to each line). FailNone takes the modes back to none, the channel's
// key kept. It returns once the server has set them all.
func (a *audience) inject(t *testing.T, fs map[string]channeltest.Failure) {
	t.Helper()
	var set []*operator
	for channel, f := range fs {
		a.mu.Lock()
		old := a.failing[channel]
		a.failing[channel] = f
		a.mu.Unlock()
		if old == f {
			continue
		}
		var modes []string
		switch old {
		case channeltest.FailTransient:
			modes = append(modes, "-l")
		case channeltest.FailRejected:
			modes = append(modes, "-m")
		case channeltest.FailUnauthorized:
			if a.keys[channel] == "" {
				modes = append(modes, "-k "+wrongKey)
			} else if f != channeltest.FailUnauthorized {
				modes = append(modes, "+k "+a.keys[channel])
			}
		}
		switch f {
		case channeltest.FailNone:
		case channeltest.FailTransient:
			modes = append(modes, "+l 1") // the audience is in: full
		case channeltest.FailRejected:
			modes = append(modes, "+m")
		case channeltest.FailUnauthorized:
			modes = append(modes, "+k "+wrongKey) // ngIRCd replaces a key set
		default:
			t.Errorf("ngIRCd cannot be made to fail with %s", f)
			continue
		}
		// One MODE of one or two changes, each changing the channel:
		// ngIRCd relays it, which await waits for.
		var flags, args []string
		for _, m := range modes {
			flag, arg, _ := strings.Cut(m, " ")
			flags = append(flags, flag)
			if arg != "" {
				args = append(args, arg)
			}
		}
		op := a.ops[channel][a.turns%len(a.ops[channel])]
		op.mode(t, strings.Join(append([]string{strings.Join(flags, "")}, args...), " "))
		set = append(set, op)
	}
	for _, op := range set {
		op.await(t)
	}
	if len(set) > 0 {
		a.turns++
	}
}

// operator is the operator of one channel of the audience.
type operator struct {
	w       *watcher
	channel string
	events  chan ircmsg.Message // the relays of its MODEs and its error replies
}

// newOperator connects a client to channel, with key ("" none): its
// operator when it is the first to join it, or once an operator gives it
// +o.
func newOperator(t *testing.T, addr, channel, key string, wg *sync.WaitGroup) *operator {
	t.Helper()
	op := &operator{w: newWatcher(t, addr, strings.TrimSpace(channel+" "+key)), channel: channel, events: make(chan ircmsg.Message, 100)}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for m := range op.w.msgs {
			if m.Command == "MODE" && m.Nick() == op.w.nick || len(m.Command) == 3 && (m.Command[0] == '4' || m.Command[0] == '5') {
				select {
				case op.events <- m:
				default: // nobody waits: not one of ours
				}
			}
		}
	}()
	return op
}

// mode sends MODE with modes for the operator's channel.
func (op *operator) mode(t *testing.T, modes string) {
	t.Helper()
	_, err := op.w.conn.Write([]byte("MODE " + op.channel + " " + modes + "\r\n"))
	require.NoError(t, err)
}

// await waits for the relay of the operator's MODE, failing t when the
// server refuses it.
func (op *operator) await(t *testing.T) {
	t.Helper()
	select {
	case m := <-op.events:
		if m.Command != "MODE" {
			t.Fatalf("ngIRCd refused a MODE of %s's operator (is it still its operator?): %s %q",
				op.channel, m.Command, m.Params)
		}
	case <-time.After(time.Minute):
		t.Fatalf("ngIRCd did not relay the MODE of %s's operator", op.channel)
	}
}

// backend returns the Backend of a new bot of user: the deliveries of
// that bot, the channels' modes back to none.
func (a *audience) backend(t *testing.T, user string) *ngircdBackend {
	t.Helper()
	a.inject(t, a.every(channeltest.FailNone))
	return &ngircdBackend{t: t, a: a, user: user}
}

// ngircdBackend is the channeltest.TargetBackend of one bot: what the
// audience saw it post.
type ngircdBackend struct {
	t    *testing.T
	a    *audience
	user string
}

// Received implements channeltest.Backend.
func (b *ngircdBackend) Received() []channeltest.Delivery {
	b.a.sync(b.t)
	b.a.mu.Lock()
	defer b.a.mu.Unlock()
	var out []channeltest.Delivery
	for _, s := range b.a.deliveries {
		if s.user == b.user {
			d := s.d
			d.Parts = append([]string(nil), d.Parts...)
			out = append(out, d)
		}
	}
	return out
}

// Fail implements channeltest.Backend.
func (b *ngircdBackend) Fail(f channeltest.Failure) {
	b.a.inject(b.t, b.a.every(f))
}

// FailTarget implements channeltest.TargetBackend.
func (b *ngircdBackend) FailTarget(channel string, f channeltest.Failure) {
	b.a.inject(b.t, map[string]channeltest.Failure{channel: f})
}

// every returns f for each channel.
func (a *audience) every(f channeltest.Failure) map[string]channeltest.Failure {
	fs := map[string]channeltest.Failure{}
	for channel := range a.keys {
		fs[channel] = f
	}
	return fs
}

var _ channeltest.TargetBackend = (*ngircdBackend)(nil)
