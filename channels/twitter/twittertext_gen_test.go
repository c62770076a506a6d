//go:build twittertext

package twitter

import (
	"math/rand/v2"
	"strings"
	"unicode/utf16"
)

// textGen makes random posts from pieces chosen to exercise every rule of
// the count: links with and without a scheme, with non-ASCII hosts and
// paths, near the length limit, t.co links, text right before and after
// links, mentions, CJK, emoji sequences, normalisation and characters
// twitter-text refuses.
//
// Its top-level domains are ones twitter-text 3.1.0's list and the Public
// Suffix List agree on (or that neither has), and its emoji are Emoji 11
// sequences: the package documentation lists where Weight differs outside
// those.
type textGen struct{ r *rand.Rand }

func (g textGen) pick(xs ...string) string { return xs[g.r.IntN(len(xs))] }

func (g textGen) chance(p float64) bool { return g.r.Float64() < p }

func (g textGen) text() string {
	var b strings.Builder
	for i := range 1 + g.r.IntN(10) {
		if i > 0 {
			b.WriteString(g.pick(" ", " ", " ", "", "\n", ". ", ", ", "\t", "\u3000", " (", "\"", "「", ": "))
		}
		b.WriteString(g.piece())
	}
	return b.String()
}

func (g textGen) piece() string {
	switch n := g.r.IntN(100); {
	case n < 25:
		return g.url() + g.after()
	case n < 37:
		return g.before() + g.bare() + g.after()
	case n < 42:
		return g.tco() + g.after()
	case n < 57:
		return g.words()
	case n < 67:
		return g.cjk()
	case n < 79:
		return g.emoji()
	case n < 85:
		return g.pick("@ops", "@status_bot", "＠ops", "#outage", "＃障害", "$CDN", "@ops.example.com", "#1.com")
	case n < 92:
		return g.pick("e\u0301", "A\u030A", "\u212B", "\u1100\u1161\u11A8", "ﬁ", "\u00C5", "n\u0303o",
			"\u05E9\u05BC\u05C1", "\u2000\u200B\u2013\u2014\u2026\u2032", "\u00A0", "\u0130")
	case n < 94:
		return g.pick("\uFEFF", "\uFFFE", "\uFFFF", "\u200E", "\u202E", "\u2066")
	default:
		return strings.Repeat(g.pick("a", "あ", "é", "- ", "x.y "), 50+g.r.IntN(150))
	}
}

func (g textGen) words() string {
	return g.pick("We are investigating elevated error rates", "Resolved", "e.g.", "v1.2.3",
		"ops@example.com", "see:", "Ελληνικά", "עברית", "Русский", "naïve café", "x", "(", ")", "...", "。")
}

func (g textGen) cjk() string {
	return g.pick("東京リージョンの障害", "インシデント", "调查中", "서비스 장애", "ｈｔｔｐｓ", "株式会社", "第一")
}

func (g textGen) emoji() string {
	return g.pick(
		"\U0001F600", "\u2615", "\u2615\uFE0F", "\u2764\uFE0F", "\u2764", "\u263A", "\u263A\uFE0E",
		"\u00A9", "\u00AE", "\u00A9\uFE0F", "\u2122\uFE0F", "1\uFE0F\u20E3", "#\u20E3", "*\uFE0F\u20E3",
		"\U0001F1EF\U0001F1F5", "\U0001F1EC\U0001F1E7", "\U0001F1EF",
		"\U0001F3F4\U000E0067\U000E0062\U000E0065\U000E006E\U000E0067\U000E007F",
		"\U0001F468\u200D\U0001F469\u200D\U0001F467\u200D\U0001F466", "\U0001F469\u200D\U0001F4BB",
		"\U0001F468\U0001F3FD\u200D\U0001F680", "\U0001F44D\U0001F3FD", "\U0001F44B\U0001F3FF",
		"\U0001F3F3\uFE0F\u200D\U0001F308", "\U0001F3F4\u200D\u2620\uFE0F",
		"\U0001F926\U0001F3FD\u200D\u2640\uFE0F", "\U0001F575\uFE0F\u200D\u2640\uFE0F",
		"\U0001F469\U0001F3FE\u200D\U0001F9B0", "\U0001F468\u200D\u2764\uFE0F\u200D\U0001F468",
		" \U0001F3FD", "x\u200D", "\U0001F600\uFE0F", "\U0001F525\U0001F525", "\u26A1\uFE0F")
}

