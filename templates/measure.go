package templates

import (
	"html"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/rivo/uniseg"
)

// Measure gives the length of a text in a platform's unit: bytes, runes,
// grapheme clusters, or a weighted count such as X's. It must return 0 for
// the empty string and must not count a text as shorter than one of its
// prefixes by much (RenderFit takes a long text whose first kilobytes,
// cut at white space, are too long as too long); Shorten and RenderFit
// check every result, so a Measure that breaks this costs quality (a
// shorter text), never the limit. It must give a text the same length
// each time, whatever it was asked before: RenderFit keeps the lengths of
// the texts it judged during a call and does not measure them again, so
// a Measure should not count its calls nor depend on the time.
type Measure func(string) int

// Bytes measures s in bytes of UTF-8 (IRC lines, SMTP lines).
func Bytes(s string) int { return len(s) }

// Runes measures s in Unicode code points (Statuspage's "characters").
func Runes(s string) int { return utf8.RuneCountInString(s) }

// Graphemes measures s in user-perceived characters (extended grapheme
// clusters): a flag, a family emoji or "e" with a combining accent count 1.
func Graphemes(s string) int { return uniseg.GraphemeClusterCount(s) }

// Ellipsis marks where Shorten and RenderFit cut a text.
const Ellipsis = "…"

// URLSpans returns the byte offsets, [start, end), of the http(s) URLs in
// s as the templates find them: the URLs the markdown template never
// escapes, and that Shorten and RenderFit never cut up to the first
// character in them that ends a link (see LinkSpans: "。", "、", "（",
// "»"), which no ASCII URL holds. A URL runs from its scheme, in
// any case, to the next white space (any that unicode.IsSpace reports) or
// character a URL cannot hold unescaped (<, > and "). Channels that treat URLs apart (counting,
// linking, keeping them whole across lines) use it, so that they all agree
// on what a URL is.
//
// A scheme is case-insensitive, and the platforms link "HTTPS://…" too.
// White space is what unicode.IsSpace reports, as the ideographic space
// of Japanese text. The spans are those of the regular expression
// (?i)https?://[^\s\v\x{85}\p{Z}<>"]+, found without one: a search for
// "://" is what keeps a long body's fit fast (a case-insensitive pattern
// steps through every byte of the text).
func URLSpans(s string) [][]int {
	var spans [][]int
	for pos := 0; ; {
		start, end, ok := nextURL(s, pos, urlRune)
		if !ok {
			return spans
		}
		spans = append(spans, []int{start, end})
		pos = end
	}
}

// nextURL returns the span of the first URL of s that starts at or after
// pos, as URLSpans finds them, but that it runs only as far as in(r) is
// true of its characters r.
func nextURL(s string, pos int, in func(r rune) bool) (start, end int, ok bool) {
	if start, end, ok = nextScheme(s, pos, in); ok {
		end = urlEnd(s, end, in)
	}
	return start, end, ok
}

// nextScheme returns where the first URL of s that starts at or after
// pos starts, as nextURL finds them, and where its "://" ends. It reads
// no more of a URL than its first character after "://": a "://" with no
// scheme before it ("a://") costs no reading up to the next white space,
// so that a text of many is read once, not once for each.
func nextScheme(s string, pos int, in func(r rune) bool) (start, rest int, ok bool) {
	for {
		i := strings.Index(s[pos:], "://")
		if i < 0 {
			return 0, 0, false
		}
		i += pos
		start, rest := schemeStart(s[pos:i])+pos, i+len("://")
		if r, _ := utf8.DecodeRuneInString(s[rest:]); start < i && rest < len(s) && in(r) {
			return start, rest, true
		}
		pos = i + 1
	}
}

// urlEnd returns where the URL whose characters r, in(r) true, run from
// s[i:] ends.
func urlEnd(s string, i int, in func(r rune) bool) int {
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		if !in(r) {
			break
		}
		i += n
	}
	return i
}

// schemeStart returns where the scheme "http" or "https" that ends
// before begins, or len(before) when there is none. Its letters match in
// any case, as (?i) matches them: "ſ" (U+017F) is an "s" too.
func schemeStart(before string) int {
	n := len(before)
	if r, size := utf8.DecodeLastRuneInString(before); r == 's' || r == 'S' || r == 'ſ' {
		if n-size >= 4 && strings.EqualFold(before[n-size-4:n-size], "http") {
			return n - size - 4
		}
	}
	if n >= 4 && strings.EqualFold(before[n-4:], "http") {
		return n - 4
	}
	return n
}

// urlRune reports whether r may stand in a URL found in free text: not
// white space (as unicode.IsSpace, or a separator of Unicode's category
// Z) nor <, > or ".
func urlRune(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\v', '\f', '\r', 0x85, '<', '>', '"':
		return false
	}
	return r < utf8.RuneSelf || !unicode.Is(unicode.Z, r)
}

// LinkSpans returns URLSpans(s) with each URL cut to the link it makes in
// a sentence, as a reader means it: the one rule of where a bare URL's
// link ends, for the channels that make the link themselves (Bluesky's
// facets, Matrix's and Statuspage's HTML, Slack's <url>, the markdown
// template's autolinks).
//
// A link ends before the first character that no path of a URL in text
// holds, which twitter-text (X) ends a link at, and Telegram (tdlib) at
// most of (Mastodon, whose path rule takes any character but white
// space, <, >, "?" and a "(" or ")" out of a pair, and Discord link on to
// the white space, to no working page but where the URL holds that
// character): the quotation marks «, », “, ”, „, ‘, ’, ‹, ›
// (and any of Unicode's initial and final quotes), the general
// punctuation U+2000 to U+206F ("…", "†", "‰", word joiner, direction
// marks and isolates) but for the dashes U+2010 to U+2015 and the zero
// width joiners, the punctuation and symbols of CJK Symbols and
// Punctuation ("、", "。", "「", "」", "【", "〜"; not its letters, as
// "々"), and the full-width and half-width forms of ASCII punctuation
// and of CJK brackets ("（", "）", "，", "：", "！", "？", "｣"). Letters
// of any script go on: "https://ja.wikipedia.org/wiki/東京" is one link.
// Then what ends a sentence rather than the URL is left out: punctuation
// at its end (. , : ; ! ? ' and any outside ASCII but those dashes, as
// "।" or "¿") and a closing bracket the URL did not open, as in "(see
// https://status.example.com/x)." A bracket the URL opened stays:
// https://en.wikipedia.org/wiki/Mars_(planet).
//
// A URL that starts after the character that ends a link, with no white
// space between ("https://a.example/1、https://b.example/2"), is a link
// of its own; one cut right after its "://", or left with its scheme
// alone once the sentence's punctuation is out ("https://..."), is none.
//
// A URL written within "<" and ">", as an autolink (CommonMark 0.31.2,
// 6.5: "<https://…>", with no white space, control character, "<" or ">"
// in it), is one link, the span of the URL without the brackets, to its
// end: "<https://x.example/a)>", "<https://x.example/「a」>" and
// '<https://x.example/a"b>' are links to the URL whole, as Shorten moves
// a link's destination (see Shorten), and as RFC 3986 (Appendix C)
// delimits a URL in text.
//
// The rule is for URLs in a sentence; a URL the channel knows is one
// (Update.URL) may end in such punctuation and is linked with
// LinkSpansWhole.
func LinkSpans(s string) [][]int {
	var spans [][]int
	for pos := 0; ; {
		start, end, ok := nextURL(s, pos, linkRune)
		if !ok {
			return spans
		}
		if e := angledEnd(s, start); e > 0 {
			spans = append(spans, []int{start, e})
			pos = e + 1
			continue
		}
		link := trimLink(s[start:end])
		if link > strings.Index(s[start:end], "://")+len("://") { // the scheme alone links nothing
			spans = append(spans, []int{start, start + link})
		}
		pos = end
	}
}

// angledEnd returns where the URL of s that starts at start ends when it
// is written within "<" and ">", an autolink (see autolinkLen) holding
// no white space, at its ">"; else 0.
func angledEnd(s string, start int) int {
	if start == 0 || s[start-1] != '<' {
		return 0
	}
	n := autolinkLen(s[start-1:])
	if n == 0 || strings.IndexFunc(s[start:start-1+n], unicode.IsSpace) >= 0 {
		return 0
	}
	return start - 1 + n - 1
}

// LinkSpansWhole returns LinkSpans(s), but for the URLs of whole, each
// known to be one URL (a message's Update.URL, which Validate takes with
// a final ".", "!" or ")" it did not open, or holding "«"): a link that
// starts where s shows one of them covers it whole, where LinkSpans
// would end it before (at the sentence's punctuation it ends in, or at a
// character that ends a link in a sentence), so that it points to that
// URL, not to another page. A link that starts there and runs further
// (s shows a longer URL) is left as LinkSpans has it, and so is one that
// the URL would end inside another link after it (s shows a longer URL
// too: "https://a.example/1、https://b.example/22" for
// "https://a.example/1、https://b.example/2"), and every
// other link of s: a URL in the body still ends where the sentence's
// punctuation ends it. The links that a URL kept whole covers are part of
// it ("https://a.example/1、https://b.example/2" given whole is one
// link). An entry of whole that is not one URL as URLSpans finds them
// (empty, or holding white space) is ignored.
func LinkSpansWhole(s string, whole ...string) [][]int {
	spans := LinkSpans(s)
	if len(spans) == 0 || !showsURL(s, whole) {
		return spans // no cost beyond LinkSpans' where s shows none of whole
	}
	out := spans[:0]
	for i, sp := range spans {
		if n := len(out); n > 0 && sp[0] < out[n-1][1] {
			continue // in a URL kept whole
		}
		for _, w := range whole {
			end := sp[0] + len(w)
			if sp[1] < end && strings.HasPrefix(s[sp[0]:], w) && !endsInLink(spans[i+1:], end) && oneURL(w) {
				sp[1] = end
			}
		}
		out = append(out, sp)
	}
	return out
}

// endsInLink reports whether end falls inside one of links, spans in
// order, rather than before or after it: a URL of whole that ends there
// is the start of a longer URL that s shows.
func endsInLink(links [][]int, end int) bool {
	for _, l := range links {
		if l[0] >= end {
			return false
		}
		if l[1] > end {
			return true
		}
	}
	return false
}

// showsURL reports whether s shows one of whole that is one URL (see
// oneURL).
func showsURL(s string, whole []string) bool {
	for _, w := range whole {
		if w != "" && strings.Contains(s, w) && oneURL(w) {
			return true
		}
	}
	return false
}

// oneURL reports whether w is one URL whole, as URLSpans finds them.
func oneURL(w string) bool {
	start, end, ok := nextURL(w, 0, urlRune)
	return ok && start == 0 && end == len(w)
}

// linkRune reports whether r may stand in a link (see LinkSpans).
func linkRune(r rune) bool { return urlRune(r) && !endsLink(r) }

// keptRune reports whether r may stand in a URL of a text as Shorten and
// RenderFit keep it whole (see keptSpans): the one rule of where such a
// URL ends, for every reading of it that cuts (the markup reader, a
// link's URLs, a destination's URL that runs on past its link), but for
// a URL known to be one, which runs on to its end (see knownEnd). A URL so
// kept runs from its scheme to the next white space, <, > or " (as
// URLSpans finds it) or the first character that ends a link (see
// LinkSpans), whichever comes first: as far as a platform may link the
// page. Past that character every working link has ended (Discord and
// Mastodon link on to the white space, the text after the URL with it: no
// page that works, but where the URL holds the character, as an
// Update.URL may: see knownEnd), so that a cut there breaks no working link, where Japanese or
// Chinese text, which puts no space after a URL
// ("詳細はhttps://x.example/aをご覧ください。…"), would otherwise make the
// rest of the paragraph one URL, kept or left out whole. Nothing else
// of LinkSpans' rule applies: the sentence's punctuation at its end
// stays, so that an ASCII URL, which no such character ends, is kept as
// URLSpans finds it. A URL whose "://" such a character follows
// ("https://「…") is none, as it is no link.
func keptRune(r rune) bool { return linkRune(r) }

