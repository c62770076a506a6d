package templates_test

import (
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/rivo/uniseg"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/templates"
)

var testURL = regexp.MustCompile(`(?i)https?://[^\s\v\x{85}\p{Z}<>"]+`)

// weighted is an X-like Measure: a URL counts 23 whatever its length; CJK
// and emoji count 2; everything else 1. It is not additive per rune.
func weighted(s string) int {
	n := 0
	last := 0
	for _, u := range testURL.FindAllStringIndex(s, -1) {
		n += weightedText(s[last:u[0]]) + 23
		last = u[1]
	}
	return n + weightedText(s[last:])
}

func weightedText(s string) int {
	n := 0
	for _, r := range s {
		switch {
		case unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul), r >= 0x1F000:
			n += 2
		default:
			n++
		}
	}
	return n
}

var measures = map[string]templates.Measure{
	"bytes": templates.Bytes, "runes": templates.Runes, "graphemes": templates.Graphemes, "weighted": weighted,
}

func TestMeasures(t *testing.T) {
	tests := []struct {
		s                       string
		bytes, runes, graphemes int
	}{
		{"", 0, 0, 0},
		{"abc", 3, 3, 3},
		{"e\u0301", 3, 2, 1},
		{"👩‍👩‍👧‍👦", 25, 7, 1},
		{"🇩🇪", 8, 2, 1},
		{"東京", 6, 2, 2},
	}
	for _, tt := range tests {
		t.Run(tt.s, func(t *testing.T) {
			assert.Equal(t, tt.bytes, templates.Bytes(tt.s))
			assert.Equal(t, tt.runes, templates.Runes(tt.s))
			assert.Equal(t, tt.graphemes, templates.Graphemes(tt.s))
		})
	}
}

func TestShorten(t *testing.T) {
	tests := []struct {
		name  string
		s     string
		limit int
		m     templates.Measure
		want  string
	}{
		{"fits", "short text", 10, templates.Runes, "short text"},
		{"no limit", "short text", 0, templates.Runes, "short text"},
		{"negative limit", "short text", -1, templates.Runes, "short text"},
		{"nil measure counts runes", "ééééé", 5, nil, "ééééé"},
		{"word end", "The quick brown fox jumps", 12, templates.Runes, "The quick…"},
		{"dangling punctuation trimmed", "Errors rise, we are on it", 13, templates.Runes, "Errors rise…"},
		{"long word cut inside", "Supercalifragilistic", 6, templates.Runes, "Super…"},
		{"URL moved after the ellipsis", "Errors on the CDN in Europe https://s.example/1", 29, templates.Runes, "Errors… https://s.example/1"},
		{"URL before the cut stays", "See https://s.example/1 for details on the CDN", 30, templates.Runes, "See https://s.example/1 for…"},
		{"scheme in capitals", "Errors on the CDN in Europe HTTPS://s.example/1", 29, templates.Runes, "Errors… HTTPS://s.example/1"},
		{"ellipsis after a URL gets a space", "https://s.example/1 and more words", 21, templates.Runes, "https://s.example/1 …"},
		{"URL that cannot fit is dropped whole", "Errors https://s.example/long/path", 10, templates.Runes, "Errors…"},
		{"weighted URL", "Errors on the CDN in Europe https://s.example/a/very/long/path/to/the/incident", 34, weighted, "Errors on… https://s.example/a/very/long/path/to/the/incident"},
		{"combining marks", "e\u0301e\u0301e\u0301e\u0301", 4, templates.Runes, "e\u0301…"},
		{"ZWJ family, room for the ellipsis only", "👩‍👩‍👧‍👦👩‍👩‍👧‍👦", 20, templates.Bytes, "…"},
		{"ZWJ family, room for nothing", "👩‍👩‍👧‍👦👩‍👩‍👧‍👦", 2, templates.Bytes, ""},
		{"ZWJ family, room for one", "👩‍👩‍👧‍👦👩‍👩‍👧‍👦👩‍👩‍👧‍👦", 28, templates.Bytes, "👩‍👩‍👧‍👦…"},
		{"flags", "🇩🇪🇫🇷🇮🇹", 4, templates.Runes, "🇩🇪…"},
		{"CJK", "東京のデータセンターで障害", 9, weighted, "東京のデ…"},
		{"CJK punctuation is a word end", "東京で障害。復旧作業中です", 10, templates.Runes, "東京で障害。…"},
		{"ellipsis does not fit", "abcdef", 2, templates.Bytes, "ab"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := templates.Shorten(tt.s, tt.limit, tt.m)
			assert.Equal(t, tt.want, got)
			if tt.limit > 0 {
				m := tt.m
				if m == nil {
					m = templates.Runes
				}
				assert.LessOrEqual(t, m(got), tt.limit)
			}
		})
	}
}

