package irc_test

import (
	"context"
	"crypto/tls"
	"github.com/outagecast/outagecast/redact"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/channels/irc"
	"github.com/outagecast/outagecast/templates"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const (
	serverPassword = "srv-pass-7f3a9c"
	saslPassword   = "sasl-pass-2b8e1d"
	devKey         = "dev-key-41c0e2"
)

// fastPacing keeps tests quick; the default pacing is checked against
// ngIRCd by the integration tests.
func testConfig(addr string) irc.Config {
	return irc.Config{
		Server: addr, TLS: irc.TLSOff, Nick: "statusbot", Channels: []string{"#ops"},
		Burst: 4, Interval: time.Millisecond, Timeout: 5 * time.Second,
	}
}

func newChannel(t *testing.T, cfg irc.Config) *irc.Channel {
	t.Helper()
	ch, err := irc.New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, ch.Close()) })
	return ch
}

func sampleUpdate() broadcast.Update {
	return broadcast.Update{
		ID: "u1", IncidentID: "cdn", Title: "Elevated CDN errors", Status: broadcast.StatusInvestigating,
		Body: "We are investigating elevated error rates.", URL: "https://status.example.com/i/1",
		Time: time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC),
	}
}

func message(u broadcast.Update) broadcast.Message { return broadcast.NewMessage(u) }

// raw is the Message of u as is, not cleaned by broadcast.Update.Clean: what
// a caller of Send that builds its own Message may pass. The channel's own
// defences must hold for it too.
func raw(u broadcast.Update) broadcast.Message {
	m := broadcast.NewMessage(u)
	m.Update = u
	return m
}

// fakeBudget is the bytes of text Send puts on a line to the fake server,
// whose prefix for the bot is ":statusbot!statusbot@127.0.0.1 ", for
// PRIVMSG to #ops: more than Preview's conservative 374.
var fakeBudget = budgetFor("statusbot!statusbot@127.0.0.1")

// linesAt returns the lines of u, rendered with template for at most
// maxLines lines of budget bytes: what Send posts once it knows the budget.
func linesAt(t *testing.T, template string, maxLines int, u broadcast.Update, budget int) []string {
	t.Helper()
	count := func(s string) int { return len(irc.Split(s, budget)) }
	text, err := templates.Default().Text("irc", template, u, maxLines, count)
	require.NoError(t, err)
	return irc.Split(text, budget)
}

// lineBudget returns the bytes per line of Preview.
func lineBudget(t *testing.T, ch *irc.Channel) int {
	t.Helper()
	p, err := ch.Preview(sampleUpdate())
	require.NoError(t, err)
	return p.Limit
}

func TestConformance(t *testing.T) {
	for _, persistent := range []bool{false, true} {
		name := "OneConnectionPerSend"
		if persistent {
			name = "Persistent"
		}
		t.Run(name, func(t *testing.T) {
			budget := 0
			channeltest.Run(t, channeltest.Harness{
				New: func(t *testing.T) (broadcast.Channel, channeltest.Backend) {
					srv := newFakeServer(t, fakeOptions{
						password: serverPassword,
						sasl:     map[string]string{"statusbot": saslPassword},
						keys:     map[string]string{"#dev": devKey},
					})
					cfg := conformanceConfig(srv.addr())
					cfg.Persistent = persistent
					ch := newChannel(t, cfg)
					budget = lineBudget(t, ch)
					return ch, srv
				},
				Reopen: func(t *testing.T, be channeltest.Backend) broadcast.Channel {
					cfg := conformanceConfig(be.(*fakeServer).addr())
					cfg.Persistent = persistent
					return newChannel(t, cfg)
				},
				TLS: func(t *testing.T, server *tls.Config, skipVerify bool) (broadcast.Channel, channeltest.Backend) {
					srv := newFakeServer(t, fakeOptions{
						password: serverPassword,
						sasl:     map[string]string{"statusbot": saslPassword},
						keys:     map[string]string{"#dev": devKey},
						tls:      server,
					})
					cfg := conformanceConfig(srv.addr())
					cfg.Persistent = persistent
					cfg.TLS = irc.TLSOn
					if skipVerify {
						cfg.TLSConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // what the rule checks
					}
					return newChannel(t, cfg), srv
				},
				Secrets:   []string{serverPassword, saslPassword, devKey},
				Config:    conformanceConfig("irc.example.net:6697"),
				MaxLength: fakeBudget,
				Measure:   templates.Bytes,
				ThreadsTo: channeltest.Unthreaded,
				Targets:   []string{"#ops", "#dev"},
				Failures: []channeltest.Failure{channeltest.FailTransient, channeltest.FailUnauthorized,
					channeltest.FailRejected, channeltest.FailEcho},
				// FailUnauthorized: the fake refuses the SASL login (904).
				CredentialField: "Config.SASLUser and Config.SASLPassword",
			})
			assert.Equal(t, 374, budget, "Preview's line budget for PRIVMSG to #ops: "+
				"512 - CRLF - 122 relay prefix - \"PRIVMSG \" - \"#ops\" - \" :\"")
		})
	}
}

