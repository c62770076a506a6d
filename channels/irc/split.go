package irc

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/rivo/uniseg"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/templates"
)

// Split turns text into IRC message texts of at most limit bytes each.
//
// It first makes text safe to put on the wire: invalid UTF-8 becomes U+FFFD,
// CR LF, CR, LF, NEL, U+2028 and U+2029 end a line, a tab becomes a space and
// every other control character (C0 including NUL and the IRC formatting codes
// such as \x02 bold and \x01 CTCP, DEL and C1) is removed, a colour code
// (\x03, \x04) with the colours that follow it. No input can therefore end
// a line early and smuggle in a command of its own, nor show formatting.
//
// Each line is then wrapped: at the last space that fits, else at the last
// grapheme cluster boundary that fits, else (a single cluster longer than
// limit) at the last code point boundary that fits; a UTF-8 sequence is never
// cut. A word of at most limit bytes is never split. Spaces at a break and at
// the end of a line are dropped, as are lines and pieces that show nothing
// (see broadcast.Blank: white space, Unicode's too, as U+00A0 or U+3000, and
// format characters, as zero-width spaces, word joiners and bidi marks);
// leading spaces that start an input line (indentation) are kept when the
// line fits.
//
// A URL (http:// or https:// up to the next space or one of <>", less
// trailing punctuation such as a full stop) of at most limit bytes is never
// split either: when it cannot share a line with the text around it, it goes
// on a line of its own, parted if need be from text glued to it, as in
// "(https://…)." A longer URL cannot be kept whole and is cut like a long
// word; Send and Preview never post it so: they shorten the text to leave
// out such a link, and refuse an Update.URL that long.
//
// Splitting takes time linear in the length of text. A limit below 4 bytes
// (utf8.UTFMax) is treated as 4.
func Split(text string, limit int) []string {
	lines, _ := split(text, limit)
	return lines
}

// split is Split that also reports the length of the longest URL it had to
// cut (0: none). The URLs of whole (Update.URL) are URLs whole wherever
// text shows them, their final "." or ")" included
// (templates.LinkSpansWhole): split keeps them whole, or reports them cut.
func split(text string, limit int, whole ...string) (lines []string, cutURL int) {
	w := wrapper{limit: max(limit, utf8.UTFMax), whole: whole}
	for line := range strings.SplitSeq(clean(text), "\n") {
		w.wrap(strings.TrimRight(line, " "))
	}
	return w.out, w.cutURL
}

// clean applies the replacements documented on Split and leaves "\n" as the
// only line separator.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if strings.ContainsAny(s, "\x03\x04") {
		s = colourCode.ReplaceAllString(s, "")
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\r' || r == '\n' || r == '\u0085' || r == '\u2028' || r == '\u2029':
			return '\n'
		case r == '\t':
			return ' '
		case unicode.IsControl(r):
			return -1
		}
		return r
	}, s)
}

// colourCode matches an IRC colour code with its parameters, which would
// show as text once the code is gone: \x03 with a foreground of one or two
// digits and a background after a comma, or \x04 with six hex digits for
// each (https://modern.ircdocs.horse/formatting#color).
var colourCode = regexp.MustCompile("\x03(?:[0-9]{1,2}(?:,[0-9]{1,2})?)?|\x04(?:[0-9A-Fa-f]{6}(?:,[0-9A-Fa-f]{6})?)?")

// wrapper collects the pieces of the lines of one text.
type wrapper struct {
	limit  int
	out    []string
	cutURL int      // the length of the longest URL cut
	whole  []string // the URLs kept whole (see split)
}

