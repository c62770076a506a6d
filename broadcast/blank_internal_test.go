package broadcast

import (
	"strings"
	"testing"
)

// blankReference is Blank as it documents itself: nothing shown once Clean
// has removed escape sequences and control characters.
func blankReference(s string) bool { return !strings.ContainsFunc(cleanText(s, true), shown) }

// Blank answers as its reference, which cleans the whole text first, on
// texts whose first shown character comes before, after or inside an
// escape sequence or a control character, and on invalid UTF-8.
func TestBlankAsTheReference(t *testing.T) {
	for _, s := range []string{"", " ", "\n\t", "a", " \u200b a", "\u200b\u200d\ufeff", "\x1b[31m", "\x1b[31mred",
		"\x1b]0;title\x07", "\x1b]0;title\x07 x", "\u009b31m", "\r\n", "\x00", "\x00a", "\xff", " \xff", "a\x1b[",
		"\u00a0\u3000", "\u0085", "\ufffd", " \u2066\u2069 "} {
		if got, want := Blank(s), blankReference(s); got != want {
			t.Errorf("Blank(%q) = %v, want %v", s, got, want)
		}
	}
}

func FuzzBlank(f *testing.F) {
	f.Add(" \x1b[1m\u200bx")
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := Blank(s), blankReference(s); got != want {
			t.Fatalf("Blank(%q) = %v, want %v", s, got, want)
		}
	})
}