// conformanceConfig is the configuration of the channel the conformance
// suite checks: every secret set, a keyed channel among the two.
func conformanceConfig(addr string) irc.Config {
	cfg := testConfig(addr)
	cfg.Password, cfg.SASLUser, cfg.SASLPassword = redact.NewSecret(serverPassword), "statusbot", redact.NewSecret(saslPassword)
	cfg.Channels = []string{"#ops", "#dev " + devKey}
	return cfg
}

func TestAlternateNick(t *testing.T) {
	srv := newFakeServer(t, fakeOptions{nicksInUse: []string{"statusbot", "statusbot_"}})
	ch := newChannel(t, testConfig(srv.addr()))
	_, err := ch.Send(context.Background(), message(sampleUpdate()))
	require.NoError(t, err)
	assert.Equal(t, []string{"NICK statusbot", "NICK statusbot", "NICK statusbot", "NICK statusbot", "NICK statusbot_", "NICK statusbot__"},
		srv.commands("NICK"), "the nick asked for 4 times (see TestNickHeldByEarlierConnection), then the alternates")
	assert.Len(t, srv.saidIn("#ops"), 1)
}

// A retry may connect while the server still holds the bot's nick for the
// connection of the attempt before, whose QUIT it has not processed yet
// (ngIRCd reads a client's lines only as fast as its penalty for flooding
// lets it). The bot asks for its nick again, a second apart, before an
// alternate: an alternate escapes a ban on the bot's nick and is not its
// account's. RFC 2812 section 3.1.2: 433 answers a NICK "currently in use",
// which can change.
func TestNickHeldByEarlierConnection(t *testing.T) {
	srv := newFakeServer(t, fakeOptions{nicksHeld: map[string]int{"statusbot": 2}})
	ch := newChannel(t, testConfig(srv.addr()))
	_, err := ch.Send(context.Background(), message(sampleUpdate()))
	require.NoError(t, err)
	assert.Equal(t, []string{"NICK statusbot", "NICK statusbot", "NICK statusbot"}, srv.commands("NICK"))
	assert.Len(t, srv.saidIn("#ops"), 1)
}

// A server that finds the nick held on another server of the network may
// answer 436 (ERR_NICKCOLLISION) and drop the NICK, killing no one (RFC
// 1459 section 4.1.2): the bot takes an alternate, as after 433, rather
// than wait for a welcome that never comes.
func TestNickCollision(t *testing.T) {
	srv := newFakeServer(t, fakeOptions{nickCollisions: []string{"statusbot"}})
	ch := newChannel(t, testConfig(srv.addr()))
	_, err := ch.Send(context.Background(), message(sampleUpdate()))
	require.NoError(t, err)
	nicks := srv.commands("NICK")
	assert.Equal(t, "NICK statusbot_", nicks[len(nicks)-1])
	assert.Len(t, srv.saidIn("#ops"), 1)
}

