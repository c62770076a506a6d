package discord

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/textsafe"
	"github.com/outagecast/outagecast/templates"
)

// Discord's limits, in characters (Unicode code points, which is how its
// API counts), after it trims leading and trailing white space.
const (
	MaxContent     = 2000 // a message's content
	MaxEmbedTitle  = 256  // an embed's title
	MaxDescription = 4096 // an embed's description
	MaxFieldName   = 256  // an embed field's name
	MaxFieldValue  = 1024 // an embed field's value
	MaxFooter      = 2048 // an embed's footer
	MaxEmbedTotal  = 6000 // title, description, field names and values, footer of every embed
	MaxFields      = 25   // fields in an embed
	MaxThreadName  = 100  // a forum post's title
)

// Embed colours: by impact, green once the incident is over.
const (
	colorNone        = 0x95a5a6
	colorMinor       = 0xf1c40f
	colorMajor       = 0xe67e22
	colorCritical    = 0xe74c3c
	colorMaintenance = 0x3498db
	colorResolved    = 0x2ecc71
)

// message is the JSON body of Execute Webhook and Edit Webhook Message.
// Edits leave out what they do not change.
type message struct {
	Content         string          `json:"content,omitempty"`
	Username        string          `json:"username,omitempty"`
	AvatarURL       string          `json:"avatar_url,omitempty"`
	Embeds          []embed         `json:"embeds,omitempty"`
	AllowedMentions allowedMentions `json:"allowed_mentions"`
	ThreadName      string          `json:"thread_name,omitempty"`
	AppliedTags     []string        `json:"applied_tags,omitempty"`
}

// editMessage is the body of an Edit's Edit Webhook Message: the content
// is always sent, so that one that shows nothing ("", the card showing the
// update) replaces the original's rather than leave it as it was.
type editMessage struct {
	Content         string          `json:"content"`
	Embeds          []embed         `json:"embeds,omitempty"`
	AllowedMentions allowedMentions `json:"allowed_mentions"`
}

// allowedMentions with an empty Parse (sent as "parse":[]) stops every
// ping: @everyone, @here, roles and users.
type allowedMentions struct {
	Parse []string `json:"parse"`
}

// noMentions is sent with every post and every edit: an edit without it
// would parse mentions in new content with Discord's default allowances.
var noMentions = allowedMentions{Parse: []string{}}

type embed struct {
	Title       string       `json:"title,omitempty"`
	URL         string       `json:"url,omitempty"`
	Description string       `json:"description,omitempty"`
	Color       int          `json:"color"`
	Fields      []embedField `json:"fields,omitempty"`
	Footer      *embedFooter `json:"footer,omitempty"`
	Timestamp   string       `json:"timestamp,omitempty"`
}

type embedField struct {
	Name   string `json:"name"`
	Value  string `json:"value"`
	Inline bool   `json:"inline,omitempty"`
}

type embedFooter struct {
	Text string `json:"text"`
}

// posted is the part of Discord's message object the channel reads. It
// names no guild: Discord's HTTP API leaves guild_id out of message
// objects (https://discord.com/developers/docs/resources/message#message-object;
// https://github.com/discord/discord-api-docs/issues/912), and the
// webhook object names it instead (see Channel.link). Only the gateway's
// MESSAGE_CREATE event adds guild_id to a message
// (https://discord.com/developers/docs/events/gateway-events#message-create).
type posted struct {
	ID        string `json:"id"`
	ChannelID string `json:"channel_id"`
}

// webhookInfo is the part of Discord's webhook object Check reads.
type webhookInfo struct {
	ID        string `json:"id"`
	Type      int    `json:"type"`
	ChannelID string `json:"channel_id"`
	GuildID   string `json:"guild_id"`
}

// render returns the content of u's message: Overrides[channel], or the
// set's "markdown" template, fitted to MaxContent. An Update.URL the
// card's title could not link to (textsafe.CheckURL) is an error.
func render(set *templates.Set, channel string, u broadcast.Update) (string, error) {
	if err := textsafe.CheckURL(u.URL, "the card's title links to it"); err != nil {
		return "", broadcast.Permanent(fmt.Errorf("discord: render: %w", err))
	}
	text, err := content(set, channel, u)
	if err != nil {
		return "", broadcast.Permanent(fmt.Errorf("discord: render: %w", err))
	}
	return text, nil
}

// content is the text of render, and its error of the template. A text
// that shows nothing (templates.ErrBlank) is no error, and is "": every
// message carries its update's card, and an edit keeps the one it has.
// A URL too long for the content to hold whole (a valid one may have
// 2,048 bytes) is left out of it: the card's title links to it.
func content(set *templates.Set, channel string, u broadcast.Update) (string, error) {
	text, err := set.Text(channel, "markdown", u, MaxContent, templates.Runes)
	if errors.Is(err, templates.ErrTooLong) && u.URL != "" {
		v := u
		v.URL = ""
		if t, err2 := set.Text(channel, "markdown", v, MaxContent, templates.Runes); err2 == nil || errors.Is(err2, templates.ErrBlank) {
			text, err = t, err2
		}
	}
	if errors.Is(err, templates.ErrBlank) {
		return "", nil
	}
	return text, err
}

