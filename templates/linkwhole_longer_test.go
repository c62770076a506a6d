package templates_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/templates"
)

// TestLinkSpansWholeLongerURLShown: where s shows a URL of whole as the
// start of a longer URL whose later link runs past its end, the links
// are LinkSpans'; before, the first was stretched to the URL of whole
// and the second, which it overlapped, dropped, so that the end of the
// text's URL ("2") was linked to nothing. The URL shown whole, and
// shown twice, is still linked whole.
func TestLinkSpansWholeLongerURLShown(t *testing.T) {
	for _, tt := range []struct {
		s, whole string
		want     []string
	}{
		{"https://a.example/1、https://b.example/22", "https://a.example/1、https://b.example/2",
			[]string{"https://a.example/1", "https://b.example/22"}},
		{"https://x.example/p?q=«https://y.example/zz.", "https://x.example/p?q=«https://y.example/z",
			[]string{"https://x.example/p?q=", "https://y.example/zz"}},
		{"https://a.example/1、https://b.example/2.", "https://a.example/1、https://b.example/2",
			[]string{"https://a.example/1、https://b.example/2"}},
		{"see https://x.example/a. and https://x.example/a.", "https://x.example/a.",
			[]string{"https://x.example/a.", "https://x.example/a."}},
		{"see https://x.example/ab.", "https://x.example/a", []string{"https://x.example/ab"}},
	} {
		var got []string
		for _, sp := range templates.LinkSpansWhole(tt.s, tt.whole) {
			got = append(got, tt.s[sp[0]:sp[1]])
		}
		assert.Equal(t, tt.want, got, "%q, whole %q", tt.s, tt.whole)
	}
}
