package telegram

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/textsafe"
	"github.com/outagecast/outagecast/templates"
)

// quiet returns u as the channel renders it: the author's texts without
// the characters Telegram removes (dropRemoved), with their mentions
// (textsafe.QuietTelegramMentions) and bot commands (quietCommands)
// broken, and the URL with the characters Telegram removes %-escaped
// (escapeRemoved) and its mentions (textsafe.QuietURL) and bot commands
// (quietURLCommands) broken.
func quiet(u broadcast.Update, channel string) broadcast.Update {
	u = textsafe.Map(u, channel, func(s string) string {
		return quietCommands(textsafe.QuietTelegramMentions(dropRemoved(s)))
	})
	u.URL = quietURLCommands(textsafe.QuietURL(escapeRemoved(u.URL)))
	return u
}

// removed reports whether Telegram removes r from a message's text before
// it looks for mentions and bot commands in it (tdlib's
// clean_input_string): "\r", U+2028 to U+202E (the line and paragraph
// separators, and the marks of bidirectional embeddings and overrides)
// and the combining marks U+030A, U+0333 and U+033F.
func removed(r rune) bool {
	return r == '\r' || r >= '\u2028' && r <= '\u202e' || r == '\u030a' || r == '\u0333' || r == '\u033f'
}

// dropRemoved returns s without the characters Telegram removes (see
// removed). Left in, "@\u202Eops" is no mention to the channel, and
// reaches Telegram as "@ops", which notifies @ops; readers see the text
// as Telegram keeps it either way.
func dropRemoved(s string) string {
	if !strings.ContainsFunc(s, removed) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if removed(r) {
			return -1
		}
		return r
	}, s)
}