// knownEnd returns where the URL of s that starts at us, and that
// keptRune ends at end, ends as the cutters keep it when they know URLs,
// known (each one URL, as oneURL finds them: a message's Update.URL, see
// LinkSpansWhole): where s shows one of them from us and it runs past
// end, at a character that ends a link in a sentence
// ("https://status.example.com/a、b"), on to its end, and from there as
// keptRune goes, so that no cut falls inside it (cut there, it would be
// linked as https://status.example.com/a, another page, by the channels
// that link it whole where it is shown whole) nor inside a longer URL
// that s shows. Moved after the ellipsis, it moves whole.
func knownEnd(s string, us, end int, known []string) int {
	for _, w := range known {
		if e := us + len(w); e > end && strings.HasPrefix(s[us:], w) {
			end = urlEnd(s, e, keptRune)
		}
	}
	return end
}

// shownURLs returns the URLs of known that are one URL (see oneURL) and
// that s shows: those knownEnd looks for, none for most texts.
func shownURLs(s string, known []string) []string {
	var shown []string
	for _, w := range known {
		if w != "" && strings.Contains(s, w) && oneURL(w) {
			shown = append(shown, w)
		}
	}
	return shown
}

// linkCut returns the offset in url, a URLSpans span or the start of one,
// of the first character that ends its link (see LinkSpans), or len(url).
func linkCut(url string) int {
	for i, r := range url {
		if endsLink(r) {
			return i
		}
	}
	return len(url)
}

// endsLink reports whether r, in a URL found in text, ends its link (see
// LinkSpans).
func endsLink(r rune) bool {
	switch {
	case r < 0xab:
		return false
	case r == '«' || r == '»':
		return true
	case r >= 0x2000 && r <= 0x206f:
		return r != 0x200c && r != 0x200d && !linkDash(r)
	case r >= 0x3000 && r <= 0x303f:
		return !unicode.IsLetter(r) && !unicode.IsNumber(r)
	case r >= 0xff01 && r <= 0xff65:
		// Full-width ASCII punctuation, white and half-width CJK brackets
		// and punctuation; full-width letters and digits go on.
		return !unicode.IsLetter(r) && !unicode.IsNumber(r)
	}
	return unicode.In(r, unicode.Pi, unicode.Pf)
}

// closers are the closing brackets by their opening ones.
var closers = map[byte]byte{')': '(', ']': '[', '}': '{'}

// linkEnd returns the length of the link at the start of url, a URLSpans
// span or the start of one, as the cutters keep it (see LinkSpans).
func linkEnd(url string) int { return trimLink(url[:linkCut(url)]) }

// trimLink returns the length of url, a URL that holds no character that
// ends a link, without what ends a sentence rather than the URL (see
// LinkSpans).
func trimLink(url string) int {
	const brackets = "()[]{}"
	end := len(url)
	// count holds how many of each of brackets url[:end] has, counted
	// once, when the first closing bracket is met: only closing brackets
	// and punctuation are trimmed, so a run of ")" costs one pass, not
	// one per bracket.
	var count [len(brackets)]int
	counted := false
	for end > 1 {
		c := url[end-1]
		if open, ok := closers[c]; ok {
			if !counted {
				for i := range end {
					if k := strings.IndexByte(brackets, url[i]); k >= 0 {
						count[k]++
					}
				}
				counted = true
			}
			shut := strings.IndexByte(brackets, c)
			if count[strings.IndexByte(brackets, open)] >= count[shut] {
				break
			}
			count[shut]--
		} else if c >= utf8.RuneSelf {
			r, n := utf8.DecodeLastRuneInString(url[:end])
			if r == utf8.RuneError || !unicode.IsPunct(r) || linkDash(r) {
				break
			}
			end -= n
			continue
		} else if !strings.ContainsRune(".,:;!?'", rune(c)) {
			break
		}
		end--
	}
	return end
}

// Shorten returns s cut to measure at most limit in m (nil m: Runes), with
// Ellipsis where it was cut. It returns s unchanged when s fits, is empty
// (a Measure that weighs "" more than limit breaks the rule that it be 0,
// and "" has no shorter form), or limit <= 0.
//
// The cut falls between grapheme clusters, never inside one, preferring the
// end of a word when that keeps at least half the text or loses at most 15
// clusters. URLs are never cut: a URL after the cut is moved after the
// ellipsis, so "text… <url>" keeps its link. A URL is kept whole so up
// to the next white space or the first character that ends a link (see
// LinkSpans: "。", "、", "（", "」", "»", "…"), where every working
// link has ended: Japanese or Chinese text that runs on after a URL with
// no space ("詳細はhttps://x.example/aをご覧ください。…") is cut after
// that character as any other text, and a cut before the URL moves it up
// to there; an ASCII URL, which holds none, is kept up to the white
// space, its final punctuation too. Nor is a run of printable
// ASCII, and of letters, marks and digits outside ASCII (but those of
// scripts written without spaces, as Han and kana), with a dot between
// letters or digits, as a domain name without a scheme ("bücher.example"
// too): X, Telegram and others would link "api.cloud.examp…" as
// api.cloud. A "-" that ends such a run stays before the ellipsis, as
// part of the link, and so does a dash U+2010 to U+2015 ("–", "—"), which
// Telegram links in a domain or a path as it does a "-": no cut falls
// before or after one in such a run. Such a run is left out whole when it does not fit, however
// long (a class name of 400 characters): which of its prefixes a platform
// would link depends on the platform's list of top-level domains. Nor is
// a hashtag cut, up to its 65th grapheme cluster, after white space or
// punctuation ("(#cdnoutage)" too): "#cdnout…" would link another tag;
// nor a mention so written ("@AcmeSupport"): "@AcmeSupp…" would notify
// another account. Nor is a Markdown link or image ("[status
// page](https://…)", "![alt](…)", with a title, '[a](https://… "Title")',
// or over lines of a paragraph, as CommonMark reads one; a full,
// collapsed or shortcut reference link, "[a][1]", "[1][]", "[1]", to a
// link reference definition of s, "[1]: https://…", and the definition;
// a link or image kept by a cut, a reference one that leaves its
// definition out too, is written as the inline link it is,
// "[a](https://…)", or as its text alone when the inline link does not
// fit the room the text before it leaves, its URL then moved after the
// ellipsis as any other, each link judged so at the first cut that keeps
// it, with the links before it written as judged),
// an autolink
// ("<https://…>", "<ops@example.com>") or a character reference ("&amp;", "&#8230;"), which Discord, Teams or Google Chat
// would show cut as written, brackets and all: it is kept whole or left
// out whole, and the URLs of a link left out (its destination's, and one
// in its title or its text, see markURLs) are moved after the ellipsis
// as any other, without the ")" that closes the link ("See… https://…").
// A URL moved so leaves behind a closing bracket it did not open, and
// what follows it: "(https://…)." cut before moves as "https://…", so
// that no bracket is left unbalanced; a link's destination (within "<"
// and ">", "[a](<https://…/a)>)", or not) or an autolink's URL moves
// whole, its ")" or "]" its own, and within "<" and ">", as an
// autolink, where a channel would link it bare short of its end (at a
// final bracket it did not open, a ".", or a character that ends a
// link, "[a](https://…/「a」)": "… <https://…/「a」>"; GitHub Flavored
// Markdown's extended autolinks leave a final "." out, X and the
// channels that link with LinkSpans end at "「" too). A plain-text
// channel shows the "<" and ">": there they are the delimiters RFC 3986
// (Appendix C) gives for a URL in text, to tell it from the punctuation
// around it. Shorten writes such a URL as a CommonMark autolink, an "&"
// that would start a character reference as "&amp;" (see autolink);
// ShortenPlain, and Text and RenderFit of a Plain Set or of a
// plain-text template (short, subject, text), for a text shown as
// written, write it "&" as "&", as the URL the link points to. When the URLs alone do not
// fit, the last ones are dropped whole; when not even the ellipsis fits, the
// result is the longest prefix that fits, possibly "". The result never
// measures more than limit.
//
// A URL known to be one, an Update.URL that the text may show, is kept
// whole by ShortenWhole.
func Shorten(s string, limit int, m Measure) string { return shorten(s, limit, m, false) }

// ShortenWhole is Shorten, but for the URLs of whole, each known to be
// one URL (a message's Update.URL, which Validate takes with a final
// ")" it did not open, or holding a character that ends a link in a
// sentence: "https://status.example.com/a」b", see LinkSpansWhole): where
// s shows one of them from a URL's start, it is kept whole, not cut at
// such a character ("https://status.example.com/a」…", which the
// channels that link it whole where it is shown whole would link as
// another page), and a cut before it moves it after the ellipsis whole,
// its final ")" too. A URL that s shows running on past one of them is
// kept as Shorten keeps it, from there on. An entry of whole that is not
// one URL as URLSpans finds them (empty, or holding white space) is
// ignored. RenderFit and Text keep the Update.URL so; a channel that
// cuts a text of its own that may show it (a card's title, an embed's
// field) passes it here.
func ShortenWhole(s string, limit int, m Measure, whole ...string) string {
	return shorten(s, limit, m, false, whole...)
}

// ShortenPlain is ShortenWhole for a text that its platform shows as
// written, not as Markdown (a card's title, a line of an HTML page the
// channel escapes): a link destination it moves after the ellipsis
// within "<" and ">" is written as the URL the link points to, "&" as
// "&", the "<" and ">" the delimiters of a URL in text (RFC 3986,
// Appendix C), where Shorten and ShortenWhole write a CommonMark
// autolink, "&amp;" for an "&" that would start a character reference,
// which such a text shows as written: another URL. So is the destination
// of each link, image and link reference definition that the result
// keeps, whether s fits or is cut, and of each autolink that holds a
// character reference, read in it as in any URL ("<https://…?a=1&amp;b=2>"
// as "<https://…?a=1&b=2>"; another autolink stays as written): a link
// shows the same URL however long the text. See Set.Plain.
func ShortenPlain(s string, limit int, m Measure, whole ...string) string {
	return shorten(s, limit, m, true, whole...)
}

// shorten is Shorten, but for the URLs of known, each one URL (an
// Update.URL, see LinkSpansWhole), which it keeps whole where s shows
// one from a URL's start (see knownEnd), and that writes a destination
// it moves as plain text when plain is set (see cutter.plain).
func shorten(s string, limit int, m Measure, plain bool, known ...string) string {
	if m == nil {
		m = Runes
	}
	if plain && s != "" {
		// The text as shown, each destination as a cut that moves it
		// writes it (see cutter.plainWrite).
		c := newCutter(s, known...)
		c.plain = true
		c.all()
		if whole := c.plainText(s); limit <= 0 || m(whole) <= limit {
			return whole
		}
		return c.shorten(limit, m)
	}
	if limit <= 0 || s == "" || m(s) <= limit {
		return s
	}
	c := newCutter(s, known...)
	c.all()
	return c.shorten(limit, m)
}

// shorten is shorten of c's text, which does not fit limit in m.
func (c *cutter) shorten(limit int, m Measure) string {
	measured := func(out string) (string, bool) { return out, m(out) <= limit }
	// A destination that does not fit after a lone ellipsis cannot fit.
	tooLong := func(dest string) bool { return m(Ellipsis+" "+dest) > limit }
	// The most URLs that fit after a lone ellipsis, found by binary search
	// so that a text of many URLs stays fast; fewer if m is not monotone.
	most := sort.Search(len(c.urls)+1, func(k int) bool {
		return m(c.withURLs(Ellipsis, 0, k)) > limit
	}) - 1
	for keep := most; keep >= 0; keep-- {
		// A link kept (a reference one without its definition) is
		// written as decided at the first cut that keeps it, with these
		// URLs moved (see cutter.decided).
		c.refAs = nil
		render := func(i int) (string, bool) { return measured(c.withURLs(c.head(i, Ellipsis), i, keep)) }
		var build func(i int) (string, bool)
		build = func(i int) (string, bool) { return c.decided(i, tooLong, build, render) }
		if out, ok := c.fit(build); ok {
			return out
		}
	}
	// Not even the ellipsis fits: the longest plain prefix that does.
	out, _ := c.fit(func(i int) (string, bool) { return measured(c.head(i, "")) })
	return out
}

