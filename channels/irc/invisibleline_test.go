package irc_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/irc"
)

// invisible is a line that shows nothing though it holds no white space:
// a zero-width space, a word joiner, a left-to-right mark and a BOM, all
// format characters (see broadcast.Blank).
const invisible = "\u200b\u2060\u200e\ufeff"

// A line of the text that shows nothing but is not white space is not
// posted: before, it went out as a PRIVMSG of its own, a blank message in
// the channel that also used up one of Config.MaxLines and of the flood
// limit.
func TestInvisibleLineNotPosted(t *testing.T) {
	srv := newFakeServer(t, fakeOptions{})
	cfg := testConfig(srv.addr())
	cfg.Template = "text" // the body's lines as they are
	ch := newChannel(t, cfg)
	u := sampleUpdate()
	u.Body = "Error rates are up.\n" + invisible + "\n \u200b \u3000\nA fix is being deployed."

	p, err := ch.Preview(u)
	require.NoError(t, err)
	for _, line := range strings.Split(p.Text, "\n") {
		assert.False(t, broadcast.Blank(line), "preview line %q shows nothing", line)
	}

	_, err = ch.Send(context.Background(), message(u))
	require.NoError(t, err)
	said := srv.saidIn("#ops")
	require.NotEmpty(t, said)
	for _, line := range said {
		assert.False(t, broadcast.Blank(line), "posted %q, which shows nothing", line)
	}
	all := strings.Join(said, "\n")
	assert.Contains(t, all, "Error rates are up.")
	assert.Contains(t, all, "A fix is being deployed.")
}

// A line that shows nothing does not take one of Config.MaxLines: given
// the lines it needs and no more, the text is posted whole. Before, the
// invisible line was counted and posted, and the text was cut to make
// room for it: the second line was that line, an ellipsis and the URL.
func TestInvisibleLineTakesNoLine(t *testing.T) {
	srv := newFakeServer(t, fakeOptions{})
	cfg := testConfig(srv.addr())
	cfg.Template, cfg.MaxLines = "text", 2
	u := sampleUpdate()
	u.Overrides = map[string]string{"irc": "First line.\n" + invisible + "\nSecond line. " + u.URL}
	ch := newChannel(t, cfg)

	p, err := ch.Preview(u)
	require.NoError(t, err)
	assert.Equal(t, "First line.\nSecond line. "+u.URL, p.Text)

	_, err = ch.Send(context.Background(), message(u))
	require.NoError(t, err)
	assert.Equal(t, []string{"First line.", "Second line. " + u.URL}, srv.saidIn("#ops"))
}

// Split drops a line, or a piece cut from a long line, that shows
// nothing: format characters as well as white space.
func TestSplitDropsInvisibleLines(t *testing.T) {
	assert.Equal(t, []string{"a", "b"}, irc.Split("a\n"+invisible+"\n \u200b\u00a0\nb", 10))
	assert.Equal(t, []string{"abcd"}, irc.Split("abcd"+strings.Repeat("\u200b", 8), 4))
	assert.Empty(t, irc.Split(invisible+" "+invisible, 10))
}
