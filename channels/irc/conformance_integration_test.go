//go:build integration

package irc_test

import (
	"encoding/base64"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ergochat/irc-go/ircmsg"
	"github.com/stretchr/testify/assert"
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
// alone its Backend counts, and takes the modes the failures set back to
// none (the second channel keeps its key): a fresh back end. No line a bot
// posts may show the key (see audience). The bot makes a connection per Send (the default):
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
//
// It does not run in parallel with the package's other tests: the rule
// CloseDuringSends fails on any goroutine started while its Sends run
// that outlives them, and another test's connection, dialled meanwhile,
// is one (TestIntegrationTLS's handshake was, once).
func TestIntegrationConformance(t *testing.T) {
	addr := env(t, "OUTAGECAST_IRC_ADDR")
	run := fmt.Sprintf("%05d%03d", time.Now().UnixNano()/int64(time.Millisecond)%100000, seq.Add(1)%1000)
	ops, dev := "#cfops"+run, "#cfdev"+run
	aud := newAudience(t, addr, map[string]string{ops: "", dev: conformanceKey}, conformanceKey)
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
// listener, which records what each bot posts there, and fails the test
// when a line it got from a bot (a PRIVMSG or NOTICE, a PART's or QUIT's
// reason, a TOPIC) shows a secret: the suite's own rules look for secrets
// only in what the channel returns, never in what it posts. The operators set
// the channels' modes that make ngIRCd refuse the bots, taking turns:
// ngIRCd holds back a client's next command for a second after a MODE
// (its penalty), and a failure is often injected right after the one
// before was taken back. The listener sends no MODE, so that its PINGs
// (see sync) are answered at once.
type audience struct {
	w       *watcher
	keys    map[string]string      // channel → the key the bots are given, "" none
	secrets []string               // what no bot's line may show (see heard)
	ops     map[string][]*operator // channel → its operators
	own     map[string]bool        // the nicks of the listener and the operators
	wg      sync.WaitGroup

	mu         sync.Mutex
	deliveries []seenDelivery
	open       map[string]map[string]int // nick → channel → index in deliveries of the post under way, -1 before its first line
	pongs      map[string]chan struct{}  // PING token → closed at its PONG
	failing    map[string]channeltest.Failure
	turns      int                 // MODEs sent so far: whose turn it is
	heard      map[string][]string // bot's user name → every line the listener got from it, not yet checked for secrets
}

// seenDelivery is a Delivery and the user name of the bot that made it.
type seenDelivery struct {
	user string
	d    channeltest.Delivery
}

// newAudience puts an audience in the channels of keys, each made with its
// key ("" none), on the server at addr; no line of a bot may show any of
// secrets.
func newAudience(t *testing.T, addr string, keys map[string]string, secrets ...string) *audience {
	t.Helper()
	a := &audience{keys: keys, secrets: secrets, ops: map[string][]*operator{}, own: map[string]bool{},
		open: map[string]map[string]int{}, pongs: map[string]chan struct{}{},
		failing: map[string]channeltest.Failure{}, heard: map[string][]string{}}
	// Last, once every line is read: the lines of bots no Received
	// checked since they came.
	t.Cleanup(func() {
		for _, user := range slices.Sorted(maps.Keys(a.heard)) {
			a.checkHeard(t, user)
		}
	})
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
		a.own[first.w.nick], a.own[second.w.nick] = true, true
	}
	a.w = newWatcher(t, addr, channels...)
	a.own[a.w.nick] = true
	a.wg.Add(1)
	go a.collect()
	return a
}

// sync returns once the server has answered a PING of the listener's:
// everything it relayed to the listener before, the lines of a Send that
// has returned (the bot waits for the PONG of a PING after its lines), has
// been read.
func (a *audience) sync(t testing.TB) {
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
	if user := userOf(m.Source); user != "" && !a.own[nick] {
		a.heard[user] = append(a.heard[user], strings.Join(append([]string{m.Command}, m.Params...), " "))
	}
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
		a.deliveries = append(a.deliveries, seenDelivery{user: userOf(m.Source),
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

// userOf returns the user name of source (nick!user@host), without the "~"
// ngIRCd puts before one it did not get from ident; "" when source names
// none (a server).
func userOf(source string) string {
	_, rest, ok := strings.Cut(source, "!")
	if !ok {
		return ""
	}
	user, _, _ := strings.Cut(strings.TrimPrefix(rest, "~"), "@")
	return user
}

// checkHeard fails t when a line the listener got from the bot of user
// since the last check shows a secret of the audience's. The caller does
// not hold a.mu.
func (a *audience) checkHeard(t testing.TB, user string) {
	t.Helper()
	a.mu.Lock()
	lines := a.heard[user]
	delete(a.heard, user)
	a.mu.Unlock()
	for _, line := range lines {
		if !channeltest.AssertNoSecret(t, line, a.secrets...) {
			t.Errorf("the bot %s posted a secret in a line to the channels", user)
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
func (a *audience) inject(t testing.TB, fs map[string]channeltest.Failure) {
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
func (op *operator) mode(t testing.TB, modes string) {
	t.Helper()
	_, err := op.w.conn.Write([]byte("MODE " + op.channel + " " + modes + "\r\n"))
	require.NoError(t, err)
}

// await waits for the relay of the operator's MODE, failing t when the
// server refuses it.
func (op *operator) await(t testing.TB) {
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
func (a *audience) backend(t testing.TB, user string) *ngircdBackend {
	t.Helper()
	a.inject(t, a.every(channeltest.FailNone))
	return &ngircdBackend{t: t, a: a, user: user}
}

// ngircdBackend is the channeltest.TargetBackend of one bot: what the
// audience saw it post.
type ngircdBackend struct {
	t    testing.TB
	a    *audience
	user string
}

// Received implements channeltest.Backend. It fails the test when a line
// of the bot's shows a secret (see audience).
func (b *ngircdBackend) Received() []channeltest.Delivery {
	b.a.sync(b.t)
	b.a.checkHeard(b.t, b.user)
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

// The audience fails the conformance suite when a bot posts a secret in a
// line to the channels, which channeltest's rules, looking at what the
// channel returns, do not see: here a raw client in the bot's place posts
// the channel key, in a PRIVMSG and encoded in a PART's reason.
func TestIntegrationConformanceAudienceSeesSecrets(t *testing.T) {
	t.Parallel()
	addr := env(t, "OUTAGECAST_IRC_ADDR")
	ops, dev := unique("#cfsecops"), unique("#cfsecdev")
	aud := newAudience(t, addr, map[string]string{ops: "", dev: conformanceKey}, conformanceKey)
	bot := newWatcher(t, addr, ops, dev+" "+conformanceKey) // its user name is "watcher"
	rec := &recordingT{TB: t}
	be := &ngircdBackend{t: rec, a: aud, user: "watcher"}
	// posted reads what the bot sent, once the server has processed it
	// (its PONG), as Received does after a Send.
	posted := func(lines ...string) []channeltest.Delivery {
		for _, line := range lines {
			bot.send(line)
		}
		bot.send("PING :posted")
		bot.until("PONG")
		return be.Received()
	}

	require.Len(t, posted("PRIVMSG "+ops+" :all is well"), 1)
	assert.Empty(t, rec.failures(), "a line without a secret")

	require.Len(t, posted("PRIVMSG "+dev+" :the key is "+conformanceKey), 2)
	assert.Len(t, rec.failures(), 2, "the key in a PRIVMSG: AssertNoSecret's error and the audience's")

	posted("PART " + ops + " :" + base64.StdEncoding.EncodeToString([]byte(conformanceKey)))
	assert.Len(t, rec.failures(), 2, "the key, base64-encoded, in a PART's reason")
}

// recordingT is a testing.TB whose Errorf records the failure rather than
// failing the test.
type recordingT struct {
	testing.TB
	mu     sync.Mutex
	errors []string
}

// Errorf records the failure.
func (r *recordingT) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

// failures returns the failures recorded since its last call.
func (r *recordingT) failures() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.errors
	r.errors = nil
	return out
}
