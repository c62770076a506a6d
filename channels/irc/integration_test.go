//go:build integration

package irc_test

// These tests run against the real ngIRCd servers started by
// scripts/ngircd.sh, which prints the environment variables they read. A missing variable fails the
// test: run them through the project's integration script, or by hand with
//
//	eval "$(scripts/ngircd.sh start)"
//	go test -race -tags integration -run Integration ./channels/irc/
//	scripts/ngircd.sh stop

import (
	"bufio"
	"cmp"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ergochat/irc-go/ircmsg"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/channels/irc"
	"github.com/outagecast/outagecast/redact"
)

func env(t *testing.T, name string) string {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		t.Fatalf("%s is not set: start the server with eval \"$(scripts/ngircd.sh start)\"", name)
	}
	return v
}

var seq atomic.Int64

// unique returns a name no other test (or earlier run) uses.
func unique(prefix string) string {
	return fmt.Sprintf("%s%d%d", prefix, time.Now().UnixNano()%100000, seq.Add(1))
}

// watcher is a second IRC client, written against the raw protocol, that
// sits in channels and records what arrives there.
type watcher struct {
	t    *testing.T
	conn net.Conn
	nick string
	msgs chan ircmsg.Message
	wg   sync.WaitGroup

	mu      sync.Mutex
	tooLong []string // lines over 512 bytes the server relayed
}

func newWatcher(t *testing.T, addr string, channels ...string) *watcher {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	require.NoError(t, err)
	w := &watcher{t: t, conn: conn, nick: unique("w"), msgs: make(chan ircmsg.Message, 1000)}
	w.wg.Add(1)
	go w.read()
	t.Cleanup(w.close)
	w.send("NICK " + w.nick)
	w.send("USER watcher 0 * :watcher")
	w.until("001")
	for _, ch := range channels {
		w.send("JOIN " + ch)
		w.until("366") // end of NAMES: joined
	}
	return w
}

func (w *watcher) read() {
	defer w.wg.Done()
	defer close(w.msgs)
	sc := bufio.NewScanner(w.conn)
	for sc.Scan() {
		if len(sc.Bytes())+len("\r\n") > 512 {
			w.mu.Lock()
			w.tooLong = append(w.tooLong, sc.Text())
			w.mu.Unlock()
		}
		m, err := ircmsg.ParseLine(sc.Text())
		if err != nil {
			continue
		}
		if m.Command == "PING" {
			w.send("PONG :" + m.Params[len(m.Params)-1])
			continue
		}
		w.msgs <- m
	}
}

func (w *watcher) send(line string) {
	_, err := w.conn.Write([]byte(line + "\r\n"))
	require.NoError(w.t, err)
}

func (w *watcher) close() {
	_, _ = w.conn.Write([]byte("QUIT\r\n"))
	_ = w.conn.Close()
	w.wg.Wait()
	if len(w.tooLong) > 0 {
		w.t.Errorf("the server relayed lines over 512 bytes: %q", w.tooLong)
	}
}

// next returns the next message, failing the test after a generous wait.
func (w *watcher) next() ircmsg.Message {
	w.t.Helper()
	select {
	case m, ok := <-w.msgs:
		require.True(w.t, ok, "the watcher's connection closed")
		return m
	case <-time.After(3 * time.Minute):
		w.t.Fatal("nothing arrived")
	}
	return ircmsg.Message{}
}

func (w *watcher) until(command string) ircmsg.Message {
	w.t.Helper()
	for {
		if m := w.next(); m.Command == command {
			return m
		}
	}
}

// said collects what arrives until from quits: each PRIVMSG or NOTICE as
// "<target> <text>", and the QUIT as "QUIT <reason>".
func (w *watcher) said(from string) []string {
	lines, _ := w.saidBy(from)
	return lines
}

// saidBy is said that also returns the prefix the server relayed from's
// lines with (nick!user@host).
func (w *watcher) saidBy(from string) (lines []string, source string) {
	w.t.Helper()
	for {
		m := w.next()
		if m.Nick() != from {
			continue
		}
		switch m.Command {
		case "PRIVMSG", "NOTICE":
			lines = append(lines, m.Params[0]+" "+m.Params[1])
			source = m.Source
		case "QUIT":
			return append(lines, "QUIT "+m.Params[0]), source
		}
	}
}

// quitLine is how ngIRCd relays the bot's QUIT to the channel.
const quitLine = `QUIT "outagecast"`

func plainConfig(t *testing.T, nick string, channels ...string) irc.Config {
	return irc.Config{
		Server: env(t, "OUTAGECAST_IRC_ADDR"), TLS: irc.TLSOff, Nick: nick, Channels: channels,
	}
}

