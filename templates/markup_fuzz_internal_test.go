package templates

import (
	"strings"
	"testing"
)

// FuzzMarkupTabs checks markup on texts with tabs, block quotes and list
// items, and code and HTML blocks in them: it neither panics nor loops,
// its marks are in order, apart and within the text, and a text reads as
// the same text with its tabs written as spaces to the next tab stop, as
// CommonMark has tabs define block structure (0.31.2, 2.2): a tab in a
// line's quote markers, list markers and indentation is those columns,
// and one anywhere else is white space as the spaces are.
func FuzzMarkupTabs(f *testing.F) {
	for _, s := range []string{
		">\t- [a\n>\t 2. b](https://x.example/a)",
		">>\t[a\n>\t  2. b](u)",
		"-\t[a\n  \t- b](u)",
		"> [a\n> \t# b](u)",
		"> - [a\n>\t 2. b](u)",
		"[a](u)\n>\t",
		"[a](u)\r>\t\t",
		"[a\r\n>\t",
		"[a](u)\r\n-\t",
		">\t>\t- [a\r\n>\t>\t\tb](u)",
		"1.\t[a\r  \t- b](u)",
		" >\t-\t[a\n \t\t\tb](u) &amp;",
		"- \t- [a\n\t\t- b](<u v>)",
		">\t\t[a\n>\t\t\tb](u \"t\n\tu\")",
		"-\t\t[a\n\t\tb](u) <https://x.example/b>",
		"\x00>\t[a\n\xff\t- b](u)",
		"-\tx\n\n\t\t[a\n\tb](u)",
		">\t-\t```\n>\t\t[a\n>\tb](u)",
		"- <!-- [a\n\t--> b](u)",
		"1.\t<div>\n\t[a\n\n\tb](u)",
		"- >\t[a\n\t> b](u)",
		">\t[a](\n>\t\tu\n>\t\"t\")",
		"- >\t[a](u\n\t>\t)",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		marks := markup(s)
		end := 0
		for _, m := range marks {
			if m.span[0] < end || m.span[0] >= m.span[1] || m.span[1] > len(s) {
				t.Fatalf("markup(%q) = %v: mark %v out of order or of the text", s, marks, m)
			}
			if m.dest != [2]int{} && (m.dest[0] < m.span[0] || m.dest[0] >= m.dest[1] || m.dest[1] > m.span[1]) {
				t.Fatalf("markup(%q) = %v: destination %v outside its mark", s, marks, m)
			}
			end = m.span[1]
		}
		spaced, at := expandTabs(s)
		want := markup(spaced)
		got := make([]mark, len(marks))
		for k, m := range marks {
			got[k].span = [2]int{at[m.span[0]], at[m.span[1]-1] + 1}
			if m.dest != [2]int{} {
				got[k].dest = [2]int{at[m.dest[0]], at[m.dest[1]-1] + 1}
			}
		}
		if len(got) != len(want) {
			t.Fatalf("markup(%q) = %v, but markup(%q) = %v", s, got, spaced, want)
		}
		for k := range got {
			if got[k].span != want[k].span || got[k].dest != want[k].dest { // (a reference link's definition and text are not mapped)
				t.Fatalf("markup(%q) = %v, but markup(%q) = %v", s, got, spaced, want)
			}
		}
	})
}

// expandTabs returns s with each tab written as the spaces to the next
// multiple of tabWidth, columns counted in bytes from each line's start,
// and the offset in it of each byte of s.
func expandTabs(s string) (string, []int) {
	var b strings.Builder
	at := make([]int, len(s)+1)
	col := 0
	for i := 0; i < len(s); i++ {
		at[i] = b.Len()
		switch c := s[i]; c {
		case '\t':
			n := tabWidth - col%tabWidth
			b.WriteString(strings.Repeat(" ", n))
			col += n
		case '\n', '\r':
			b.WriteByte(c)
			col = 0
		default:
			b.WriteByte(c)
			col++
		}
	}
	at[len(s)] = b.Len()
	return b.String(), at
}
