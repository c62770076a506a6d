package twitter

import (
	"cmp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/outagecast/outagecast/channels/internal/textsafe"
)

// postable returns s, a text the update's author wrote, without the
// characters X refuses (notInPost: invisible, or not characters at all).
func postable(s string) string {
	if !strings.ContainsAny(s, notInPost) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if strings.ContainsRune(notInPost, r) {
			return -1
		}
		return r
	}, s)
}

// mentionBreak (U+034F, combining grapheme joiner) is invisible: right
// after the at sign of a mention it breaks the mention without changing
// what readers see. X reads it as a character of a URL path (one of
// twitter-text's Latin accents), so that a link that holds the mention,
// one X drops for a hashtag, stays as long as it was, and no link starts
// in its rest.
const mentionBreak = "\u034F"

// quietMentions returns s in NFC, as X reads a post, with every mention X
// would find in it outside its links broken (see keptLinks; findURLs finds
// links without a scheme too, as "mastodon.social/@examplestatus"), so
// that a post notifies no one: a mentionBreak after each "@" and "＠" that
// starts a mention by X's rules (see mentionMayStart and mentionAt, which
// differ from Mastodon's that textsafe.QuietMentions follows).
//
// After that break X would link the name as a domain without a scheme,
// where the at sign kept it from being one ("@api.COM", "＠okta.com"): an
// invisible word joiner before each dot of the domain the name runs into,
// where no label of such a domain may end, keeps it no link, as it was,
// and one before the next link, if the domain runs into it, keeps that
// link where it starts. A link that starts inside a mention, which X drops
// for the mention (a domain right after "＠"), is text as well.
//
// X's links do not always end, nor start, where they did once the marks
// are in (a word joiner in text that a match of X's link expression held,
// one that made no link, ends the match there, and X searches the rest
// anew, where it may find a link that holds a broken mention's name, or
// lose one): quietMentions breaks the mentions of the text it made until
// it finds none.
func quietMentions(s string) string {
	s = norm.NFC.String(s)
	if !strings.Contains(s, "@") && !strings.Contains(s, "＠") {
		return s
	}
	for {
		t := breakMentions(s)
		if t == s {
			return s
		}
		s = t
	}
}