// cutter knows where a text may be cut: at grapheme cluster boundaries
// outside URLs, Markdown links and character references. It finds them lazily, as far into the text as a search
// looks, so that fitting a long text to a short limit does not segment all
// of it, nor read all of its markup (see read).
type cutter struct {
	s     string
	cuts  []int    // byte offsets before len(s) where a cut may fall, ascending, starting at 0
	urls  [][2]int // byte spans of URLs
	next  int      // byte offset up to which s is segmented
	state int      // the grapheme segmenter's state at next
	inURL int      // index of the first URL that ends after next
	// whole are the byte spans of the Markdown links and images and the
	// character references no cut splits (see keptSpans), ascending;
	// inWhole is the index of the first that ends after next.
	whole   [][2]int
	inWhole int
	// slashes counts the backslashes that end s[:next].
	slashes int
	// refs are the links and images of whole, inline and reference (see
	// mark.ref), ascending.
	refs []mark
	// refAs is, for each of refs, how it is written when kept (a
	// reference one without its definition): refUndecided, refInline or
	// refAlone, as cutter.decided decides; nil until it decides one.
	refAs []uint8
	// prefixes is set by a caller whose renderings of the cuts, the
	// links written any one way, fit up to some cut and not after it
	// (RenderFit's, of a text without reference links): decided then
	// decides the links of many first cuts from a few renderings,
	// starting near estimate, a cut index that fits, as the caller
	// estimates, with the links it keeps written inline (see
	// fitter.guess). Shorten's do not: each cut moves other URLs after
	// the ellipsis. Nor do those of a text with reference links: a cut
	// that keeps them and not their definition writes its destination
	// in each, where a cut past it writes it once.
	prefixes bool
	estimate int
	// inRun is set when s[:next] ends in a run of clusters that start
	// with a domainRune; dotted when that run has, anywhere, a dot
	// between letters or digits ("api.cloud"), as found when it began.
	inRun, dotted bool
	// tag counts the grapheme clusters, "#" included, of the hashtag
	// (or "@" included, of the mention) that ends s[:next]; 0 outside
	// one.
	tag int
	// kept reads urls, whole and refs, as far as the cuts go (see read).
	kept keptReader
	// plain is set when the text is shown as plain text (see
	// ShortenPlain, Set.Plain and plainText): moved writes a destination it moves within "<" and
	// ">" as the URL the link points to, "&" as "&", the delimiters of
	// a URL in text (RFC 3986, Appendix C), where a CommonMark autolink
	// would write "&amp;" for an "&" that starts a character reference,
	// which plain text shows as written.
	plain bool
}

// maxTagCut is the most grapheme clusters of a hashtag, "#" included, or
// a mention, a cut does not fall after: a longer one cut there is too long
// for a tag (Bluesky's app links 64 UTF-16 units at most) or a user name.
const maxTagCut = 65

// newCutter returns a cutter of s that keeps the URLs of known whole
// where s shows them (see knownEnd).
func newCutter(s string, known ...string) *cutter {
	return &cutter{s: s, state: -1, kept: newKeptReader(s, known...)}
}

// read makes urls, whole and refs hold each of keptMarks(s)'s spans that
// starts at or before off (more of them: it reads ahead), so that a cut
// of a long text to a short limit reads its markup about as far as the
// cut, not all of it. Only has and all read: every other method looks
// at cuts that has found, and at the spans that start before them.
func (c *cutter) read(off int) {
	if off <= c.kept.through {
		return
	}
	c.kept.advance(off + readAhead)
	c.urls, c.whole, c.refs = c.kept.urls, c.kept.whole, c.kept.refs
	if c.refAs != nil && len(c.refAs) < len(c.refs) {
		c.refAs = append(c.refAs, make([]uint8, len(c.refs)-len(c.refAs))...) // undecided
	}
}

// keptSpans returns the byte spans of s that no cut splits: its URLs, as
// keptRune ends them (up to the first character that ends a link, or the
// white space), and whole, its Markdown links, images and autolinks
// and its character references (see markup) outside them, each kept whole or left
// out whole: cut, "[status page](https://x.example/a" or "&am" shows as
// written on Discord, Teams or Google Chat, brackets and all. A link's
// destination, without the ")" that closes the link, is one of urls when
// it is a URL, and so is the URL it starts with when it is partly one
// (see destURL), so that a cut before the link moves it after the ellipsis
// as it moves any other, and so is an autolink's; so is each other URL
// that starts inside a link, in its text, its title or its destination,
// up to the end of the text, for one in the text, or of the link at the
// latest (see markURLs). A link that starts
// inside a URL and ends after it joins it: the two are kept whole as one,
// as channels read either. So does a URL that starts in the destination
// of a link or image and that a channel links past its end (see
// LinkSpans): an image in the text of a link whose "](" closes nothing,
// "[![a](https://x.example/i.png)](more", is linked bare as
// "https://x.example/i.png)](more"; the image is then not written as its
// text alone, and the URL is moved whole (but when another link or
// image starts in that URL).
func keptSpans(s string) (urls, whole [][2]int) {
	urls, whole, _ = keptMarks(s)
	return urls, whole
}

// keptMarks is keptSpans, and returns the links and images of whole too,
// inline and reference (see mark.ref), with the reference ones in the
// text of its links and images, ascending by their start.
func keptMarks(s string) (urls, whole [][2]int, refs []mark) {
	k := newKeptReader(s)
	k.advance(len(s))
	return k.urls, k.whole, k.refs
}

// keptReader finds the spans of keptMarks a stretch of s at a time, as
// far as a cutter looks: after advance(to), urls, whole and refs hold
// each of keptMarks' that starts at or before to, and are each a prefix
// of keptMarks'. A text with link reference definitions is read whole
// at once, as a reference link may be in the text of a link that ends
// far on (see markupNested).
type keptReader struct {
	s      string
	marks  markScan
	nested []mark
	// pos is the offset read up to; k the index in marks.out of the
	// first mark that starts at or after it; us the start of the next
	// URL, rest where its "://" ends, ok whether there is one.
	pos, k   int
	us, rest int
	ok, done bool
	through  int // the largest to advance was called with
	urls     [][2]int
	whole    [][2]int
	refs     []mark
	// known are the URLs kept whole where s shows them (see knownEnd).
	known []string
}

// newKeptReader returns a keptReader of s that keeps the URLs of known
// whole where s shows them (see knownEnd).
func newKeptReader(s string, known ...string) keptReader {
	k := keptReader{s: s, through: -1, known: shownURLs(s, known)}
	k.marks = startMarkup(s)
	if k.marks.r != nil {
		k.marks.scan(len(s))
		k.nested = k.marks.nested()
	}
	k.us, k.rest, k.ok = nextScheme(s, 0, keptRune)
	return k
}

// advance reads s on until every span of keptMarks that starts at or
// before to is in urls, whole or refs, as keptMarks reads them.
func (kr *keptReader) advance(to int) {
	if to <= kr.through || kr.done {
		return
	}
	kr.through = to
	s := kr.s
	for {
		kr.marks.ensure(max(to, kr.pos))
		marks := kr.marks.out
		for kr.k < len(marks) && marks[kr.k].span[0] < kr.pos {
			kr.k++ // inside a URL
		}
		if kr.k < len(marks) && (!kr.ok || marks[kr.k].span[0] < kr.us) {
			m := marks[kr.k]
			if m.span[0] > to {
				return
			}
			kr.whole = append(kr.whole, m.span)
			if m.dest[1] == m.dest[0] && s[m.span[0]] == '<' {
				kr.k++ // an autolink to no URL ("<irc://…>"): a URL in it is one, as in text
				continue
			}
			ref, urls := len(kr.refs), len(kr.urls)
			if m.text[1] > 0 {
				kr.refs = append(kr.refs, m)
			}
			for len(kr.nested) > 0 && kr.nested[0].span[0] < m.span[1] {
				if kr.nested[0].span[0] > m.span[0] {
					kr.refs = append(kr.refs, kr.nested[0]) // in m's text
				}
				kr.nested = kr.nested[1:]
			}
			kr.urls = markURLs(kr.urls, s, m, kr.known)
			if kr.pos = m.span[1]; kr.ok && kr.us < kr.pos {
				if us, ue, ok := runsOut(s, kr.us, kr.rest, m); ok && m.text[1] > 0 && !kr.markIn(m.span[1], ue) {
					// The URL of m's destination runs on past m, as
					// a channel links it: an image in the text of a
					// link whose "](" closes nothing, "[![a](https://x.example/i.png)](more",
					// links "https://x.example/i.png)](more" bare. m
					// and that URL are one, kept whole: m is not
					// written as its text alone, which would cut the
					// URL, and a cut before it moves the URL whole.
					// (Not one in a code span, which is text, nor one
					// before a mark the URL takes in.)
					kr.refs = slices.Delete(kr.refs, ref, ref+1)
					for k := urls; k < len(kr.urls); k++ {
						if kr.urls[k][0] >= us {
							kr.urls = kr.urls[:k]
							break
						}
					}
					kr.urls = append(kr.urls, [2]int{us, ue})
					kr.k++
					kr.pos = ue
					end := kr.joined(ue)
					kr.whole[len(kr.whole)-1][1] = end
					kr.pos = end
				}
				kr.us, kr.rest, kr.ok = nextScheme(s, kr.pos, keptRune)
			}
			continue
		}
		if !kr.ok {
			kr.done = kr.k == len(marks) && kr.marks.i >= len(s)
			return
		}
		if kr.us > to {
			return
		}
		kr.pos = knownEnd(s, kr.us, urlEnd(s, kr.rest, keptRune), kr.known)
		kr.urls = append(kr.urls, [2]int{kr.us, kr.pos})
		// A link that starts inside the URL and ends after it
		// ("https://x.example/a[alpha\nomega](https://x.example/c)")
		// joins it: the URL runs to the white space, as GitHub Flavored
		// Markdown's extended autolinks and X read it (or to a character
		// that ends a link, past which no platform links, see keptRune),
		// the link from its "[", as CommonMark reads it, and a cut in
		// either is one in what some channel links. Its destination
		// moves too.
		end := kr.joined(kr.pos)
		if end > kr.pos {
			kr.whole = append(kr.whole, [2]int{kr.us, end})
			kr.pos = end
		}
		kr.us, kr.rest, kr.ok = nextScheme(s, kr.pos, keptRune)
	}
}

// joined returns where the span of kept text that ends at end, a URL
// that kr.pos ends, ends with the marks that start inside it and end
// after it, and after each such mark, joined to it: a link that starts
// inside a URL and ends after it. It appends the destinations of those
// marks that start after the URL to urls, and reads marks on past them.
func (kr *keptReader) joined(end int) int {
	for ; ; kr.k++ {
		kr.marks.ensure(end)
		marks := kr.marks.out
		if kr.k >= len(marks) || marks[kr.k].span[0] >= end {
			return end
		}
		if m := marks[kr.k]; m.span[1] > end {
			end = m.span[1]
			if m.dest[0] >= kr.pos && m.dest[1] > m.dest[0] {
				kr.urls = append(kr.urls, m.dest)
			}
		}
	}
}

// markIn reports whether a mark after the one at kr.k starts before
// end: a reference link there is written as decided as any other, which
// a span kept whole would not.
func (kr *keptReader) markIn(start, end int) bool {
	kr.marks.ensure(end)
	marks := kr.marks.out
	return kr.k+1 < len(marks) && marks[kr.k+1].span[0] >= start && marks[kr.k+1].span[0] < end
}

// runsOut returns the URL, as the cutters keep it (see keptRune), that
// starts in m, one of the marks of s, in its destination, and that a
// channel links (see LinkSpans) past m's end, from the URL that starts at
// us, whose "://" ends at rest; ok is false when there is none.
func runsOut(s string, us, rest int, m mark) (start, end int, ok bool) {
	for us < m.span[1] {
		ue := urlEnd(s, rest, keptRune)
		if us >= m.dest[0] && us < m.dest[1] && ue > m.span[1] && us+linkEnd(s[us:ue]) > m.span[1] {
			return us, ue, true
		}
		if us, rest, ok = nextScheme(s, ue, keptRune); !ok {
			break
		}
	}
	return 0, 0, false
}

