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
// 280-character limit: twitter-text 3's parseTweet with its configuration
// v3 (see the package documentation for the rules and where they may
// differ).
//
//   - s is counted after NFC normalisation, so "e" and a combining accent
//     count once;
//   - every link that twitter-text's extractor finds weighs 23, whatever
//     its length; the part of a URL it does not take (a path in Japanese,
//     a URL of more than 4,096 characters) is counted as text;
//   - code points U+0000–U+10FF, U+2000–U+200D, U+2010–U+201F and
//     U+2032–U+2037 (Latin, Greek, Cyrillic, Hebrew, Arabic, Indic scripts,
//     general punctuation) weigh 1, all others 2 (CJK, most symbols, "…");
//   - an emoji, including a sequence joined with ZWJ, a flag, a keycap or an
//     emoji with a skin tone, weighs 2.
func Weight(s string) int {
	return weigh(norm.NFC.String(s))
}

// measure returns the weight of s and whether twitter-text calls it a
// valid post: not empty, at most MaxWeight, and without U+FFFE, U+FEFF or
// U+FFFF.
func measure(s string) (weight int, valid bool) {
	s = norm.NFC.String(s)
	weight = weigh(s)
	return weight, weight > 0 && weight <= MaxWeight && !containsNotInPost(s)
}

// weigh returns the weight of s, in NFC.
func weigh(s string) int {
	n, at := 0, 0
	for _, u := range findURLs(s) {
		n += textWeight(s[at:u.start]) + urlWeight
		at = u.resume
	}
	return n + textWeight(s[at:])
}

// notInPost are the characters twitter-text does not accept in a post.
const notInPost = "\uFFFE\uFEFF\uFFFF"

// containsNotInPost reports whether s has a character of notInPost, as
// strings.ContainsAny(s, notInPost) would, by looking only where their
// first byte in UTF-8, 0xEF, is.
func containsNotInPost(s string) bool {
	for {
		i := strings.IndexByte(s, 0xEF)
		if i < 0 {
			return false
		}
		s = s[i:]
		if r, _ := utf8.DecodeRuneInString(s); strings.ContainsRune(notInPost, r) {
			return true
		}
		s = s[1:]
	}
}

// textWeight weighs text without URLs, one grapheme cluster at a time.
//
// A run of ASCII characters is counted without segmenting it: each of
// them weighs 1 and, but for the last, ends its cluster (the one pair of
// ASCII characters a cluster may hold, "\r\n", weighs 2 either way). The
// last one may start a cluster with what follows ("1" and a keycap, "e" and
// a combining accent), so it is segmented with it, from a fresh state: the
// segmenter's state after an ASCII character does not depend on the text
// before it.
func textWeight(s string) int {
	n, state := 0, -1
	var cluster string
	for s != "" {
		if s[0] < utf8.RuneSelf {
			k := 1
			for k < len(s) && s[k] < utf8.RuneSelf {
				k++
			}
			if k == len(s) {
				return n + k
			}
			n += k - 1
			s, state = s[k-1:], -1
		}
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
	case len(c) == size+len("\uFE0F") && c[size:] == "\uFE0F" && !hasTextVariant(first):
		return false // twitter-text counts the selector on its own
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

// hasTextVariant reports whether the pictograph r may take U+FE0F as part of
// the emoji, as twitter-text's emoji list has it: every pictograph in the
// BMP, and outside it those shown as text by default, plus U+1F004,
// U+1F21A and U+1F22F. Other emoji (as U+1F600) are emoji already, and
// twitter-text counts a U+FE0F after them as a character of its own.
func hasTextVariant(r rune) bool {
	switch {
	case r <= 0xFFFF, r == 0x1F004, r == 0x1F21A, r == 0x1F22F:
		return true
	}
	return uniseg.StringWidth(string(r)) == 1 // not Emoji_Presentation
}

func isRegionalIndicator(r rune) bool { return r >= 0x1F1E6 && r <= 0x1F1FF }

// isPictographic reports whether r has the Unicode property
// Extended_Pictographic. uniseg keeps its table private but applies it in
// grapheme rule GB11: "r ZWJ 😀" is a single cluster only when r is
// Extended_Pictographic.
func isPictographic(r rune) bool {
	return uniseg.GraphemeClusterCount(string(r)+"\u200D\U0001F600") == 1
}