// breakMentions is one round of quietMentions: it breaks the mentions of s
// outside the links X keeps in s.
func breakMentions(s string) string {
	type mark struct {
		at   int
		text string
	}
	links, dropped := keptLinks(s), droppedPaths{s: s, found: findURLs(s), path: unknown}
	var marks []mark
	// The domain scans of the mentions so far have marked s up to
	// scanned; blocked is set when the last one stopped there at a
	// character that is none of a domain. A mention whose name runs into
	// a domain scanned already (the next "＠" is a character of it) is
	// scanned on from there, or not at all when it was blocked: its marks
	// are those of the scan before, and a text of many such mentions is
	// scanned once, not once for each.
	scanned, blocked := 0, false
	for i := 0; i < len(s); {
		if len(links) > 0 && i >= links[0].start {
			i = max(i, links[0].end)
			links = links[1:]
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		at := i
		i += size
		if r != '@' && r != '＠' || !mentionMayStart(s[:at]) {
			continue
		}
		end, ok := mentionAt(s[i:])
		if !ok {
			continue
		}
		for len(links) > 0 && links[0].start < i+end {
			links = links[1:]
		}
		marks = append(marks, mark{i, mentionBreak})
		if dropped.inPath(at) {
			continue // the link X drops goes on past the break: no domain starts here
		}
		domainEnd := len(s)
		if len(links) > 0 {
			domainEnd = links[0].start
		}
		from := i
		if i < scanned {
			if blocked {
				continue
			}
			from = scanned
		}
		stop := domainEnd
		for j, c := range s[from:domainEnd] {
			if c == '.' {
				marks = append(marks, mark{from + j, textsafe.WordJoiner})
			} else if !isDomainRune(c) {
				stop = from + j
				break
			}
		}
		if stop < len(s) && stop == domainEnd {
			marks = append(marks, mark{stop, textsafe.WordJoiner})
		}
		scanned, blocked = stop, stop < domainEnd
	}
	if len(marks) == 0 {
		return s
	}
	// The domain a name runs into may hold the next mention ("＠" is a
	// character of a domain): its marks come before those of the domain,
	// and a mentionBreak is all that goes after its at sign.
	slices.SortStableFunc(marks, func(a, b mark) int { return cmp.Or(cmp.Compare(a.at, b.at), strings.Compare(a.text, b.text)) })
	marks = slices.CompactFunc(marks, func(a, b mark) bool { return a.at == b.at })
	var b strings.Builder
	last := 0
	for _, m := range marks {
		b.WriteString(s[last:m.at])
		b.WriteString(m.text)
		last = m.at
	}
	b.WriteString(s[last:])
	return b.String()
}

// droppedPaths tells whether a position of s is in the path of a link of
// found (findURLs, in order) that keptLinks drops for a hashtag: X drops
// the link, but its search for links went past it, and a mentionBreak,
// which twitter-text's expression takes for a character of a path, keeps
// it going past. It is asked of positions in ascending order, and reads
// each link once however many at signs the text holds.
type droppedPaths struct {
	s     string
	found []urlSpan
	// path and query are the offsets of the first "/" of found[0] and of
	// the first "?" after it, -1 for none, or unknown.
	path, query int
	steps       int // the links passed and the bytes read, for tests to bound the work
}

// inPath reports whether s[at] is in the path of a link of found (and not
// in its query); at is no less than in the call before.
func (d *droppedPaths) inPath(at int) bool {
	for len(d.found) > 0 && d.found[0].end <= at {
		d.found, d.path = d.found[1:], unknown
		d.steps++
	}
	if len(d.found) == 0 || d.found[0].start > at {
		return false
	}
	u := d.found[0]
	if d.path == unknown {
		d.steps += u.end - u.start
		d.path, d.query = strings.IndexByte(d.s[u.start:u.end], '/'), -1
		if d.path >= 0 {
			d.path += u.start
			if q := strings.IndexByte(d.s[d.path:u.end], '?'); q >= 0 {
				d.query = d.path + q
			}
		}
	}
	return d.path >= 0 && d.path < at && (d.query < 0 || d.query >= at)
}

// mentionAt reports whether the text s after an at sign makes a mention
// (when X takes the at sign for the start of one, see mentionMayStart), as
// twitter-text's validMentionOrList and endMentionMatch: a user name of 1
// to 20 ASCII letters, digits and "_", perhaps a list ("/" and an ASCII
// letter, then up to 24 of those, "_" and "-"), not followed by an at
// sign, a Latin letter with an accent or a combining mark, or "://". It
// returns the end of the name and list.
func mentionAt(s string) (end int, ok bool) {
	for end < len(s) && end < 20 && isMentionByte(s[end]) {
		end++
	}
	if end == 0 {
		return 0, false
	}
	if end+1 < len(s) && s[end] == '/' && isASCIILetter(s[end+1]) {
		list := end + 2
		for list < len(s) && list-end-1 < 25 && (isMentionByte(s[list]) || s[list] == '-') {
			list++
		}
		end = list
	}
	after := s[end:]
	r, _ := utf8.DecodeRuneInString(after)
	if r == '@' || r == '＠' || strings.HasPrefix(after, "://") || isMentionEndAccent(r) {
		return 0, false
	}
	return end, true
}

// isMentionEndAccent reports whether r is in twitter-text's
// latinAccentChars, as endMentionMatch matches them: without folding case,
// unlike the URL expression (isLatinAccent).
func isMentionEndAccent(r rune) bool {
	switch {
	case r >= 0xC0 && r <= 0xFF && r != 0xD7 && r != 0xF7,
		r >= 0x100 && r <= 0x24F, r >= 0x300 && r <= 0x36F, r >= 0x1E00 && r <= 0x1EFF:
		return true
	}
	return strings.ContainsRune("\u0253\u0254\u0256\u0257\u0259\u025B\u0263\u0268\u026F\u0272\u0289\u028B\u02BB", r)
}

func isASCIILetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

// isDomainRune reports whether r may be in a domain as twitter-text finds
// one: a character of a label (see isHostChar), "-", "_" or ".".
func isDomainRune(r rune) bool {
	return r >= 0x10000 || isHostChar(uint16(r)) || r == '-' || r == '_' || r == '.'
}

// mentionMayStart reports whether X takes an "@" after before for the
// start of a mention, as twitter-text does: at the start of the text, after
// any character but an ASCII letter or digit or one of _!#$%&*@＠ (so after
// a letter of another script too, unlike Mastodon), or after "RT" in any
// case, with or without ":", that does not itself follow one of those
// letters and digits or _+~.- ("RT@name", ": RT: @name" aside).
func mentionMayStart(before string) bool {
	if before == "" {
		return true
	}
	r, _ := utf8.DecodeLastRuneInString(before)
	if !isWordRune(r) && !strings.ContainsRune("!#$%&*@＠", r) {
		return true
	}
	// Only "RT" itself needs a look further back: after "RT:" the ":"
	// above decided already.
	if len(before) < 2 || !strings.EqualFold(before[len(before)-2:], "rt") {
		return false
	}
	rest := before[:len(before)-2]
	if rest == "" {
		return true
	}
	p, _ := utf8.DecodeLastRuneInString(rest)
	return !isWordRune(p) && !strings.ContainsRune("+~.-", p)
}

// isWordRune reports whether r is an ASCII letter, digit or "_".
func isWordRune(r rune) bool { return r < utf8.RuneSelf && isMentionByte(byte(r)) }

// isMentionByte reports whether c can start an X user name.
func isMentionByte(c byte) bool { return isAlnum16(uint16(c)) || c == '_' }

// keptLinks returns the links of s that X keeps: those of findURLs but a
// link that starts inside a hashtag. X finds links, mentions and hashtags
// each on its own, then keeps, of entities that overlap, the one that
// starts first (twitter-text's extractEntitiesWithIndices): a link found
// from inside a hashtag, as "x.com/@ops" in "＃x.com/@ops" or
// "example.com/@ops" in "#障害example.com/@ops" (the hashtags "＃x" and
// "#障害example"), is dropped, and the "@ops" it holds is a mention. A
// hashtag that starts inside a link is dropped in turn, and the next link
// judged by what is kept. Mentions do not take part: one that overlaps a
// link is broken and the link is text (see quietMentions), and no mention
// can overlap a hashtag.
func keptLinks(s string) []urlSpan {
	links := findURLs(s)
	if len(links) == 0 || !strings.ContainsAny(s, "#＃") {
		return links
	}
	tags := findHashtags(s)
	kept := links[:0:0]
	end := 0 // the end of the last entity kept
	for _, u := range links {
		for len(tags) > 0 && tags[0][0] < u.start {
			if tags[0][0] >= end {
				end = tags[0][1]
			}
			tags = tags[1:]
		}
		if u.start >= end {
			kept = append(kept, u)
			end = u.end
		}
	}
	return kept
}

// findHashtags returns the hashtags of s as twitter-text finds them
// (extractHashtagsWithIndices without its check against links), as
// byte offsets [start, end) of "#" or "＃" and the hashtag's text: a hash
// sign at the start of s or after a character that is neither a hashtag
// character (see isHashtagChar) nor "&" (U+FE0E and U+FE0F aside),
// not followed by U+FE0F or U+20E3, then the longest run of hashtag
// characters, which must hold a letter or mark. A hashtag followed by a
// hash sign or "://" is none, and the text after it is searched on.
// Letters, marks and digits are those of Go's Unicode tables, which are
// newer than twitter-text's: a character assigned since may differ.
func findHashtags(s string) [][2]int {
	var tags [][2]int
	for p := 0; p < len(s); {
		// The regular expression's match at p: the hash sign at p (at the
		// start only), else after the character at p.
		r, size := utf8.DecodeRuneInString(s[p:])
		hash, end, ok := p, 0, false
		if p == 0 {
			end, ok = hashtagAt(s, 0)
		}
		if !ok && (r == '\uFE0E' || r == '\uFE0F' || (!isHashtagChar(r) && r != '&')) {
			hash = p + size
			end, ok = hashtagAt(s, hash)
		}
		if !ok {
			p += size
			continue
		}
		if after := s[end:]; !strings.HasPrefix(after, "#") && !strings.HasPrefix(after, "＃") && !strings.HasPrefix(after, "://") {
			tags = append(tags, [2]int{hash, end})
		}
		p = end
	}
	return tags
}

// hashtagAt returns the end of the hashtag whose hash sign is at s[i:], if
// one is: the longest run of hashtag characters after it, which must hold
// a letter or mark and not start with U+FE0F or U+20E3.
func hashtagAt(s string, i int) (end int, ok bool) {
	r, size := utf8.DecodeRuneInString(s[i:])
	if i >= len(s) || !isHashSign(r) {
		return 0, false
	}
	text := i + size
	end, letter := text, false
	for end < len(s) {
		c, cs := utf8.DecodeRuneInString(s[end:])
		if !isHashtagChar(c) || (end == text && (c == '\uFE0F' || c == '\u20E3')) {
			break
		}
		letter = letter || unicode.In(c, unicode.L, unicode.M)
		end += cs
	}
	return end, letter
}

// isHashSign reports whether r starts a hashtag: "#" or "＃".
func isHashSign(r rune) bool { return r == '#' || r == '＃' }

// isHashtagChar reports whether r may be in a hashtag's text, as
// twitter-text's hashtagAlphaNumeric: a letter, mark or decimal digit, "_"
// or one of the few other characters it lists.
func isHashtagChar(r rune) bool {
	return unicode.In(r, unicode.L, unicode.M, unicode.Nd) ||
		strings.ContainsRune("_\u200c\u200d\ua67e\u05be\u05f3\u05f4\uff5e\u301c\u309b\u309c\u30a0\u30fb\u3003\u0f0b\u0f0c\u00b7", r)
}
