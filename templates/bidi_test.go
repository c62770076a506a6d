package templates_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/templates"
)

// openBidi returns how many embeddings, overrides and isolates are open at
// the end of s, by the pairing rules of the Unicode Bidirectional
// Algorithm (a line break closes them all).
func openBidi(s string) int {
	var st []rune
	for _, r := range s {
		switch r {
		case '\u202A', '\u202B', '\u202D', '\u202E', '\u2066', '\u2067', '\u2068':
			st = append(st, r)
		case '\u202C':
			if n := len(st); n > 0 && st[n-1] < '\u2066' {
				st = st[:n-1]
			}
		case '\u2069':
			for n := len(st); n > 0; n-- {
				if st[n-1] >= '\u2066' {
					st = st[:n-1]
					break
				}
			}
		case '\n', '\r', '\u2029':
			st = st[:0]
		}
	}
	return len(st)
}

// arabic is right-to-left text wrapped in an isolate or an override that
// it closes, long enough to be cut.
var arabic = strings.Repeat("تعطل في الخدمة ونحن نحقق ", 8)

// A cut inside a right-to-left isolate or override closes it after the
// ellipsis: else what follows the cut (the URL Shorten moves after the
// ellipsis, the next update and URL of a template) is inside it, and runs
// right to left or, under an override, reversed.
func TestCutClosesBidi(t *testing.T) {
	for _, open := range []string{"\u2067", "\u202E", "\u202B\u2068"} {
		closeAll := map[string]string{"\u2067": "\u2069", "\u202E": "\u202C", "\u202B\u2068": "\u2069\u202C"}[open]
		s := open + arabic + closeAll + " details https://status.example.com/incidents/7"
		got := templates.Shorten(s, 60, nil)
		require.Contains(t, got, templates.Ellipsis+closeAll+" https://status.example.com/incidents/7", "%q", got)
		i := strings.Index(got, "https://")
		assert.Zero(t, openBidi(got[:i]), "open before the URL in %q", got)

		u := broadcast.Update{Title: "CDN", Status: broadcast.StatusInvestigating, Body: open + arabic + closeAll,
			URL:  "https://status.example.com/incidents/7",
			Time: time.Date(2025, 11, 24, 13, 45, 0, 0, time.UTC), NextUpdate: time.Date(2025, 11, 24, 14, 30, 0, 0, time.UTC)}
		for _, name := range []string{"short", "markdown", "text"} {
			out, err := templates.Default().RenderFit(name, u, 160, nil)
			require.NoError(t, err)
			require.Contains(t, out, templates.Ellipsis+closeAll, "%s: %q", name, out)
			i := strings.Index(out, "Next update by")
			require.Positive(t, i, "%s: %q", name, out)
			assert.Zero(t, openBidi(out[:i]), "%s: open before the next update in %q", name, out)
		}
	}
}

// A field that leaves an embedding, override or isolate open, at its end
// or at a line break a one-line template joins, has it closed there: the
// text after it in the message keeps its direction.
func TestFieldsCloseBidi(t *testing.T) {
	u := broadcast.Update{Title: "\u202Eredaolpu", Status: broadcast.StatusInvestigating,
		Body: "\u2067خطأ في الخادم\nWe are on it.", Advice: "\u202Bلا شيء",
		Components: []broadcast.Component{{Name: "\u2067واجهة", Status: broadcast.ComponentMajorOutage}},
		URL:        "https://status.example.com/incidents/7"}
	out, err := templates.Default().Render("short", u)
	require.NoError(t, err)
	assert.Equal(t, "Investigating: \u202Eredaolpu\u202C — What you can do: \u202Bلا شيء\u202C. — "+
		"\u2067خطأ في الخادم\u2069 We are on it. Affected: \u2067واجهة\u2069 (Major outage). "+
		"https://status.example.com/incidents/7", out)
	assert.Zero(t, openBidi(out[:strings.Index(out, "https://")]))

	over := u
	over.Overrides = map[string]string{"irc": "\u202Eesrever\nhttps://status.example.com/incidents/7"}
	text, err := templates.Default().Text("irc", "short", over, 0, nil)
	require.NoError(t, err)
	assert.Equal(t, "\u202Eesrever\u202C https://status.example.com/incidents/7", text)

	// Balanced text is left as it is.
	u.Title = "\u2067عنوان\u2069 CDN"
	out, err = templates.Default().Render("short", u)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(out, "Investigating: \u2067عنوان\u2069 CDN — "), "%q", out)
}

// A body cut inside a right-to-left isolate ends in the ellipsis and the
// character that closes the isolate: the one-line templates add no full
// stop after it, as after any other cut ("…." is no sentence end), and
// still add one to a text that ends in a closed isolate's letter.
func TestSentenceLooksPastBidiClosers(t *testing.T) {
	u := broadcast.Update{Title: "T", Status: broadcast.StatusInvestigating,
		Body: "Hello \u2067" + strings.Repeat("שלום עולם ", 30) + "\u2069 end", URL: "https://s.example/1"}
	got, err := templates.Default().RenderFit("short", u, 80, templates.Runes)
	require.NoError(t, err)
	assert.Contains(t, got, templates.Ellipsis+"\u2069 https://s.example/1", "no full stop after the cut")

	u.Body = "Hello \u2067שלום\u2069"
	got, err = templates.Default().Render("short", u)
	require.NoError(t, err)
	assert.Contains(t, got, "\u2069. https://s.example/1")

	u.Body = "Hello \u2067שלום!\u2069"
	got, err = templates.Default().Render("short", u)
	require.NoError(t, err)
	assert.Contains(t, got, "!\u2069 https://s.example/1", "ends in punctuation already")
}