var hardTexts = []string{
	"We are investigating elevated error rates on the CDN in Europe.",
	"Family 👩‍👩‍👧‍👦 and flags 🇩🇪🇫🇷🇮🇹 and a thumbs 👍🏽 up, then more words to cut.",
	"Cafe\u0301 de\u0301ja\u0300 vu, nai\u0308ve re\u0301sume\u0301 with combining marks everywhere.",
	"東京リージョンのデータセンターで障害が発生しています。復旧作業中です。",
	"हिन्दी में संदेश: सेवा में बाधा है और हम जांच कर रहे हैं",
	"Errors on the CDN https://status.example.com/incidents/42 and then more text after it",
	"Two links https://a.example/x and https://b.example/y/z in one line of text",
	"Supercalifragilisticexpialidocious-without-any-spaces-at-all-here",
}

// keptURLs returns the URLs of s as Shorten keeps them whole
// (templates.KeptURLSpans): up to the white space or the first character
// that ends a link.
func keptURLs(s string) []string {
	var urls []string
	for _, u := range templates.KeptURLSpans(s) {
		urls = append(urls, s[u[0]:u[1]])
	}
	return urls
}

// checkCut asserts that out is s cut at a grapheme boundary outside any
// URL, followed only by the ellipsis and whole URLs of s.
func checkCut(t *testing.T, s, out string) {
	t.Helper()
	require.True(t, utf8.ValidString(out), "invalid UTF-8: %q", out)
	if out == s {
		return
	}
	head := out
	if i := strings.LastIndex(out, templates.Ellipsis); i >= 0 {
		head = out[:i]
		for _, rest := range strings.Fields(out[i+len(templates.Ellipsis):]) {
			assert.Contains(t, keptURLs(s), rest, "only whole URLs of s follow the ellipsis in %q", out)
		}
	}
	head = strings.TrimRight(head, " ")
	require.True(t, strings.HasPrefix(s, head), "%q is not a prefix of %q", head, s)
	assert.True(t, graphemeBoundary(s, len(head)), "cut inside a grapheme cluster: %q", out)
	for _, u := range templates.KeptURLSpans(s) {
		assert.False(t, len(head) > u[0] && len(head) < u[1], "cut inside a URL: %q", out)
	}
}

func graphemeBoundary(s string, off int) bool {
	g := uniseg.NewGraphemes(s)
	for g.Next() {
		if from, to := g.Positions(); from == off || to == off {
			return true
		}
	}
	return off == 0
}

func TestShortenEveryLimit(t *testing.T) {
	for name, m := range measures {
		for _, s := range hardTexts {
			for limit := 1; limit <= m(s)+1; limit++ {
				got := templates.Shorten(s, limit, m)
				require.LessOrEqual(t, m(got), limit, "%s limit %d: %q", name, limit, got)
				checkCut(t, s, got)
				urls := keptURLs(s)
				if len(urls) > 0 && m(templates.Ellipsis+" "+strings.Join(urls, " ")) <= limit {
					for _, u := range urls {
						assert.Contains(t, got, u, "%s limit %d keeps the URLs", name, limit)
					}
				}
			}
		}
	}
}

// URLSpans finds the URLs the templates keep whole, the scheme in any
// case, up to white space or a character a URL cannot hold unescaped.
func TestURLSpans(t *testing.T) {
	for s, want := range map[string][][]int{
		"":                                 nil,
		"no link here":                     nil,
		"see https://s.example/1.":         {{4, 24}},
		"HTTP://s.example and http://x/y>": {{0, 16}, {21, 31}},
		`"https://s.example/a b"`:          {{1, 20}},
		"ftp://s.example https:// x":       nil,
		// White space outside ASCII ends a URL too: the ideographic space
		// of Japanese text, a no-break space, a line separator.
		"詳細はhttps://s.example/1\u3000をご覧ください": {{9, 28}},
		"https://s.example/1\u00a0and more":   {{0, 19}},
		"https://s.example/1\u2028next":       {{0, 19}},
	} {
		assert.Equal(t, want, templates.URLSpans(s), s)
	}
	// So a long text after such a space is cut, not dropped with the URL.
	s := "https://s.example/1\u3000" + strings.Repeat("障害", 20)
	assert.Equal(t, "https://s.example/1 …", templates.Shorten(s, 25, templates.Runes))
}

