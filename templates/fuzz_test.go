package templates_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/outagecast/outagecast/templates"
)

// FuzzShorten checks Shorten's promises on any text, limit and measure: the
// result fits, is valid UTF-8 when the input is, is the input when it fits,
// and keeps the URLs when the ellipsis and the URLs alone fit.
func FuzzShorten(f *testing.F) {
	for i, s := range hardTexts {
		f.Add(s, 10+i*3, uint8(i))
	}
	f.Add("", 1, uint8(0))
	f.Add("a\u0301\u0302\u0303 b", 2, uint8(1))
	names := []string{"bytes", "runes", "graphemes", "weighted"}
	f.Fuzz(func(t *testing.T, s string, limit int, which uint8) {
		if !utf8.ValidString(s) {
			s = strings.ToValidUTF8(s, "\uFFFD")
		}
		limit %= 1000
		m := measures[names[int(which)%len(names)]]
		got := templates.Shorten(s, limit, m)
		if limit <= 0 || m(s) <= limit {
			if got != s {
				t.Fatalf("Shorten(%q, %d) = %q, want it unchanged", s, limit, got)
			}
			return
		}
		if m(got) > limit {
			t.Fatalf("Shorten(%q, %d) = %q measures %d", s, limit, got, m(got))
		}
		if !utf8.ValidString(got) {
			t.Fatalf("Shorten(%q, %d) = %q: invalid UTF-8", s, limit, got)
		}
		urls := testURL.FindAllString(s, -1)
		if len(urls) > 0 && m(templates.Ellipsis+" "+strings.Join(urls, " ")) <= limit {
			for _, u := range urls {
				if !strings.Contains(got, u) {
					t.Fatalf("Shorten(%q, %d) = %q lost URL %q", s, limit, got, u)
				}
			}
		}
	})
}