func send(t *testing.T, cfg irc.Config, u broadcast.Update) (*irc.Channel, broadcast.Receipt, error) {
	t.Helper()
	ch, err := irc.New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = ch.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	r, err := ch.Send(ctx, broadcast.NewMessage(u))
	return ch, r, err
}

// serverNickLen is the longest nick the test server allows, which it
// names in RPL_ISUPPORT (NICKLEN): MaxNickLength in scripts/ngircd.sh.
const serverNickLen = 30

// prefixRoom is the room Send keeps on each line for the prefix of source
// (nick!user@host): the nick counted as long as the server's NICKLEN
// allows, or with the two underscores of its longest alternate when that
// is longer (lines split alike on whichever nick the bot gets, or the
// server renames it to).
func prefixRoom(source string) int {
	nick, rest, _ := strings.Cut(source, "!")
	return len(":") + max(len(nick+"__"), serverNickLen) + len("!"+rest) + len(" ")
}

// expected is what a channel member sees of u posted by a channel of cfg
// to targets, relayed with the prefix of source (nick!user@host): the
// lines Send posts for the room that prefix leaves (see prefixRoom), then
// the QUIT.
func expected(t *testing.T, cfg irc.Config, u broadcast.Update, source string, targets ...string) []string {
	t.Helper()
	longest := 0
	for _, target := range targets {
		longest = max(longest, len(target))
	}
	budget := 512 - len("\r\n") - prefixRoom(source) - len("PRIVMSG ") - longest - len(" :")
	lines := linesAt(t, cmp.Or(cfg.Template, "short"), cmp.Or(cfg.MaxLines, irc.DefaultMaxLines),
		broadcast.NewMessage(u).Update, budget)
	var out []string
	for _, target := range targets {
		for _, l := range lines {
			out = append(out, target+" "+l)
		}
	}
	return append(out, quitLine)
}

func TestIntegrationLongBodySplit(t *testing.T) {
	t.Parallel()
	chName, nick := unique("#long"), unique("bot")
	w := newWatcher(t, env(t, "OUTAGECAST_IRC_ADDR"), chName)
	cfg := plainConfig(t, nick, chName)
	cfg.MaxLines = 8
	u := sampleUpdate()
	u.Body = strings.Repeat("Edge nodes in Zürich 🇨🇭 and 東京 drop packets; traffic is being rerouted. ", 60)
	_, r, err := send(t, cfg, u)
	require.NoError(t, err)
	got, source := w.saidBy(nick)
	want := expected(t, cfg, u, source, chName)
	assert.Len(t, want, 9, "8 lines and the QUIT")
	assert.Equal(t, want, got)
	assert.Equal(t, map[string]string{"channels": chName, "lines": "8"}, r.Meta)
}

// A 400-byte status page URL, more than the conservative budget allows,
// arrives whole on a line of its own with a short nick: Send budgets with
// the prefix the server shows for the bot, and no line the server relays
// is over 512 bytes (the watcher checks). So does a URL as long as that
// prefix allows, in an override.
func TestIntegrationLongURLArrivesWhole(t *testing.T) {
	t.Parallel()
	chName, nick := unique("#url"), unique("bot")
	w := newWatcher(t, env(t, "OUTAGECAST_IRC_ADDR"), chName)
	cfg := plainConfig(t, nick, chName)
	u := sampleUpdate()
	u.URL = longURL(400)
	_, _, err := send(t, cfg, u)
	require.NoError(t, err)
	got, source := w.saidBy(nick)
	assert.Equal(t, expected(t, cfg, u, source, chName), got)
	assert.Equal(t, []string{chName + " Investigating: Elevated CDN errors — We are investigating elevated error rates.",
		chName + " " + u.URL, quitLine}, got)

	budget := 512 - len("\r\n") - prefixRoom(source) - len("PRIVMSG ") - len(chName) - len(" :")
	require.Greater(t, budget, 400)
	u.URL = longURL(budget)
	u.Overrides = map[string]string{"irc": "The status page moved (" + u.URL + "). Updates go there."}
	_, _, err = send(t, cfg, u)
	require.NoError(t, err)
	got = w.said(nick)
	assert.Equal(t, expected(t, cfg, u, source, chName), got)
	assert.Contains(t, got, chName+" "+u.URL)
}

func TestIntegrationInjectionStaysText(t *testing.T) {
	t.Parallel()
	chName, other, nick := unique("#inj"), unique("#other"), unique("bot")
	w := newWatcher(t, env(t, "OUTAGECAST_IRC_ADDR"), chName, other)
	cfg := plainConfig(t, nick, chName)
	cfg.Template = "text"
	cfg.MaxLines = 10
	u := sampleUpdate()
	u.Body = "Rolling back.\r\nQUIT :bye\r\nPRIVMSG " + other + " :x\r\nJOIN #evil"
	_, _, err := send(t, cfg, u)
	require.NoError(t, err)
	got := w.said(nick)
	assert.Equal(t, []string{
		chName + " Investigating: Elevated CDN errors",
		chName + " Rolling back.",
		chName + " QUIT :bye",
		chName + " PRIVMSG " + other + " :x",
		chName + " JOIN #evil",
		chName + " Details: https://status.example.com/i/1",
		chName + " Posted 14 Mar 2025 09:00 UTC.",
		quitLine,
	}, got, "every line arrives as text in the channel, and the bot quits only at the end")
	for _, l := range got {
		assert.False(t, strings.HasPrefix(l, other), "%s got a message", other)
	}
}

