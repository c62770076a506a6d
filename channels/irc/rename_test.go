package irc_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The server may rename the bot while it posts: services rename a nick
// not identified in time ("Guest12345"), a collision renames it to its
// UID. Every later line is relayed with the new nick in its prefix, and
// must still fit 512 bytes: a line over it is cut or refused by the
// server, and the update with it. The fake server fails the test on any
// relayed line over 512 bytes.
func TestRenamedMidSendLinesStillFit(t *testing.T) {
	guest := "Guest" + strings.Repeat("7", 25) // 30 bytes, the server's NICKLEN
	text := strings.Repeat("x", 1500)          // lines as long as the prefix allows

	t.Run("the server names its NICKLEN: lines leave room for any nick", func(t *testing.T) {
		srv := newFakeServer(t, fakeOptions{isupport: []string{"NICKLEN=30"},
			rename: fakeRename{to: guest, atLine: 2}})
		cfg := testConfig(srv.addr())
		cfg.MaxLines = 20
		ch := newChannel(t, cfg)
		u := sampleUpdate()
		u.Overrides = map[string]string{"irc": text}
		_, err := ch.Send(context.Background(), message(u))
		require.NoError(t, err)
		assert.Equal(t, text, strings.Join(srv.saidIn("#ops"), ""))
		assert.Contains(t, srv.speakersOf(), guest, "renamed while posting")
	})

	t.Run("no NICKLEN: the channels after the rename get lines split anew", func(t *testing.T) {
		srv := newFakeServer(t, fakeOptions{rename: fakeRename{to: guest, atPing: 1}})
		cfg := testConfig(srv.addr())
		cfg.MaxLines = 20
		cfg.Channels = []string{"#a", "#b"}
		ch := newChannel(t, cfg)
		u := sampleUpdate()
		u.Overrides = map[string]string{"irc": text}
		_, err := ch.Send(context.Background(), message(u))
		require.NoError(t, err)
		a, b := srv.saidIn("#a"), srv.saidIn("#b")
		assert.Equal(t, text, strings.Join(a, ""))
		assert.Equal(t, text, strings.Join(b, ""))
		require.NotEmpty(t, b)
		assert.Less(t, len(b[0]), len(a[0]), "#b's lines, relayed with the longer nick, are shorter")
	})
}

// A server naming a NICKLEN longer than any server allows is posted to
// as one that names none: counted in every line's prefix, a nick of 300
// bytes would leave the text so little room that it would need more than
// Config.MaxLines lines, and be cut short; one of 480, no room at all,
// and every attempt would fail. The lines are split for the bot's own
// nicks, and a rename while posting is handled as on a server without
// NICKLEN.
func TestNickLenPastAnyServerIsIgnored(t *testing.T) {
	text := strings.Repeat("word ", 200) // 3 lines of the default 5, 6 with a 300-byte nick counted
	for _, isupport := range [][]string{{"NICKLEN=300"}, {"NICKLEN=480"}, {"NICKLEN=30", "MAXNICKLEN=300"}} {
		t.Run(strings.Join(isupport, " "), func(t *testing.T) {
			srv := newFakeServer(t, fakeOptions{isupport: isupport})
			ch := newChannel(t, testConfig(srv.addr()))
			u := sampleUpdate()
			u.Overrides = map[string]string{"irc": text}
			_, err := ch.Send(context.Background(), message(u))
			require.NoError(t, err)
			assert.Equal(t, strings.TrimSpace(text), strings.Join(srv.saidIn("#ops"), " "))
		})
	}
}

// The echo of a line the server relayed before it renamed the bot bears
// the old nick, and the NICK comes right after it: the echo is the bot's
// all the same, and the line relayed, not dropped (which would fail the
// channel and have a retry post it again).
func TestEchoBeforeARenameIsTheBots(t *testing.T) {
	srv := newFakeServer(t, fakeOptions{echoMessage: true, isupport: []string{"NICKLEN=30"},
		rename: fakeRename{to: "Guest12345", afterLine: 1}})
	ch := newChannel(t, testConfig(srv.addr()))
	u := sampleUpdate()
	u.Overrides = map[string]string{"irc": strings.Repeat("word ", 200)}
	_, err := ch.Send(context.Background(), message(u))
	require.NoError(t, err)
	assert.Equal(t, []string{"statusbot", "Guest12345", "Guest12345"}, srv.speakersOf())
}

// The channels split anew after a rename get another number of lines
// than those before it, and the Receipt's Meta["lines"] says how many
// each got, in the order of Meta["channels"]: it gave the last split's
// count as every channel's, 4 for #a, which got 3.
func TestRenamedMidSendReceiptCountsEachChannelsLines(t *testing.T) {
	guest := "Guest" + strings.Repeat("7", 25)
	srv := newFakeServer(t, fakeOptions{rename: fakeRename{to: guest, atPing: 1}})
	cfg := testConfig(srv.addr())
	cfg.MaxLines = 20
	cfg.Channels = []string{"#a", "#b"}
	ch := newChannel(t, cfg)
	u := sampleUpdate()
	// 3 lines for the prefix with the bot's own nick, 4 with the longer one.
	u.Overrides = map[string]string{"irc": strings.Repeat("x", 1380)}
	r, err := ch.Send(context.Background(), message(u))
	require.NoError(t, err)
	a, b := srv.saidIn("#a"), srv.saidIn("#b")
	require.NotEqual(t, len(a), len(b), "the test needs splits of different lengths")
	assert.Equal(t, "#a,#b", r.Meta["channels"])
	assert.Equal(t, strconv.Itoa(len(a))+","+strconv.Itoa(len(b)), r.Meta["lines"])
}