// statusEmbed is the status card of u: its title linked to its URL, a
// colour by impact, the status, impact and next update, the advice and
// the components. The card of a correction's message has
// templates.CorrectionPrefix before its title, as the message's headline:
// always, even before a title that starts with the word, so that asCurrent
// can take it off again. The card of an incident's
// first post, kept current by later updates, says so in its footer
// (current), and is no correction's.
func statusEmbed(u broadcast.Update, current bool) embed {
	title := oneLine(u.Title)
	if u.Corrects != "" && !current {
		title = templates.CorrectionPrefix + title
	}
	e := embed{
		Title:     fit(escape(title), MaxEmbedTitle, escape(u.URL)),
		URL:       u.URL,
		Color:     color(u),
		Timestamp: u.Time.UTC().Format(time.RFC3339),
	}
	e.Fields = append(e.Fields, embedField{Name: "Status", Value: u.Status.Label(), Inline: true})
	if u.Impact != "" && u.Impact != broadcast.ImpactNone {
		e.Fields = append(e.Fields, embedField{Name: "Impact", Value: u.Impact.Label(), Inline: true})
	}
	if !u.NextUpdate.IsZero() && !u.Status.Closes() {
		// In UTC with its zone, as the message's "Next update by" says
		// it, then how far off it is (<t:…:R>, which Discord keeps
		// current): a time in the reader's own zone, unlabelled, reads
		// as another time than the message's.
		e.Fields = append(e.Fields, embedField{Name: "Next update",
			Value:  fmt.Sprintf("%s (<t:%d:R>)", u.NextUpdate.UTC().Format("2 Jan 2006 15:04 UTC"), u.NextUpdate.Unix()),
			Inline: true})
	}
	if u.Advice != "" {
		// A row of its own, after the status row: the first post's card,
		// kept current, tells readers what they can do now.
		// Each line's right-to-left overrides closed before its line
		// break, as the message's text closes them.
		e.Fields = append(e.Fields, embedField{Name: templates.AdviceLabel,
			Value: escapeLinked(templates.BalanceBidi(u.Advice))})
	}
	if len(u.Components) > 0 {
		e.Fields = append(e.Fields, embedField{Name: "Affected components", Value: components(u.Components, escapeLinked(u.URL))})
	}
	if current {
		e.Footer = &embedFooter{Text: currentFooter}
	}
	return fitEmbed(e)
}

func color(u broadcast.Update) int {
	if u.Status.Closes() {
		return colorResolved
	}
	switch u.Impact {
	case broadcast.ImpactMinor:
		return colorMinor
	case broadcast.ImpactMajor:
		return colorMajor
	case broadcast.ImpactCritical:
		return colorCritical
	case broadcast.ImpactMaintenance:
		return colorMaintenance
	}
	return colorNone
}

// components lists cs one per line, "CDN: Partial outage", within
// MaxFieldValue: the lines that do not fit are counted instead. Each name
// has the embeddings and overrides it leaves open closed
// (templates.BalanceBidi), as the message's list does: else its status,
// on the same line, would read right to left, reversed. A name cut to
// its 200 characters keeps url, the Update.URL as escapeLinked writes it,
// whole where it shows it, as the card's other cuts do (see fit).
func components(cs []broadcast.Component, url string) string {
	var b strings.Builder
	for i, c := range cs {
		line := fit(escapeLinked(templates.BalanceBidi(oneLine(c.Name))), 200, url) + ": " + c.Status.Label()
		more := ""
		if rest := len(cs) - i - 1; rest > 0 {
			more = "\n" + templates.MoreComponents(rest)
		}
		if i > 0 {
			if runes(b.String())+1+runes(line)+runes(more) > MaxFieldValue {
				b.WriteString("\n" + templates.MoreComponents(len(cs)-i))
				break
			}
			b.WriteByte('\n')
		}
		b.WriteString(line)
	}
	return b.String()
}

// fitEmbed enforces Discord's embed limits on e: each text within its
// limit, at most MaxFields fields, none empty, and the total within
// MaxEmbedTotal (the description shortened first, then fields dropped
// from the end). A text cut keeps the URL the embed's title links to,
// the Update.URL, whole where it shows it (see fit), as it shows it: in
// the title escaped (escape), in the other texts as escapeLinked writes
// it.
func fitEmbed(e embed) embed {
	title, text := escape(e.URL), escapeLinked(e.URL)
	e.Title = fit(e.Title, MaxEmbedTitle, title)
	e.Description = fit(e.Description, MaxDescription, text)
	if e.Footer != nil {
		e.Footer.Text = fit(e.Footer.Text, MaxFooter, text)
	}
	fields := e.Fields[:0:0]
	for _, f := range e.Fields {
		f.Name, f.Value = fit(f.Name, MaxFieldName, text), fit(f.Value, MaxFieldValue, text)
		if strings.TrimSpace(f.Name) != "" && strings.TrimSpace(f.Value) != "" && len(fields) < MaxFields {
			fields = append(fields, f)
		}
	}
	e.Fields = fields
	if over := embedLength(e) - MaxEmbedTotal; over > 0 {
		e.Description = fit(e.Description, max(runes(strings.TrimSpace(e.Description))-over, 0), text)
	}
	for embedLength(e) > MaxEmbedTotal && len(e.Fields) > 0 {
		e.Fields = e.Fields[:len(e.Fields)-1]
	}
	return e
}