// ngIRCd's flood control handles a few commands per second from a client and
// stops reading when one sends faster; it disconnects a client whose unread
// input overflows its buffer. The default pacing (a burst of 4, then one line
// every 2 s) stays well below that. This test uses it, so it takes about
// 100 s.
func TestIntegrationFiftyLinesNotFlooded(t *testing.T) {
	t.Parallel()
	chName, nick := unique("#flood"), unique("bot")
	w := newWatcher(t, env(t, "OUTAGECAST_IRC_ADDR"), chName)
	cfg := plainConfig(t, nick, chName)
	cfg.Template = "text"
	cfg.MaxLines = 60
	u := sampleUpdate()
	var body []string
	for i := range 50 {
		body = append(body, fmt.Sprintf("Status line %02d: region %d is draining traffic to its neighbours.", i+1, i%7))
	}
	u.Body = strings.Join(body, "\n")
	_, _, err := send(t, cfg, u)
	require.NoError(t, err, "the bot was not disconnected")
	got, source := w.saidBy(nick)
	want := expected(t, cfg, u, source, chName)
	assert.Greater(t, len(want), 50)
	assert.Equal(t, want, got)
}

func TestIntegrationKeyedChannel(t *testing.T) {
	t.Parallel()
	nick := unique("bot")
	w := newWatcher(t, env(t, "OUTAGECAST_IRC_ADDR"), "#keyed sesame")
	cfg := plainConfig(t, nick, "#keyed sesame")
	_, _, err := send(t, cfg, sampleUpdate())
	require.NoError(t, err)
	got, source := w.saidBy(nick)
	assert.Equal(t, expected(t, cfg, sampleUpdate(), source, "#keyed"), got)
}

func TestIntegrationWrongKeyIsPermanent(t *testing.T) {
	t.Parallel()
	_, _, err := send(t, plainConfig(t, unique("bot"), "#keyed not-the-key"), sampleUpdate())
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err), "IsPermanent(%q)", err)
	re, ok := replyError(err)
	require.True(t, ok, "a *irc.ReplyError in %q", err)
	assert.Equal(t, "475", re.Code)
	assert.Contains(t, err.Error(), "join #keyed: 475")
	assert.NotContains(t, err.Error(), "not-the-key")
}

func TestIntegrationTLS(t *testing.T) {
	t.Parallel()
	pem, err := os.ReadFile(env(t, "OUTAGECAST_IRC_CA"))
	require.NoError(t, err)
	roots := x509.NewCertPool()
	require.True(t, roots.AppendCertsFromPEM(pem))
	chName, nick := unique("#tls"), unique("bot")
	w := newWatcher(t, env(t, "OUTAGECAST_IRC_ADDR"), chName)
	cfg := irc.Config{
		Server: env(t, "OUTAGECAST_IRC_TLS_ADDR"), Nick: nick, Channels: []string{chName},
		TLSConfig: &tls.Config{RootCAs: roots},
	}
	_, _, err = send(t, cfg, sampleUpdate())
	require.NoError(t, err)
	got, source := w.saidBy(nick)
	assert.Equal(t, expected(t, cfg, sampleUpdate(), source, chName), got)

	t.Run("unknown CA is permanent", func(t *testing.T) {
		cfg.TLSConfig = nil
		_, _, err := send(t, cfg, sampleUpdate())
		require.Error(t, err)
		assert.Contains(t, err.Error(), "certificate")
		assert.True(t, broadcast.IsPermanent(err))
	})
	// ngIRCd says nothing until the client speaks: the handshake gets no
	// answer, and the port, asked in plain text, answers as IRC does. No
	// retry fixes that, and the error says what to change.
	t.Run("TLS to the plaintext port is permanent", func(t *testing.T) {
		cfg.Server = env(t, "OUTAGECAST_IRC_ADDR")
		cfg.TLSConfig = &tls.Config{RootCAs: roots}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		c, err := irc.New(cfg)
		require.NoError(t, err)
		for name, err := range map[string]error{
			"Check": c.Check(ctx),
			"Send":  func() error { _, err := c.Send(ctx, broadcast.NewMessage(sampleUpdate())); return err }(),
		} {
			require.Error(t, err, name)
			assert.True(t, broadcast.IsPermanent(err), "%s: %v", name, err)
			assert.Contains(t, err.Error(), "irc: connect "+cfg.Server+": TLS: ", name)
			assert.Contains(t, err.Error(), ": the port speaks plain IRC, not TLS: use the server's TLS port (often 6697)", name)
		}
	})
}

