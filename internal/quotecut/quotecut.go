// Package quotecut quotes a value an error names, as %q does, cut to its
// first 64 bytes (at a character's start) and "…": a caller's mistake may
// be a whole document put in the wrong field, and the rest of a value too
// long would hide the problem. The update's validation (package broadcast)
// and the example programs' flag errors quote values with it, so that
// both quote a value alike.
package quotecut

import (
	"strconv"
	"unicode/utf8"
)

// Most is how many bytes of a value Quote keeps.
const Most = 64

// Quote quotes s as strconv.Quote does, cut to its first Most bytes (at a
// character's start) and "…" when longer.
func Quote(s string) string {
	if len(s) <= Most {
		return strconv.Quote(s)
	}
	cut := Most
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strconv.Quote(s[:cut]) + "…"
}
