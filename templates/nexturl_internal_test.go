package templates

import (
	"strings"
	"testing"
)

// TestNextURLReadsTextOnce: a "://" with no scheme before it ("a://",
// "://") starts no URL, and finding that costs no reading up to the next
// white space: a body of such text is read about once, where it was read
// once for each of them (a body of 25,000 characters took seconds for
// each of URLSpans' and LinkSpans' calls). The URL after them is found
// as before.
func TestNextURLReadsTextOnce(t *testing.T) {
	for _, junk := range []string{"a://", "://", "1://x", "ftp://"} {
		s := strings.Repeat(junk, 2000) + " https://x.example/a b"
		for name, in := range map[string]func(rune) bool{"urlRune": urlRune, "linkRune": linkRune} {
			read := 0
			start, end, ok := nextURL(s, 0, func(r rune) bool { read++; return in(r) })
			if !ok || s[start:end] != "https://x.example/a" {
				t.Errorf("%s, %q: found %v %q", name, junk, ok, s[start:end])
			}
			if read > len(s) {
				t.Errorf("%s, %q: %d characters read in a text of %d bytes", name, junk, read, len(s))
			}
		}
	}
}