// ngIRCd negotiates CAP but offers no SASL: a bot that must log in stops,
// transiently, since a server that lists no SASL may list it again later
// (Solanum, once its services are back).
func TestIntegrationSASLNotOffered(t *testing.T) {
	t.Parallel()
	cfg := plainConfig(t, unique("bot"), unique("#sasl"))
	cfg.SASLUser, cfg.SASLPassword = "bot", redact.NewSecret("sasl-pass")
	_, _, err := send(t, cfg, sampleUpdate())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "does not offer SASL now")
	assert.False(t, broadcast.IsPermanent(err))
	assert.NotContains(t, err.Error(), "sasl-pass")
}

func TestIntegrationNickInUse(t *testing.T) {
	t.Parallel()
	chName := unique("#nick")
	w := newWatcher(t, env(t, "OUTAGECAST_IRC_ADDR"), chName)
	_, _, err := send(t, plainConfig(t, w.nick, chName), sampleUpdate()) // the watcher holds the nick
	require.NoError(t, err)
	got := w.said(w.nick + "_")
	assert.Len(t, got, 2, "the bot posts as %s_", w.nick)
}

// A connection that flooded ngIRCd has its QUIT read only after its other
// lines, as the server's flood penalty lets it: meanwhile the server holds
// its nick. A Send with that nick, as an attempt's retry would be, still
// posts on it, not on an alternate (see TestNickHeldByEarlierConnection).
func TestIntegrationNickHeldByQuittingConnection(t *testing.T) {
	t.Parallel()
	chName := unique("#held")
	w := newWatcher(t, env(t, "OUTAGECAST_IRC_ADDR"), chName)
	ghost := newWatcher(t, env(t, "OUTAGECAST_IRC_ADDR"), chName)
	for i := range 6 { // without the retries, the bot registers as an alternate (4 and 12 tried)
		ghost.send(fmt.Sprintf("PRIVMSG %s :line %d", chName, i+1))
	}
	ghost.send("QUIT :outagecast")
	_, _, err := send(t, plainConfig(t, ghost.nick, chName), sampleUpdate())
	require.NoError(t, err)
	var posters []string
	for quits := 0; quits < 2; {
		m := w.next()
		switch {
		case !strings.HasPrefix(m.Nick(), ghost.nick):
		case m.Command == "QUIT":
			quits++
		case m.Command == "PRIVMSG" && !strings.HasPrefix(m.Params[1], "line "):
			posters = append(posters, m.Nick())
		}
	}
	assert.Equal(t, []string{ghost.nick}, posters, "the bot posts as %s, not an alternate", ghost.nick)
}

func TestIntegrationPersistent(t *testing.T) {
	t.Parallel()
	chName, nick := unique("#keep"), unique("bot")
	w := newWatcher(t, env(t, "OUTAGECAST_IRC_ADDR"), chName)
	cfg := plainConfig(t, nick, chName)
	cfg.Persistent = true
	ch, err := irc.New(cfg)
	require.NoError(t, err)
	for i := range 3 {
		u := sampleUpdate()
		u.Title = fmt.Sprintf("Update %d", i+1)
		_, err := ch.Send(context.Background(), broadcast.NewMessage(u))
		require.NoError(t, err)
	}
	require.NoError(t, ch.Close())
	var joins int
	var lines []string
	for {
		m := w.next()
		if m.Nick() != nick {
			continue
		}
		if m.Command == "JOIN" {
			joins++
		}
		if m.Command == "PRIVMSG" {
			lines = append(lines, m.Params[1])
		}
		if m.Command == "QUIT" {
			break
		}
	}
	assert.Equal(t, 1, joins, "one connection, one JOIN, for three updates")
	require.Len(t, lines, 3)
	assert.True(t, strings.HasPrefix(lines[2], "Investigating: Update 3"))
}

func TestIntegrationCheck(t *testing.T) {
	t.Parallel()
	ch, err := irc.New(plainConfig(t, unique("bot"), "#unused"))
	require.NoError(t, err)
	require.NoError(t, ch.Check(context.Background()))
}

