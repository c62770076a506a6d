package irc_test

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/irc"
	"github.com/outagecast/outagecast/templates"
)

func TestSplit(t *testing.T) {
	tests := []struct {
		name  string
		text  string
		limit int
		want  []string
	}{
		{"fits", "hello world", 20, []string{"hello world"}},
		{"empty", "", 20, nil},
		{"only controls and spaces", " \x00\x01 \r\n\t ", 20, nil},
		{"at a space", "aaa bbb ccc", 7, []string{"aaa bbb", "ccc"}},
		{"space exactly at the limit", "aaaa bbbb", 4, []string{"aaaa", "bbbb"}},
		{"runs of spaces dropped at the break", "aaa     bbb", 5, []string{"aaa", "bbb"}},
		{"long word cut", "abcdefghij", 4, []string{"abcd", "efgh", "ij"}},
		{"word kept whole when it fits", "a bcdefgh", 7, []string{"a", "bcdefgh"}},
		{"CRLF, CR, LF, NEL, LS, PS end lines", "a\r\nb\rc\nd\u0085e\u2028f\u2029g", 10,
			[]string{"a", "b", "c", "d", "e", "f", "g"}},
		{"blank lines dropped", "a\n\n\n  \nb", 10, []string{"a", "b"}},
		// Blank to a reader too: a line of spaces other than ASCII's (thin,
		// ideographic, no-break), or a piece of one cut from a long line.
		{"lines of Unicode spaces dropped", "a\n\u2009\u3000\u00a0\n \u2003 \nb", 10, []string{"a", "b"}},
		{"pieces of Unicode spaces dropped", "abcd\u3000\u3000\u3000\u3000", 4, []string{"abcd"}},
		{"Unicode spaces before a word that must move", "\u3000\u3000abcdef", 6, []string{"abcdef"}},
		{"tab is a space", "a\tb", 10, []string{"a b"}},
		{"controls removed", "a\x00b\x01c\x02d\x03e\x0ff\x16g\x1fh\x7fi\u0080j\u009fk", 40, []string{"abcdefghijk"}},
		{"invalid UTF-8 replaced", "a\xffb", 10, []string{"a\uFFFDb"}},
		// A colour code's parameters go with it, or its digits would show
		// as text: \x03 takes a foreground of one or two digits and a
		// background after a comma, \x04 six hex digits each
		// (https://modern.ircdocs.horse/formatting#color).
		{"colour codes removed with their colours", "\x0304,12alert\x03 \x034red\x03 \x0312345 \x03,5 \x04FF0000,00ff00hex\x04 \x04ABC", 60,
			[]string{"alert red 345 ,5 hex ABC"}},
		{"indentation kept", "  - item", 10, []string{"  - item"}},
		{"indentation dropped before a word that must move", "   abcdef", 6, []string{"abcdef"}},
		{"trailing spaces trimmed", "abc   ", 10, []string{"abc"}},
		{"never inside a UTF-8 sequence", "ééééé", 5, []string{"éé", "éé", "é"}},
		{"grapheme clusters kept", "🇨🇭🇨🇭🇨🇭", 9, []string{"🇨🇭", "🇨🇭", "🇨🇭"}},
		{"a cluster over the limit is cut between runes", "e\u0301\u0301\u0301", 4, []string{"e\u0301", "\u0301\u0301"}},
		{"limit below 4 is 4", "abcdefgh", 1, []string{"abcd", "efgh"}},
		{"an injected command is text", "update\r\nQUIT :bye", 100, []string{"update", "QUIT :bye"}},
		{"a URL alone on a line when it fits only there", "see https://ex.am/ple now", 19,
			[]string{"see", "https://ex.am/ple", "now"}},
		{"a URL parted from text glued before it", "Details:https://ex.am/ple", 19,
			[]string{"Details:", "https://ex.am/ple"}},
		{"a URL parted from brackets and a full stop", "(https://ex.am/ple).", 17,
			[]string{"(", "https://ex.am/ple", ")."}},
		{"a URL parted from a comma", "https://ex.am/ple, then", 17, []string{"https://ex.am/ple", ", then"}},
		{"a URL parted from angle brackets", "<https://ex.am/ple>", 17, []string{"<", "https://ex.am/ple", ">"}},
		{"a bracket the URL opened is part of it", "https://ex.am/p_(x)", 19, []string{"https://ex.am/p_(x)"}},
		{"glued text before a URL still splits between clusters", "🇨🇭🇨🇭🇨🇭:https://ex.am/ple", 17,
			[]string{"🇨🇭🇨🇭", "🇨🇭:", "https://ex.am/ple"}},
		{"a URL longer than limit is cut like a long word", "https://ex.am/ple", 10,
			[]string{"https://ex", ".am/ple"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, irc.Split(tt.text, tt.limit))
		})
	}
}

