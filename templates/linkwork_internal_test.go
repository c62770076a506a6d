package templates

import (
	"slices"
	"strings"
	"testing"
)

// TestParagraphFirstLineReadOnce: the link reader reads what the first
// line of a paragraph says of its block quotes and list items (see
// container) once for the paragraph, not once for each of its lines, so
// that a paragraph that opens deep in quotes or nested items,
// ">>>>…" or "- - - …", and goes on for many lines is read about once:
// before, a body of 64 KB so made took seconds for every markup of it.
// It counts the reads, not the time.
func TestParagraphFirstLineReadOnce(t *testing.T) {
	const n = 2000
	for _, s := range []string{
		strings.Repeat(">", n) + " Intro [alpha\n" + strings.Repeat("beta\n", n) + "omega](https://x.example/a)",
		strings.Repeat("- ", n) + "Intro [alpha\n" + strings.Repeat("beta\n", n) + "omega](https://x.example/a)",
		strings.Repeat("1. ", n) + "Intro [alpha\r\n" + strings.Repeat("  beta\r\n", n) + "omega](https://x.example/a)",
	} {
		reads := 0
		read := paragraphAt
		paragraphAt = func(s string, i int, open para) (para, int) { reads++; return read(s, i, open) }
		marks := markup(s)
		paragraphAt = read
		if reads > 1 {
			t.Errorf("%.12q…: the first line read %d times for one paragraph", s, reads)
		}
		if len(marks) != 1 || marks[0].span[1] != len(s) {
			t.Errorf("%.12q…: marks %v, want the link", s, marks)
		}
	}
}

// TestContainerColumnsOfTabs: what a paragraph's first line says of its
// blocks counts a tab's columns from the column it starts at (CommonMark
// 0.31.2, 2.2), after a block quote's ">", whose optional space takes one
// column of a tab after it, the rest being indentation (example 6,
// ">\t\tfoo", a quote holding code indented two columns more), and after
// a list item's marker (example 7, "-\t\tfoo": its text at column 2,
// code after it); and a line indented by a tab to a list item's text
// starts an item nested in it (example 9). The columns are those of the
// same lines with the tabs written as spaces; q stands for a block quote.
func TestContainerColumnsOfTabs(t *testing.T) {
	const q = quoted
	for _, c := range []struct {
		line string
		want []int32
	}{
		{"-\tfoo", []int32{4}},
		{"1.\t[x", []int32{4}},
		{"10.\tfoo", []int32{4}},
		{"-\t\tfoo", []int32{2}},
		{">\t- foo", []int32{q, 6}},
		{" >\t- foo", []int32{q, 6}},
		{">>\t- foo", []int32{q, q, 6}},
		{"> \t- foo", []int32{q, 6}},
		{">\t>\t- foo", []int32{q, q, 10}},
		{"- \t- foo", []int32{4, 6}},
	} {
		if p, _ := nextParagraph(c.line, 0, para{}); !slices.Equal(p.c[:p.n], c.want) {
			t.Errorf("nextParagraph(%q) in %v, want %v", c.line, p.c[:p.n], c.want)
		}
	}
	for _, c := range []struct {
		line string
		in   []int32
		want bool
	}{
		{">\t\tfoo", []int32{q}, false},   // example 6: code, which interrupts no paragraph
		{"\t - baz", []int32{5}, true},    // example 9: an item nested in "   - bar"
		{">\t  - foo", []int32{q}, false}, // four columns in
		{">\t - foo", []int32{q}, true},
		{"> \t# foo", []int32{q}, true},
		{">  \t>foo", []int32{q}, true}, // a second quote, two columns in
	} {
		var p para
		p.n = copy(p.c[:], c.in)
		if got := interrupts(c.line, 0, p); got != c.want {
			t.Errorf("interrupts(%q) in %v = %v, want %v", c.line, c.in, got, c.want)
		}
	}
}