// sendWithFullPending sends the sample update through a channel of cfg,
// whose channel full (+l 1) refuses the bot for now: the Send fails
// transiently, full pending with an error holding fullErr. It returns the
// Ledger and the Send's *TargetsError for the test's other checks.
func sendWithFullPending(t *testing.T, cfg irc.Config, full, fullErr string) (*channeltest.Ledger, *broadcast.TargetsError) {
	t.Helper()
	ch, err := irc.New(cfg)
	require.NoError(t, err)
	ledger := channeltest.NewLedger()
	m := broadcast.NewMessage(sampleUpdate())
	m.Ledger = ledger
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	_, err = ch.Send(ctx, m)
	require.Error(t, err)
	assert.False(t, broadcast.IsPermanent(err), "#full may take the bot later: %v", err)
	var te *broadcast.TargetsError
	require.ErrorAs(t, err, &te)
	require.Len(t, te.Pending, 1)
	assert.Equal(t, full, te.Pending[0].Target)
	assert.Contains(t, te.Pending[0].Err.Error(), fullErr)
	return ledger, te
}

// Channel modes set by an operator, as ngIRCd applies them: +m refuses the
// lines (404) for good, +l refuses the JOIN (471, "try later") for now, and
// the channel without either still gets the update, once.
func TestIntegrationChannelModes(t *testing.T) {
	t.Parallel()
	open, moderated, full, nick := unique("#open"), unique("#mod"), unique("#full"), unique("bot")
	w := newWatcher(t, env(t, "OUTAGECAST_IRC_ADDR"), open, moderated, full)
	w.send("MODE " + moderated + " +m")
	w.until("MODE")
	w.send("MODE " + full + " +l 1")
	w.until("MODE")
	cfg := plainConfig(t, nick, open, moderated, full)
	ledger, te := sendWithFullPending(t, cfg, full, "join "+full+": 471")
	require.Len(t, te.Failures, 1)
	assert.Equal(t, moderated, te.Failures[0].Target)
	assert.Contains(t, te.Failures[0].Err.Error(), "send to "+moderated+": 404")
	assert.Equal(t, []string{open}, ledger.Delivered())
	got, source := w.saidBy(nick)
	assert.Equal(t, expected(t, cfg, sampleUpdate(), source, open), got)
}

// ngIRCd offers no echo-message and drops a NOTICE to a moderated
// channel (+m) from a member without voice without a word (it answers
// only PRIVMSG with 404): the channel's modes and NAMES show it, and the
// channel fails for good rather than counting as delivered.
func TestIntegrationNoticeToModeratedChannel(t *testing.T) {
	t.Parallel()
	open, moderated, nick := unique("#open"), unique("#mod"), unique("bot")
	w := newWatcher(t, env(t, "OUTAGECAST_IRC_ADDR"), open, moderated)
	w.send("MODE " + moderated + " +m")
	w.until("MODE")
	cfg := plainConfig(t, nick, open, moderated)
	cfg.Notice = true
	_, r, err := send(t, cfg, sampleUpdate())
	require.NoError(t, err, "%s got the update", open)
	assert.Equal(t, open, r.Meta["channels"])
	assert.Equal(t, moderated, r.Meta["failed"])
	got := w.said(nick)
	for _, l := range got {
		assert.NotContains(t, l, moderated+" ", "nothing reached %s", moderated)
	}
}

// tap is a TCP relay between the bot and the server that records the
// lines the bot sends, to count what a Send costs.
type tap struct {
	ln net.Listener
	wg sync.WaitGroup

	mu    sync.Mutex
	lines []string
	conns []net.Conn
}

// newTap relays the connections it accepts to addr until the test ends.
func newTap(t *testing.T, addr string) *tap {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	p := &tap{ln: ln}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for {
			bot, err := ln.Accept()
			if err != nil {
				return
			}
			srv, err := net.Dial("tcp", addr)
			if err != nil {
				_ = bot.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, bot, srv)
			p.mu.Unlock()
			p.wg.Add(2)
			go func() {
				defer p.wg.Done()
				defer srv.Close()
				sc := bufio.NewScanner(bot)
				for sc.Scan() {
					p.mu.Lock()
					p.lines = append(p.lines, sc.Text())
					p.mu.Unlock()
					if _, err := srv.Write(append(sc.Bytes(), '\r', '\n')); err != nil {
						return
					}
				}
			}()
			go func() {
				defer p.wg.Done()
				defer bot.Close()
				buf := make([]byte, 4096)
				for {
					n, err := srv.Read(buf)
					if n > 0 {
						if _, werr := bot.Write(buf[:n]); werr != nil {
							return
						}
					}
					if err != nil {
						return
					}
				}
			}()
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		p.mu.Lock()
		for _, c := range p.conns {
			_ = c.Close()
		}
		p.mu.Unlock()
		p.wg.Wait()
	})
	return p
}

func (p *tap) addr() string { return p.ln.Addr().String() }

// sent returns the lines the bot sent, in order.
func (p *tap) sent() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.lines...)
}

