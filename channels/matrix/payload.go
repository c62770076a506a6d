package matrix

import (
	"html"
	"strings"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/httpx"
	"github.com/outagecast/outagecast/channels/internal/textsafe"
	"github.com/outagecast/outagecast/templates"
)

// Message types and the HTML format of formatted_body.
const (
	msgText    = "m.text"
	msgNotice  = "m.notice"
	formatHTML = "org.matrix.custom.html"
)

// Relation types.
const (
	relThread  = "m.thread"
	relReplace = "m.replace"
)

// content is the content of an m.room.message event as the channel sends
// it: the text as body, its HTML form as formatted_body, an empty
// m.mentions (so that no "@room" or name in the text notifies anyone, on
// a homeserver that knows it; see quietRoom for the others), and
// the event's relation to another: a thread, or the post an edit replaces.
type content struct {
	MsgType       string    `json:"msgtype"`
	Body          string    `json:"body"`
	Format        string    `json:"format,omitempty"`
	FormattedBody string    `json:"formatted_body,omitempty"`
	Mentions      *mentions `json:"m.mentions,omitempty"`
	NewContent    *content  `json:"m.new_content,omitempty"`
	RelatesTo     *relation `json:"m.relates_to,omitempty"`
}

// mentions is an event's m.mentions: empty, since the channel mentions
// nobody. Its presence turns off the legacy push rules that notify on
// "@room" or a user's name in the body.
type mentions struct{}

// relation is an event's m.relates_to: m.thread with the thread's root,
// and a reply to the thread's latest post for clients without threads
// (is_falling_back); or m.replace with the post an edit replaces.
type relation struct {
	RelType       string     `json:"rel_type"`
	EventID       string     `json:"event_id"`
	IsFallingBack bool       `json:"is_falling_back,omitempty"`
	InReplyTo     *inReplyTo `json:"m.in_reply_to,omitempty"`
}

// inReplyTo is the event a reply answers.
type inReplyTo struct {
	EventID string `json:"event_id"`
}

// message returns the content of a post of text, which links url,
// Update.URL, whole (see toHTML).
func message(msgtype, text, url string, rel *relation) *content {
	return &content{MsgType: msgtype, Body: text, Format: formatHTML, FormattedBody: toHTML(text, url),
		Mentions: &mentions{}, RelatesTo: rel}
}

// edit returns the content of an edit that replaces the post event with
// text: the new content in m.new_content, and "* " and the text for
// clients without edits, as the specification shows. The text links
// url, Update.URL, whole (see toHTML).
func edit(msgtype, text, url, event string) *content {
	c := &content{MsgType: msgtype, Body: "* " + text, Format: formatHTML, FormattedBody: "* " + toHTML(text, url),
		Mentions: &mentions{}, NewContent: message(msgtype, text, url, nil)}
	if event != "" {
		c.RelatesTo = &relation{RelType: relReplace, EventID: event}
	}
	return c
}

// thread returns the relation of a post in the thread whose root is root
// and whose latest post is latest.
func thread(root, latest string) *relation {
	return &relation{RelType: relThread, EventID: root, IsFallingBack: true, InReplyTo: &inReplyTo{EventID: latest}}
}

// encode returns the JSON of c as sent: UTF-8, with "<", ">" and "&" as
// they are (the HTML would otherwise grow by a third).
func encode(c *content) []byte {
	b, _ := httpx.JSONBody(c) // strings and bools only: cannot fail
	return b
}

// toHTML returns text as HTML: every character escaped, paragraphs at
// blank lines (a paragraph that shows nothing, see broadcast.Blank, left
// out), line breaks kept, the indentation that begins a line kept as
// no-break spaces (templates.Indent), the first line (the status and
// title) in bold, and URLs as links to themselves, so a link shows where
// it goes. A link ends where templates.LinkSpans ends it, but url,
// Update.URL, is linked whole wherever text shows it (as quietRoom
// writes it), its final "." or ")" included (templates.LinkSpansWhole).
func toHTML(text, url string) string {
	whole := quietRoom(url, url)
	var b strings.Builder
	b.Grow(len(text) + len(text)/4 + 64)
	first := true
	for _, para := range strings.Split(text, "\n\n") {
		if broadcast.Blank(para) {
			continue
		}
		b.WriteString("<p>")
		for i, line := range strings.Split(templates.Indent(strings.Trim(para, "\n")), "\n") {
			if i > 0 {
				b.WriteString("<br>")
			}
			if first {
				b.WriteString("<strong>")
				writeLine(&b, line, whole)
				b.WriteString("</strong>")
				first = false
				continue
			}
			writeLine(&b, line, whole)
		}
		b.WriteString("</p>")
	}
	return b.String()
}