// LinkSpans leaves out what follows a URL in a sentence, not what a URL
// holds.
func TestLinkSpans(t *testing.T) {
	for s, want := range map[string]string{
		"see https://s.example/1.":                     "https://s.example/1",
		"(see https://s.example/1).":                   "https://s.example/1",
		"(see https://s.example/1?).":                  "https://s.example/1",
		"https://en.wikipedia.org/wiki/Mars_(planet).": "https://en.wikipedia.org/wiki/Mars_(planet)",
		"[https://s.example/a[1]]":                     "https://s.example/a[1]",
		"{https://s.example/a}":                        "https://s.example/a",
		"it's at https://s.example/it's, ok":           "https://s.example/it's",
		"https://s.example/q?a=1&b=2!":                 "https://s.example/q?a=1&b=2",
		"'https://s.example/x'":                        "https://s.example/x",
		"HTTPS://S.EXAMPLE/X;":                         "HTTPS://S.EXAMPLE/X",
		"https://s.example/)))":                        "https://s.example/",
	} {
		spans := templates.LinkSpans(s)
		if assert.Len(t, spans, 1, s) {
			assert.Equal(t, want, s[spans[0][0]:spans[0][1]], s)
		}
	}
	assert.Empty(t, templates.LinkSpans("no links"))
}

// strayBackslash reports an escape broken by a cut in s: a backslash that
// escapes nothing (an odd run of backslashes followed by something other
// than ASCII punctuation, or by the end), which shows as "\" or escapes
// the character after it.
func strayBackslash(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			continue
		}
		j := i
		for j < len(s) && s[j] == '\\' {
			j++
		}
		if (j-i)%2 == 1 && (j == len(s) || !strings.ContainsRune("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", rune(s[j]))) {
			return true
		}
		i = j - 1
	}
	return false
}

// TestShortenKeepsEscapes: text escaped for Markdown (each "\" escapes the
// ASCII punctuation after it) cut at every position keeps every escape
// whole: no cut falls between a backslash and what it escapes, and
// dangling punctuation trimmed before the ellipsis takes its backslash
// with it, so no "\" shows, nor escapes the ellipsis.
func TestShortenKeepsEscapes(t *testing.T) {
	texts := []string{
		`\*\*bold\*\* \- \_it\_ \[x\]\(y\) \- \\\- a\\b \(\\\) \<@123\> \# x\, y\; z\: \-\-\- end\(`,
		`\-\-\-\-\-\-\-\-\-\-\-\-\-\-\-\-\-\-\-\-\-\-\-\-\-\-\-\-\-\-`,
		`a \\\\\\\* b\:\: c\\\\\(\( d\&amp\; e`,
	}
	md, err := templates.Default().With("md", "{{md .Body}}")
	require.NoError(t, err)
	rendered, err := md.Render("md", broadcast.Update{Title: "T", Status: broadcast.StatusInvestigating,
		Body: "*Major* outage - see [docs](x) <@123> @everyone a_b \\ -- (see: a, b; c) - 1. # x `y` ~z~ |w| &amp;"})
	require.NoError(t, err)
	texts = append(texts, rendered)
	for _, s := range texts {
		require.False(t, strayBackslash(s), "test text %q", s)
		for name, m := range measures {
			for limit := 1; limit <= m(s); limit++ {
				got := templates.Shorten(s, limit, m)
				require.LessOrEqual(t, m(got), limit)
				assert.False(t, strayBackslash(got), "%s limit %d: %q", name, limit, got)
			}
		}
	}
}

// A backslash before white space escapes nothing: trimming the dangling
// punctuation and white space before the ellipsis keeps it, as written.
func TestShortenKeepsLiteralBackslash(t *testing.T) {
	assert.Equal(t, `C:\…`, templates.Shorten(`C:\ - is the system drive`, 7, templates.Runes))
}

// TestShortenEmptyWithOverhead: a Measure that counts what goes with the
// text (the "PRIVMSG #ops :" a line starts with) weighs "" more than
// nothing; Shorten of "" then returns "", the longest prefix there is,
// rather than panicking, as it returns "" for a text whose ellipsis
// alone does not fit.
func TestShortenEmptyWithOverhead(t *testing.T) {
	withPrefix := func(s string) int { return len("PRIVMSG #ops :") + len(s) }
	assert.NotPanics(t, func() {
		assert.Equal(t, "", templates.Shorten("", 10, withPrefix))
	})
	assert.Equal(t, "", templates.Shorten("abc def", 10, withPrefix))
}