// On a kept connection, a channel an operator makes moderated (+m), or
// where it takes the bot's voice, between two Sends of NOTICEs: ngIRCd
// relays the MODE to the bot, which the next Send reads so, asks MODE
// and NAMES again (a belief from before the Send), and fails the channel
// for good on their answers without sending it a line; voiced, it gets
// the next update. The first Send, which joins, asks the channels' modes
// (their voice the JOIN's NAMES shows); the others ask only of a channel
// believed muted.
func TestIntegrationNoticeModeChangedOnKeptConnection(t *testing.T) {
	t.Parallel()
	open, moderated, nick := unique("#open"), unique("#mod"), unique("bot")
	w := newWatcher(t, env(t, "OUTAGECAST_IRC_ADDR"), open, moderated)
	p := newTap(t, env(t, "OUTAGECAST_IRC_ADDR"))
	cfg := plainConfig(t, nick, open, moderated)
	cfg.Server = p.addr()
	cfg.Notice = true
	cfg.Persistent = true
	ch, err := irc.New(cfg)
	require.NoError(t, err)
	steps := []struct {
		mode      string // the operator's MODE before the update; "" none
		delivered bool   // moderated got the update
		asks      bool   // MODE and NAMES of moderated asked again
	}{
		{delivered: true},
		{mode: "+m", asks: true},
		{mode: "+v " + nick, delivered: true},
		{mode: "-v " + nick, asks: true},
		{mode: "-m", delivered: true},
	}
	var got []string // the titles of the updates that reached moderated, in order
	heard := func(m ircmsg.Message) {
		if m.Nick() == nick && m.Command == "NOTICE" && m.Params[0] == moderated {
			title, _, _ := strings.Cut(strings.TrimPrefix(m.Params[1], "Investigating: "), " —")
			got = append(got, title)
		}
	}
	for i, step := range steps {
		if step.mode != "" {
			w.send("MODE " + moderated + " " + step.mode)
			for m := w.next(); m.Command != "MODE"; m = w.next() { // the lines before it came first
				heard(m)
			}
		}
		u := sampleUpdate()
		u.ID, u.Title = fmt.Sprintf("u%d", i+1), fmt.Sprintf("Update %d", i+1)
		m := broadcast.NewMessage(u)
		before := len(p.sent())
		r, err := ch.Send(context.Background(), m)
		require.NoError(t, err, "step %d: %s got the update", i+1, open)
		var asked, toModerated []string
		for _, l := range p.sent()[before:] {
			if strings.HasPrefix(l, "MODE ") || strings.HasPrefix(l, "NAMES ") {
				asked = append(asked, l)
			}
			if strings.HasPrefix(l, "NOTICE "+moderated+" ") {
				toModerated = append(toModerated, l)
			}
		}
		switch {
		case i == 0:
			assert.Equal(t, []string{"MODE " + open, "MODE " + moderated}, asked, "the first Send, which joins")
		case step.asks:
			assert.Equal(t, []string{"MODE " + moderated, "NAMES " + moderated}, asked, "step %d: believed muted, asked again", i+1)
		default:
			assert.Empty(t, asked, "step %d: known without asking", i+1)
		}
		assert.Equal(t, step.delivered, len(toModerated) > 0, "step %d: lines sent to %s: %q", i+1, moderated, toModerated)
		if step.delivered {
			assert.Equal(t, open+","+moderated, r.Meta["channels"], "step %d", i+1)
			continue
		}
		assert.Equal(t, open, r.Meta["channels"], "step %d", i+1)
		assert.Equal(t, moderated, r.Meta["failed"], "step %d", i+1)
		done, failure := m.Ledger.Done(moderated)
		assert.True(t, done, "step %d: failed for good", i+1)
		assert.Contains(t, failure, "the channel is moderated (+m) and the bot has no voice (+v)", "step %d", i+1)
	}
	require.NoError(t, ch.Close())
	for m := w.next(); m.Nick() != nick || m.Command != "QUIT"; m = w.next() {
		heard(m)
	}
	assert.Equal(t, []string{"Update 1", "Update 3", "Update 5"}, got, "what reached "+moderated)
}

// A one-letter key, wrong here: ngIRCd's refusal stays readable, the key
// hidden as a word and not cut out of every word with its letter.
func TestIntegrationOneLetterKey(t *testing.T) {
	t.Parallel()
	_, _, err := send(t, plainConfig(t, unique("bot"), "#keyed "+shortKey), sampleUpdate())
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err), "IsPermanent(%q)", err)
	assert.Contains(t, err.Error(), "join #keyed: 475 Cannot join channel (+k) -- Wrong channel key")
	assertNoKey(t, shortKey, err.Error())
}

