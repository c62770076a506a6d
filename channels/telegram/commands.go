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

// quiet returns u as the channel renders it: the author's texts and the
// URL with their mentions (textsafe.Quiet) and bot commands
// (quietCommands) broken.
func quiet(u broadcast.Update, channel string) broadcast.Update {
	u = textsafe.Map(textsafe.Quiet(u, channel), channel, quietCommands)
	u.URL = quietURLCommands(u.URL)
	return u
}

// quietURLCommands returns the update's URL u with no bot command in it:
// where one would follow a character at which Telegram ends the link (see
// quietCommands), every such character is written %-escaped, which links
// to the same page, and the link goes on whole over the "/". A word
// joiner, which the text gets, would make u no URL a template takes.
func quietURLCommands(u string) string {
	found := false
	for i := range len(u) {
		if prev, _ := utf8.DecodeLastRuneInString(u[:i]); command(u, i) && textsafe.EndsLink(prev) {
			found = true
			break
		}
	}
	if !found {
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
	return b.String()
}

// maxCommand is the longest command name Telegram links.
const maxCommand = 64

// quietCommands returns s with every bot command broken: Telegram makes
// "/word" (up to 64 ASCII letters, digits and "_"), or "/word@bot" (a
// bot's username of 3 to 32 of them), a command that a tap sends to the
// chat, where the "/" follows no word character, "/", "<" or ">", and the
// command is followed by none of them either. An invisible
// word joiner after the "/" breaks it, as the "@" of a mention. In a URL
// (templates.URLSpans), or a link without a scheme (see textsafe.InBareLink), a
// "/" is part of Telegram's link, not a command, and stays as it is; but Telegram ends a link at "«", "»" and general
// punctuation (U+2000 to U+206F: quotes, "…", but not dashes), and a command
// after one of those is broken there too, after the link Telegram shows,
// which it leaves whole.
func quietCommands(s string) string {
	if !strings.Contains(s, "/") {
		return s
	}
	s = textsafe.Insert(s, textsafe.WordJoiner, func(s string, i int) bool { return command(s, i) && !textsafe.InBareLink(s, i) })
	var b strings.Builder
	last := 0
	for _, span := range templates.URLSpans(s) {
		for i := span[0]; i < span[1]; i++ {
			if prev, _ := utf8.DecodeLastRuneInString(s[:i]); command(s, i) && textsafe.EndsLink(prev) {
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