// escapeRemoved returns the update's URL u with every character Telegram
// removes (see removed; of them Update.Validate takes the combining marks
// U+030A, U+0333 and U+033F) in its path, query or fragment %-escaped,
// which links to the same page. Left in, Telegram would link to another
// page, the URL without them, and where it ends the link before them
// ("https://x.example/«a»/\u0333status") the text after would hold a
// command ("/status") or a mention the channel cannot see. In the host,
// where "%" would end Telegram's link and no command or mention can
// start, they stay as written.
func escapeRemoved(u string) string {
	path := pathStart(u)
	if path < 0 || !strings.ContainsFunc(u[path:], removed) {
		return u
	}
	var b strings.Builder
	b.WriteString(u[:path])
	for _, r := range u[path:] {
		if removed(r) {
			b.WriteString(url.PathEscape(string(r)))
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// quietURLCommands returns the update's URL u with no bot command and no
// mention in the part of it Telegram reads as text (after linkEnd): where
// Telegram ends the link at a character (see quietCommands), every such
// character is written %-escaped, which links to the same page, and the
// link goes on whole; an "@" of a mention still in that text (after a
// bracket the URL did not open, or a character Telegram ends a host at)
// is written "%40", which every server decodes back to "@". A word
// joiner, which the text gets, would make u no URL a template takes.
func quietURLCommands(u string) string {
	if !textActive(u, linkEnd(u)) {
		return u
	}
	var b strings.Builder
	for _, r := range u {
		if textsafe.EndsLink(r) {
			b.WriteString(url.PathEscape(string(r)))
		} else {
			b.WriteRune(r)
		}
	}
	u = b.String()
	end := linkEnd(u)
	if path := pathStart(u); end < len(u) && path >= 0 {
		b.Reset()
		b.WriteString(u[:max(end, path)])
		inLink := textsafe.BareLinks(u)
		for i := max(end, path); i < len(u); i++ {
			if mention(u, i, inLink) {
				b.WriteString("%40")
			} else {
				b.WriteByte(u[i])
			}
		}
		u = b.String()
	}
	return u
}

// textActive reports whether s[from:] holds a bot command or a mention
// Telegram would act on.
func textActive(s string, from int) bool {
	inLink := textsafe.BareLinks(s)
	for i := from; i < len(s); i++ {
		if command(s, i) || mention(s, i, inLink) {
			return true
		}
	}
	return false
}

// pathStart returns the offset of the "/", "?" or "#" that ends the
// authority of the URL u, or -1.
func pathStart(u string) int {
	i := strings.Index(u, "://")
	if i < 0 {
		return -1
	}
	i += len("://")
	if j := strings.IndexAny(u[i:], "/?#"); j >= 0 {
		return i + j
	}
	return -1
}

// maxCommand is the longest command name Telegram links.
const maxCommand = 64

// quietCommands returns s with every bot command broken, and every
// mention in the part of a URL Telegram reads as text: Telegram makes
// "/word" (up to 64 ASCII letters, digits and "_"), or "/word@bot" (a
// bot's username of 3 to 32 of them), a command that a tap sends to the
// chat, where the "/" follows no word character, "/", "<" or ">", and the
// command is followed by none of them either. An invisible
// word joiner after the "/" breaks it, as the "@" of a mention. In a URL
// (templates.URLSpans), or a link without a scheme (see textsafe.BareLinks), a
// "/" is part of Telegram's link, not a command, and stays as it is; but Telegram ends a link at "«", "»" and general
// punctuation (U+2000 to U+206F: quotes, "…", but not dashes), and
// elsewhere too (see linkEnd): the rest of the URL is text to Telegram,
// where a command is broken as in text, and so is a mention after "/" or
// "=" (textsafe.QuietURL, for Mastodon's rule, leaves those), which
// Telegram would notify; the link Telegram shows stays whole.
func quietCommands(s string) string {
	if !strings.Contains(s, "/") && !strings.Contains(s, "@") {
		return s
	}
	if strings.Contains(s, "/") {
		inLink := textsafe.BareLinks(s)
		s = textsafe.Insert(s, textsafe.WordJoiner, func(s string, i int) bool { return command(s, i) && !inLink(i) })
	}
	var b strings.Builder
	last := 0
	inLink := textsafe.BareLinks(s)
	for _, span := range templates.URLSpans(s) {
		for i := span[0] + linkEnd(s[span[0]:span[1]]); i < span[1]; i++ {
			if command(s, i) || mention(s, i, inLink) {
				b.WriteString(s[last:i+1] + textsafe.WordJoiner)
				last = i + 1
			}
		}
	}
	if last == 0 {
		return s
	}
	return b.String() + s[last:]
}

// command reports whether s[i] is the "/" of a bot command (see
// quietCommands).
func command(s string, i int) bool {
	if s[i] != '/' {
		return false
	}
	if prev, _ := utf8.DecodeLastRuneInString(s[:i]); i > 0 && (wordRune(prev) || strings.ContainsRune("/<>", prev)) {
		return false
	}
	n := nameLen(s[i+1:])
	if n == 0 || n > maxCommand {
		return false
	}
	end := i + 1 + n
	if end < len(s) && s[end] == '@' { // a bot's username: "/start@jobs_bot"
		m := nameLen(s[end+1:])
		if m < 3 || m > 32 {
			return false
		}
		end += 1 + m
	}
	next, size := utf8.DecodeRuneInString(s[end:])
	return size == 0 || !wordRune(next) && !strings.ContainsRune("/<>", next)
}

// nameLen returns the length of the run of commandBytes that starts s.
func nameLen(s string) int {
	n := 0
	for n < len(s) && commandByte(s[n]) {
		n++
	}
	return n
}

// commandByte reports whether c may stand in a command's name.
func commandByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// wordRune reports whether r is a word character as Telegram reads one
// around a command: a letter, a number (any, "²" too) or "_". Other
// connectors ("＿", "‿") start or end a command there.
func wordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsNumber(r) || r == '_'
}

// mention reports whether s[i] is the "@" of a mention as Telegram reads
// one in text: not after a letter, a number or "_", and followed by an
// ASCII letter, digit or "_". An "@" after "/" or "=" in a link without a
// scheme that Telegram links (inLink, which is textsafe.BareLinks(s)) is
// part of the link.
func mention(s string, i int, inLink func(int) bool) bool {
	if s[i] != '@' || i+1 >= len(s) || !commandByte(s[i+1]) {
		return false
	}
	prev, _ := utf8.DecodeLastRuneInString(s[:i])
	if i > 0 && wordRune(prev) {
		return false
	}
	return !(prev == '/' || prev == '=') || !inLink(i)
}

// linkEnd returns the length of the link Telegram makes of the http(s)
// URL at the start of u, a templates.URLSpans span, or 0 when u is none;
// the rest of u is text to Telegram. Telegram's link takes a host of
// letters, digits, ".", "_", "-", "~" and "@" (and characters from U+00C0
// on but its link-ending punctuation), a port of 1 to 5 digits, then,
// after "/", "?" or "#", a path of anything up to a character that
// textsafe.EndsLink, and up to a closing bracket the path did not open; ".:;,('?!`"
// at its end are not part of it.
func linkEnd(u string) int {
	i := strings.Index(u, "://")
	if i < 0 {
		return 0
	}
	i += len("://")
	for i < len(u) {
		r, n := utf8.DecodeRuneInString(u[i:])
		if !hostRune(r) {
			break
		}
		i += n
	}
	if i < len(u) && u[i] == ':' {
		j := i + 1
		for j < len(u) && u[j] >= '0' && u[j] <= '9' {
			j++
		}
		if port := strings.TrimLeft(u[i+1:j], "0"); port != "" && len(port) <= 5 && (len(port) < 5 || port <= "65535") {
			i = j
		}
	}
	if i == len(u) || !strings.ContainsRune("/?#", rune(u[i])) {
		return i
	}
	path := i
	var balance [3]int
	for i < len(u) {
		r, n := utf8.DecodeRuneInString(u[i:])
		if textsafe.EndsLink(r) {
			break
		}
		if k := strings.IndexRune("([{)]}", r); k >= 0 {
			if balance[k%3] += 1 - 2*(k/3); balance[k%3] < 0 {
				break
			}
		}
		i += n
	}
	for i > path+1 && strings.IndexByte(".:;,('?!`", u[i-1]) >= 0 {
		i--
	}
	return i
}

// hostRune reports whether Telegram's link goes on over r in a host.
func hostRune(r rune) bool {
	if r < 0xC0 {
		return r == '.' || r == '_' || r == '-' || r == '~' || r == '@' || r < utf8.RuneSelf && commandByte(byte(r))
	}
	return !textsafe.EndsLink(r) && !unicode.Is(unicode.Z, r)
}