// url returns a link with a scheme, valid or not.
func (g textGen) url() string {
	u := g.pick("https://", "http://", "HTTPS://", "Http://", "https:/", "ftp://") + g.host()
	if g.chance(0.15) {
		u += g.pick(":8080", ":443", ":", ":x")
	}
	if g.chance(0.7) {
		u += g.path()
	}
	if g.chance(0.2) {
		u += g.query()
	}
	if g.chance(0.03) {
		u = g.longer(u)
	}
	return u
}

// longer pads u's path to near twitter-text's limit of 4,096 UTF-16 units
// with the scheme ("https://" when there is none).
func (g textGen) longer(u string) string {
	if _, rest, _ := strings.Cut(u, "//"); !strings.Contains(rest, "/") {
		u += "/"
	}
	n := len(utf16.Encode([]rune(u)))
	target := 4070 + g.r.IntN(40)
	pad := g.pick("a", "я", "é", "a/")
	return u + strings.Repeat(pad, (target-n)/len([]rune(pad)))
}

func (g textGen) host() string {
	if g.chance(0.06) {
		return g.pick("192.168.0.1", "[::1]", "localhost", "127.0.0.1.nip.io")
	}
	var labels []string
	for range 1 + g.r.IntN(3) {
		labels = append(labels, g.label())
	}
	return strings.Join(labels, ".") + "." + g.tld()
}

func (g textGen) label() string {
	switch g.r.IntN(10) {
	case 0:
		return strings.Repeat(g.pick("a", "あ", "ü", "ab-"), 15+g.r.IntN(55))
	case 1:
		return g.pick("bücher", "例え", "пример", "παράδειγμα", "日本", "xn--bcher-kva", "münchen")
	default:
		return g.pick("status", "www", "api", "sub_domain", "my-site", "a", "-bad", "bad-", "x1", "ex\"ample", "STATUS")
	}
}

func (g textGen) tld() string {
	return g.pick("com", "org", "net", "io", "co", "uk", "co.uk", "de", "jp", "fr", "рф", "中国", "みんな",
		"xn--p1ai", "COM", "Com", "ck", "notatld", "local", "internal", "example", "com1", "c", "onion")
}

func (g textGen) path() string {
	var b strings.Builder
	for range 1 + g.r.IntN(4) {
		b.WriteString("/")
		b.WriteString(g.pick("incidents", "42", "インシデント", "περιστατικό", "תקרית", "инцидент", "café",
			"Primer_(film)", "a(b(c)d)e", "(unbalanced", "@user", "~x", "%20", "a.b", "x-y_z", "ι", "ⱥ",
			"–", "…", "\U0001F600", "a!b", "a'b", "a*b", "[1]", "a|b", "", "x=y", "a,b"))
	}
	if g.chance(0.3) {
		b.WriteString(g.pick("/", "#section", "#!/foo", ".html", "?"))
	}
	return b.String()
}

func (g textGen) query() string {
	return "?" + g.pick("q=1&r=a%20b", "q=日本", "a=(b)", "x=1.", "utm_source=x", "", "a?b", "q=ι", "x=1#f")
}

// bare returns a domain without a scheme, sometimes with a path.
func (g textGen) bare() string {
	d := g.host()
	if g.chance(0.2) {
		d += g.pick(":8080", ":8080/x", "?q=1")
	}
	if g.chance(0.5) {
		d += g.path()
	}
	if g.chance(0.02) {
		d = g.longer(d)
	}
	return d
}

func (g textGen) tco() string {
	const alnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	slug := make([]byte, 1+g.r.IntN(50))
	for i := range slug {
		slug[i] = alnum[g.r.IntN(len(alnum))]
	}
	return g.pick("https://t.co/", "http://t.co/", "t.co/", "HTTPS://T.CO/") + string(slug) +
		g.pick("", "", "?amp=1", "_x", "/more", "?")
}

// before returns what comes right before a link.
func (g textGen) before() string {
	return g.pick("", "", "", "-", "_", ".", "/", "@", "#", "$", "a", "(", "\"", "«", "\u200E", "\U0001F600", "日本")
}

// after returns what comes right after a link.
func (g textGen) after() string {
	return g.pick("", "", "", ".", ",", "!", "?", ")", "]", "\"", "'", ":", ";", "。", "、", "…", "日本", "_", "-", "@x", "+1")
}