// A bot whose connection was lost without a QUIT finds its nick held by
// that ghost until the server's ping timeout, minutes. Logged in with SASL
// to the account that owns the nick, it asks WHOIS how long the holder has
// been idle (RPL_WHOISIDLE, RFC 2812 section 5.1): idle for 3 ×
// Config.Timeout, and a minute, or more, a ghost, not a live connection
// of the same bot (another process with the same Config), it asks
// NickServ to disconnect it (GHOST, which Atheme's modules/nickserv/ghost.c, Anope and Ergo grant
// the account's owner without a password), then takes the nick with NICK,
// once; when that fails, or there are no services (401 to the PRIVMSG), it
// posts on the alternate, as without SASL, which asks nothing of services.
func TestNickRegainedFromServices(t *testing.T) {
	const (
		whois = "WHOIS statusbot statusbot"
		ghost = "PRIVMSG NickServ :GHOST statusbot"
		nick  = "NICK statusbot"
	)
	tests := []struct {
		name     string
		opts     fakeOptions
		account  string // the SASL account, "" none
		persist  bool   // Config.Persistent
		wantNick string
		wantWire []string // WHOIS, the lines to NickServ, and the NICKs after the alternate
	}{
		{"ghosted", fakeOptions{services: true, holderIdle: 600}, "statusbot", false, "statusbot", []string{whois, ghost, nick}},
		{"not the nick's account", fakeOptions{services: true, holderIdle: 600}, "other", false, "statusbot_", []string{whois, ghost, nick}},
		{"no services", fakeOptions{holderIdle: 600}, "statusbot", false, "statusbot_", []string{whois, ghost}},
		{"holder alive", fakeOptions{services: true, holderIdle: 59}, "statusbot", false, "statusbot_", []string{whois}},
		{"idle not shown", fakeOptions{services: true, holderIdle: -1}, "statusbot", false, "statusbot_", []string{whois}},
		{"no SASL login", fakeOptions{services: true, holderIdle: 600}, "", false, "statusbot_", []string{}},
		{"freed meanwhile", fakeOptions{nicksHeld: map[string]int{"statusbot": 4}}, "statusbot", false, "statusbot", []string{whois, nick}},
		// Instances sharing a Config with Persistent each keep a connection
		// that is idle between Sends: they would ghost each other in turn.
		{"persistent", fakeOptions{services: true, holderIdle: 600}, "statusbot", true, "statusbot_", []string{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opts := tc.opts
			if opts.nicksHeld == nil {
				opts.nicksInUse = []string{"statusbot"}
			}
			cfg := testConfig("") // Timeout 5 s: a ghost is idle for a minute or more
			if tc.account != "" {
				opts.sasl = map[string]string{tc.account: saslPassword}
				cfg.SASLUser, cfg.SASLPassword = tc.account, redact.NewSecret(saslPassword)
			}
			cfg.Persistent = tc.persist
			srv := newFakeServer(t, opts)
			cfg.Server = srv.addr()
			ch := newChannel(t, cfg)
			_, err := ch.Send(context.Background(), message(sampleUpdate()))
			require.NoError(t, err)
			assert.Equal(t, []string{tc.wantNick}, srv.speakersOf(), "the nick the bot posted with")
			wire := srv.commands("NICK", "PRIVMSG NickServ", "WHOIS")
			assert.Equal(t, slices.Repeat([]string{nick}, 4), wire[:4], "asked for 4 times")
			assert.Equal(t, "NICK statusbot_", wire[4])
			assert.Equal(t, tc.wantWire, wire[5:])
		})
	}
}

