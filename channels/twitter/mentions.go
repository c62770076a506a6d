package twitter

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/outagecast/outagecast/channels/internal/textsafe"
)

// authorText makes s, a text the update's author wrote, fit for a post:
// without the characters X refuses (notInPost: invisible, or not
// characters at all), and with its mentions broken.
func authorText(s string) string {
	if strings.ContainsAny(s, notInPost) {
		s = strings.Map(func(r rune) rune {
			if strings.ContainsRune(notInPost, r) {
				return -1
			}
			return r
		}, s)
	}
	return quietMentions(s)
}

// quietMentions breaks every mention X would find in s outside its links
// (see keptLinks; findURLs finds links without a scheme too, as
// "mastodon.social/@examplestatus"), so that a post notifies no one: each
// "@" and full-width "＠" that starts a mention by X's rules (which differ
// from Mastodon's that textsafe.QuietMentions follows), by an invisible
// word joiner after it.
func quietMentions(s string) string {
	if !strings.Contains(s, "@") && !strings.Contains(s, "＠") {
		return s
	}
	var b strings.Builder
	last := 0
	for _, u := range keptLinks(s) {
		b.WriteString(quietPlain(s[last:u.start], s[u.start:]))
		b.WriteString(s[u.start:u.end])
		last = u.end
	}
	b.WriteString(quietPlain(s[last:], ""))
	return b.String()
}

// quietPlain breaks the mentions of s, a text without links that rest
// follows: a word joiner after each "@" or "＠" that starts one where X
// would find it (see mentionMayStart) and is followed by a character of a
// user name. That character may start rest, a link: a link right after
// "＠" (as in "＠okta.com") is a mention to X, which keeps the mention
// where the two overlap, as it starts first.
func quietPlain(s, rest string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		b.WriteString(s[i : i+size])
		next := s[i+size:]
		if next == "" {
			next = rest
		}
		if (r == '@' || r == '＠') && next != "" && isMentionByte(next[0]) && mentionMayStart(s[:i]) {
			b.WriteString(textsafe.WordJoiner)
		}
		i += size
	}
	return b.String()
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
// link is broken (see quietPlain), and no mention can overlap a hashtag.
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