// markURLs appends to urls the URLs in m, one of the marks of s: its
// destination's URL (see destURL), and each other URL that starts in it,
// in its text, its destination or its title, as the cutters keep it
// whole in text (see keptRune, and knownEnd for known) but ending, at the latest, where m ends
// (its destination's URL as destURL finds it), so that a cut that leaves m out,
// or writes it as its text alone, moves them after the ellipsis and loses
// none. A URL in a link's text ends with the text, at the latest: one
// that runs, without white space, into the destination
// ("[see https://a.example](https://b.example)") ends at its "](", as
// CommonMark reads the link's text, destination and closing ")" before
// any URL in them (0.31.2, 6.3), and the destination's URL is one of its
// own; moved whole, it would take in the "](", the destination and the
// ")" that closes the link; so does one in the text of an image in the
// text, at that image's "](".
func markURLs(urls [][2]int, s string, m mark, known []string) [][2]int {
	in := s[:m.span[1]]
	if m.text[1] > m.span[0] {
		in = s[:m.text[1]] // the text first
	}
	for from := m.span[0]; ; {
		us, rest, ok := nextScheme(in, from, keptRune)
		if d := m.dest; d[1] > d[0] && len(in) == m.span[1] && d[0] >= from && (!ok || us >= d[0]) {
			// The destination's URL, as destURL finds it, also where a
			// character that ends a link in text follows its "://".
			urls = append(urls, d)
			from = d[1]
			continue
		}
		if !ok {
			if len(in) == m.span[1] {
				return urls
			}
			from, in = len(in), s[:m.span[1]] // past the text
			continue
		}
		u := [2]int{us, knownEnd(in, us, urlEnd(in, rest, keptRune), known)}
		if len(in) < m.span[1] {
			// In the text, a "](" ends the text of an image in it
			// ("[![see https://a.example](https://b.example/i.png)](…)"),
			// as a link holds no link, and the URL with it.
			if k := strings.Index(in[us:u[1]], "]("); k >= 0 {
				u[1] = us + k
			}
		}
		urls = append(urls, u)
		from = u[1]
	}
}

// mark is a span of markup that no cut splits: a Markdown link, image or
// autolink, with the span of its destination when that is a URL (or
// starts with one, see destURL), or a character
// reference, with an empty dest. A link or image, inline or reference,
// has the span of its text (an image's alt), between its first brackets,
// and a reference one the definition it links to, ref; one read in a
// code span or a code or HTML block, which is text there, has neither,
// and is literal: its destination is the text it shows, escapes,
// character references and all (see cutter.moved).
type mark struct {
	span, dest, text [2]int
	ref              *refDef
	literal          bool
}

// markup returns, in order, the Markdown inline and reference links and
// images of s (see readRefs for the link reference definitions, which
// are marks too, with their destinations), and its inline ones
// "[text](destination)" and "![alt](destination)" (an image in a link's
// text counts as part of the link; a link in a link's text is the link,
// the brackets around it text, as a link holds no link), with what
// CommonMark takes in one
// (0.31.2, 6.3): a text over lines of one paragraph (which a blank line
// ends, or a line that starts a heading, a list item or another block
// that interrupts one, see paragraphEnd; in the block quotes and list
// items its lines are in, see nextParagraph), white space and
// one line break around the destination, a title after it ("title",
// 'title' or (title), over lines too), a destination within "<" and ">"
// with spaces; its autolinks, "<https://…>" and "<ops@example.com>" (6.5,
// see autolinkLen), with the span of the URL within them; and the character references of
// s (CommonMark's, as reference matches them) outside them. A backslash escape is no bracket.
// A code span ("`…`", "“…“") is read before the brackets around it, as
// CommonMark reads it (0.31.2, 6.1): a bracket in it is none of a link
// outside it, so that "[a `]` b](https://…)" is one link, and
// "[not a `link](/foo`)" none. So is inline raw HTML, a tag, a comment,
// a processing instruction, a declaration or a CDATA section (6.6, see
// htmlScan), over lines of the paragraph too: a bracket in it is none,
// so that "[a <!X ](u) b> c](v)" is one link, to v, and a code span does
// not start in it, nor it in one. What a code span holds is read on its own, the
// links and references in it kept whole as elsewhere (which only keeps
// more text whole), and so is the text of an indented or fenced code
// block or an HTML block (4.4 to 4.6), no paragraph's: a bracket in it is
// none of a link outside it. It reads s about once (a destination that opens no
// link at most maxLinkParens levels deep, a code span's closing
// backticks looked for at most maxCodeTicks times each paragraph, the
// end of a raw HTML comment, instruction, section, declaration or quoted
// value looked for past where a search for it failed in the paragraph
// never), and allocates only where s has some.
func markup(s string) []mark {
	marks, _ := markupNested(s)
	return marks
}

// markupNested is markup, and returns too, in order, the reference links
// and images (see mark.ref) in the text of the links and images it
// returns, which markup leaves out, the outer kept whole with them.
func markupNested(s string) (marks, nested []mark) {
	ms := startMarkup(s)
	ms.scan(len(s))
	return ms.out, ms.nested()
}

// startMarkup returns the scan of s that markup reads, not started: one
// with nothing to read when s can have no mark.
func startMarkup(s string) markScan {
	r := readRefs(s)
	if r == nil && !strings.Contains(s, "](") && strings.IndexByte(s, '&') < 0 && strings.IndexByte(s, '<') < 0 {
		return markScan{s: s, i: len(s)}
	}
	p, from := paragraphAt(s, 0, para{})
	r.setDefs(&p)
	return markScan{s: s, r: r, code: true, i: from, p: p, html: newHTMLScan()}
}

// nested returns the reference links and images in the text of the
// links and images of a scan that has read all of s, ascending (see
// markupNested).
func (ms *markScan) nested() []mark {
	if ms.r == nil || len(ms.r.nested) == 0 {
		return nil
	}
	slices.SortFunc(ms.r.nested, func(a, b mark) int { return a.span[0] - b.span[0] })
	return ms.r.nested
}

// readMarkup appends to out the marks of s from s[from] on, as markup
// finds them; p is the block s[from] is in (see para), and code says
// whether a run of backticks opens a code span, which it does not in one
// (nor in a code or HTML block). r holds the link reference definitions
// of s (see readRefs), nil when it has none.
func readMarkup(out []mark, s string, from int, p para, code bool, r *refs) []mark {
	var bracketsBuf [8]int
	m := markScan{s: s, r: r, code: code, i: from, p: p, brackets: bracketsBuf[:0], html: newHTMLScan(), out: out}
	m.scan(len(s))
	return m.out
}

// markScan is readMarkup paused between two characters of s and resumed
// later, so that a cutter reads the markup of a long text only as far as
// its cuts go (see keptReader): the marks it returns are those of one
// read of s, whatever the pauses.
type markScan struct {
	s    string
	r    *refs
	code bool
	i    int // the offset read next
	p    para
	// brackets are the offsets of the paragraph's open "["; inactive
	// counts those, from the first, that open no link: a link closed
	// after them, and a link holds no link (an image's text may, so a
	// "![" among them still opens one).
	brackets []int
	inactive int
	html     htmlScan
	out      []mark
}

// scan reads s on until the offset it reads next is at least stop with
// no "[" open, or to its end.
func (ms *markScan) scan(stop int) {
	s, r, code := ms.s, ms.r, ms.code
	p, brackets, inactive, html, out := ms.p, ms.brackets, ms.inactive, ms.html, ms.out
	i := ms.i
	for ; i < len(s); i++ {
		if i >= stop && len(brackets) == 0 {
			break
		}
		switch c := s[i]; c {
		case '`':
			if !code || p.literal {
				break
			}
			n := 1
			for i+n < len(s) && s[i+n] == '`' {
				n++
			}
			if end := codeSpanEnd(s, i+n, n, p); end >= 0 {
				out = readMarkup(out, s[:end-n], i+n, p, false, r)
				i = end - 1
			} else {
				i += n - 1 // backticks that open no code span are text
			}
		case '\\':
			if i+1 < len(s) && strings.IndexByte(asciiPunct, s[i+1]) >= 0 {
				i++ // an escape: what it escapes is text
			}
		case '\n', '\r':
			if paragraphEnd(s, i, p) {
				brackets, inactive = brackets[:0], 0 // the paragraph ends: no link spans it
				html.reset()
				var next int
				p, next = paragraphAt(s, i+1, p)
				r.setDefs(&p)
				i = next - 1
			}
		case '<':
			if n := autolinkLen(s[i:]); n > 0 {
				out = append(out, mark{span: [2]int{i, i + n}, dest: destURL(s, i, i+n), literal: !code || p.literal})
				i += n - 1
			} else if code && !p.literal {
				if end := html.end(s, i, &p); end > 0 {
					i = end - 1 // raw HTML: a bracket in it is none
				}
			}
		case '&':
			if n := referenceLen(s[i:]); n > 0 {
				out = append(out, mark{span: [2]int{i, i + n}})
				i += n - 1
			}
		case '[':
			if r != nil && code && !p.literal {
				if d, ok := r.defAt(i); ok {
					out = append(out, mark{span: d.span, dest: d.dest})
					i = d.span[1] - 1
					break
				}
			}
			brackets = append(brackets, i)
		case ']':
			if len(brackets) == 0 {
				break
			}
			n := len(brackets) - 1
			start, opens := brackets[n], n >= inactive
			brackets, inactive = brackets[:n], min(inactive, n)
			image := start > 0 && s[start-1] == '!' && !escaped(s[:start-1])
			if !opens && !image {
				break
			}
			var end int
			var dest [2]int
			var ref *refDef
			ok := false
			if i+1 < len(s) && s[i+1] == '(' {
				end, dest, ok = linkTail(s, i+1, p)
			}
			if !ok && r != nil {
				end, ref, ok = r.link(s, start, i, p) // its destination is its definition's
			}
			if !ok {
				break
			}
			textStart := start + 1
			if image {
				start--
			} else {
				inactive = n // a link: the brackets before it open none
			}
			for len(out) > 0 && out[len(out)-1].span[0] >= start {
				if in := out[len(out)-1]; in.ref != nil {
					r.nested = append(r.nested, in) // (see markupNested)
				}
				out = out[:len(out)-1] // inside this link
			}
			m := mark{span: [2]int{start, end}, dest: dest, literal: !code || p.literal}
			if code && !p.literal {
				// In code its brackets are text, as written, not a
				// link that may be written as its text alone, nor one
				// to the definition (see cutter.relink).
				m.ref, m.text = ref, [2]int{textStart, i}
			}
			out = append(out, m)
			i = end - 1
		}
	}
	ms.i, ms.p, ms.brackets, ms.inactive, ms.html, ms.out = i, p, brackets, inactive, html, out
}

// known returns the offset before which every mark of s starts that
// markup returns, each in m.out as markup returns it: a later "["
// starts a link no earlier than where the scan paused, or an image just
// before it, "![", and only the marks from there on may be taken in
// such a link.
func (ms *markScan) known() int {
	if ms.i >= len(ms.s) {
		return len(ms.s) + 1
	}
	return ms.i - 1
}

// ensure scans s on until every mark that starts at or before off is
// known (see known), reading at least readAhead bytes more when it reads.
func (ms *markScan) ensure(off int) {
	for ms.known() <= off && ms.i < len(ms.s) {
		ms.scan(max(off+2, ms.i+readAhead))
	}
}

// readAhead is the least a paused markScan reads on: fewer, longer reads.
const readAhead = 512

// maxCodeTicks is the longest run of backticks that opens a code span; a
// longer one is text. Looking for a run as long as one to close it reads
// to the paragraph's end when there is none, and then none opens another
// in that paragraph: so bounded, each paragraph is read at most that many
// times more, however many runs of backticks it has.
const maxCodeTicks = 32

// codeSpanEnd returns the offset after the run of exactly n backticks that
// closes a code span whose text starts at s[i], in the same paragraph p
// (see para), or -1 when there is none.
func codeSpanEnd(s string, i, n int, p para) int {
	if n > maxCodeTicks {
		return -1
	}
	for i < len(s) {
		switch s[i] {
		case '`':
			j := i + 1
			for j < len(s) && s[j] == '`' {
				j++
			}
			if j-i == n {
				return j
			}
			i = j
			continue
		case '\n', '\r':
			if paragraphEnd(s, i, p) {
				return -1
			}
		}
		i++
	}
	return -1
}

