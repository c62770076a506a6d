package templates

import (
	"strings"
	"testing"
)

// TestReferenceReadGrowsWithSize: texts that make the link reader look
// for many labels and definitions, as a paste may ("[" 10,000 times and
// "]:", "]:" repeated, a definition on each line, deep in quotes and
// items past maxNest too, labels that open and do not close), cost it
// allocations and paragraph reads in proportion to their size: four
// times the text, at most about four times as many. It counts them, not
// the time.
func TestReferenceReadGrowsWithSize(t *testing.T) {
	for name, text := range map[string]func(n int) string{
		"open brackets": func(n int) string { return strings.Repeat("[", n) + "]:" },
		"colons":        func(n int) string { return strings.Repeat("]:", n) },
		"definitions":   func(n int) string { return strings.Repeat("[a]: https://x.example/a\n", n) },
		"deep definitions": func(n int) string {
			return strings.Repeat("> - ", maxNest+8) + strings.Repeat("[a]: https://x.example/a\n", n)
		},
		"quoted definitions": func(n int) string { return strings.Repeat("> [a]: u 't'\n>\n", n) },
		"unclosed labels":    func(n int) string { return strings.Repeat("[a][", n) + "\n\n[a]: u" },
		"nested references":  func(n int) string { return strings.Repeat("[", n) + "a" + strings.Repeat("][a]", n) + "\n\n[a]: u" },
		"images":             func(n int) string { return strings.Repeat("![", n) + "a" + strings.Repeat("][a]", n) + "\n\n[a]: u" },
		"long labels": func(n int) string {
			return strings.Repeat("]["+strings.Repeat("a ", maxLabel), n/maxLabel+1) + "\n\n[a]: u"
		},
	} {
		cost := func(n int) (allocs float64, reads int) {
			s := text(n)
			read := paragraphAt
			paragraphAt = func(s string, i int, open para) (para, int) { reads++; return read(s, i, open) }
			markup(s)
			paragraphAt = read
			return testing.AllocsPerRun(2, func() { markup(s) }), reads
		}
		allocs, reads := cost(2500)
		allocs4, reads4 := cost(10_000)
		if allocs4 > 4*allocs+64 || reads4 > 4*reads+4 {
			t.Errorf("%s: %v allocations and %d paragraph reads for 2,500, %v and %d for 10,000", name, allocs, reads, allocs4, reads4)
		}
	}
}
