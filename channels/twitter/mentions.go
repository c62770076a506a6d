package twitter

import (
	"strings"
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
// (see findURLs, which finds links without a scheme too, as
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
	for _, u := range findURLs(s) {
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