// linkTail reads the part of an inline link from its "(", at s[open], on
// (CommonMark 0.31.2, 6.3): white space, the destination, white space and
// a title, white space, ")"; the white space holds one line break at most
// each time. It returns the offset after the ")" and the span of the
// URL the destination is or starts with (see destURL); ok is false when s has
// no such part there. p is the link's paragraph (see para).
func linkTail(s string, open int, p para) (end int, dest [2]int, ok bool) {
	i := linkSpace(s, open+1, &p)
	if i < 0 {
		return 0, dest, false
	}
	start := i
	if i = destEnd(s, i); i < 0 {
		return 0, dest, false
	}
	stop := i
	if i = linkSpace(s, i, &p); i < 0 {
		return 0, dest, false
	}
	if i > stop && i < len(s) && (s[i] == '"' || s[i] == '\'' || s[i] == '(') {
		if i = titleEnd(s, i, p); i < 0 {
			return 0, dest, false
		}
		if i = linkSpace(s, i, &p); i < 0 {
			return 0, dest, false
		}
	}
	if i >= len(s) || s[i] != ')' {
		return 0, dest, false
	}
	return i + 1, destURL(s, start, stop), true
}

// maxLinkParens is the most levels of brackets a link destination nests,
// as cmark reads one (CommonMark lets a reader bound them, to at least
// three): a destination nesting more is none, and reading it stops
// there, so that a text of unclosed "[a](b" is not read to its end once
// for each of them.
const maxLinkParens = 32

// destEnd returns the offset after the link destination that starts at
// s[i]: within "<" and ">" on one line, or a run without white space or
// control characters whose parentheses are balanced, nesting at most
// maxLinkParens levels; -1 when there is none there.
func destEnd(s string, i int) int {
	if i < len(s) && s[i] == '<' {
		for i++; i < len(s); i++ {
			switch s[i] {
			case '>':
				return i + 1
			case '\n', '\r', '<':
				return -1
			case '\\':
				if i+1 < len(s) && strings.IndexByte(asciiPunct, s[i+1]) >= 0 {
					i++
				}
			}
		}
		return -1
	}
	depth := 0
	for ; i < len(s) && s[i] > ' ' && s[i] != 0x7f; i++ {
		switch s[i] {
		case '\\':
			if i+1 < len(s) && strings.IndexByte(asciiPunct, s[i+1]) >= 0 {
				i++
			}
		case '(':
			if depth++; depth > maxLinkParens {
				return -1
			}
		case ')':
			if depth == 0 {
				return i
			}
			depth--
		}
	}
	if depth != 0 {
		return -1
	}
	return i
}

// titleEnd returns the offset after the link title that starts at s[i]
// with a double quote, a single quote or "(", which may span lines but no
// blank one (nor end the paragraph p, see para); -1 when it does not
// end.
func titleEnd(s string, i int, p para) int {
	closing := s[i]
	if closing == '(' {
		closing = ')'
	}
	for i++; i < len(s); i++ {
		switch c := s[i]; {
		case c == closing:
			return i + 1
		case c == '\\':
			if i+1 < len(s) && strings.IndexByte(asciiPunct, s[i+1]) >= 0 {
				i++
			}
		case c == '(' && closing == ')':
			return -1
		case (c == '\n' || c == '\r') && paragraphEnd(s, i, p):
			return -1
		}
	}
	return -1
}

// linkSpace returns the offset of the first character at or after s[i]
// that is no space or tab, with one line break at most among them, the
// next line read past the markers of the containers of the paragraph p
// (see lineAfter); -1 when a second one comes first or the line break
// ends p.
func linkSpace(s string, i int, p *para) int {
	lines := 0
	for i < len(s) {
		switch s[i] {
		case ' ', '\t':
			i++
		case '\r', '\n':
			if lines++; lines > 1 {
				return -1
			}
			if i = lineAfter(s, i, p); i < 0 {
				return -1
			}
		default:
			return i
		}
	}
	return i
}

// atxHeading reports whether an ATX heading starts at s[i]: one to six
// "#" and then a space, a tab or the line's end.
func atxHeading(s string, i int) bool {
	n := 0
	for i+n < len(s) && s[i+n] == '#' {
		n++
	}
	return n >= 1 && n <= 6 && (i+n == len(s) || strings.IndexByte(" \t\r\n", s[i+n]) >= 0)
}

// lineOf reports whether the line from s[i] on holds only c, at least
// min times, and spaces and tabs: after the run of c only, or anywhere
// when spaced.
func lineOf(s string, i int, c byte, min int, spaced bool) bool {
	n, end := 0, lineEnd(s, i)
	for ; i < end; i++ {
		switch s[i] {
		case c:
			if n > 0 && !spaced && s[i-1] != c {
				return false
			}
			n++
		case ' ', '\t':
		default:
			return false
		}
	}
	return n >= min
}

// lineEnd returns the offset of the line break at or after s[i], or
// len(s).
func lineEnd(s string, i int) int {
	if n := strings.IndexAny(s[i:], "\r\n"); n >= 0 {
		return i + n
	}
	return len(s)
}

// listMarker returns the length of the list marker at s[i] with the
// space or tab after it ("- ", "* ", "+ ", "1. ", "12) "; one to nine
// digits), or 0 when there is none there; a marker at the line's end
// counts, without the space.
func listMarker(s string, i int) int {
	n := 0
	for i+n < len(s) && n < 10 && s[i+n] >= '0' && s[i+n] <= '9' {
		n++
	}
	switch {
	case n == 0 && i < len(s) && strings.IndexByte("-*+", s[i]) >= 0:
		n = 1
	case n > 0 && n <= 9 && i+n < len(s) && (s[i+n] == '.' || s[i+n] == ')'):
		n++
	default:
		return 0
	}
	if i+n == len(s) || s[i+n] == '\r' || s[i+n] == '\n' {
		return n
	}
	if s[i+n] == ' ' || s[i+n] == '\t' {
		return n + 1
	}
	return 0
}

// blankAfter reports whether the line that starts at s[i] is blank: it
// holds nothing but spaces and tabs before its line break or s's end.
func blankAfter(s string, i int) bool {
	for ; i < len(s); i++ {
		switch s[i] {
		case ' ', '\t':
		case '\r', '\n':
			return true
		default:
			return false
		}
	}
	return true
}

// destURL returns the span of s[start:end], a link's destination,
// within "<" and ">" or not, when it starts with a URL as URLSpans finds
// it, or an empty span when it starts with none. The span is the whole
// destination as CommonMark reads it (0.31.2, 6.3: to the white space
// before a title, or the ")" that closes the link), not only the URL it
// starts with: the link's syntax ends it, not a character that ends a
// URL or a link in text ('"', a space within "<" and ">", see keptRune),
// and it is moved whole (see cutter.moved), as the URL the link points
// to ("https://x.example/a\"b" is a link to https://x.example/a%22b).
func destURL(s string, start, end int) [2]int {
	if end-start >= 2 && s[start] == '<' && s[end-1] == '>' {
		start, end = start+1, end-1
	}
	if us, _, ok := nextURL(s[start:end], 0, urlRune); ok && us == 0 {
		return [2]int{start, end}
	}
	return [2]int{}
}

// autolinkLen returns the length of the autolink that s starts with, or
// 0: a URI autolink, "<scheme:…>" (CommonMark 0.31.2, 6.5: a scheme of 2
// to 32 letters, digits, "+", "." and "-" starting with a letter, then no
// white space, control character, "<" or ">" before the ">"), or an
// e-mail autolink (see emailAutolinkLen).
func autolinkLen(s string) int {
	if n := emailAutolinkLen(s); n > 0 {
		return n
	}
	if len(s) < 4 || s[0] != '<' || !('a' <= s[1]|0x20 && s[1]|0x20 <= 'z') {
		return 0
	}
	i := 2
	for i < len(s) && i <= 33 && (strings.IndexByte("+.-", s[i]) >= 0 || 'a' <= s[i]|0x20 && s[i]|0x20 <= 'z' || '0' <= s[i] && s[i] <= '9') {
		i++
	}
	if i < 3 || i > 33 || i >= len(s) || s[i] != ':' {
		return 0
	}
	for i++; i < len(s); i++ {
		switch c := s[i]; {
		case c == '>':
			return i + 1
		case c <= ' ' || c == 0x7f || c == '<':
			return 0
		}
	}
	return 0
}

// emailAutolinkLen returns the length of the e-mail autolink that s
// starts with, "<local@domain>" (CommonMark 0.31.2, 6.5: a local part of
// ASCII letters, digits and ".!#$%&'*+/=?^_`{|}~-", then labels of
// letters, digits and "-", each of 1 to 63, neither starting nor ending
// with "-", separated by "."), or 0.
func emailAutolinkLen(s string) int {
	alnum := func(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c|0x20 && c|0x20 <= 'z' }
	i := 1
	for i < len(s) && (alnum(s[i]) || strings.IndexByte(".!#$%&'*+/=?^_`{|}~-", s[i]) >= 0) {
		i++
	}
	if len(s) == 0 || s[0] != '<' || i == 1 || i >= len(s) || s[i] != '@' {
		return 0
	}
	for {
		label := i + 1
		for i++; i < len(s) && i-label < 63 && (alnum(s[i]) || s[i] == '-'); i++ {
		}
		if i == label || s[label] == '-' || s[i-1] == '-' || i >= len(s) {
			return 0
		}
		switch s[i] {
		case '>':
			return i + 1
		case '.':
		default:
			return 0
		}
	}
}

// referenceLen returns the length of the character reference that s
// starts with, as reference matches one, or 0.
func referenceLen(s string) int {
	digit := func(c byte) bool { return '0' <= c && c <= '9' }
	letter := func(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }
	hex := func(c byte) bool { return digit(c) || 'a' <= c|0x20 && c|0x20 <= 'f' }
	name := func(c byte) bool { return letter(c) || digit(c) }
	var i, lo, hi int // where the name's or number's run starts, and its least and most length
	var in func(byte) bool
	switch {
	case len(s) < 3 || s[0] != '&':
		return 0
	case letter(s[1]):
		i, lo, hi, in = 2, 1, 31, name
	case s[1] == '#' && (s[2] == 'x' || s[2] == 'X'):
		i, lo, hi, in = 3, 1, 6, hex
	case s[1] == '#':
		i, lo, hi, in = 2, 1, 7, digit
	default:
		return 0
	}
	n := 0
	for i+n < len(s) && n < hi && in(s[i+n]) {
		n++
	}
	if n < lo || i+n >= len(s) || s[i+n] != ';' {
		return 0
	}
	return i + n + 1
}

// has reports whether cut index i exists, segmenting s as far as needed.
func (c *cutter) has(i int) bool {
	for len(c.cuts) <= i && c.next < len(c.s) {
		off := c.next
		c.read(off)
		for c.inURL < len(c.urls) && c.urls[c.inURL][1] <= off {
			c.inURL++
		}
		for c.inWhole < len(c.whole) && c.whole[c.inWhole][1] <= off {
			c.inWhole++
		}
		// No cut inside a Markdown link or a character reference
		// either: "[status page](https://x.examp" and "&am" show as
		// written.
		splitsMarkup := c.inWhole < len(c.whole) && c.whole[c.inWhole][0] < off
		// No cut inside a Markdown backslash escape, between the
		// backslash and the ASCII punctuation it escapes: it would leave
		// a "\" that shows, or escapes the ellipsis. Plain text loses
		// nothing by not being cut there.
		splitsEscape := c.slashes%2 == 1 && strings.IndexByte(asciiPunct, c.s[off]) >= 0
		var cluster string
		cluster, _, _, c.state = uniseg.FirstGraphemeClusterInString(c.s[off:], c.state)
		first, _ := utf8.DecodeRuneInString(cluster)
		// No cut inside a domain name without a scheme either, once it
		// has a dot: X, Telegram and others link "api.cloud.examp…" as
		// far as it names a domain, api.cloud, someone else's. An
		// internationalized one ("bücher.example") is such a run too.
		// Nor inside a hashtag: "#cdnout…" would link another tag; nor
		// inside a mention: "@AcmeSupp…" would notify another account.
		// The whole run is kept, its first label too: X weighs a domain
		// 23 whatever its length, so "averyverylongname.example.c…" cut
		// before the dot would weigh more than the domain it stands for,
		// and a longer limit could give a shorter text.
		if domainRune(first) && !c.inRun {
			c.dotted = dottedRun(c.s, off)
		}
		splitsWord := c.inRun && c.dotted && domainRune(first) || c.tag > 0 && c.tag <= maxTagCut && !unicode.IsSpace(first)
		if (c.inURL == len(c.urls) || off <= c.urls[c.inURL][0]) && !splitsEscape && !splitsWord && !splitsMarkup {
			c.cuts = append(c.cuts, off)
		}
		c.next += len(cluster)
		if cluster == "\\" {
			c.slashes++
		} else {
			c.slashes = 0
		}
		c.inRun = domainRune(first)
		c.word(cluster, first)
	}
	return i < len(c.cuts)
}

