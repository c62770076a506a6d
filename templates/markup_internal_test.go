package templates

import (
	"strings"
	"testing"
)

// TestReferenceLen: the character references no cut splits are those
// that reference, which the markdown escaping writes as "&amp;…",
// matches.
func TestReferenceLen(t *testing.T) {
	for _, s := range []string{
		"&amp;", "&amp; x", "&amp", "&a;", "&ab;", "&a1;", "&1a;", "&a-b;", "&;", "&", "&&amp;",
		"&" + strings.Repeat("a", 32) + ";", "&" + strings.Repeat("a", 33) + ";",
		"&#;", "&#1;", "&#1234567;", "&#12345678;", "&#x;", "&#x1F600;", "&#X1f600;", "&#x123456;", "&#x1234567;", "&#xG;",
	} {
		want := 0
		if loc := reference.FindStringIndex(s); loc != nil && loc[0] == 0 {
			want = loc[1]
		}
		if got := referenceLen(s); got != want {
			t.Errorf("referenceLen(%q) = %d, want %d", s, got, want)
		}
	}
}
