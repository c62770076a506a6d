package twitter

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// urlCase is a text, the links twitter-text finds in it and its weight.
type urlCase struct {
	name  string
	text  string
	links []string
	want  int
}

// body420 is the body of the reported posts: 420 Latin characters.
var body420 = strings.Repeat("Storage in eu-west is degraded; we are failing over now. ", 8)[:420]

// longPath returns an https link of n UTF-16 units in all.
func longPath(scheme string, n int) string {
	head := scheme + "status.example.com/"
	return head + strings.Repeat("a", n-len(head))
}

// urlCases covers each rule of twitter-text's extractor: which links it
// finds and where they end. Each link weighs 23, the rest is text.
func urlCases() []urlCase {
	jp := "https://status.example.com/インシデント/42"
	return []urlCase{
		// The reported defect: a path stops at the first character the
		// extractor does not take; the rest is text.
		{"Japanese path", jp, []string{"https://status.example.com/"}, 23 + 12 + 3},
		{"Greek path", "https://status.example.com/περιστατικό/42", []string{"https://status.example.com/"}, 23 + 11 + 3},
		{"Hebrew path", "https://status.example.com/תקרית/42", []string{"https://status.example.com/"}, 23 + 5 + 3},
		{"Japanese path after a body", body420[:200] + " " + jp, []string{"https://status.example.com/"}, 201 + 38},
		{"Cyrillic path is taken", "https://example.com/инцидент/42", []string{"https://example.com/инцидент/42"}, 23},
		{"accented path is taken", "https://example.com/café/naïve", []string{"https://example.com/café/naïve"}, 23},
		{"Greek iota folds into the path", "https://example.com/aιb", []string{"https://example.com/aιb"}, 23},
		{"emoji in the path ends it", "https://example.com/a\U0001F600b", []string{"https://example.com/a"}, 23 + 2 + 1},

		// Length: 4,096 UTF-16 units with the scheme, "https://" counted
		// for a link without one.
		{"https link of 4,088 units", longPath("https://", 4088), []string{longPath("https://", 4088)}, 23},
		{"https link of 4,089 units is text", longPath("https://", 4089), nil, 4089},
		{"http link of 4,089 units", longPath("http://", 4089), []string{longPath("http://", 4089)}, 23},
		{"bare link of 4,088 units", longPath("", 4088), []string{longPath("", 4088)}, 23},
		{"bare link of 4,089 units is text", longPath("", 4089), nil, 4089},

		// Where a link may start.
		{"after a letter", "xhttps://example.com", nil, 20},
		{"after @", "@https://example.com", nil, 20},
		{"after a colon", "Status:https://example.com", []string{"https://example.com"}, 7 + 23},
		{"after CJK", "詳細https://example.com", []string{"https://example.com"}, 4 + 23},
		{"other schemes are text", "ftp://example.com", nil, 17},
		{"scheme in capitals", "HTTPS://Example.COM/A", []string{"HTTPS://Example.COM/A"}, 23},

		// Hosts.
		{"IPv4 is text", "http://192.168.0.1/x", nil, 20},
		{"IPv6 is text", "http://[::1]/x", nil, 14},
		{"single label is text", "http://localhost:8080/x", nil, 23},
		{"unknown top-level domain is text", "https://status.example.notatld/x", nil, 32},
		{"userinfo is text", "https://user:pw@example.com/", nil, 28},
		{"underscore in a subdomain", "http://a_b.example.com", []string{"http://a_b.example.com"}, 23},
		{"underscore before the top-level domain is text", "http://example_1.com", nil, 20},
		{"label starting with a hyphen is text", "http://-a.com/", nil, 14},
		{"IDN host", "https://bücher.example/ and https://例え.jp/x", []string{"https://例え.jp/x"}, 23 + 5 + 23},
		{"IDN top-level domain", "https://пример.рф/a", []string{"https://пример.рф/a"}, 23},
		{"Punycode top-level domain", "https://example.xn--p1ai/a", []string{"https://example.xn--p1ai/a"}, 23},
		{"wildcard country domain", "https://gov.ck/a", []string{"https://gov.ck/a"}, 23},
		{"top-level domain ends before CJK", "https://example.com日本", []string{"https://example.com"}, 23 + 4},
		{"top-level domain followed by a hyphen is text", "https://example.com-x", nil, 21},
		{"label over 63 characters is text", "https://" + strings.Repeat("a", 64) + ".com", nil, 76},
		{"label of 63 characters", "https://" + strings.Repeat("a", 63) + ".com", []string{"https://" + strings.Repeat("a", 63) + ".com"}, 23},

		// Port, path, query.
		{"port", "https://example.com:8443/a", []string{"https://example.com:8443/a"}, 23},
		{"colon without digits ends it", "https://example.com:x", []string{"https://example.com"}, 23 + 2},
		{"trailing full stop", "See https://example.com/a.", []string{"https://example.com/a"}, 4 + 23 + 1},
		{"trailing comma and quote", "\"https://example.com/a\",", []string{"https://example.com/a"}, 1 + 23 + 2},
		{"balanced parentheses", "(https://example.com/wiki/A_(b))", []string{"https://example.com/wiki/A_(b)"}, 1 + 23 + 1},
		{"nested parentheses", "https://example.com/a(b(c)d)", []string{"https://example.com/a(b(c)d)"}, 23},
		{"unbalanced parenthesis ends it", "https://example.com/a(b", []string{"https://example.com/a"}, 23 + 2},
		{"query", "https://example.com/a?q=1&r=2", []string{"https://example.com/a?q=1&r=2"}, 23},
		{"query stops at non-ASCII", "https://example.com/?q=日本", []string{"https://example.com/?q="}, 23 + 4},
		{"lone question mark", "https://example.com/a?", []string{"https://example.com/a"}, 24},
		{"fragment", "https://example.com/a#b", []string{"https://example.com/a#b"}, 23},

		// Links without a scheme.
		{"bare domain", "status.example.com", []string{"status.example.com"}, 23},
		{"bare domain with a path", "status.example.com/incidents/42", []string{"status.example.com/incidents/42"}, 23},
		{"bare domain with only a port", "example.com:8080", []string{"example.com"}, 23 + 5},
		{"bare domain with a port and path", "example.com:8080/x", []string{"example.com:8080/x"}, 23},
		{"bare domain after a hyphen is text", "-example.com", nil, 12},
		{"bare domain after a slash is text", "/example.com", nil, 12},
		{"bare domain in quotes", "\"example.com\"", []string{"example.com"}, 1 + 23 + 1},
		{"only the ASCII part of a bare domain", "日本.example.com", []string{"example.com"}, 4 + 1 + 23},
		{"underscore ends a bare domain's start", "foo_bar.example.com", []string{"bar.example.com"}, 4 + 23},
		{"non-ASCII host without scheme is text", "例え.jp", nil, 7},
		{"bare IDN top-level domain", "example.рф", []string{"example.рф"}, 23},
		// twitter-text reports this link as "a.com/x" and counts on after
		// its seven characters, from "本".
		{"ASCII domain ending inside a bare domain", "a.com、日本.jp/x", []string{"a.com/x"}, 23 + 2 + 5},
		{"email address is text", "ops@example.com", nil, 15},
		{"version is text", "v1.2.3", nil, 6},

		// t.co links end after their slug; a slug over 40 is no link.
		{"t.co link", "https://t.co/abc123_x", []string{"https://t.co/abc123"}, 23 + 2},
		{"t.co slug of 40", "https://t.co/" + strings.Repeat("a", 40), []string{"https://t.co/" + strings.Repeat("a", 40)}, 23},
		{"t.co slug of 41 is text", "https://t.co/" + strings.Repeat("a", 41), nil, 54},

		{"several links", "a.com b.com https://c.com", []string{"a.com", "b.com", "https://c.com"}, 23*3 + 2},
	}
}