// all segments the whole of s and returns the number of cuts.
func (c *cutter) all() int {
	c.has(len(c.s))
	c.read(len(c.s))
	return len(c.cuts)
}

// word updates tag for the cluster that follows s[:next] before it,
// which starts with the rune first. A "#" or "@" after a letter, a digit
// or "_" starts none: "issue#4" and "ops@example.com" are no tag and no
// mention.
func (c *cutter) word(cluster string, first rune) {
	before, _ := utf8.DecodeLastRuneInString(c.s[:c.next-len(cluster)])
	switch {
	case unicode.IsSpace(first):
		c.tag = 0
	case c.tag > 0:
		c.tag++
	case strings.ContainsRune("#＃@＠", first) && (c.next == len(cluster) || !tagRune(before)):
		c.tag = 1
	}
}

// tagRune reports whether r, before a "#", makes it no hashtag's: a
// letter, mark, digit or "_". After anything else, as "(" or "," (X,
// Telegram and Mastodon link "(#cdnoutage)"), the "#" starts one.
func tagRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsDigit(r) || r == '_'
}

// dottedRun reports whether the run of grapheme clusters starting with a
// domainRune that begins at s[off:] has a dot between letters or digits:
// a "." cluster after a letter or digit (the one before the run counts)
// and before a cluster that starts with one. It reads the run once, up to
// such a dot or its end.
func dottedRun(s string, off int) bool {
	state := -1
	afterDot := false
	for rest := s[off:]; rest != ""; {
		var cluster string
		at := len(s) - len(rest)
		cluster, rest, _, state = uniseg.FirstGraphemeClusterInString(rest, state)
		first, _ := utf8.DecodeRuneInString(cluster)
		if !domainRune(first) {
			return false
		}
		if afterDot && alnum(first) {
			return true
		}
		before, _ := utf8.DecodeLastRuneInString(s[:at])
		afterDot = cluster == "." && alnum(before)
	}
	return false
}

