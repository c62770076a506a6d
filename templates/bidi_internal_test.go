package templates

import (
	"strings"
	"testing"
)

// hasBidiOpener answers as strings.ContainsAny(s, bidiOpeners), which it
// stands in for: on every opener, on their neighbours in UTF-8 (the
// ellipsis, quotes and dashes share their first byte), and on bytes cut
// short or invalid.
func TestHasBidiOpener(t *testing.T) {
	cases := []string{"", "plain", "…", "“quoted” – dash", "\xe2", "\xe2\x80", "a\xe2\x80\xff", "\u202C\u2069 closers only",
		"\u200E\u200F\u061C marks"}
	for _, r := range bidiOpeners {
		cases = append(cases, string(r), "text "+string(r)+" more", "…"+string(r), string(r)[:2])
	}
	for _, s := range cases {
		if got, want := hasBidiOpener(s), strings.ContainsAny(s, bidiOpeners); got != want {
			t.Errorf("hasBidiOpener(%q) = %v, want %v", s, got, want)
		}
	}
}

func FuzzHasBidiOpener(f *testing.F) {
	f.Add("a\u202Eb…")
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := hasBidiOpener(s), strings.ContainsAny(s, bidiOpeners); got != want {
			t.Fatalf("hasBidiOpener(%q) = %v, want %v", s, got, want)
		}
	})
}