// normalize applies Split's documented replacements: breaks and tabs become
// spaces, other controls go (a colour code with its colours), invalid UTF-8
// becomes U+FFFD.
func normalize(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = colourCode.ReplaceAllString(s, "")
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\r' || r == '\n' || r == '\t' || r == '\u0085' || r == '\u2028' || r == '\u2029':
			return ' '
		case unicode.IsControl(r):
			return -1
		}
		return r
	}, s)
}

// visible removes the characters of s that show nothing (see
// broadcast.Blank) other than ASCII spaces.
func visible(s string) string {
	return strings.Map(func(r rune) rune {
		if r != ' ' && broadcast.Blank(string(r)) {
			return -1
		}
		return r
	}, s)
}

// colourCode is an IRC colour code with its colours, as Split documents it
// (https://modern.ircdocs.horse/formatting#color).
var colourCode = regexp.MustCompile("\x03(?:[0-9]{1,2}(?:,[0-9]{1,2})?)?|\x04(?:[0-9A-Fa-f]{6}(?:,[0-9A-Fa-f]{6})?)?")

func words(s string) []string {
	var out []string
	for w := range strings.SplitSeq(s, " ") {
		if w != "" {
			out = append(out, w)
		}
	}
	return out
}

func FuzzSplit(f *testing.F) {
	for _, seed := range []string{
		"", "hello world", "a\r\nQUIT :bye", "\x00\x01\x02\x7f", "🇨🇭🇨🇭 e\u0301\u0301 東京", "\xff\xfe",
		"   indented line\n\tand a tab", strings.Repeat("word ", 200), strings.Repeat("x", 1000),
		"see (https://status.example.com/incidents/1234567890)." + strings.Repeat("z", 30),
		"Details:https://ex.am/" + strings.Repeat("p", 390) + ", thanks",
		"a\n\u2009\u3000\u00a0\nb", "abcd" + strings.Repeat("\u3000", 200) + "efgh",
		"a\n\u200b\u2060\u200e\ufeff\nb", "abcd" + strings.Repeat("\u200b", 200) + "efgh",
	} {
		f.Add(seed, 10)
		f.Add(seed, 374)
	}
	f.Fuzz(func(t *testing.T, text string, limit int) {
		limit = 4 + abs(limit)%400
		lines := irc.Split(text, limit)
		for _, l := range lines {
			if broadcast.Blank(l) {
				t.Fatalf("blank line in %q", lines)
			}
			if len(l) > limit {
				t.Fatalf("line of %d bytes over the limit %d: %q", len(l), limit, l)
			}
			if !utf8.ValidString(l) {
				t.Fatalf("invalid UTF-8: %q", l)
			}
			if strings.IndexFunc(l, unicode.IsControl) >= 0 {
				t.Fatalf("control character in %q", l)
			}
		}
		// Every word arrives in order; a word that fits a line arrives
		// whole, a longer one in pieces that concatenate to it. What shows
		// nothing, ASCII spaces apart, does not count: a line or piece of
		// nothing else is dropped.
		got := words(visible(strings.Join(lines, " ")))
		for _, whole := range words(normalize(text)) {
			w := visible(whole)
			if w == "" {
				continue
			}
			if len(got) == 0 {
				t.Fatalf("word %q lost", w)
			}
			if len(whole) <= limit {
				if got[0] != w {
					t.Fatalf("word %q arrived as %q", w, got[0])
				}
				got = got[1:]
				continue
			}
			var b strings.Builder
			for b.Len() < len(w) && len(got) > 0 {
				b.WriteString(got[0])
				got = got[1:]
			}
			if b.String() != w {
				t.Fatalf("long word %q arrived as %q", w, b.String())
			}
		}
		if len(got) > 0 {
			t.Fatalf("extra words %q", got)
		}
		// A URL that fits a line arrives whole (less any trailing
		// punctuation, which may be parted from it).
		norm := normalize(text)
		for _, sp := range templates.LinkSpans(norm) {
			u := norm[sp[0]:sp[1]]
			if len(u) <= limit && !slices.ContainsFunc(lines, func(l string) bool { return strings.Contains(l, u) }) {
				t.Fatalf("URL %q split in %q", u, lines)
			}
		}
	})
}

