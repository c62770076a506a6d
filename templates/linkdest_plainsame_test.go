package templates_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/templates"
)

// plainSameDests are link destinations as written, each with the URL the
// link points to as a plain-text channel shows it: its entity and numeric
// character references decoded once (CommonMark 0.31.2, "Entity and
// numeric character references": they are read in link destinations,
// so "&amp;amp;" is "&amp;"), within "<" and ">" where the URL would not
// be linked whole bare (see Shorten).
var plainSameDests = []struct{ dest, shown string }{
	{"https://x.example/a", "https://x.example/a"},
	{"https://x.example/?a=1&b=2", "https://x.example/?a=1&b=2"},
	{"https://x.example/?a=1&amp;b=2", "https://x.example/?a=1&b=2"},
	{"https://x.example/?a=1&amp;amp;b=2", "<https://x.example/?a=1&amp;b=2>"},
	{"https://x.example/?a=1&#38;b=2", "https://x.example/?a=1&b=2"},
	{"https://x.example/&quot;a&quot;", "<https://x.example/\"a\">"},
	{"https://x.example/a%20b%26c", "https://x.example/a%20b%26c"},
	{"<https://x.example/a b>", "<https://x.example/a%20b>"},
	{"<https://x.example/?a=1&amp;amp;b=2>", "<https://x.example/?a=1&amp;b=2>"},
	{"https://x.example/wiki/A_(b)", "https://x.example/wiki/A_(b)"},
	{"https://x.example/a\\)", "<https://x.example/a)>"},
}

// TestPlainLinkDestinationSameUncutAndCut: on a channel that shows its
// text as written (a Plain Set: X, Mastodon, Bluesky, IRC, Matrix,
// Telegram, Teams), a link of an override shows the URL it points to in
// the same bytes whether the text is cut or not. Before, the text that
// fit showed the destination as written ("[a](https://x.example/?a=1&amp;amp;b=2)",
// which the platform links as another URL) and a cut that moved it after
// the ellipsis the URL the link points to (<https://x.example/?a=1&amp;b=2>).
func TestPlainLinkDestinationSameUncutAndCut(t *testing.T) {
	set := templates.Default().Plain()
	channels := map[string][]string{
		"x": {"short"}, "mastodon": {"short"}, "bluesky": {"short"}, "irc": {"short", "markdown"},
		"matrix": {"text"}, "telegram": {"text", "markdown"}, "teams": {"text"},
	}
	for _, d := range plainSameDests {
		body := "Words before [a](" + d.dest + ") and after it, many more words here."
		for channel, names := range channels {
			for _, name := range names {
				u := broadcast.Update{Title: "T", Status: broadcast.StatusInvestigating, URL: "https://status.example.com/i/1",
					Overrides: map[string]string{channel: body}}
				render := func(limit int) string {
					out, err := set.Text(channel, name, u, limit, templates.Runes)
					require.NoError(t, err)
					return out
				}
				uncut, cut := plainShownDests(t, render)
				assert.Equal(t, d.shown, uncut, "%s %s: uncut, %s", channel, name, d.dest)
				assert.Equal(t, d.shown, cut, "%s %s: cut, %s", channel, name, d.dest)
			}
		}
		uncut, cut := plainShownDests(t, func(limit int) string { return templates.ShortenPlain(body, limit, templates.Runes) })
		assert.Equal(t, d.shown, uncut, "ShortenPlain: uncut, %s", d.dest)
		assert.Equal(t, d.shown, cut, "ShortenPlain: cut, %s", d.dest)
	}
}

// plainShownDests returns the destination as render's text shows it with
// no limit, within the link's "(" and ")", and as the cut that first
// moves it after the ellipsis writes it (the longest limit whose text
// does not keep the link and moves it).
func plainShownDests(t *testing.T, render func(limit int) string) (uncut, cut string) {
	t.Helper()
	full := render(0)
	i := strings.Index(full, "[a](")
	j := strings.LastIndex(full, ") and after")
	require.True(t, i >= 0 && j > i, "no link in %q", full)
	uncut = full[i+len("[a](") : j]
	for limit := templates.Runes(full) - 1; limit > 0; limit-- {
		got := render(limit)
		if strings.Contains(got, "[a](") {
			continue
		}
		_, after, ok := strings.Cut(got, templates.Ellipsis+" ")
		require.True(t, ok, "no URL moved in %q", got)
		cut, _, _ = strings.Cut(after, " ")
		return uncut, cut
	}
	t.Fatalf("no cut moved the destination of %q", full)
	return "", ""
}
