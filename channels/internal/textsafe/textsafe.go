// Package textsafe makes what an update's author wrote safe for a
// platform that reads more than text in it: Map applies one function to
// every field an author writes, and QuietMentions breaks the "@name"
// mentions that Mastodon, Telegram and X turn into notifications.
//
// # Limits
//
// Map leaves the update's ID, IncidentID, Corrects and URL alone: a
// channel that must change those too (an escape that also applies to the
// URL) does so itself. QuietMentions leaves URLs, as templates.URLSpans
// finds them, whole.
package textsafe

import (
	"maps"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/templates"
)

// Map returns a copy of u with f applied to the text its author wrote: the
// title, body, advice, component names, and the override for channel.
// u, and the slice and map it shares, are not modified.
func Map(u broadcast.Update, channel string, f func(string) string) broadcast.Update {
	u.Title, u.Body, u.Advice = f(u.Title), f(u.Body), f(u.Advice)
	if len(u.Components) > 0 {
		u.Components = slices.Clone(u.Components)
		for i := range u.Components {
			u.Components[i].Name = f(u.Components[i].Name)
		}
	}
	if o, ok := u.Overrides[channel]; ok {
		u.Overrides = maps.Clone(u.Overrides)
		u.Overrides[channel] = f(o)
	}
	return u
}

// WordJoiner (U+2060) is invisible: after the "@" of a mention it breaks
// the mention without changing what readers see.
const WordJoiner = "\u2060"

// QuietMentions returns s with a WordJoiner after the "@" of every
// mention: an "@" followed by an ASCII letter, digit or "_", not glued to
// a preceding word (as in an e-mail address), outside URLs. "@name" and
// "@name@domain" then notify no one.
func QuietMentions(s string) string {
	if !strings.Contains(s, "@") {
		return s
	}
	return Insert(s, WordJoiner, mention)
}

// mention reports whether s[i] is the "@" of a mention (see QuietMentions).
func mention(s string, i int) bool {
	if s[i] != '@' || i+1 >= len(s) || !mentionRune(rune(s[i+1])) {
		return false
	}
	prev, _ := utf8.DecodeLastRuneInString(s[:i])
	return i == 0 || !unicode.IsLetter(prev) && !unicode.IsDigit(prev) && prev != '_'
}

// Insert returns s with mark inserted after every byte s[i] for which
// after(s, i) is true, outside URLs (templates.URLSpans), which must stay
// whole to link: the one walk behind every invisible defusing mark.
func Insert(s, mark string, after func(s string, i int) bool) string {
	var b strings.Builder
	last := 0
	plain := func(end int) {
		for i := last; i < end; i++ {
			b.WriteByte(s[i])
			if after(s, i) {
				b.WriteString(mark)
			}
		}
	}
	for _, loc := range templates.URLSpans(s) {
		plain(loc[0])
		b.WriteString(s[loc[0]:loc[1]])
		last = loc[1]
	}
	plain(len(s))
	return b.String()
}

// mentionRune reports whether r may start a mentioned name.
func mentionRune(r rune) bool {
	return r == '_' || r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r))
}
