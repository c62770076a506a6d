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

// TestShortenAutolinkWholeOrDropped: an autolink, "<scheme:…>"
// (CommonMark 0.31.2, 6.5), is kept whole or left out whole, as a link
// is, its URL then moved after the ellipsis. Before, a cut fell after its
// "<" where the text before it had no word end, as in Japanese, and the
// host no dot: "障害が発生しています<…", a "<" shown as written.
func TestShortenAutolinkWholeOrDropped(t *testing.T) {
	for _, tt := range []struct{ s, link string }{
		{"障害が発生しています<http://localhost/s>詳細は後ほどお知らせします", "<http://localhost/s>"},
		{"障害が発生しています<https://例え.テスト/状況>詳細は後ほどお知らせします", "<https://例え.テスト/状況>"},
		{"障害が発生しています<irc://irc/ops>詳細は後ほどお知らせします", "<irc://irc/ops>"},
	} {
		for limit := 1; limit <= len(tt.s); limit++ {
			got := templates.Shorten(tt.s, limit, templates.Runes)
			head, _, _ := strings.Cut(got, templates.Ellipsis)
			if strings.Contains(head, "<") {
				assert.Contains(t, head, tt.link, "%q at %d: an autolink cut", got, limit)
			}
		}
	}
	// Left out, its URL moves as any other.
	assert.Equal(t, "障害が発生しています… http://localhost/s",
		templates.Shorten("障害が発生しています<http://localhost/s>詳細は後ほどお知らせします", 30, templates.Runes))
}

// TestShortenPlainAutolinkReference: an autolink's character references
// are read (CommonMark 0.31.2, 2.5: "in any context besides code spans
// or code blocks, including URLs"; cmark decodes them in the autolinks it
// reads), so "<https://example.com/?a=1&amp;b=2>" points to
// https://example.com/?a=1&b=2. A text shown as plain text shows that
// URL whether a cut keeps the autolink or moves its URL after the
// ellipsis. Before, kept, it was written as it came, its "&amp;" shown
// and linked as such by a plain-text reader (a query parameter
// "amp;b"), while moved, it was decoded.
func TestShortenPlainAutolinkReference(t *testing.T) {
	const s = "Checkout fails for some users, see <https://example.com/?a=1&amp;b=2> for the workaround and more details later"
	const dest = "https://example.com/?a=1&b=2"
	assert.Equal(t, "Checkout fails for some users, see <"+dest+"> for the workaround and more details later",
		templates.ShortenPlain(s, 1000, templates.Runes), "kept")
	assert.Equal(t, "Checkout fails for some users… "+dest, templates.ShortenPlain(s, 60, templates.Runes), "moved")
	// Kept, it stays "<…>" in every form a reference may take.
	for _, ref := range []string{"&amp;", "&#38;", "&#x26;"} {
		in := strings.ReplaceAll(s, "&amp;", ref)
		assert.Contains(t, templates.ShortenPlain(in, 1000, templates.Runes), " <"+dest+"> ", ref)
	}
	// Markdown reads the autolink itself: kept as written.
	assert.Equal(t, s, templates.Shorten(s, 1000, templates.Runes))
}

// TestRenderFitFieldAutolinkReferenceAsWritten: an Update's fields are
// text, not Markdown (the markdown template escapes them), so a Body's
// "<https://example.com/?a=1&amp;b=2>" shows its "&amp;" as written in
// every template, a plain-text one and any template of a Plain Set too:
// RenderFit does not read it as an autolink's character reference, as
// ShortenPlain and Text of an override (text in the channel's own form)
// do. The package doc said RenderFit wrote it "<…?a=1&b=2>".
func TestRenderFitFieldAutolinkReferenceAsWritten(t *testing.T) {
	const link = "<https://example.com/?a=1&amp;b=2>"
	u := broadcast.Update{ID: "u1", IncidentID: "i1", Title: "Checkout fails", Status: broadcast.StatusInvestigating,
		Body: "Some users see errors, see " + link + " for the workaround.",
		URL:  "https://status.example.com/incidents/1", Time: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC),
		Overrides: map[string]string{"ov": "See " + link + " for the workaround."}}
	for _, s := range []*templates.Set{templates.Default(), templates.Default().Plain()} {
		for _, limit := range []int{0, 500} {
			out, err := s.RenderFit("short", u, limit, nil)
			require.NoError(t, err)
			assert.Contains(t, out, " "+link+" ", "limit %d", limit)
		}
	}
	// The markdown template shows it so too: "&amp;" escaped as text.
	md, err := templates.Default().RenderFit("markdown", u, 0, nil)
	require.NoError(t, err)
	assert.Contains(t, md, "<https://example.com/?a=1&amp;amp;b=2>")
	// An override is the channel's text: a Plain Set reads its autolink.
	ov, err := templates.Default().Plain().Text("ov", "short", u, 500, nil)
	require.NoError(t, err)
	assert.Equal(t, "See <https://example.com/?a=1&b=2> for the workaround.", ov)
}