func abs(n int) int {
	if n < 0 {
		if n == -n { // the smallest int
			return 0
		}
		return -n
	}
	return n
}

// hugeCluster is one grapheme cluster of about n bytes: a base letter and
// combining acute accents (two bytes each).
func hugeCluster(n int) string {
	return "e" + strings.Repeat("\u0301", n/2)
}

func BenchmarkSplitOneHugeCluster(b *testing.B) {
	for _, size := range []int{4 << 10, 40 << 10} {
		for _, limit := range []int{10, 374} {
			text := hugeCluster(size)
			b.Run(fmt.Sprintf("%dKB/limit=%d", size>>10, limit), func(b *testing.B) {
				b.SetBytes(int64(len(text)))
				for b.Loop() {
					irc.Split(text, limit)
				}
			})
		}
	}
}

// Split must not only be fast on one huge cluster (see the benchmark) but
// correct: a cluster longer than a line is cut only between code points, at
// the last one that fits, and nothing but the spaces at breaks is lost.
func TestSplitOneHugeCluster(t *testing.T) {
	cluster := hugeCluster(40 << 10)
	noSpace := func(s string) string { return strings.ReplaceAll(s, " ", "") }
	for _, limit := range []int{4, 5, 10, 374} {
		for _, text := range []string{cluster, "ok " + cluster + " and after it, words"} {
			lines := irc.Split(text, limit)
			var pieces []string
			for i, l := range lines {
				require.True(t, utf8.ValidString(l), "limit %d, line %d: invalid UTF-8, a sequence was cut", limit, i)
				require.LessOrEqual(t, len(l), limit, "limit %d, line %d", limit, i)
				require.NotEmpty(t, strings.TrimSpace(l), "limit %d, line %d", limit, i)
				if strings.HasPrefix(l, "\u0301") && i < len(lines)-1 && !strings.Contains(lines[i+1], " ") {
					pieces = append(pieces, l)
				}
			}
			require.True(t, noSpace(text) == noSpace(strings.Join(lines, "")), "limit %d: bytes lost or added", limit)
			for i, p := range pieces {
				assert.Greater(t, len(p), limit-utf8.UTFMax, "limit %d: piece %d is not cut at the last code point that fits", limit, i)
			}
		}
	}
	// The text after the cluster still breaks at spaces, words whole.
	lines := irc.Split("ok "+cluster+" and after it, words", 10)
	assert.Equal(t, "ok", lines[0])
	assert.Equal(t, []string{"after it,", "words"}, lines[len(lines)-2:])
	assert.True(t, strings.HasSuffix(lines[len(lines)-3], "\u0301 and"), "the last piece of the cluster shares its line with the next word")
}

func BenchmarkSplitManyURLs(b *testing.B) {
	// 40 KB of short URLs glued together, no space to break at.
	text := strings.Repeat("<https://ex.am/p>", 40<<10/17)
	for _, limit := range []int{10, 374} {
		b.Run(fmt.Sprintf("limit=%d", limit), func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			for b.Loop() {
				irc.Split(text, limit)
			}
		})
	}
}
