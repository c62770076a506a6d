package templates

import (
	"strings"
	"testing"
)

// TestLinkDestinationNestingBounded: a link destination holds at most
// maxLinkParens levels of brackets, as cmark reads one, so that finding
// that "[a](b" opens no link reads a bounded part of the text after it:
// a text of such openings, "[a](b[a](b…", each nesting one level deeper
// in the ones before, was read to its end once for each of them (a body
// of 48 KB took over a second for every Shorten of it). Up to that many
// levels a destination is read as before.
func TestLinkDestinationNestingBounded(t *testing.T) {
	for _, tt := range []struct {
		levels int
		link   bool
	}{{1, true}, {3, true}, {maxLinkParens, true}, {maxLinkParens + 1, false}, {200, false}} {
		s := "[a](x" + strings.Repeat("(", tt.levels) + strings.Repeat(")", tt.levels) + ")"
		if got := len(markup(s)) == 1; got != tt.link {
			t.Errorf("%d levels: link %v, want %v: %v", tt.levels, got, tt.link, markup(s))
		}
	}
	// Each "[a](b" opens a destination one level deeper than the one
	// before it: only the last maxLinkParens+1 of them are read to the
	// closing brackets at the end, and the first of those is the link.
	const n = 2000
	s := strings.Repeat("[a](b", n) + strings.Repeat(")", n)
	marks := markup(s)
	if want := (n - maxLinkParens - 1) * len("[a](b"); len(marks) != 1 || marks[0].span != [2]int{want, len(s) - n + maxLinkParens + 1} {
		t.Errorf("marks %v, want one link from %d", marks, want)
	}
}
