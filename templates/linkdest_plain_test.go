package templates_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/templates"
)

// plainDestBody holds a link whose destination points to
// https://x.example/?a=1&amp;b=2 ("&amp;amp;" is "&amp;", CommonMark
// 0.31.2, 2.5), which a cut before it moves after the ellipsis within
// "<" and ">" (it holds a character reference, see
// TestShortenMovesDestinationAsItsURL).
const plainDestBody = "Some words before the link [the page](https://x.example/?a=1&amp;amp;b=2) and more words after it, many more words."

// movedDests returns, for each limit from 1 to the length of the text
// render gives with no limit, less one, the part of render's text from the "<" of
// the destination moved after the ellipsis, up to its ">": the form in
// which each cut that moves it writes it.
func movedDests(t *testing.T, render func(limit int) (string, error)) []string {
	t.Helper()
	full, err := render(0)
	require.NoError(t, err)
	var moved []string
	for limit := 1; limit < templates.Runes(full); limit++ {
		got, _ := render(limit)
		_, after, cut := strings.Cut(got, templates.Ellipsis)
		if i := strings.Index(after, "<https://x.example/?a=1"); cut && i >= 0 {
			moved = append(moved, after[i:i+strings.IndexByte(after[i:], '>')+1])
		}
	}
	require.NotEmpty(t, moved, "no cut moved the destination")
	return moved
}

// TestPlainTextShowsMovedDestinationsURL: in the text of a Plain Set
// (the Set of a channel that shows its text as written: X, IRC,
// Mastodon, Bluesky, Matrix, Telegram), a destination that Text's cut of
// an override moves after the ellipsis shows the URL the link points to,
// "&" as "&", whichever template renders the text, markdown too: the "<"
// and ">" around it are the delimiters of a URL in text (RFC 3986,
// Appendix C), and no character reference in it is read. Before, it was
// written as a CommonMark autolink, "&amp;" for each "&" that starts a
// character reference, which a plain-text channel shows as written: the
// reader saw <https://x.example/?a=1&amp;amp;b=2>, another URL. The form
// followed the template's name (short, subject and text plain), not what
// the channel does with the text.
func TestPlainTextShowsMovedDestinationsURL(t *testing.T) {
	set := templates.Default().Plain()
	for _, name := range []string{"short", "text", "markdown"} {
		u := broadcast.Update{Title: "T", Status: broadcast.StatusInvestigating, Overrides: map[string]string{"irc": plainDestBody}}
		for _, got := range movedDests(t, func(limit int) (string, error) { return set.Text("irc", name, u, limit, templates.Runes) }) {
			assert.Equal(t, "<https://x.example/?a=1&amp;b=2>", got, "Text of an override, template %s", name)
		}
	}
	for _, got := range movedDests(t, func(limit int) (string, error) {
		return templates.ShortenPlain(plainDestBody, limit, templates.Runes), nil
	}) {
		assert.Equal(t, "<https://x.example/?a=1&amp;b=2>", got, "ShortenPlain")
	}
}

// TestPlainSetIsDefaultsShownPlain: Plain of a nil Set is the defaults
// shown plain, With on a Plain Set keeps it Plain, and Plain leaves the Set
// it is called on as it was. The markdown template tells them apart: the
// plain-text ones are shown plain by every Set (see
// TestDefaultPlainTemplatesShowMovedDestinationsURL).
func TestPlainSetIsDefaultsShownPlain(t *testing.T) {
	var none *templates.Set
	u := broadcast.Update{Title: "T", Status: broadcast.StatusInvestigating, Overrides: map[string]string{"irc": plainDestBody}}
	with, err := none.Plain().With("mine", "{{.Title}}")
	require.NoError(t, err)
	for _, tt := range []struct {
		set  *templates.Set
		want string
	}{{none.Plain(), "<https://x.example/?a=1&amp;b=2>"}, {with, "<https://x.example/?a=1&amp;b=2>"}, {templates.Default(), "<https://x.example/?a=1&amp;amp;b=2>"}} {
		for _, got := range movedDests(t, func(limit int) (string, error) { return tt.set.Text("irc", "markdown", u, limit, templates.Runes) }) {
			assert.Equal(t, tt.want, got)
		}
	}
	assert.Equal(t, templates.Default().Names(), none.Plain().Names())
}

// TestMarkdownOverrideLinksMovedDestinationsURL: an override of the
// markdown template is CommonMark as written: a destination that Text's
// cut moves after the ellipsis is an autolink, "&amp;" for each "&" that
// would start a character reference (0.31.2, 2.5), so that it links the
// URL the link points to, as Shorten writes it.
func TestMarkdownOverrideLinksMovedDestinationsURL(t *testing.T) {
	u := broadcast.Update{Title: "T", Status: broadcast.StatusInvestigating, Overrides: map[string]string{"chat": plainDestBody}}
	for _, got := range movedDests(t, func(limit int) (string, error) {
		return templates.Default().Text("chat", "markdown", u, limit, templates.Runes)
	}) {
		assert.Equal(t, "<https://x.example/?a=1&amp;amp;b=2>", got)
	}
}

// TestDefaultPlainTemplatesShowMovedDestinationsURL: the plain-text
// templates of a Set that is not Plain (short, subject, text, their
// variants too: the one line for X, IRC, Mastodon and Bluesky, an
// e-mail's subject and text part) still write a destination that a cut
// moves after the ellipsis as the URL the link points to, "&" as "&",
// as they did before Set.Plain: a program that renders them with
// Default(), as the package's examples do, shows the text as written.
// The markdown template of that Set writes the CommonMark autolink (see
// TestMarkdownOverrideLinksMovedDestinationsURL).
func TestDefaultPlainTemplatesShowMovedDestinationsURL(t *testing.T) {
	own, err := templates.Default().With("short.resolved", "{{.Body}}")
	require.NoError(t, err)
	for _, set := range []*templates.Set{templates.Default(), nil, own} {
		for _, name := range []string{"short", "subject", "text"} {
			u := broadcast.Update{Title: "T", Status: broadcast.StatusInvestigating, Overrides: map[string]string{"sms": plainDestBody}}
			for _, got := range movedDests(t, func(limit int) (string, error) { return set.Text("sms", name, u, limit, templates.Runes) }) {
				assert.Equal(t, "<https://x.example/?a=1&amp;b=2>", got, "Text of an override, template %s", name)
			}
		}
	}
	// RenderFit cuts a text the template writes itself as Shorten does
	// when no field is left to cut.
	fixed, err := templates.Default().With("short.resolved", plainDestBody)
	require.NoError(t, err)
	u := broadcast.Update{Title: "T", Status: broadcast.StatusResolved}
	for _, got := range movedDests(t, func(limit int) (string, error) { return fixed.RenderFit("short", u, limit, templates.Runes) }) {
		assert.Equal(t, "<https://x.example/?a=1&amp;b=2>", got, "RenderFit of short.resolved")
	}
}
