package irc

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/rivo/uniseg"
)

// Split turns text into IRC message texts of at most limit bytes each.
//
// It first makes text safe to put on the wire: invalid UTF-8 becomes U+FFFD,
// CR LF, CR, LF, NEL, U+2028 and U+2029 end a line, a tab becomes a space and
// every other control character (C0 including NUL and the IRC formatting codes
// such as \x02 bold and \x01 CTCP, DEL and C1) is removed. No input can
// therefore end a line early and smuggle in a command of its own.
//
// Each line is then wrapped: at the last space that fits, else at the last
// grapheme cluster boundary that fits, else (a single cluster longer than
// limit) at the last rune boundary that fits; a UTF-8 sequence is never cut.
// A word of at most limit bytes is never split. Spaces at a break and at the
// end of a line are dropped, as are blank lines; leading spaces that start an
// input line (indentation) are kept when the line fits.
//
// A limit below 4 bytes (utf8.UTFMax) is treated as 4.
func Split(text string, limit int) []string {
	limit = max(limit, utf8.UTFMax)
	var out []string
	for line := range strings.SplitSeq(clean(text), "\n") {
		out = wrap(out, strings.TrimRight(line, " "), limit)
	}
	return out
}

// clean applies the replacements documented on Split and leaves "\n" as the
// only line separator.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
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

// wrap appends the pieces of one input line to out.
func wrap(out []string, s string, limit int) []string {
	for strings.TrimLeft(s, " ") != "" {
		if len(s) <= limit {
			return append(out, s)
		}
		cut, next := spaceBreak(s, limit)
		if cut < 0 {
			if s[0] == ' ' {
				// Indentation that would split the first word: drop it.
				s = strings.TrimLeft(s, " ")
				continue
			}
			cut = clusterBreak(s, limit)
			next = cut
		}
		out = append(out, strings.TrimRight(s[:cut], " "))
		s = strings.TrimLeft(s[next:], " ")
	}
	return out
}

// spaceBreak finds the last space at which s can be broken so that the piece
// before it fits in limit bytes and is not blank. It returns the end of that
// piece and the start of the rest, or -1, -1.
func spaceBreak(s string, limit int) (cut, next int) {
	i := strings.LastIndexByte(s[:limit+1], ' ')
	if i <= 0 || strings.TrimLeft(s[:i], " ") == "" {
		return -1, -1
	}
	return i, i + 1
}

// clusterBreak returns the length of the longest prefix of s, ending on a
// grapheme cluster boundary, that fits in limit bytes; when the first cluster
// alone is too long, the longest prefix ending on a rune boundary. The result
// is always at least one rune, as limit >= utf8.UTFMax.
func clusterBreak(s string, limit int) int {
	n, state := 0, -1
	rest := s
	for rest != "" {
		var cluster string
		cluster, rest, _, state = uniseg.FirstGraphemeClusterInString(rest, state)
		if n+len(cluster) > limit {
			break
		}
		n += len(cluster)
	}
	if n > 0 {
		return n
	}
	for n < len(s) {
		_, size := utf8.DecodeRuneInString(s[n:])
		if n+size > limit {
			break
		}
		n += size
	}
	return n
}