// wrap appends the pieces of one input line to w.out, less a line or a
// piece that shows nothing (see broadcast.Blank). Every step looks at no
// more than limit bytes past the current position (plus one code point),
// so a line of n bytes costs O(n) whatever it holds: Blank is asked of the
// whole line once, then of pieces of at most limit bytes only.
func (w *wrapper) wrap(line string) {
	if broadcast.Blank(line) {
		return
	}
	urls := templates.LinkSpansWhole(line, w.whole...)
	s, base := line, 0 // s is line[base:]
	for strings.TrimLeft(s, " ") != "" {
		if len(s) <= w.limit {
			if !broadcast.Blank(s) {
				w.out = append(w.out, s)
			}
			return
		}
		cut, next := spaceBreak(s, w.limit)
		if cut < 0 && s[0] == ' ' {
			// Indentation that would split the first word: drop it.
			cut, next = 0, len(s)-len(strings.TrimLeft(s, " "))
		} else if cut < 0 {
			for len(urls) > 0 && urls[0][1] <= base {
				urls = urls[1:] // URLs behind us
			}
			cut = w.clusterBreak(s, base, urls)
			next = cut
		}
		if piece := strings.TrimRight(s[:cut], " "); !broadcast.Blank(piece) {
			w.out = append(w.out, piece)
		}
		rest := strings.TrimLeft(s[next:], " ")
		base += len(s) - len(rest)
		s = rest
	}
}

// spaceBreak finds the last space at which s can be broken so that the piece
// before it fits in limit bytes and is not spaces alone. It returns the end of that
// piece and the start of the rest, or -1, -1. URLs hold no spaces, so this
// never breaks one.
func spaceBreak(s string, limit int) (cut, next int) {
	i := strings.LastIndexByte(s[:limit+1], ' ')
	if i <= 0 || strings.TrimLeft(s[:i], " ") == "" {
		return -1, -1
	}
	return i, i + 1
}

// clusterBreak returns where to cut s, which is longer than limit bytes, has
// no space to break at and starts base bytes into its line, whose URLs from
// s on are urls. The cut is the last grapheme cluster boundary that fits and
// is not inside a URL. When there is none, s starts with a URL longer than a
// line or with a cluster longer than a line, and the cut is the last cluster
// boundary that fits or, failing that, the last code point boundary that
// fits: a UTF-8 sequence is never cut, and limit >= utf8.UTFMax makes the
// cut at least one code point. A cut inside a URL is recorded in w.cutURL.
func (w *wrapper) clusterBreak(s string, base int, urls [][]int) int {
	last, safe, j := 0, 0, 0
	for _, b := range boundaries(s, w.limit) {
		for j < len(urls) && urls[j][1] <= base+b {
			j++
		}
		last = b
		if j == len(urls) || base+b <= urls[j][0] {
			safe = b
		}
	}
	cut := safe
	if cut == 0 {
		cut = last
	}
	if cut == 0 {
		cut = w.limit
		for !utf8.RuneStart(s[cut]) {
			cut--
		}
	}
	for _, u := range urls {
		if u[0] >= base+cut {
			break // only URLs that start before the cut can hold it
		}
		if base+cut < u[1] {
			w.cutURL = max(w.cutURL, u[1]-u[0])
		}
	}
	return cut
}

// boundaries returns the grapheme cluster boundaries in s after 0 and at or
// before limit, ascending; s is longer than limit. Only s up to and
// including the code point that starts at or straddles limit is segmented:
// whether there is a boundary before a code point depends on that code
// point and those before it, never on later ones, so the result is exact,
// and the work is bounded by limit however long the cluster at the start of
// s is. (Segmenting all of s would cost the length of that cluster on every
// line cut from it: quadratic time for one huge cluster.)
func boundaries(s string, limit int) []int {
	end := limit
	for !utf8.RuneStart(s[end]) {
		end--
	}
	_, size := utf8.DecodeRuneInString(s[end:])
	var out []int
	n, state, rest := 0, -1, s[:end+size]
	for rest != "" {
		var cluster string
		cluster, rest, _, state = uniseg.FirstGraphemeClusterInString(rest, state)
		n += len(cluster)
		if n > limit {
			break
		}
		out = append(out, n)
	}
	return out
}