// writeLine writes a line escaped, its URLs as links. Punctuation that
// ends a sentence after a URL stays outside the link, but for whole's.
func writeLine(b *strings.Builder, line, whole string) {
	last := 0
	for _, m := range templates.LinkSpansWhole(line, whole) {
		u := html.EscapeString(line[m[0]:m[1]])
		b.WriteString(html.EscapeString(line[last:m[0]]))
		b.WriteString(`<a href="`)
		b.WriteString(u)
		b.WriteString(`">`)
		b.WriteString(u)
		b.WriteString("</a>")
		last = m[1]
	}
	b.WriteString(html.EscapeString(line[last:]))
}

// quietRoom returns s with every "@room", in any case, broken: outside
// links a word joiner (textsafe.WordJoiner, invisible) follows its "@"; in
// a link's path, query, fragment or user information the "@" is written
// "%40", which links to the same page, and in the "@" that ends a link's
// user information ("https://ops@room.example/") the host's first letter
// is escaped ("%72"), which a browser reads as the letter: a word joiner
// would end the link there. A link is what templates.LinkSpansWhole
// finds, whole the URLs s may show that are linked whole (Update.URL), as
// writeLine links it: an "@room" after a character that ends a link
// ("https://x.example/a」@room") is text, and is written as text, but in
// such a URL it is in its link. The legacy push rule .m.rule.roomnotif notifies every
// member of the room for "@room" in a body sent by an account with the
// power to (a room's admin, as a bot that created its rooms), and a
// homeserver that does not know m.mentions (Dendrite; a server older than
// v1.7 of the specification) applies it whatever the event holds:
// Synapse matches it in any case, at word boundaries, Dendrite anywhere.
func quietRoom(s string, whole ...string) string {
	if !hasAtRoom(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	spans := templates.LinkSpansWhole(s, whole...)
	for i := 0; i < len(s); i++ {
		if s[i] != '@' || !hasAtRoom(s[i:min(i+5, len(s))]) {
			b.WriteByte(s[i])
			continue
		}
		for len(spans) > 0 && spans[0][1] <= i {
			spans = spans[1:]
		}
		if len(spans) > 0 && spans[0][0] <= i {
			link := s[spans[0][0]:spans[0][1]]
			switch at := i - spans[0][0]; {
			case at > authorityEnd(link) || at < strings.LastIndexByte(link[:authorityEnd(link)], '@'):
				// In the path, query or fragment, or in the user
				// information, where "%40" stands for "@".
				b.WriteString("%40")
			default:
				// The "@" that ends the user information: the host's
				// first letter escaped, which a browser reads as the
				// letter ("https://ops@%72oom.example/").
				letter := "%72"
				if s[i+1] == 'R' {
					letter = "%52"
				}
				b.WriteString("@" + letter)
				i++
			}
			continue
		}
		b.WriteString("@" + textsafe.WordJoiner)
	}
	return b.String()
}

// hasAtRoom reports whether s holds "@room" in any case.
func hasAtRoom(s string) bool {
	for i := strings.IndexByte(s, '@'); i >= 0 && i+5 <= len(s); {
		if strings.EqualFold(s[i+1:i+5], "room") {
			return true
		}
		j := strings.IndexByte(s[i+1:], '@')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return false
}

// authorityEnd returns where the authority (user information, host and
// port) of the link u ends: at the "/", "?" or "#" after its "://", or at
// its end.
func authorityEnd(u string) int {
	at := strings.Index(u, "://") + len("://") // LinkSpans found it
	if end := strings.IndexAny(u[at:], "/?#"); end >= 0 {
		return at + end
	}
	return len(u)
}