// urlWeightCases returns urlCases as weight cases.
func urlWeightCases() []weightCase {
	var out []weightCase
	for _, c := range urlCases() {
		out = append(out, weightCase{name: c.name, text: c.text, want: c.want})
	}
	return out
}

func TestFindURLs(t *testing.T) {
	for _, tt := range urlCases() {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, u := range findURLs(tt.text) {
				got = append(got, u.link(tt.text))
			}
			assert.Equal(t, tt.links, got)
		})
	}
}

// findHashtags finds the hashtags twitter-text finds (the tests tagged
// twittertext compare it with twitter-text itself).
func TestFindHashtags(t *testing.T) {
	tests := map[string][]string{
		"#outage ＃障害 #1 #a_1": {"#outage", "＃障害", "#a_1"},
		"##a":                 {"#a"},
		"#a#b #c://x #d＃e":    nil,
		"&#a x#b 日本#c":        nil,
		"#\uFE0Fa \uFE0F#b":   {"#b"},
		"＃x.com/@ops":         {"＃x"},
		"#障害example.com":      {"#障害example"},
		"#café.example.com":   {"#café"},
	}
	for text, want := range tests {
		var got []string
		for _, h := range findHashtags(text) {
			got = append(got, text[h[0]:h[1]])
		}
		assert.Equal(t, want, got, text)
	}
}
