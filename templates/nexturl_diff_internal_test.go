package templates

import (
	"math/rand"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// oldNextURL is nextURL as it was before it found a scheme before reading
// the URL after it: it read up to the end of the run of in's characters
// after every "://". It is kept as the reference the new one must agree
// with.
func oldNextURL(s string, pos int, in func(r rune) bool) (start, end int, ok bool) {
	for {
		i := strings.Index(s[pos:], "://")
		if i < 0 {
			return 0, 0, false
		}
		i += pos
		start := schemeStart(s[pos:i]) + pos
		end := i + len("://")
		for end < len(s) {
			r, n := utf8.DecodeRuneInString(s[end:])
			if !in(r) {
				break
			}
			end += n
		}
		if start < i && end > i+len("://") {
			return start, end, true
		}
		pos = i + 1
	}
}

// oldSpans is URLSpans (in urlRune), the URLs the cutters keep whole
// read as plain text (in keptRune, see keptURLSpans), or LinkSpans (in
// linkRune, link set; an autolink "<url>" whole, as LinkSpans reads it
// since it reads one) with oldNextURL.
func oldSpans(s string, in func(rune) bool, link bool) [][]int {
	var spans [][]int
	for pos := 0; ; {
		start, end, ok := oldNextURL(s, pos, in)
		if !ok {
			return spans
		}
		if !link {
			spans = append(spans, []int{start, end})
		} else if e := angledEnd(s, start); e > 0 { // an autolink, read as LinkSpans reads it
			spans = append(spans, []int{start, e})
			pos = e + 1
			continue
		} else if l := trimLink(s[start:end]); l > strings.Index(s[start:end], "://")+len("://") {
			spans = append(spans, []int{start, start + l})
		}
		pos = end
	}
}

// urlTestPieces are the pieces the texts of TestNextURLAsBefore are made
// of: schemes in any case and none, "://" alone, IDN hosts, brackets,
// trailing punctuation, CJK punctuation, white space of every kind and
// bytes that are no UTF-8.
var urlTestPieces = []string{
	"http", "https", "HTTP", "hTtPs", "httpſ", "ftp", "s3", "a", "x", "://", ":/", ":", "/", "//",
	"http://", "https://", "HTTPS://", "httpſ://", "ahttp://", "xhttps://",
	"bücher.example", "пример.рф", "東京", "例え.jp", "xn--bcher-kva.example",
	"(", ")", "[", "]", "{", "}", "<", ">", "\"", "'", ".", ",", ";", "!", "?", "।", "¿",
	"、", "。", "「", "」", "（", "）", "，", "«", "»", "“", "”", "…", "–", "—", "\u200d", "\u2066",
	" ", "\t", "\n", "\u3000", "\u00a0", "\u0085", "\u2028", "\v",
	"\xff", "\xe3\x80", "&amp;", "#tag", "@who", "q=1&b=2", "%20", "々",
}

func urlTestText(r *rand.Rand) string {
	var b strings.Builder
	for range r.Intn(24) {
		b.WriteString(urlTestPieces[r.Intn(len(urlTestPieces))])
	}
	return b.String()
}

// TestNextURLAsBefore: URLSpans and LinkSpans, which read a URL only once
// its scheme is found, find the spans they found when they read one after
// every "://", on tricky texts and on many generated ones.
func TestNextURLAsBefore(t *testing.T) {
	texts := []string{
		"", "://", "a://", "://x", "http://", "http:// x", "https://x", "xhttp://y", "http://http://x",
		"s3://b/k,s3://b/l,https://x.example/a", "see https://bücher.example/東京、https://b.example/2。",
		"(https://en.wikipedia.org/wiki/Mars_(planet)).", "ＨＴＴＰ://x", "http\u017f://x.example",
		"word http://in.word/x\u3000and", "https://x.example/a\xffb", "https://\xff", "HTTPS://X.EXAMPLE/«Q»",
		"「https://x.example/a」", "https://x.example/a…https://y.example/b",
	}
	r := rand.New(rand.NewSource(17))
	for range 50000 {
		texts = append(texts, urlTestText(r))
	}
	for _, s := range texts {
		if got, want := URLSpans(s), oldSpans(s, urlRune, false); !reflect.DeepEqual(got, want) {
			t.Fatalf("URLSpans(%q) = %v, before %v", s, got, want)
		}
		if got, want := LinkSpans(s), oldSpans(s, linkRune, true); !reflect.DeepEqual(got, want) {
			t.Fatalf("LinkSpans(%q) = %v, before %v", s, got, want)
		}
		if len(markup(s)) == 0 { // no link, autolink or reference, whose URL the markup ends
			urls, _ := keptSpans(s)
			want := oldSpans(s, keptRune, false)
			if len(urls) != len(want) {
				t.Fatalf("keptSpans(%q) = %v, before %v", s, urls, want)
			}
			for i := range urls {
				if urls[i][0] != want[i][0] || urls[i][1] != want[i][1] {
					t.Fatalf("keptSpans(%q) = %v, before %v", s, urls, want)
				}
			}
		}
	}
}

// TestKeptURLsOfASCIIAreURLSpans: in a text without a character that
// ends a link (an ASCII one), the URLs the cutters keep whole are those
// URLSpans finds, each up to the white space, its final punctuation
// included: keptRune changes nothing there.
func TestKeptURLsOfASCIIAreURLSpans(t *testing.T) {
	var ascii []string
	for _, p := range urlTestPieces {
		if !strings.ContainsFunc(p, endsLink) {
			ascii = append(ascii, p)
		}
	}
	r := rand.New(rand.NewSource(23))
	for range 20000 {
		var b strings.Builder
		for range r.Intn(24) {
			b.WriteString(ascii[r.Intn(len(ascii))])
		}
		s := b.String()
		if got, want := keptURLSpans(s), URLSpans(s); !reflect.DeepEqual(got, want) {
			t.Fatalf("keptURLSpans(%q) = %v, URLSpans %v", s, got, want)
		}
		if len(markup(s)) == 0 {
			urls, _ := keptSpans(s)
			spans := make([][]int, len(urls))
			for i, u := range urls {
				spans[i] = []int{u[0], u[1]}
			}
			if want := URLSpans(s); len(urls)+len(want) > 0 && !reflect.DeepEqual(spans, want) {
				t.Fatalf("keptSpans(%q) = %v, URLSpans %v", s, urls, want)
			}
		}
	}
}
