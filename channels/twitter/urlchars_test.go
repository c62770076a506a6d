package twitter

import (
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"golang.org/x/text/cases"
	"golang.org/x/text/language"
)

// jsCanonicalize is how JavaScript compares characters in a regular
// expression that ignores case without the Unicode flag: by their full
// upper case when that is one UTF-16 unit and does not turn a non-ASCII
// character into an ASCII one.
func jsCanonicalize(c rune) rune {
	u := cases.Upper(language.Und).String(string(c))
	r, size := utf8.DecodeRuneInString(u)
	if size != len(u) || utf16.RuneLen(r) != 1 || c >= 0x80 && r < 0x80 {
		return c
	}
	return r
}

// foldExtras returns the BMP characters outside in whose canonical form is
// that of a character in it.
func foldExtras(in func(uint16) bool) string {
	canon := map[rune]bool{}
	for c := rune(0); c <= 0xFFFF; c++ {
		if !utf16.IsSurrogate(c) && in(uint16(c)) {
			canon[jsCanonicalize(c)] = true
		}
	}
	var out []rune
	for c := rune(0x80); c <= 0xFFFF; c++ {
		if !utf16.IsSurrogate(c) && !in(uint16(c)) && canon[jsCanonicalize(c)] {
			out = append(out, c)
		}
	}
	return string(out)
}

// TestFoldExtras derives foldsIntoLatin and foldsIntoCyrillic from
// Unicode's case mappings. U+A7DC came with Unicode 16, which
// golang.org/x/text's tables predate.
func TestFoldExtras(t *testing.T) {
	latin := func(c uint16) bool {
		return isLatinAccent(c) && !strings.ContainsRune(foldsIntoLatin, rune(c))
	}
	cyrillic := func(c uint16) bool { return c >= 0x400 && c <= 0x4FF }
	assert.Equal(t, foldsIntoLatin, foldExtras(latin)+"\uA7DC")
	assert.Equal(t, foldsIntoCyrillic, foldExtras(cyrillic))
}