// NickServ says other things than the answer to GHOST, unasked: on a nick
// that is registered (Atheme: "This nickname is registered. Please choose
// a different nickname, or identify via /msg NickServ IDENTIFY statusbot
// <password>."; Anope: "This nickname is registered and protected."), on
// a login ("You are now logged in as statusbot."). Services on a server of
// their own answer the GHOST a moment later. Taken for the answer, such a
// notice had the bot ask for its nick while the ghost still held it, and
// stay on the alternate. Only the answer to GHOST counts: Atheme's
// (modules/nickserv/ghost.c) and Anope's (ns_ghost, ns_recover) texts.
func TestGhostAnswerIsNotOtherNickServChatter(t *testing.T) {
	tests := []struct{ name, chatter, reply string }{
		{"Atheme", "This nickname is registered. Please choose a different nickname, or identify via \x02/msg NickServ IDENTIFY statusbot <password>\x02.",
			"\x02%s\x02 has been ghosted."},
		{"Anope", "This nickname is registered and protected. If it is your nick, type \x02/msg NickServ IDENTIFY \x1fpassword\x1f\x02.",
			"Ghost with your nick has been killed."},
		{"login", "You are now logged in as statusbot.", "\x02%s\x02 has been ghosted."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := newFakeServer(t, fakeOptions{sasl: map[string]string{"statusbot": saslPassword}, services: true,
				holderIdle: 600, nicksInUse: []string{"statusbot"},
				chatter: tc.chatter, ghostReply: tc.reply, ghostDelay: 200 * time.Millisecond})
			cfg := testConfig(srv.addr())
			cfg.SASLUser, cfg.SASLPassword = "statusbot", redact.NewSecret(saslPassword)
			ch := newChannel(t, cfg)
			_, err := ch.Send(context.Background(), message(sampleUpdate()))
			require.NoError(t, err)
			assert.Equal(t, []string{"statusbot"}, srv.speakersOf(), "the nick the bot posted with")
		})
	}
}

