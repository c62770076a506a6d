package templates

import (
	"strings"
	"testing"
	"unicode"
)

// tidyCases are texts whose white space the tidy functions must treat as
// strings.Fields and unicode.IsSpace do.
var tidyCases = []string{
	"", " ", "a", " a ", "a b", "a  b", "a\tb", "a \nb", "\n\na\n\n\n\nb\n\n", "a\r\nb\rc\r\r\nd",
	"trailing   \nspaces\t\n", "a\u00a0b\u0085c\u2028d\u3000e", "\u3000lead", "end\u2009", "x\xffy \xff",
	"Family 👩‍👩‍👧‍👦  flags 🇩🇪🇫🇷", "東京 リージョン\n\n障害", "a \u00a0 b", "a\v\fb",
}

// referenceNormalize is normalize as strings.Fields, strings.Split and
// strings.TrimRightFunc spell it.
func referenceNormalize(s string, single bool) string {
	if single {
		return strings.Join(strings.Fields(s), " ")
	}
	var out []string
	blank := false
	for _, l := range strings.Split(strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n"), "\n") {
		if l = strings.TrimRightFunc(l, unicode.IsSpace); l == "" {
			blank = len(out) > 0
			continue
		}
		if blank {
			out = append(out, "")
		}
		blank = false
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

func checkTidy(t *testing.T, s string) {
	t.Helper()
	want := referenceNormalize(s, true)
	if got := oneLine(s); got != want {
		t.Errorf("oneLine(%q) = %q, want %q", s, got, want)
	}
	if got := isOneLine(s); got != (want == s) {
		t.Errorf("isOneLine(%q) = %v", s, got)
	}
	if got := normalize([]byte(s), true); got != want {
		t.Errorf("normalize(%q, true) = %q, want %q", s, got, want)
	}
	if got, want := normalize([]byte(s), false), referenceNormalize(s, false); got != want {
		t.Errorf("normalize(%q, false) = %q, want %q", s, got, want)
	}
}

func TestTidy(t *testing.T) {
	for _, s := range tidyCases {
		checkTidy(t, s)
	}
}

func FuzzTidy(f *testing.F) {
	for _, s := range tidyCases {
		f.Add(s)
	}
	f.Fuzz(checkTidy)
}