// ngIRCd answers the lines to a +M channel (only users logged in to
// services may speak) with 477, as InspIRCd and Hybrid do: a refusal of
// the lines, for good for a bot without a SASL login.
func TestIntegrationRegisteredOnlyToSpeak(t *testing.T) {
	t.Parallel()
	regonly, nick := unique("#reg"), unique("bot")
	w := newWatcher(t, env(t, "OUTAGECAST_IRC_ADDR"), regonly)
	w.send("MODE " + regonly + " +M")
	w.until("MODE")
	_, _, err := send(t, plainConfig(t, nick, regonly), sampleUpdate())
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err), "IsPermanent(%q)", err)
	re, ok := replyError(err)
	require.True(t, ok, "a *irc.ReplyError in %q", err)
	assert.Equal(t, "477", re.Code)
	assert.Contains(t, err.Error(), "send to "+regonly+": the channel takes only users logged in to the network's services")
}

// Channel modes that admit only some users, as ngIRCd answers them: with
// 471, ERR_CHANNELISFULL, whatever the mode (src/ngircd/irc-channel.c,
// join_allowed). +z (TLS connections), +O (IRC operators; set by the
// server in scripts/ngircd.sh, since only an operator may set it) and +R
// (users services marked registered) keep the bot out at every attempt:
// each channel fails for good, saying why, while +l (full) stays pending
// and the open channel gets the update.
func TestIntegrationChannelModesForSomeUsers(t *testing.T) {
	t.Parallel()
	open, tlsOnly, regOnly, full, nick := unique("#open"), unique("#tls"), unique("#reg"), unique("#full"), unique("bot")
	w := newWatcher(t, env(t, "OUTAGECAST_IRC_ADDR"), open, tlsOnly, regOnly, full)
	for _, mode := range []string{tlsOnly + " +z", regOnly + " +R", full + " +l 1"} {
		w.send("MODE " + mode)
		w.until("MODE")
	}
	const opersOnly = "#opersonly" // predefined by scripts/ngircd.sh
	cfg := plainConfig(t, nick, open, tlsOnly, opersOnly, regOnly, full)
	ledger, te := sendWithFullPending(t, cfg, full, "join "+full+": 471 Cannot join channel (+l)")
	want := map[string]string{
		tlsOnly:   "join " + tlsOnly + ": the channel takes only users connected with TLS; set Config.TLS to TLSOn: 471 Cannot join channel (+z)",
		opersOnly: "join " + opersOnly + ": the channel takes only IRC operators: 471 Cannot join channel (+O)",
		regOnly:   "join " + regOnly + ": the channel takes only users logged in to the network's services; log in with",
	}
	got := map[string]string{}
	for _, f := range te.Failures {
		assert.True(t, broadcast.IsPermanent(f.Err), "%s: %v", f.Target, f.Err)
		got[f.Target] = f.Err.Error()
	}
	require.Len(t, got, len(want), "%v", te)
	for target, text := range want {
		assert.Contains(t, got[target], text)
	}
	assert.Equal(t, []string{open}, ledger.Delivered())
	lines, source := w.saidBy(nick)
	assert.Equal(t, expected(t, cfg, sampleUpdate(), source, open), lines)
}

// An operator's KICK while the bot posts (as a flood-protection bot kicks
// it) leaves the channel pending: ngIRCd lets a kicked user rejoin, and
// the next attempt rejoins and posts the update whole (ngIRCd has no
// echo-message, so no line is known to have been relayed before the
// KICK). A ban set with the KICK refuses that rejoin for good (474).
func TestIntegrationKick(t *testing.T) {
	t.Parallel()
	for _, ban := range []bool{false, true} {
		t.Run(fmt.Sprintf("ban %v", ban), func(t *testing.T) {
			t.Parallel()
			chName, nick := unique("#kick"), unique("bot")
			w := newWatcher(t, env(t, "OUTAGECAST_IRC_ADDR"), chName) // first in: a channel operator
			cfg := plainConfig(t, nick, chName)
			cfg.MaxLines, cfg.Interval = 8, time.Second // the burst, then a line a second: the KICK comes first
			u := sampleUpdate()
			u.Body = strings.Repeat("Edge nodes drop packets; traffic is being rerouted. ", 60)
			ch, err := irc.New(cfg)
			require.NoError(t, err)
			t.Cleanup(func() { _ = ch.Close() })
			m := broadcast.NewMessage(u)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()

			sent := make(chan error, 1)
			go func() {
				_, err := ch.Send(ctx, m)
				sent <- err
			}()
			for m := w.until("JOIN"); m.Nick() != nick; m = w.until("JOIN") {
			}
			// The KICK first: banned while still in the channel, the bot
			// would get 404 to its next line, a refusal for good.
			w.send("KICK " + chName + " " + nick + " :Flooding")
			if ban {
				// By user name: the retry may come while ngIRCd still holds
				// the nick, which it then takes with a "_" added.
				w.send("MODE " + chName + " +b *!*" + nick + "@*")
			}
			err = <-sent
			require.Error(t, err)
			assert.False(t, broadcast.IsPermanent(err), "a KICK allows a rejoin: %v", err)
			assert.Contains(t, err.Error(), "send to "+chName+": KICK Flooding")
			w.until("KICK")
			if ban {
				w.until("MODE") // set before the retry rejoins
			}

			r, err := ch.Send(ctx, m)
			if ban {
				require.Error(t, err)
				assert.True(t, broadcast.IsPermanent(err), "IsPermanent(%q)", err)
				assert.Contains(t, err.Error(), "join "+chName+": 474")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, chName, r.Meta["channels"])
			// ngIRCd paces what a client sends too, and may relay lines
			// the bot sent before the KICK reached it after the KICK, to
			// a channel that takes messages from outside (-n): they come
			// first, and the retry then posts the update whole.
			got, source := w.saidBy(nick)
			want := expected(t, cfg, u, source, chName)
			require.GreaterOrEqual(t, len(got), len(want))
			assert.Equal(t, want, got[len(got)-len(want):])
		})
	}
}

