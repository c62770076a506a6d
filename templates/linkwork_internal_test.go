package templates

import (
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
		paragraphAt = func(s string, i int) para { reads++; return read(s, i) }
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
