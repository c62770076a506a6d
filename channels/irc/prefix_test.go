package irc_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// budgetFor is the bytes of text Send puts on a PRIVMSG to #ops when the
// server relays it with the prefix of mask (nick!user@host): the nick
// counted with the two underscores of its longest alternate, so that the
// lines are split alike whichever of its nicks the bot gets.
func budgetFor(mask string) int {
	return 512 - len("\r\n") - len(":"+mask+"__ ") - len("PRIVMSG #ops :")
}

// Send budgets its lines with the prefix the server puts on them, as the
// server shows it (001, USERHOST, 396, the echo of the bot's JOIN), not
// with a guess: a short prefix leaves room for a long URL, a long one
// (more than the 122 bytes of the conservative guess) never makes a relayed
// line longer than 512 bytes. The fake server fails the test if one is.
func TestSendBudgetsTheRealPrefix(t *testing.T) {
	longHost := strings.Repeat("h", 59) + ".net" // 63 bytes, the usual maximum
	longNick := "statusbot" + strings.Repeat("x", 21)
	longUser := strings.Repeat("u", 40)
	tests := []struct {
		name   string
		opts   fakeOptions
		nick   string
		user   string
		budget int
	}{
		{name: "short prefix, from the JOIN echo", budget: budgetFor("statusbot!statusbot@127.0.0.1")},
		{name: "from 001", opts: fakeOptions{welcomeMask: true}, budget: budgetFor("statusbot!statusbot@127.0.0.1")},
		{name: "longer than the guess", opts: fakeOptions{host: longHost}, nick: longNick, user: longUser,
			budget: budgetFor(longNick + "!" + longUser + "@" + longHost)},
		{name: "a hidden host (396)", opts: fakeOptions{hiddenHost: longHost, welcomeMask: true},
			budget: budgetFor("statusbot!statusbot@" + longHost)},
		{name: "USERHOST shows the real IP, relays show the host",
			opts:   fakeOptions{host: longHost, sockhost: "10.0.0.1"},
			budget: budgetFor("statusbot!statusbot@" + longHost)},
		{name: "never shown: the conservative budget", opts: fakeOptions{bareSource: true}, budget: 374},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newFakeServer(t, tt.opts)
			cfg := testConfig(srv.addr())
			cfg.MaxLines = 20
			if tt.nick != "" {
				cfg.Nick, cfg.User = tt.nick, tt.user
			}
			ch := newChannel(t, cfg)
			u := sampleUpdate()
			u.Overrides = map[string]string{"irc": strings.Repeat("x", 3000)}
			r, err := ch.Send(context.Background(), message(u))
			require.NoError(t, err)
			said := srv.saidIn("#ops")
			require.Greater(t, len(said), 1)
			assert.Len(t, said[0], tt.budget, "a line as long as the prefix allows")
			assert.Equal(t, strings.Repeat("x", 3000), strings.Join(said, ""))
			assert.Equal(t, r.Meta["lines"], strconv.Itoa(len(said)))
		})
	}
}

// A 400-byte status page URL, more than the conservative budget of 374
// bytes allows, arrives whole on a line of its own: with a short nick the
// real prefix leaves room. Preview, which does no I/O, keeps the
// conservative budget and refuses it.
func TestSendLongURLWithShortNick(t *testing.T) {
	for _, persistent := range []bool{false, true} {
		srv := newFakeServer(t, fakeOptions{})
		cfg := testConfig(srv.addr())
		cfg.Persistent = persistent
		ch := newChannel(t, cfg)
		u := sampleUpdate()
		u.URL = longURL(400)
		for range 2 { // a kept connection remembers the prefix
			_, err := ch.Send(context.Background(), message(u))
			require.NoError(t, err, "persistent: %v", persistent)
		}
		said := srv.saidIn("#ops")
		assert.Equal(t, []string{"Investigating: Elevated CDN errors — We are investigating elevated error rates.", u.URL}, said[:2])
		assert.Equal(t, said[:2], said[2:])
		_, err := ch.Preview(u)
		assert.ErrorContains(t, err, "a URL of 400 bytes cannot be kept whole: one line has room for 374 bytes")
	}
}

// When the server never shows the bot's user and host, a URL that needs
// more than the conservative budget is refused after registration, before
// anything is posted.
func TestSendLongURLPrefixUnknown(t *testing.T) {
	srv := newFakeServer(t, fakeOptions{bareSource: true})
	ch := newChannel(t, testConfig(srv.addr()))
	u := sampleUpdate()
	u.URL = longURL(400)
	_, err := ch.Send(context.Background(), message(u))
	require.ErrorContains(t, err, "a URL of 400 bytes cannot be kept whole: one line has room for 374 bytes")
	assert.Empty(t, srv.commands("PRIVMSG"))
	assert.Len(t, srv.commands("QUIT"), 1, "the bot quits cleanly")
}