// embedLength is e's length as Discord counts it against MaxEmbedTotal.
func embedLength(e embed) int {
	n := runes(strings.TrimSpace(e.Title)) + runes(strings.TrimSpace(e.Description))
	for _, f := range e.Fields {
		n += runes(strings.TrimSpace(f.Name)) + runes(strings.TrimSpace(f.Value))
	}
	if e.Footer != nil {
		n += runes(strings.TrimSpace(e.Footer.Text))
	}
	return n
}

// fit trims s, as Discord does, and shortens it to limit characters,
// keeping the URLs of whole (the Update.URL, as s shows it: escaped in a
// title) whole where s shows them (templates.ShortenWhole): cut at a character that ends a link in a
// sentence ("https://status.example.com/a」…"), or moved after the
// ellipsis without its final ")", it would be another page.
func fit(s string, limit int, whole ...string) string {
	s = strings.TrimSpace(s)
	if limit <= 0 {
		return ""
	}
	return templates.ShortenWhole(s, limit, templates.Runes, whole...)
}

func runes(s string) int { return utf8.RuneCountInString(s) }

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// escape backslash-escapes the characters Discord's markdown would read as
// formatting, a mention (<@id>), a link or a heading, and the "." of an
// ordered list's marker at the start of a line (listDot), so that user
// text in an embed shows as written.
func escape(s string) string {
	var b strings.Builder
	escapeTo(&b, s, 0, len(s))
	return b.String()
}

// escapeTo writes s[start:end] to b escaped as escape does; a line starts
// where s does and after each of its line breaks.
func escapeTo(b *strings.Builder, s string, start, end int) {
	for i, r := range s[start:end] {
		if strings.ContainsRune("\\*_~`|<>[]#-", r) || listDot(s, start+i) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
}

// listDot reports whether s[i] is the "." of an ordered list's marker as
// Discord reads one: digits at the start of a line, after spaces or none,
// then ". " ("1. Retry"). Discord takes "-" and "*" as a list's other
// markers (escaped everywhere), and no "1)" or "+".
func listDot(s string, i int) bool {
	if s[i] != '.' || i+1 >= len(s) || s[i+1] != ' ' {
		return false
	}
	j := i
	for j > 0 && '0' <= s[j-1] && s[j-1] <= '9' {
		j--
	}
	if j == i {
		return false
	}
	for j > 0 && s[j-1] == ' ' {
		j--
	}
	return j == 0 || s[j-1] == '\n' || s[j-1] == '\r'
}

// escapeLinked escapes s as escape does, but for its URLs (as Discord
// links them, see linkSpans): Discord links a URL in a field's value as
// far as it runs, so a backslash in it would be part of the link, and a
// URL is read before any markdown in it. An embed's title links nothing
// and takes escape.
func escapeLinked(s string) string {
	var b strings.Builder
	last := 0
	for _, sp := range linkSpans(s) {
		escapeTo(&b, s, last, sp[0])
		b.WriteString(s[sp[0]:sp[1]])
		last = sp[1]
	}
	escapeTo(&b, s, last, len(s))
	return b.String()
}

// linkSpans returns the spans of the URLs of s as Discord links them: as
// far as templates.URLSpans finds them, up to white space, but for the
// ASCII punctuation that ends a sentence (. , : ; ! ? ') and the closing
// brackets the URL did not open at their end. Discord's link takes in
// the text after a URL that templates.LinkSpans leaves out ("」を",
// "»"): a backslash there would be part of the link, and show.
func linkSpans(s string) [][]int {
	spans := templates.URLSpans(s)
	for _, sp := range spans {
		sp[1] = sp[0] + trimSentence(s[sp[0]:sp[1]])
	}
	return spans
}

// trimSentence returns the length of the URL u without the punctuation
// and unopened closing brackets at its end (see linkSpans).
func trimSentence(u string) int {
	const brackets = "()[]{}"
	var count [len(brackets)]int // of u[:end], counted at the first closing bracket
	counted := false
	end := len(u)
	for ; end > 1; end-- {
		c := u[end-1]
		k := strings.IndexByte(brackets, c)
		if k < 0 || k%2 == 0 {
			if strings.IndexByte(".,:;!?'", c) < 0 {
				break
			}
			continue
		}
		if !counted {
			for i := range end {
				if j := strings.IndexByte(brackets, u[i]); j >= 0 {
					count[j]++
				}
			}
			counted = true
		}
		if count[k-1] >= count[k] {
			break
		}
		count[k]--
	}
	return end
}

// threadName is the title of an incident's forum post.
func threadName(u broadcast.Update) string {
	return fit(oneLine(u.Title), MaxThreadName, u.URL)
}