// Ergo's NickServ (irc/nickserv.go) grants a GHOST without a word: the bot
// waited Config.Timeout for an answer that never came before it asked for
// its nick. ISON (RFC 2812 section 4.9), sent after the GHOST, finds the
// nick free at once, as services in the server disconnect the ghost
// before the server reads the next line. With a Timeout longer than the
// Send's deadline, a wait for the answer ends the Send with an error.
func TestSilentGhostGrant(t *testing.T) {
	srv := newFakeServer(t, fakeOptions{sasl: map[string]string{"statusbot": saslPassword}, services: true,
		holderIdle: 3600, nicksInUse: []string{"statusbot"}, ghostSilent: true})
	cfg := testConfig(srv.addr())
	cfg.Timeout = 10 * time.Minute
	cfg.SASLUser, cfg.SASLPassword = "statusbot", redact.NewSecret(saslPassword)
	ch := newChannel(t, cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := ch.Send(ctx, message(sampleUpdate()))
	require.NoError(t, err)
	assert.Equal(t, []string{"statusbot"}, srv.speakersOf(), "the nick the bot posted with")
	assert.Equal(t, []string{"PRIVMSG NickServ :GHOST statusbot", "ISON statusbot"}, srv.commands("PRIVMSG NickServ", "ISON"))
}

func TestSendWireProtocol(t *testing.T) {
	srv := newFakeServer(t, fakeOptions{
		password: serverPassword, sasl: map[string]string{"acct": saslPassword},
		keys: map[string]string{"#keyed": "sesame"},
	})
	cfg := testConfig(srv.addr())
	cfg.Password, cfg.SASLUser, cfg.SASLPassword = redact.NewSecret(serverPassword), "acct", redact.NewSecret(saslPassword)
	cfg.Channels = []string{"#ops", "#keyed sesame"}
	cfg.Notice = true
	ch := newChannel(t, cfg)
	r, err := ch.Send(context.Background(), message(sampleUpdate()))
	require.NoError(t, err)

	assert.Equal(t, []string{
		"PASS " + serverPassword, "CAP LS 302", "NICK statusbot", "USER statusbot 0 * outagecast",
		"CAP REQ sasl", "AUTHENTICATE PLAIN",
	}, srv.commands("PASS", "CAP", "NICK", "USER", "AUTHENTICATE")[:6])
	assert.Equal(t, []string{"JOIN #ops", "JOIN #keyed sesame"}, srv.commands("JOIN"))
	want := "Investigating: Elevated CDN errors — We are investigating elevated error rates. https://status.example.com/i/1"
	assert.Equal(t, []string{"NOTICE #ops :" + want, "NOTICE #keyed :" + want}, srv.commands("NOTICE"))
	assert.Equal(t, []string{"QUIT outagecast"}, srv.commands("QUIT"))
	assert.Empty(t, r.ID, "IRC has no message ids")
	assert.Equal(t, map[string]string{"channels": "#ops,#keyed", "lines": "1"}, r.Meta)
	assert.Equal(t, "irc", r.Channel)
}

func TestSendInjection(t *testing.T) {
	srv := newFakeServer(t, fakeOptions{})
	ch := newChannel(t, testConfig(srv.addr()))
	u := sampleUpdate()
	u.Overrides = map[string]string{"irc": "first\r\nQUIT :bye\r\nPRIVMSG #other :x\x00\x01ACTION y\x01 \x02bold\x02 \x1b[31m"}
	_, err := ch.Send(context.Background(), raw(u))
	require.NoError(t, err)
	assert.Equal(t, []string{"first QUIT :bye PRIVMSG #other :xACTION y bold [31m"}, srv.saidIn("#ops"),
		"the short template is one line: line breaks become spaces, control characters go")
	assert.Empty(t, srv.saidIn("#other"))
	assert.Equal(t, []string{"QUIT outagecast"}, srv.commands("QUIT"))

	u.Overrides = nil
	u.Body = "one\r\nQUIT :bye\nPRIVMSG #other :x"
	cfg := testConfig(srv.addr())
	cfg.Template = "text"
	cfg.MaxLines = 10
	ch = newChannel(t, cfg)
	_, err = ch.Send(context.Background(), raw(u))
	require.NoError(t, err)
	said := srv.saidIn("#ops")[1:]
	assert.Contains(t, said, "QUIT :bye", "with the text template each body line is a line of text")
	assert.Contains(t, said, "PRIVMSG #other :x")
	assert.Empty(t, srv.saidIn("#other"))
	assert.Len(t, srv.commands("QUIT"), 2, "one QUIT per Send, none from the text")
}

// IRC formatting in an update (pasted from an IRC client, relayed from an
// alert bot) goes, colour codes with their colours: the line does not
// read "04,01ALERT", whether the update comes through the Broadcaster
// (message, cleaned) or as is (raw).
func TestSendFormattingCodes(t *testing.T) {
	srv := newFakeServer(t, fakeOptions{})
	ch := newChannel(t, testConfig(srv.addr()))
	u := sampleUpdate()
	u.Overrides = map[string]string{"irc": "\x0304,01ALERT\x03 CDN \x02errors\x0f \x1dup\x1d\x1f\x16 \x01ACTION x\x01"}
	for _, m := range []broadcast.Message{message(u), raw(u)} {
		_, err := ch.Send(context.Background(), m)
		require.NoError(t, err)
	}
	assert.Equal(t, []string{"ALERT CDN errors up ACTION x", "ALERT CDN errors up ACTION x"}, srv.saidIn("#ops"))
}

func TestSendLongTextIsSplit(t *testing.T) {
	srv := newFakeServer(t, fakeOptions{})
	cfg := testConfig(srv.addr())
	cfg.MaxLines = 20
	ch := newChannel(t, cfg)
	u := sampleUpdate()
	u.Body = strings.Repeat("Packets are dropped at the edge in Zürich 🇨🇭. ", 40)
	_, err := ch.Send(context.Background(), message(u))
	require.NoError(t, err)
	said := srv.saidIn("#ops")
	assert.Equal(t, linesAt(t, "short", 20, message(u).Update, fakeBudget), said)
	assert.Greater(t, len(said), 4)
	for _, l := range said {
		assert.LessOrEqual(t, len(l), fakeBudget)
	}
	p, err := ch.Preview(u)
	require.NoError(t, err)
	assert.Equal(t, linesAt(t, "short", 20, u, 374), strings.Split(p.Text, "\n"),
		"Preview splits the same text at the conservative budget")
	assert.Equal(t, strings.Join(strings.Fields(mustRender(t, u)), " "), strings.Join(said, " "),
		"splitting at spaces loses nothing")
}

func mustRender(t *testing.T, u broadcast.Update) string {
	t.Helper()
	s, err := templates.Default().Render("short", u)
	require.NoError(t, err)
	return s
}

func TestSendLedger(t *testing.T) {
	srv := newFakeServer(t, fakeOptions{keys: map[string]string{"#keyed": "sesame"}})
	cfg := testConfig(srv.addr())
	cfg.Channels = []string{"#a", "#keyed nope", "#b"}
	ch := newChannel(t, cfg)
	ledger := channeltest.NewLedger()
	m := message(sampleUpdate())
	m.Ledger = ledger

	r, err := ch.Send(context.Background(), m)
	require.NoError(t, err, "the refusal is reported through the ledger")
	assert.Equal(t, "#a,#b", r.Meta["channels"])
	assert.Equal(t, "#keyed", r.Meta["failed"])
	assert.Equal(t, []string{"#a", "#b"}, ledger.Delivered())
	assert.Contains(t, ledger.Failed(), "#keyed")

	m.Attempt = 2
	r, err = ch.Send(context.Background(), m)
	require.NoError(t, err, "a retry has nothing left to do")
	assert.Equal(t, "", r.Meta["channels"])
	assert.Equal(t, 1, srv.connections(), "no connection when every channel is done")
	assert.Len(t, srv.saidIn("#a"), 1)

	pre := channeltest.NewLedger()
	require.NoError(t, pre.MarkDelivered("#a"))
	m.Ledger = pre
	cfg.Channels = []string{"#a", "#b"}
	ch = newChannel(t, cfg)
	_, err = ch.Send(context.Background(), m)
	require.NoError(t, err)
	assert.Len(t, srv.saidIn("#a"), 1, "#a was done by an earlier attempt")
	assert.Len(t, srv.saidIn("#b"), 2)
}

func TestCheck(t *testing.T) {
	srv := newFakeServer(t, fakeOptions{password: "right"})
	cfg := testConfig(srv.addr())
	cfg.Password = redact.NewSecret("right")
	require.NoError(t, newChannel(t, cfg).Check(context.Background()))
	assert.Empty(t, srv.commands("JOIN", "PRIVMSG"), "Check posts nothing")
	assert.Len(t, srv.commands("QUIT"), 1)

	cfg.Password = redact.NewSecret("wrong")
	err := newChannel(t, cfg).Check(context.Background())
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err))
}

