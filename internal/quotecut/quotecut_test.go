package quotecut

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestQuote(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", `""`},
		{"a\nb", `"a\nb"`},
		{strings.Repeat("x", Most), `"` + strings.Repeat("x", Most) + `"`},
		{strings.Repeat("x", Most+1), `"` + strings.Repeat("x", Most) + `"…`},
		// A character across the cut is left out whole, not split.
		{strings.Repeat("x", Most-1) + "é" + "y", `"` + strings.Repeat("x", Most-1) + `"…`},
	} {
		if got := Quote(tc.in); got != tc.want {
			t.Errorf("Quote(%q) = %s, want %s", tc.in, got, tc.want)
		}
		if !utf8.ValidString(Quote(tc.in)) {
			t.Errorf("Quote(%q) is not valid UTF-8", tc.in)
		}
	}
}
