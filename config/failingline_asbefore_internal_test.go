package config

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// failingLineBefore is failingLine as it was before it skipped the
// prefixes that a parse reading less of them showed to fail: every prefix
// of whole lines is tried, from the longest.
func failingLineBefore(data []byte) int {
	var ends []int
	for i, b := range data {
		if b == '\n' {
			ends = append(ends, i+1)
		}
	}
	if len(data) > 0 && data[len(data)-1] != '\n' {
		ends = append(ends, len(data))
	}
	budget := maxReparse
	for k := len(ends) - 1; k > 0; k-- {
		end := ends[k-1]
		if budget -= end; budget < 0 {
			return 0
		}
		if _, ok := parseAll(data[:end]); ok {
			return k + 1
		}
	}
	return 1
}

// failingLinePieces are lines of YAML, faulty or not, that make the files
// failingLine is compared on: several documents, block scalars whose
// indentation a later line decides, flow collections and quotes over
// several lines, anchors, tabs, and characters of several bytes.
var failingLinePieces = []string{
	"a: 1", "b:", "  c: 2", "  - x", "  - y: 1", "   d: 3", " e: 4", "- f", "g: [1,", "  2]", "h: {x: 1,", "  y: 2}",
	"i: \"open", "  still\"", "j: 'it''s", "k: |", "    text", "      more", "  less", "l: >-", "m: |2", "n: &a {x: 1}",
	"o: *a", "p: *nope", "q: @x", "r: `x", "\tt: 1", "---", "...", "--- |", "# comment", "", "   ", "u: é à ü",
	"v: 漢字漢字漢字", "w: 🙂🙂", "x: a: b", "y: [", "z: ]", "? k", ": v", "<<: *a", "aa: !!int x", "bb: %x", "cc: - 1",
	"dd: \"\\u00e9\"", "ee: \"\\q\"", "ff:   # é", strings.Repeat("é", 40), "gg: " + strings.Repeat("漢", 30),
	"hh: [" + strings.Repeat("x, ", 20), "ii: { a: [b, {c: d}] }", "jj: '" + strings.Repeat("ü", 33),
}

// failingLine skips the prefixes that a parse reading fewer bytes shows to
// fail, reading the file 64 bytes at a time: it names the line the search
// of every prefix named, on files of several documents, with a byte order
// mark, CRLF line ends, no line end at the end, block scalars, and
// characters of several bytes across a 64-byte boundary.
func TestFailingLineAsBefore(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	compared := 0
	for i := 0; compared < 6000 && i < 60000; i++ {
		var b strings.Builder
		if rng.IntN(8) == 0 {
			b.WriteString("\ufeff")
		}
		nl := "\n"
		if rng.IntN(5) == 0 {
			nl = "\r\n"
		}
		// A run of text whose length puts a character of several bytes
		// of the following lines across a 64-byte boundary.
		if rng.IntN(3) == 0 {
			b.WriteString("pad: " + strings.Repeat("p", rng.IntN(64)) + nl)
		}
		for range 1 + rng.IntN(12) {
			b.WriteString(failingLinePieces[rng.IntN(len(failingLinePieces))])
			b.WriteString(nl)
		}
		data := b.String()
		if rng.IntN(4) == 0 {
			data = strings.TrimSuffix(data, nl)
		}
		if _, ok := parseAll([]byte(data)); ok {
			continue
		}
		compared++
		if got, want := failingLine([]byte(data)), failingLineBefore([]byte(data)); got != want {
			t.Errorf("failingLine(%q) = %d, before %d", data, got, want)
		}
	}
	t.Logf("%d faulty files compared", compared)
}
