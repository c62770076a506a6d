package templates_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/templates"
)

// cjkTail is Japanese text, written without spaces, long enough that a
// body ending in it must be cut.
var cjkTail = strings.Repeat("現在調査中です", 20)

// cjkTailRunes returns the first n runes of cjkTail.
func cjkTailRunes(n int) string { return string([]rune(cjkTail)[:n]) }

// cjkAfterURL are texts where Japanese runs on after a URL or a Markdown
// link with no white space, as Japanese and Chinese are written: the
// URL, as URLSpans finds it, runs to the end of the text. Each holds the
// head that every platform's link has ended in (at "。", "、" or "）",
// see LinkSpans).
var cjkAfterURL = []struct {
	name, head string
}{
	{"bare URL", "詳細はhttps://status.example.com/xをご覧ください。"},
	{"Markdown link", "詳細は[こちら](https://status.example.com/x)をご覧ください。"},
	{"ideographic comma", "詳細はhttps://status.example.com/x、"},
	{"full-width brackets", "詳細は（https://status.example.com/x）をご覧ください。"},
}

// TestShortenCJKAfterURL: the text after a URL or a link is cut where
// every platform's link has ended, not left out with the URL up to the
// next white space: before, each of these gave "詳細は…" (or "詳細は（…"),
// the whole text after "詳細は" lost.
func TestShortenCJKAfterURL(t *testing.T) {
	for _, tc := range cjkAfterURL {
		s := tc.head + cjkTail
		room := 100 - templates.Runes(tc.head) - templates.Runes(templates.Ellipsis)
		want := tc.head + cjkTailRunes(room) + templates.Ellipsis
		assert.Equal(t, want, templates.Shorten(s, 100, templates.Runes), tc.name)
	}
}

// TestShortenCJKMovesLinkOnly: a cut before such a URL moves it after the
// ellipsis as far as every platform's link goes, not with the text after
// it up to the next white space, which did not fit (before: "現在調査中です
// 現在調査中です…", the URL dropped).
func TestShortenCJKMovesLinkOnly(t *testing.T) {
	s := cjkTail + "詳細はhttps://status.example.com/xをご覧ください。" + cjkTail
	link := "https://status.example.com/xをご覧ください"
	want := cjkTailRunes(60-templates.Runes(link)-2) + templates.Ellipsis + " " + link
	assert.Equal(t, want, templates.Shorten(s, 60, templates.Runes))

	s = cjkTail + "詳細は（https://status.example.com/x）をご覧ください。" + cjkTail
	link = "https://status.example.com/x"
	want = cjkTailRunes(60-templates.Runes(link)-2) + templates.Ellipsis + " " + link
	assert.Equal(t, want, templates.Shorten(s, 60, templates.Runes))
}

// TestRenderFitCJKAfterURL: RenderFit cuts such a body as Shorten does,
// after the link, where before it kept "詳細は…" alone.
func TestRenderFitCJKAfterURL(t *testing.T) {
	for _, tc := range cjkAfterURL {
		u := representative(broadcast.StatusInvestigating)
		u.Components, u.Body = nil, tc.head+cjkTail
		for _, name := range []string{"short", "text"} {
			empty := u
			empty.Body = ""
			none, err := templates.Default().Render(name, empty)
			require.NoError(t, err)
			limit := templates.Runes(none) + 80 // room for the head, a little of the rest, and the ellipsis
			got, err := templates.Default().RenderFit(name, u, limit, templates.Runes)
			require.NoError(t, err, "%s: %s", tc.name, name)
			assert.LessOrEqual(t, templates.Runes(got), limit)
			assert.Contains(t, got, tc.head+"現在調査中です", "%s: %s", tc.name, name)
			assert.Contains(t, got, u.URL, "%s: %s", tc.name, name)
		}
	}
}

// TestShortenASCIIURLUnchanged: an ASCII URL, which no character that
// ends a link ends, is kept whole up to the white space as before, its
// final punctuation and the unopened ")" included.
func TestShortenASCIIURLUnchanged(t *testing.T) {
	for _, tt := range []struct {
		s     string
		limit int
		want  string
	}{
		{"See https://x.example/a).b,c and more words after it", 30, "See https://x.example/a).b,c …"},
		{"See https://x.example/a[b](c)d and more words after it", 33, "See https://x.example/a[b](c)d …"},
		{"Some words here https://x.example/a.b. and more", 29, "Some… https://x.example/a.b."},
	} {
		assert.Equal(t, tt.want, templates.Shorten(tt.s, tt.limit, templates.Runes), "%q at %d", tt.s, tt.limit)
	}
}
