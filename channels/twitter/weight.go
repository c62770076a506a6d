package twitter

import (
	"strings"
	"unicode/utf8"

	"github.com/rivo/uniseg"
	"golang.org/x/text/unicode/norm"
)

// MaxWeight is the most a post may weigh, in Weight's units.
const MaxWeight = 280

// urlWeight is what X counts for every link, whatever its length: links are
// wrapped in 23-character t.co URLs.
const urlWeight = 23

// Weight returns the weighted length of s as X counts it against the
// 280-character limit, per twitter-text's configuration v3:
//
//   - s is counted after NFC normalisation, so "e" and a combining accent
//     count once;
//   - code points U+0000–U+10FF, U+2000–U+200D, U+2010–U+201F and
//     U+2032–U+2037 (Latin, Greek, Cyrillic, Hebrew, Arabic, Indic scripts,
//     general punctuation) weigh 1, all others 2 (CJK, most symbols, "…");
//   - an emoji, including a sequence joined with ZWJ, a flag, a keycap or an
//     emoji with a skin tone, weighs 2;
//   - every http or https URL weighs 23, whatever its length, when its
//     host is valid (labels of at most 63 characters, in Punycode for
//     non-ASCII ones; an IP address); otherwise it is text.
//
// A bare domain ("status.example.com") weighs at least 23 and at least its
// own weight: X links it only when its top-level domain is on X's list, so
// Weight counts the larger of the two possibilities. Weight may therefore
// overcount such text, never undercount it.
func Weight(s string) int {
	s = norm.NFC.String(s)
	n, at := 0, 0
	for _, u := range findURLs(s) {
		n += textWeight(s[at:u.start])
		if u.bare {
			n += max(urlWeight, textWeight(s[u.start:u.end]))
		} else {
			n += urlWeight
		}
		at = u.end
	}
	return n + textWeight(s[at:])
}

// textWeight weighs text without URLs, one grapheme cluster at a time.
func textWeight(s string) int {
	n, state := 0, -1
	var cluster string
	for s != "" {
		cluster, s, _, state = uniseg.FirstGraphemeClusterInString(s, state)
		n += clusterWeight(cluster)
	}
	return n
}

// clusterWeight weighs one grapheme cluster: 2 for an emoji sequence, the
// sum of its code points' weights otherwise.
func clusterWeight(c string) int {
	first, size := utf8.DecodeRuneInString(c)
	if size == len(c) {
		return runeWeight(first)
	}
	if isEmojiSequence(c, first, size) {
		return 2
	}
	n := 0
	for _, r := range c {
		n += runeWeight(r)
	}
	return n
}

// runeWeight is twitter-text v3's weight of a code point outside an emoji.
func runeWeight(r rune) int {
	switch {
	case r <= 0x10FF,
		r >= 0x2000 && r <= 0x200D,
		r >= 0x2010 && r <= 0x201F,
		r >= 0x2032 && r <= 0x2037:
		return 1
	}
	return 2
}

// isEmojiSequence reports whether the multi-code-point cluster c, which
// starts with first (size bytes), is an emoji: a flag (two regional
// indicators), a keycap ("#", "*" or a digit with U+20E3), or a pictograph
// with an emoji presentation selector, a skin tone, a ZWJ sequence or tags.
func isEmojiSequence(c string, first rune, size int) bool {
	switch {
	case isRegionalIndicator(first):
		second, _ := utf8.DecodeRuneInString(c[size:])
		return isRegionalIndicator(second)
	case strings.ContainsRune(c, '\u20E3'):
		return first == '#' || first == '*' || first >= '0' && first <= '9'
	case !isPictographic(first):
		return false
	}
	for _, r := range c[size:] {
		switch {
		case r == '\uFE0F', r == '\u200D', // emoji presentation, ZWJ
			r >= 0x1F3FB && r <= 0x1F3FF, // skin tones
			r >= 0xE0020 && r <= 0xE007F: // tags (subdivision flags)
			return true
		}
	}
	return false
}

func isRegionalIndicator(r rune) bool { return r >= 0x1F1E6 && r <= 0x1F1FF }

// isPictographic reports whether r has the Unicode property
// Extended_Pictographic. uniseg keeps its table private but applies it in
// grapheme rule GB11: "r ZWJ 😀" is a single cluster only when r is
// Extended_Pictographic.
func isPictographic(r rune) bool {
	return uniseg.GraphemeClusterCount(string(r)+"\u200D\U0001F600") == 1
}