// ngIRCd's MaxJoins (on the second server of scripts/ngircd.sh) refuses a
// JOIN past the channels a client may be in at once with 405,
// ERR_TOOMANYCHANNELS. A Send to one channel more than that posts to the
// channels the server let it join and leaves the last one pending, not
// refused for good, naming it; the next attempt, on a new connection (a
// persistent one that got 405 is dropped), joins only that channel and
// posts there. Every channel gets the update once.
func TestIntegrationTooManyChannels(t *testing.T) {
	t.Parallel()
	addr := env(t, "OUTAGECAST_IRC_MAXJOINS_ADDR")
	limit, err := strconv.Atoi(env(t, "OUTAGECAST_IRC_MAXJOINS"))
	require.NoError(t, err)
	require.Positive(t, limit)
	for _, persistent := range []bool{false, true} {
		t.Run(map[bool]string{false: "a connection per Send", true: "persistent"}[persistent], func(t *testing.T) {
			t.Parallel()
			names := make([]string, limit+1)
			watchers := make([]*watcher, len(names))
			for i := range names {
				names[i] = unique("#max")
				watchers[i] = newWatcher(t, addr, names[i]) // one channel each: the limit is theirs too
			}
			last := names[limit]
			cfg := irc.Config{Server: addr, TLS: irc.TLSOff, Nick: unique("bot"), Channels: names, Persistent: persistent}
			ch, err := irc.New(cfg)
			require.NoError(t, err)
			t.Cleanup(func() { _ = ch.Close() })
			ledger := channeltest.NewLedger()
			m := broadcast.NewMessage(sampleUpdate())
			m.Ledger = ledger
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()

			_, err = ch.Send(ctx, m)
			require.Error(t, err)
			assert.False(t, broadcast.IsPermanent(err), "the next attempt joins %s: %v", last, err)
			p := onePending(t, err, last)
			assert.Contains(t, p.Err.Error(), "join "+last+": 405")
			re, ok := replyError(p.Err)
			require.True(t, ok, "a *irc.ReplyError in %q", p.Err)
			assert.Equal(t, "405", re.Code)
			assert.Empty(t, ledger.Failed())
			assert.ElementsMatch(t, names[:limit], ledger.Delivered())

			m.Attempt = 2
			r, err := ch.Send(ctx, m)
			require.NoError(t, err)
			assert.Equal(t, last, r.Meta["channels"], "only the channel left is posted to")
			assert.ElementsMatch(t, names, ledger.Delivered())
			require.NoError(t, ch.Close())
			for i, w := range watchers {
				got, source := w.saidBy(cfg.Nick)
				assert.Equal(t, expected(t, cfg, sampleUpdate(), source, names[i]), got, names[i])
			}
		})
	}
}

// ngIRCd names CASEMAPPING=ascii: "#x[" and "#x{" are two channels there,
// which New takes and Send posts to each, though a server of rfc1459
// would take them for one.
func TestIntegrationASCIICaseMapping(t *testing.T) {
	t.Parallel()
	base, nick := unique("#cm"), unique("bot")
	open, curly := base+"[", base+"{"
	wOpen := newWatcher(t, env(t, "OUTAGECAST_IRC_ADDR"), open)
	wCurly := newWatcher(t, env(t, "OUTAGECAST_IRC_ADDR"), curly)
	cfg := plainConfig(t, nick, open, curly)
	u := sampleUpdate()
	_, r, err := send(t, cfg, u)
	require.NoError(t, err)
	assert.Equal(t, open+","+curly, r.Meta["channels"])
	got, source := wOpen.saidBy(nick)
	assert.Equal(t, expected(t, cfg, u, source, open), got)
	got, source = wCurly.saidBy(nick)
	assert.Equal(t, expected(t, cfg, u, source, curly), got)
}
