// Package wordedge tells where a short secret stands apart from the words
// around it, the one rule that redact.Redactor keeps for a short form of
// a password and for a word of WithWords (an IRC channel key): a letter
// (of any script) or a digit runs a word on, a mark does not.
package wordedge

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Apart reports whether s[i:e] stands apart at its start and at its end:
// at each, no letter or digit touches it outside (the text's edge, a mark,
// a space or a byte that is not UTF-8 is no letter), or its own character
// there is none (a word that starts or ends with a mark: no word runs on
// through it). A word of marks alone ("+", "-+") has no word of its own
// that its marks could end: it stands apart only where no letter or
// digit touches it, so that "+" does not take the "+" out of "(+k)".
func Apart(s string, i, e int) (start, end bool) {
	w := s[i:e]
	marks := !strings.ContainsFunc(w, InWord)
	first, _ := utf8.DecodeRuneInString(w)
	last, _ := utf8.DecodeLastRuneInString(w)
	before, _ := utf8.DecodeLastRuneInString(s[:i])
	after, _ := utf8.DecodeRuneInString(s[e:])
	start = !InWord(before) || !marks && !InWord(first)
	end = !InWord(after) || !marks && !InWord(last)
	return start, end
}

// InWord reports whether r runs a word on: a letter or a digit.
func InWord(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }
