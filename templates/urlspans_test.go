package templates_test

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/templates"
)

// urlReference is what URLSpans documents it finds, as a regular
// expression: the reference its faster search must agree with.
var urlReference = regexp.MustCompile(`(?i)https?://[^\s\v\x{85}\p{Z}<>"]+`)

// URLSpans finds exactly the spans of the regular expression it documents,
// on texts that probe its edges: schemes in any case (the long s too),
// glued to words, cut short, repeated, followed by nothing a URL holds,
// and ended by every kind of white space.
func TestURLSpansAsTheReference(t *testing.T) {
	for _, s := range []string{
		"", "://", "http://", "https://", "http://a", "see https://status.example.com/x.",
		"HTTPS://A.EXAMPLE HtTp://b", "httpſ://long-s.example", "HTTPſ://x", "httpſ", "ſ://x",
		"xhttps://glued.example", "httphttps://x", "https://a://b https://c", "http:// x https://y",
		"http://\"q\" https://<a> https://a>b", "https://a\u00a0b https://a\u3000b https://a\u2028b https://a\u0085b",
		"https://a\vb https://a\fb https://a\rb https://a\tb", "https://a\xffb\xfe", "\xffhttps://x",
		"ht tp://x htt://x hxxp://x https:/x https:\\\\x", "ftp://x file:///etc", ":////", "https://🙂/ü",
		"Ｈttps://x", "https://xK https://x\u212a",
	} {
		assert.Equal(t, urlReference.FindAllStringIndex(s, -1), templates.URLSpans(s), "%q", s)
	}
}

func FuzzURLSpans(f *testing.F) {
	for _, s := range []string{"see https://status.example.com/x.", "HTTPſ://x https://a://b", "http://\"q\" ht://"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if want, got := urlReference.FindAllStringIndex(s, -1), templates.URLSpans(s); !assert.ObjectsAreEqual(want, got) {
			t.Fatalf("URLSpans(%q) = %v, the reference finds %v", s, got, want)
		}
	})
}