func TestPersistent(t *testing.T) {
	srv := newFakeServer(t, fakeOptions{})
	cfg := testConfig(srv.addr())
	cfg.Persistent = true
	ch, err := irc.New(cfg)
	require.NoError(t, err)
	send := func(n int) {
		t.Helper()
		u := sampleUpdate()
		u.Title += strings.Repeat("!", n)
		_, err := ch.Send(context.Background(), message(u))
		require.NoError(t, err)
	}
	send(1)
	send(2)
	assert.Equal(t, 1, srv.connections(), "the second Send reuses the connection")
	assert.Len(t, srv.commands("JOIN"), 1, "and the channel stays joined")
	assert.Empty(t, srv.commands("QUIT"))

	srv.dropAll()
	send(3)
	assert.Equal(t, 2, srv.connections(), "a dropped connection is re-established")
	assert.Len(t, srv.saidIn("#ops"), 3)

	require.NoError(t, ch.Close())
	assert.Len(t, srv.commands("QUIT"), 1, "Close quits")
	_, err = ch.Send(context.Background(), message(sampleUpdate()))
	require.ErrorIs(t, err, irc.ErrClosed)
	assert.True(t, broadcast.IsPermanent(err))
	require.NoError(t, ch.Close(), "Close twice")
	// TestMain's goleak check proves the reader stopped.
}