func alnum(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// domainRune reports whether r may continue a domain name without a
// scheme, or its path, as a cut would leave it linked: a printable ASCII
// character other than the space, or a letter, mark or digit of another
// script, as an internationalized domain name has ("bücher.example",
// "пример.рф"), so that its first label is kept whole as an ASCII one
// is. The run a cut may not split ends at any other character, and at
// the letters of the scripts written without spaces between words
// (unspaced), so that a word of Japanese after "1.5" is cut as before.
// The dashes U+2010 to U+2015 continue it too: Telegram links them in a
// domain and its path ("x.example/path–"), so a cut before one, or the
// dash trimmed before the ellipsis, would link another page there.
func domainRune(r rune) bool {
	if r < utf8.RuneSelf {
		return r > ' ' && r < 0x7f
	}
	return (unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsDigit(r)) && !unicode.In(r, unspaced...) ||
		linkDash(r)
}

// linkDash reports whether r is one of the dashes, U+2010 to U+2015
// ("‐", "‑", "‒", "–", "—", "―"), that Telegram keeps in a link.
func linkDash(r rune) bool { return r >= 0x2010 && r <= 0x2015 }

// unspaced are the scripts written without spaces between words: a run
// of their letters is a sentence, not part of a domain name.
var unspaced = []*unicode.RangeTable{unicode.Han, unicode.Hiragana, unicode.Katakana,
	unicode.Thai, unicode.Lao, unicode.Khmer, unicode.Myanmar, unicode.Tibetan}

// endsInDotted reports whether h ends in a run of clusters that start
// with a domainRune and has a dot between letters or digits: a link
// without a scheme, which a "-" at its end belongs to.
func endsInDotted(h string) bool {
	start := len(h)
	for start > 0 {
		r, n := utf8.DecodeLastRuneInString(h[:start])
		if !domainRune(r) {
			break
		}
		start -= n
	}
	return start < len(h) && dottedRun(h, start)
}

// fit finds the largest cut index whose build fits, by binary search over
// all cuts (call all first), and returns that build. Only builds that
// reported a fit are returned, so a Measure that is not monotone can make
// the result shorter, never too long. A word end is preferred (see
// wordCut).
//
// A cut that keeps a link or a URL can weigh less than a cut before it,
// which moves the link's URLs after the ellipsis: X's link pattern takes
// a link's text that ends in a URL in with the "](…)" after it, as one
// URL of 23. So once the search settles, fit looks past the cut that
// does not fit (see past), and searches on from a later cut that fits,
// at most maxPast times: a few builds more, whatever the length of the
// text. A shrink it does not look at (past more than two links, or by a
// character, "https://….…" taken in as one URL where "https://… …" is
// not) can still make the result shorter than the longest that fits.
func (c *cutter) fit(build func(cut int) (string, bool)) (string, bool) {
	best, ok := build(0)
	if !ok {
		return "", false
	}
	lo, hi := 0, len(c.cuts) // lo fits; hi is not tried
	for jumps := 0; ; jumps++ {
		for hi-lo > 1 {
			mid := lo + (hi-lo)/2
			if out, ok := build(mid); ok {
				lo, best = mid, out
			} else {
				hi = mid
			}
		}
		if hi == len(c.cuts) || jumps == maxPast {
			break
		}
		at, out, ok := c.past(hi, build)
		if !ok {
			break
		}
		lo, best, hi = at, out, len(c.cuts)
	}
	if w := c.wordCut(lo); w != lo {
		if out, ok := build(w); ok {
			best = out
		}
	}
	return best, true
}

// maxPast is the most times fit looks past a cut that does not fit for a
// later one that does.
const maxPast = 4

// pastSpans is the number of kept spans past looks at.
const pastSpans = 2

// past returns the first of the cuts that end the first pastSpans kept
// spans (URLs, Markdown links and images, autolinks, character
// references; see keptSpans) after cut index hi whose build fits, with
// that build; ok is false when none does. Call all first.
func (c *cutter) past(hi int, build func(cut int) (string, bool)) (at int, out string, ok bool) {
	off := c.cuts[hi]
	var ends []int
	for _, spans := range [][][2]int{c.urls, c.whole} {
		k := sort.Search(len(spans), func(k int) bool { return spans[k][0] >= off })
		for _, sp := range spans[k:min(k+pastSpans, len(spans))] {
			ends = append(ends, sp[1])
		}
	}
	slices.Sort(ends)
	tried := 0
	for k, end := range ends {
		if tried == pastSpans {
			break
		}
		i := sort.SearchInts(c.cuts, end)
		if i >= len(c.cuts) || k > 0 && sort.SearchInts(c.cuts, ends[k-1]) == i {
			continue // no cut after it, or tried
		}
		tried++
		if out, ok := build(i); ok {
			return i, out, true
		}
	}
	return 0, "", false
}

// search is fit for a build that is costly and a guess of the result that
// is good: it tries the guess, gallops from it towards the largest index
// whose build fits (1, 2, 4, … steps), then bisects. When builds fit up to
// some index and not after it, search finds the same index as fit, in two
// builds if the guess was right, and segments s only a little past it.
// Only builds that fit are returned, and at is the index of best; ok is
// false when no index fits. The caller applies wordCut.
func (c *cutter) search(guess int, build func(cut int) (string, bool)) (best string, at int, ok bool) {
	lo, hi := -1, -1 // the largest index known to fit; the smallest known not to
	try := func(i int) bool {
		out, fits := build(i)
		if fits {
			best, lo = out, i
		} else {
			hi = i
		}
		return fits
	}
	if guess = max(guess, 0); !c.has(guess) {
		if guess = len(c.cuts) - 1; guess < 0 {
			return "", 0, false // nothing to cut
		}
	}
	if try(guess) {
		for step := 1; ; step *= 2 {
			if !c.has(lo + step) {
				hi = len(c.cuts) // not tried: there is no such cut
				break
			}
			if !try(lo + step) {
				break
			}
		}
	} else {
		for step := 1; hi > 0; step *= 2 {
			if try(max(hi-step, 0)) {
				break
			}
		}
		if lo < 0 {
			return "", 0, false
		}
	}
	for hi-lo > 1 {
		try(lo + (hi-lo)/2)
	}
	return best, lo, true
}

// wordCut returns the largest cut index at or before i that ends a word and
// either keeps at least half of the text up to i or drops at most
// wordSlack clusters; otherwise i.
func (c *cutter) wordCut(i int) int {
	const wordSlack = 15
	end := c.cuts[i]
	for j := i; j > 0 && (c.cuts[j] >= end/2 || i-j <= wordSlack); j-- {
		if c.endsWord(c.cuts[j]) {
			return j
		}
	}
	return i
}

func (c *cutter) endsWord(off int) bool {
	if off >= len(c.s) {
		return true
	}
	next, _ := utf8.DecodeRuneInString(c.s[off:])
	prev, _ := utf8.DecodeLastRuneInString(c.s[:off])
	return unicode.IsSpace(next) || strings.ContainsRune("、。，！？", prev)
}

// head is the text before cut index i with trailing white space and
// dangling punctuation removed (never from inside a URL), then mark, then
// the characters that close the embeddings and isolates the text before
// the cut left open. A mark right after a URL gets a space, so that it
// does not become part of the link, and so does one right after a link
// written as its text alone whose text ends in a URL.
//
// Each reference link or image before the cut whose definition the cut
// leaves out (see relinks) is written as the inline link it is,
// "[text](destination)", or as its text alone when decided so (see
// decided): "[status page][1]" would show as written, brackets and all;
// each inline one as it is, or as its text alone when decided so.
func (c *cutter) head(i int, mark string) string {
	off := c.cuts[i]
	urlEnd := 0
	for _, u := range c.urls {
		if u[1] <= off {
			urlEnd = u[1]
		}
	}
	kept := urlEnd // nothing is trimmed from a URL, a link or a reference ("&amp;")
	for _, w := range c.whole {
		if w[1] <= off {
			kept = max(kept, w[1])
		}
	}
	h := c.s[:off]
	// undotted is set once the run of domain runes h ends in is known to
	// have no dot: trimming its end leaves it so, and it is not read
	// again for every "-" of a long run of them.
	undotted := false
	for len(h) > kept {
		r, n := utf8.DecodeLastRuneInString(h)
		if !unicode.IsSpace(r) && !strings.ContainsRune(",;:-–—(", r) {
			break
		}
		// A link without a scheme holds a "-" at its end, as X and
		// Telegram link it: "x.example/path-…" keeps the page,
		// "x.example/path…" would link another. Telegram holds an "–"
		// or "—" there too; X ends the link before it, with or without
		// it. The other punctuation trimmed here ends no link, so
		// trimming it changes none.
		if (r == '-' || linkDash(r)) && !undotted {
			if endsInDotted(h) {
				break
			}
			undotted = true
		}
		if !domainRune(r) {
			undotted = false // the run ends: the next is another
		}
		h = h[:len(h)-n]
		if r < utf8.RuneSelf && strings.IndexByte(asciiPunct, byte(r)) >= 0 && escaped(h) {
			h = h[:len(h)-1] // the backslash escaping r goes with it
		}
	}
	if h == "" {
		return mark
	}
	n := len(h)
	h, textEnd := c.relink(h, off)
	if textEnd > 0 {
		for _, u := range c.urls {
			if u[1] == textEnd {
				urlEnd = n // h ends in the URL that ends the text
			}
		}
	}
	// What the cut left open of the text's embeddings and isolates is
	// closed after the mark: else the rest of the message (the URL, the
	// next update) would run right to left, or reversed.
	closers := bidiClosers(h)
	if strings.HasSuffix(h, Ellipsis) && n > urlEnd {
		return h + closers // already marked: a cut of a cut
	}
	if n == urlEnd && mark != "" {
		return h + " " + mark + closers
	}
	return h + mark + closers
}

// relinks reports whether r, one of the links and images of c.refs, is
// written as decided (see cutter.decided) by the cut at off: an inline
// one that ends at or before off, or a reference one that does so and
// whose definition starts at or after off, which, kept as written, would
// link to nothing the cut text holds.
func relinks(r mark, off int) bool { return r.span[1] <= off && (r.ref == nil || r.ref.span[0] >= off) }

// The ways a link or image that a cut keeps is written (a reference one
// kept without its definition), decided once for the cut that first keeps
// it (see decide).
const (
	refUndecided = iota // inline, until decided
	refInline           // as the inline link it is (or was)
	refAlone            // its text alone
)

// firstCut returns the first cut index at or after the end of r, one of
// the links or images that the cut at index i keeps: the cut that first
// keeps it.
func (c *cutter) firstCut(r mark, i int) int {
	return sort.SearchInts(c.cuts[:i+1], r.span[1])
}

// undecided returns the least first cut index (see firstCut) of the
// links and images that the cut at index i writes as decided (see
// relinks) and whose way of being written is not decided yet; ok is false
// when there is none.
func (c *cutter) undecided(i int) (at int, ok bool) {
	off := c.cuts[i]
	for k, r := range c.refs {
		if r.span[0] >= off {
			break
		}
		if relinks(r, off) && (c.refAs == nil || c.refAs[k] == refUndecided) {
			if j := c.firstCut(r, i); !ok || j < at {
				at, ok = j, true
			}
		}
	}
	return at, ok
}

// pending returns, ascending, the first cut indexes (see firstCut) of
// the links and images that the cut at index i writes as decided (see
// relinks) and whose way of being written is not decided yet; none when
// there is none.
func (c *cutter) pending(i int) []int {
	off := c.cuts[i]
	var firsts []int
	for k, r := range c.refs {
		if r.span[0] >= off {
			break
		}
		if relinks(r, off) && (c.refAs == nil || c.refAs[k] == refUndecided) {
			firsts = append(firsts, c.firstCut(r, i))
		}
	}
	slices.Sort(firsts) // a reference link's first cut may come before that of the link whose text holds it
	return slices.Compact(firsts)
}

// decide decides the way of writing each link or image that the cut at
// index i writes as decided (see relinks) and that is not decided yet
// (see decided): a reference one as its text alone when tooLong reports
// so of its definition's destination, as written, else, and any inline
// one, as the inline link it is. It reports whether it decided any
// inline: a caller that finds the cut that keeps them first does not fit
// so has decideAlone write them as their text alone.
func (c *cutter) decide(i int, tooLong func(dest string) bool) (inline bool) {
	off := c.cuts[i]
	for k, r := range c.refs {
		if r.span[0] >= off {
			break
		}
		if !relinks(r, off) || (c.refAs != nil && c.refAs[k] != refUndecided) {
			continue
		}
		if c.refAs == nil {
			c.refAs = make([]uint8, len(c.refs))
		}
		if r.ref != nil && tooLong(c.s[r.ref.raw[0]:r.ref.raw[1]]) {
			c.refAs[k] = refAlone
		} else {
			c.refAs[k], inline = refInline, true
		}
	}
	return inline
}

// decideAlone decides the links and images that the cut at index i keeps
// first and writes as decided (see relinks) to be written as their text
// alone.
func (c *cutter) decideAlone(i int) {
	off := c.cuts[i]
	for k, r := range c.refs {
		if r.span[0] >= off {
			break
		}
		if c.refAs != nil && relinks(r, off) && c.firstCut(r, i) == i {
			c.refAs[k] = refAlone
		}
	}
}

// referenced reports whether s has a reference link or image (see
// mark.ref).
func (c *cutter) referenced() bool {
	if c.kept.marks.r == nil {
		return false // no definition to link to
	}
	c.read(len(c.s))
	return slices.ContainsFunc(c.refs, func(r mark) bool { return r.ref != nil })
}

// decided returns render(i), the cut at index i written with each
// link or image it keeps, inline, or reference without its definition
// (see relinks), as decided at the first cut that keeps it: as the
// inline link it is, unless tooLong reports so of a reference one's
// destination, or unless that first cut, with the links before it
// written as decided and it inline, does not fit: then as its text
// alone, with the other links that cut keeps first (see decide and
// decideAlone). So a link whose inline form does not fit the room the
// text before it leaves fits at no later cut, a later cut does not trade
// its URL for more text, and every cut writes each link the same way, so
// that the builds that fit stay a prefix of the cuts. RenderFit and
// Shorten both write their cuts so.
//
// Where c.prefixes is set (a text of inline links), it renders a few
// cuts to decide, not every first cut (see decidedInOrder). As the builds
// that fit are then a prefix of the cuts, so are the cuts that fit with
// the links not yet decided written inline: the links kept by the last
// first cut that fits so, or by i, are decided inline, and those the
// next first cut keeps first as their text alone. most finds that cut,
// from the last first cut at or before c.estimate (RenderFit's estimate,
// near which its search builds), and decided goes on past it until every
// link of i is decided. When links kept first before i are left after
// that cut, it builds it (build(j) returns decided(j, …) of the caller's
// cut at index j): when it does not fit, nor does i.
func (c *cutter) decided(i int, tooLong func(dest string) bool, build, render func(i int) (string, bool)) (string, bool) {
	if !c.prefixes {
		return c.decidedInOrder(i, tooLong, build, render)
	}
	for {
		firsts := c.pending(i)
		if len(firsts) == 0 {
			return render(i)
		}
		if firsts[len(firsts)-1] != i {
			firsts = append(firsts, i)
		}
		var out string // render(i), when it fits
		// fits reports whether the k-th of firsts fits with every link
		// not yet decided written inline.
		fits := func(k int) bool {
			j := firsts[k-1]
			o, ok := render(j)
			if j == i {
				out = o
			}
			return ok
		}
		k := most(0, len(firsts)+1, sort.SearchInts(firsts, c.estimate+1), fits)
		if k > 0 {
			c.decide(firsts[k-1], tooLong) // inline
		}
		if k == len(firsts) {
			return out, true
		}
		at := firsts[k] // does not fit with the links it keeps first inline: most tried it
		if at == i {
			if !c.decide(i, tooLong) {
				return "", false // nothing left to decide: as tried
			}
			c.decideAlone(i)
			return render(i)
		}
		c.decide(at, tooLong)
		c.decideAlone(at)
		if p := c.pending(i); len(p) > 0 && p[0] < i {
			if _, ok := build(at); !ok {
				return "", false // nor does i, as the builds that fit are a prefix of the cuts
			}
		}
	}
}

// decidedInOrder is decided for a caller whose renderings of the cuts
// may fit at a cut and not at one before it (Shorten's, see
// cutter.prefixes): it builds the first cut of each link the cut at i
// keeps in turn, each deciding the links it keeps first.
func (c *cutter) decidedInOrder(i int, tooLong func(dest string) bool, build, render func(i int) (string, bool)) (string, bool) {
	for {
		at, ok := c.undecided(i)
		if !ok || at == i {
			break
		}
		if _, fits := build(at); !fits {
			// A cut before i does not fit, its links written as they
			// best can be: nor does i, as the builds that fit are a
			// prefix of the cuts. The links after it are left to the
			// cuts that keep them first, should a search try them: a
			// search that tries a cut far past the limit does not
			// build a cut for each link before it.
			return "", false
		}
	}
	inline := c.decide(i, tooLong)
	out, fits := render(i)
	if !fits && inline {
		c.decideAlone(i)
		out, fits = render(i)
	}
	return out, fits
}

// relink returns h, the text before the cut at off, with each reference
// link or image in it whose definition the cut leaves out (see relinks)
// written as an inline one to the definition's destination, as written,
// "[text](destination)" or "![alt](destination)" (its title left out),
// or as its text alone when decided so for that link (see decided); so
// too one in the text of another link or image ("[![graph][img]](https://…)").
// An inline link or image is written as its text alone when decided so,
// else as it is. When h ends in a link or image written as its text alone,
// textEnd is where its text ends in s (h then ends as that text does, in
// a URL perhaps); else 0.
func (c *cutter) relink(h string, off int) (_ string, textEnd int) {
	var b strings.Builder
	done := 0
	var open []int // the indexes in refs of the links written so, outermost first, whose text is being written
	// alone reports whether refs[k] is written as its text alone.
	alone := func(k int) bool { return c.refAs != nil && c.refAs[k] == refAlone }
	// close writes h up to to, and the ends of the links in open whose
	// text ends before it.
	close := func(to int) {
		for len(open) > 0 && c.refs[open[len(open)-1]].text[1] <= to {
			k := open[len(open)-1]
			r := c.refs[k]
			open = open[:len(open)-1]
			c.plainWrite(&b, h, done, r.text[1])
			if textEnd = 0; alone(k) && r.span[1] == len(h) {
				textEnd = r.text[1]
			}
			if !alone(k) {
				b.WriteString("](")
				if d := r.ref; c.plain && d.dest != ([2]int{}) {
					b.WriteString(c.destForm(mark{span: d.span, dest: d.dest}))
				} else {
					b.WriteString(c.s[d.raw[0]:d.raw[1]])
				}
				b.WriteByte(')')
			}
			done = r.span[1]
		}
		c.plainWrite(&b, h, done, to)
		done = to
	}
	changed := false
	for k, r := range c.refs {
		if r.span[0] >= len(h) {
			break
		}
		if r.span[1] > len(h) || !relinks(r, off) || r.ref == nil && !alone(k) {
			continue
		}
		if !changed {
			b.Grow(len(h) + 64)
			changed = true
		}
		close(r.span[0])
		if !alone(k) {
			b.WriteString(h[r.span[0]:r.text[0]]) // "[" or "!["
		}
		done = r.text[0]
		open = append(open, k)
	}
	if !changed {
		return c.plainText(h), 0
	}
	close(len(h))
	return b.String(), textEnd
}

// plainText returns h, a prefix of c.s that a cut keeps (or all of it),
// with its destinations written as plainWrite writes them: h itself
// when c.plain is not set.
func (c *cutter) plainText(h string) string {
	if !c.plain {
		return h
	}
	var b strings.Builder
	b.Grow(len(h))
	c.plainWrite(&b, h, 0, len(h))
	return b.String()
}

// asciiPunct holds the characters a backslash escapes in Markdown
// (CommonMark 2.4; Telegram's MarkdownV2 escapes a subset of them).
const asciiPunct = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"

// escaped reports whether s ends in a backslash that escapes what follows:
// an odd run of backslashes.
func escaped(s string) bool {
	n := 0
	for n < len(s) && s[len(s)-1-n] == '\\' {
		n++
	}
	return n%2 == 1
}

// withURLs appends, to head, the first keep URLs that start at or after cut
// index i, each after a space, as moved writes them, but for the URLs of
// the definitions whose reference links head writes as inline links (see
// cutter.head), which hold them; and, before them, the URLs that the
// inline links and images head writes as their text alone leave out (see
// alone).
func (c *cutter) withURLs(head string, i, keep int) string {
	off := c.cuts[i]
	var b strings.Builder
	b.WriteString(head)
	for _, u := range c.urls {
		if keep == 0 {
			break
		}
		if u[0] >= off && !c.inlined(u, off) || u[0] < off && c.alone(u, off) {
			b.WriteByte(' ')
			b.WriteString(c.moved(u))
			keep--
		}
	}
	return b.String()
}

// inlined reports whether u, one of c.urls, is in the destination of a
// definition that the cut at off leaves out and that a reference link
// before it, not written as its text alone, links to: head writes that
// link as an inline link holding u.
func (c *cutter) inlined(u [2]int, off int) bool {
	for k, r := range c.refs {
		if r.span[0] >= off {
			break
		}
		if r.ref != nil && relinks(r, off) && r.ref.raw[0] <= u[0] && u[1] <= r.ref.raw[1] && (c.refAs == nil || c.refAs[k] != refAlone) {
			return true
		}
	}
	return false
}

// alone reports whether u, one of c.urls, is in an inline link or image
// that the cut at off keeps and that head writes as its text alone, and
// not in its text: in its destination or its title, or running into
// them from its text, which that leaves out.
func (c *cutter) alone(u [2]int, off int) bool {
	if c.refAs == nil {
		return false
	}
	for k, r := range c.refs {
		if r.span[0] > u[0] {
			break
		}
		if r.ref == nil && c.refAs[k] == refAlone && relinks(r, off) && u[1] > r.text[1] && u[0] < r.span[1] {
			return true
		}
	}
	return false
}

// moved returns u, one of c.urls, as withURLs writes it after the
// ellipsis: as movedLen cuts it, but whole when it is a link's
// destination (see destination), within "<" and ">" or not
// ("[a](<https://x.example/a)>)", "[a](https://x.example/a])"), or an
// autolink's URL: there the URL is the link's own to its end, a final
// ")" or "]" too, not a bracket that closes the text's. Such a URL is
// written as the URL the link points to (see linkTarget: "\)" in a
// destination is ")", "&amp;" is "&"), bare where every channel links it
// whole, else within "<" and ">" (see asAutolink): where a channel would
// link it bare short of its end (see LinkSpans: at a final ")" or "]" it
// did not open, a ".", a '"', or a character that ends a link in a
// sentence, "https://x.example/「a」"), as GitHub Flavored Markdown's
// extended autolinks do, or where Markdown would read it as another URL
// (a backslash before punctuation, a character reference). That is an
// autolink in the Markdown the text is written in, and in plain text the
// delimiters of a URL (RFC 3986, Appendix C). A URL that starts with one
// of the URLs known to be one (see knownEnd) moves with it whole: an
// Update.URL's final ")" is its own
// ("https://x.example/wiki/Outage_2026)"), whatever brackets the text
// has around it.
func (c *cutter) moved(u [2]int) string {
	url := c.s[u[0]:u[1]]
	if plainURL(url) {
		return url // the common case: whole and bare by every rule
	}
	if m, ok := c.destination(u); ok {
		return c.destForm(m)
	}
	n := movedLen(url)
	if n == len(url) && linkEnd(url) == len(url) {
		return url
	}
	for _, w := range c.kept.known {
		if n < len(w) && strings.HasPrefix(url, w) {
			n = len(w) // what movedLen left out is closers and punctuation only
		}
	}
	return url[:n]
}

// destForm returns the destination of m, a mark whose dest is a URL
// (see destination), as the URL the link points to, the one form in which
// a text shows it where it is not Markdown's to read: moved writes it so
// after the ellipsis, and in a plain text (see cutter.plain) plainWrite
// writes it so in place of the destination as written, so that a link
// shows the same URL whether a cut keeps it or moves it. Its character
// references are decoded once (CommonMark 0.31.2, 2.5, "Entity and
// numeric character references": read "in any context besides code spans
// or code blocks, including URLs", https://spec.commonmark.org/0.31.2/#entity-and-numeric-character-references;
// "[a](https://x.example/?a=1&amp;amp;b=2)" points to
// https://x.example/?a=1&amp;b=2), and it is written bare where every
// channel links it whole, else within "<" and ">" (see asAutolink).
func (c *cutter) destForm(m mark) string {
	url := c.s[m.dest[0]:m.dest[1]]
	if !m.literal {
		// An autolink reads character references, no escape
		// (CommonMark 0.31.2, 6.5); a destination both (6.3).
		url = linkTarget(url, c.s[m.span[0]] != '<')
	}
	if !bareLink(url) {
		return asAutolink(url, c.plain)
	}
	return url
}

// plainWrite writes h[from:to] to b, h a prefix of c.s that a cut keeps
// (or all of it): as it is, but for a text shown as plain text (c.plain),
// where each destination of a link, an image or a link reference
// definition in it that is a URL (see destURL), within "<" and ">" or
// not, is written as destForm writes it, as a cut that moves it after the
// ellipsis writes it. An autolink is left as written, but for its
// character references, which are read in it as in any URL (CommonMark
// 0.31.2, 2.5): one that holds any is written within "<" and ">" as the
// URL it points to ("<https://x.example/?a=1&amp;b=2>" as
// "<https://x.example/?a=1&b=2>", as destForm writes it moved).
func (c *cutter) plainWrite(b *strings.Builder, h string, from, to int) {
	if !c.plain {
		b.WriteString(h[from:to])
		return
	}
	marks := c.kept.marks.out
	k := sort.Search(len(marks), func(k int) bool { return marks[k].span[0] >= from })
	for ; k < len(marks) && marks[k].span[0] < to; k++ {
		m := marks[k]
		if m.dest == ([2]int{}) {
			continue
		}
		if c.s[m.span[0]] == '<' {
			if url := c.s[m.dest[0]:m.dest[1]]; m.span[1] <= to && strings.IndexByte(url, '&') >= 0 {
				if target := linkTarget(url, false); target != url {
					b.WriteString(h[from:m.span[0]])
					b.WriteString(asAutolink(target, true))
					from = m.span[1]
				}
			}
			continue
		}
		start, end := m.dest[0], m.dest[1]
		if start > 0 && c.s[start-1] == '<' && end < len(c.s) && c.s[end] == '>' {
			start, end = start-1, end+1
		}
		if start < from || end > to {
			continue
		}
		b.WriteString(h[from:start])
		b.WriteString(c.destForm(m))
		from = end
	}
	b.WriteString(h[from:to])
}

// plainURL reports whether url, one of c.urls, is ASCII, holds no '"',
// "\\", "&" or space (which a destination may, see destURL), and ends in
// a character that neither movedLen nor linkEnd leaves out: moved writes
// it as it is, and finds so without reading it rune by rune.
func plainURL(url string) bool {
	if url == "" || strings.IndexByte(".,:;!?')]}", url[len(url)-1]) >= 0 {
		return false
	}
	for i := 0; i < len(url); i++ {
		if c := url[i]; c >= utf8.RuneSelf || c == '"' || c == '\\' || c == '&' || c == ' ' {
			return false
		}
	}
	return true
}

// destination returns the mark read (see mark.dest) whose destination's
// URL u, one of c.urls, is: an inline link's or image's, a link
// reference definition's, or an autolink's; ok is false when u is none.
func (c *cutter) destination(u [2]int) (_ mark, ok bool) {
	marks := c.kept.marks.out
	k := sort.Search(len(marks), func(k int) bool { return marks[k].span[0] > u[0] }) - 1
	if k >= 0 && marks[k].dest == u {
		return marks[k], true
	}
	return mark{}, false
}

// linkTarget returns the URL that dest, a link's destination as written
// (within its "<" and ">"), points to, as CommonMark reads it: its
// character references decoded (0.31.2, 2.5, "&amp;" is "&"; an entity
// name HTML does not define stays as written) and, where escapes is set,
// its backslash escapes (2.4, "\)" is ")"), which a link destination
// reads and an autolink does not (6.5). A numeric reference is read as
// CommonMark reads it, not as HTML does (see numericReference).
func linkTarget(dest string, escapes bool) string {
	if !strings.ContainsAny(dest, "&\\") {
		return dest
	}
	var b strings.Builder
	for i := 0; i < len(dest); i++ {
		switch c := dest[i]; {
		case c == '\\' && escapes && i+1 < len(dest) && strings.IndexByte(asciiPunct, dest[i+1]) >= 0:
			i++
			b.WriteByte(dest[i])
		case c == '&':
			n := referenceLen(dest[i:])
			if n == 0 {
				b.WriteByte(c)
				break
			}
			ref := dest[i : i+n]
			// html reads a legacy name without its ";" in a longer one
			// ("&notit;" as "¬it;"), which CommonMark does not: a
			// decoded text ending in ";" is that, but for "&semi;".
			if ref[1] == '#' {
				b.WriteRune(numericReference(ref))
			} else if d := html.UnescapeString(ref); d != ref && (d == ";" || !strings.HasSuffix(d, ";")) {
				b.WriteString(d)
			} else {
				b.WriteString(ref)
			}
			i += n - 1
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// numericReference returns the character of ref, a numeric character
// reference as referenceLen finds one ("&#233;", "&#xE9;"), as CommonMark
// reads it (0.31.2, 2.5: "parsed as the corresponding Unicode
// character", an invalid code point, a surrogate and U+0000 as U+FFFD),
// not as HTML's tokenizer does (html.UnescapeString reads "&#128;" to
// "&#159;" as Windows-1252's characters, "&#128;" as "€").
func numericReference(ref string) rune {
	digits, base := ref[2:len(ref)-1], 10
	if digits[0]|0x20 == 'x' {
		digits, base = digits[1:], 16
	}
	r, err := strconv.ParseUint(digits, base, 32)
	if err != nil || r == 0 || !utf8.ValidRune(rune(r)) {
		return utf8.RuneError
	}
	return rune(r)
}

// bareLink reports whether url, the URL a link points to, reads as that
// URL written bare, in text: one URL as URLSpans finds it (no white
// space, '"', "<" or ">"), which a channel links whole (see linkEnd: no
// final punctuation or unopened bracket, no character that ends a link),
// and which Markdown reads as written: no character reference and no
// backslash before punctuation; nor a control character, which would
// not show (asAutolink writes it percent-encoded).
func bareLink(url string) bool {
	if !oneURL(url) || linkEnd(url) < len(url) || strings.IndexFunc(url, unicode.IsControl) >= 0 {
		return false
	}
	for i := 0; i < len(url); i++ {
		switch url[i] {
		case '&':
			if referenceLen(url[i:]) > 0 {
				return false
			}
		case '\\':
			if i+1 < len(url) && strings.IndexByte(asciiPunct, url[i+1]) >= 0 {
				return false
			}
		}
	}
	return true
}

// asAutolink returns url, the URL a link points to, as a CommonMark
// autolink that points to it (see autolink): a space, a control
// character, "<" or ">", which no autolink holds (CommonMark 0.31.2,
// 6.5), "|" (see notInAutolink), and white space outside ASCII
// ("\u00a0", "\u3000"), which one may hold but which ends a URL in text, so that LinkSpans would end
// the link there (see angledEnd), or a control character outside ASCII
// (see notInAutolink), written as a renderer writes it in the
// link's href, percent-encoded, each byte of its UTF-8 ("%20",
// "%C2%A0"), and an "&" that would start a character reference as
// "&amp;"; when plain is set, "&" as is, for text shown as plain
// text, where the "<" and ">" delimit a URL in text and no reference is
// read.
func asAutolink(url string, plain bool) string {
	if strings.IndexFunc(url, notInAutolink) >= 0 {
		var b strings.Builder
		for _, r := range url {
			if !notInAutolink(r) {
				b.WriteRune(r)
				continue
			}
			var buf [utf8.UTFMax]byte
			for _, c := range buf[:utf8.EncodeRune(buf[:], r)] {
				const hex = "0123456789ABCDEF"
				b.WriteByte('%')
				b.WriteByte(hex[c>>4])
				b.WriteByte(hex[c&0xf])
			}
		}
		url = b.String()
	}
	if plain {
		return "<" + url + ">"
	}
	return autolink(url)
}

// notInAutolink reports whether r is written percent-encoded in an
// autolink asAutolink writes: an ASCII space or control character, "<"
// or ">", white space (see urlRune), a control character outside ASCII
// ("\u0080", as "&#128;" reads), which would not show, or "|", which
// RFC 3986 does not allow in a URL unencoded and with which Slack and
// Google Chat read "<https://…|text>" as a link showing text of its own
// (api.slack.com/reference/surfaces/formatting#linking-urls,
// developers.google.com/workspace/chat/format-messages): the user's
// words would show as a link's text.
func notInAutolink(r rune) bool {
	return r <= ' ' || r == 0x7f || r == '<' || r == '>' || r == '|' || r >= utf8.RuneSelf && (!urlRune(r) || unicode.IsSpace(r) || unicode.IsControl(r))
}

// movedLen returns the length of url, one of c.urls, as withURLs moves
// it after the ellipsis: without a closing bracket it did not open at its
// end and what follows that bracket, "(https://x.example/a)." moved as
// "https://x.example/a". The text the bracket closed is cut; its opening
// bracket, before the URL, is left out with it (see head). A bracket the
// URL opened stays, as does its other final punctuation ("…/42."): only
// a bracket would be left unbalanced.
func movedLen(url string) int {
	const brackets = "()[]{}"
	run := len(url) // where the final run of closers and punctuation starts
	for run > 0 && strings.IndexByte(")]}.,:;!?'", url[run-1]) >= 0 {
		run--
	}
	if !strings.ContainsAny(url[run:], ")]}") {
		return len(url) // the common case: nothing to count
	}
	var count [len(brackets)]int
	for i := range url {
		if i >= run {
			if open, ok := closers[url[i]]; ok {
				if count[strings.IndexByte(brackets, open)] <= count[strings.IndexByte(brackets, url[i])] {
					return i // unopened
				}
			}
		}
		if k := strings.IndexByte(brackets, url[i]); k >= 0 {
			count[k]++
		}
	}
	return len(url)
}
