package twitter

import (
	"strings"

	"github.com/outagecast/outagecast/channels/internal/textsafe"
)

// quietMentions breaks every mention X would find in s outside its links
// (see findURLs, which finds links without a scheme too, as
// "mastodon.social/@examplestatus"), so that a post notifies no one: the
// "@" mentions as textsafe.QuietMentions does, and the full-width "＠"
// that X takes as "@" too, by an invisible word joiner after it.
func quietMentions(s string) string {
	if !strings.Contains(s, "@") && !strings.Contains(s, "＠") {
		return s
	}
	var b strings.Builder
	last := 0
	for _, u := range findURLs(s) {
		b.WriteString(quietPlain(s[last:u.start]))
		b.WriteString(s[u.start:u.end])
		last = u.end
	}
	b.WriteString(quietPlain(s[last:]))
	return b.String()
}

// quietPlain breaks the mentions of s, a text without links.
func quietPlain(s string) string {
	s = textsafe.QuietMentions(s)
	var b strings.Builder
	for {
		i := strings.Index(s, "＠")
		if i < 0 {
			return b.String() + s
		}
		i += len("＠")
		b.WriteString(s[:i])
		if i < len(s) && isMentionByte(s[i]) {
			b.WriteString(textsafe.WordJoiner)
		}
		s = s[i:]
	}
}

// isMentionByte reports whether c can start an X user name.
func isMentionByte(c byte) bool { return isAlnum16(uint16(c)) || c == '_' }