// A persistent bot that registered on an alternate nick, its own held by
// a ghost of its (a crash) until the server's ping timeout, takes its nick
// back once the server frees it: it asks for it before posting on the
// kept connection, and posts as itself, not as the alternate for as long
// as the connection lasts (days). A nick still in use (another instance
// with the same Config) leaves it on the alternate, asking again at the
// next Send, without services: nothing is disconnected.
func TestPersistentTakesNickBack(t *testing.T) {
	srv := newFakeServer(t, fakeOptions{nicksHeld: map[string]int{"statusbot": 5}}) // 4 asks, then 1 at the second Send
	cfg := testConfig(srv.addr())
	cfg.Persistent = true
	ch := newChannel(t, cfg)
	send := func(n int) {
		t.Helper()
		u := sampleUpdate()
		u.Title += strings.Repeat("!", n)
		_, err := ch.Send(context.Background(), message(u))
		require.NoError(t, err)
	}
	send(1)
	send(2)
	send(3)
	assert.Equal(t, 1, srv.connections())
	assert.Equal(t, []string{"statusbot_", "statusbot_", "statusbot"}, srv.speakersOf(),
		"on the alternate while the nick is held, then as itself")
	assert.Empty(t, srv.commands("WHOIS"), "no services asked")
	require.NoError(t, ch.Close())
}

// A kept connection the server ended with an ERROR line while it was
// idle, leaving the socket open (and answering PINGs on it), is not used
// again: the next Send connects anew, where lines sent on the old one
// would reach no channel on a real server.
func TestPersistentEndedWhileIdle(t *testing.T) {
	srv := newFakeServer(t, fakeOptions{})
	cfg := testConfig(srv.addr())
	cfg.Persistent = true
	ch := newChannel(t, cfg)
	_, err := ch.Send(context.Background(), message(sampleUpdate()))
	require.NoError(t, err)
	require.Equal(t, 1, srv.connections())

	srv.sayAll("ERROR :Closing Link: statusbot[127.0.0.1] (Ping timeout)")
	// The bot answers PINGs in the order its lines come: once this one
	// is answered, the ERROR before it was read.
	srv.sayAll("PING :after-error")
	require.Eventually(t, func() bool { return len(srv.commands("PONG :after-error", "PONG after-error")) > 0 },
		5*time.Second, time.Millisecond)

	u := sampleUpdate()
	u.ID, u.Status = "u2", broadcast.StatusIdentified
	_, err = ch.Send(context.Background(), message(u))
	require.NoError(t, err)
	assert.Equal(t, 2, srv.connections(), "the second Send connects anew")
	require.NoError(t, ch.Close())
}

// A kept connection that died without a reset (a NAT or firewall dropped
// the idle flow) answers nothing: the probe before posting gives up on it
// within a few seconds, and the same attempt posts on a new connection,
// where a wait of Config.Timeout would use up the whole attempt.
func TestPersistentHalfOpen(t *testing.T) {
	srv := newFakeServer(t, fakeOptions{})
	cfg := testConfig(srv.addr())
	cfg.Persistent = true
	cfg.Timeout = irc.DefaultTimeout // as long as the Broadcaster's attempt
	ch := newChannel(t, cfg)
	_, err := ch.Send(context.Background(), message(sampleUpdate()))
	require.NoError(t, err)
	require.Equal(t, 1, srv.connections())

	srv.freeze()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	u := sampleUpdate()
	u.ID, u.Status = "u2", broadcast.StatusIdentified
	receipt, err := ch.Send(ctx, message(u))
	require.NoError(t, err, "the attempt that found the connection dead delivers")
	assert.Equal(t, "#ops", receipt.Meta["channels"])
	assert.Equal(t, 2, srv.connections(), "on a new connection")
	said := srv.saidIn("#ops")
	require.NotEmpty(t, said)
	assert.Contains(t, said[len(said)-1], "Identified:", "the second update")
}

func TestSendCancelledWhileWaitingForTurn(t *testing.T) {
	srv := newFakeServer(t, fakeOptions{noPong: true})
	cfg := testConfig(srv.addr())
	cfg.Timeout = time.Minute
	ch := newChannel(t, cfg)
	first, cancelFirst := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := ch.Send(first, message(sampleUpdate()))
		done <- err
	}()
	require.Eventually(t, func() bool { return len(srv.commands("PING")) > 0 }, 5*time.Second, time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err := ch.Send(ctx, message(sampleUpdate()))
	require.ErrorIs(t, err, context.DeadlineExceeded, "the second Send waits for the first, within its ctx")
	cancelFirst()
	require.ErrorIs(t, <-done, context.Canceled)
}

// A template that renders nothing to send (only control characters) is
// refused by New; one that does for some update only fails for good at
// Send, before connecting. An override of only control characters is
// none: the template is rendered (see broadcast.Update.Override).
func TestRenderErrors(t *testing.T) {
	srv := newFakeServer(t, fakeOptions{})
	cfg := testConfig(srv.addr())
	empty, err := templates.Default().With("short", "{{if .Title}}\x01\x02{{end}}")
	require.NoError(t, err)
	cfg.Templates = empty
	_, err = irc.New(cfg)
	assert.ErrorContains(t, err, `irc: Config.Templates: templates: the text shows nothing: template "short" rendered only white space`)

	sometimes, err := templates.Default().With("short", "{{if eq .Body \"quiet\"}}\x01\x02{{else}}{{.Title}}{{end}}")
	require.NoError(t, err)
	cfg.Templates = sometimes
	ch := newChannel(t, cfg)
	u := sampleUpdate()
	u.Body = "quiet"
	u.Overrides = map[string]string{"irc": "\x00\x01\x02"}
	_, err = ch.Send(context.Background(), raw(u))
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err))
	assert.ErrorIs(t, err, templates.ErrBlank)
	assert.Equal(t, 0, srv.connections(), "nothing to send: no connection")
}

// The default user name (ident) is one every server takes: Solanum refuses
// one that does not start with a letter or digit ("Invalid username"),
// which a nick may ("_status", "[bot]"), at every attempt.
func TestDefaultUserName(t *testing.T) {
	for nick, want := range map[string]string{
		"statusbot":    "statusbot",
		"[Status_Bot]": "status_bot",
		"_status":      "status",
		"`^{}":         "outagecast",
	} {
		srv := newFakeServer(t, fakeOptions{})
		cfg := testConfig(srv.addr())
		cfg.Nick = nick
		ch := newChannel(t, cfg)
		_, err := ch.Send(context.Background(), message(sampleUpdate()))
		require.NoError(t, err, nick)
		assert.Equal(t, []string{"USER " + want + " 0 * outagecast"}, srv.commands("USER"), nick)
	}
}

// The pauses between asks for a nick in use (three of a second) are the
// bot's own, not the server's silence: a Timeout shorter than them still
// registers on the alternate. They used to count against Timeout, and the
// registration failed as "no answer from the server".
func TestNickAsksDoNotSpendTimeout(t *testing.T) {
	srv := newFakeServer(t, fakeOptions{nicksInUse: []string{"statusbot"}})
	cfg := testConfig(srv.addr())
	cfg.Timeout = 2500 * time.Millisecond
	ch := newChannel(t, cfg)
	_, err := ch.Send(context.Background(), message(sampleUpdate()))
	require.NoError(t, err)
	assert.Equal(t, []string{"statusbot_"}, srv.speakersOf())
}
