package slack

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf16"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/textsafe"
	"github.com/outagecast/outagecast/templates"
)

// Slack's limits, and the ones Send keeps to.
const (
	// MaxSectionText is Slack's limit on the text of a section block,
	// 3,000 characters. The whole message is one section within it.
	MaxSectionText = 3000
	// MaxText is Slack's limit on a message's top-level text, 40,000
	// characters; Slack truncates longer text.
	MaxText = 40_000
	// MaxBlocks is Slack's limit on the blocks of a message.
	MaxBlocks = 50
	// FallbackLength bounds the top-level text Send writes, far below
	// MaxText: notifications show only its start. A URL too long to fit
	// in it whole is kept whole beside it, with the rest of the text
	// within FallbackLength.
	FallbackLength = 1000
)

// DefaultTemplate is the mrkdwn of a message: status and title in bold
// ("Correction: " before them for a correction, as in every template),
// the impact, the advice, the body, the affected components, the next
// update and the link. Templates receive the Update with "&", "<" and ">"
// hidden (see the package documentation), so they write mrkdwn and never
// escape.
const DefaultTemplate = `*{{with .Correction}}{{.}}: {{end}}{{.Headline}}: {{.Title}}*{{with .ImpactLabel}} · Impact: {{.}}{{end}}
{{with .Advice}}
*{{$.AdviceLabel}}:* {{.}}
{{end}}
{{with .Body}}
{{.}}
{{end}}
{{with .Components}}
*Affected components*
{{range .}}• {{.Name}}: {{.Status.Label}}
{{end}}{{with $.MoreComponents}}{{.}}
{{end}}{{end}}
{{with .NextUpdateAt}}
_Next update by {{.}}._
{{end}}
{{with .URL}}
{{.}}
{{end}}`

// textObject is a Block Kit text object.
type textObject struct {
	Type string `json:"type"`
	Text string `json:"text"`
	// Verbatim stops Slack from turning plain words into links and
	// mentions ("@here"); links are written out as <url>.
	Verbatim bool `json:"verbatim,omitempty"`
}

// block is a Block Kit layout block; only sections are sent.
type block struct {
	Type string      `json:"type"`
	Text *textObject `json:"text,omitempty"`
}

// attachment is a secondary attachment: the coloured status bar a thread's
// root post gets.
type attachment struct {
	Color    string   `json:"color"`
	Fallback string   `json:"fallback"`
	Text     string   `json:"text"`
	MrkdwnIn []string `json:"mrkdwn_in"`
}

// postRequest is the body of chat.postMessage, and of an incoming webhook
// (which ignores the fields it does not know, and is sent no channel).
type postRequest struct {
	Channel        string  `json:"channel,omitempty"`
	Text           string  `json:"text"`
	Blocks         []block `json:"blocks"`
	ThreadTS       string  `json:"thread_ts,omitempty"`
	ReplyBroadcast bool    `json:"reply_broadcast,omitempty"`
	// Parse "none" and LinkNames false: Slack links no names, so a
	// literal "@channel" stays text.
	Parse       string `json:"parse"`
	LinkNames   bool   `json:"link_names"`
	UnfurlLinks bool   `json:"unfurl_links"`
	UnfurlMedia bool   `json:"unfurl_media"`
	// Metadata carries the post's key, for a retry to find it; not sent
	// to an incoming webhook, which cannot read what it posted.
	Metadata *metadata `json:"metadata,omitempty"`
}

// updateRequest is the body of chat.update. Fields left out keep their
// value: the status bar of a root post is set without touching its text
// and blocks, and an edit leaves the status bar alone.
type updateRequest struct {
	Channel     string       `json:"channel"`
	TS          string       `json:"ts"`
	Text        string       `json:"text,omitempty"`
	Blocks      []block      `json:"blocks,omitempty"`
	Attachments []attachment `json:"attachments,omitempty"`
	Parse       string       `json:"parse"`
	// Metadata replaces the message's; left out, Slack keeps it.
	Metadata *metadata `json:"metadata,omitempty"`
}

// deleteRequest is the body of chat.delete.
type deleteRequest struct {
	Channel string `json:"channel"`
	TS      string `json:"ts"`
}

// message is a rendered update: the section's mrkdwn and the fallback
// text, both escaped.
type message struct {
	section string
	text    string
}

// blocks returns the message's layout.
func (m message) blocks() []block {
	return []block{{Type: "section", Text: &textObject{Type: "mrkdwn", Text: m.section, Verbatim: true}}}
}

// post returns the chat.postMessage request of m.
func (m message) post(channel string) postRequest {
	return postRequest{Channel: channel, Text: m.text, Blocks: m.blocks(), Parse: "none"}
}

// The characters mrkdwn reserves stand in rendered text as private-use
// characters until the text is final: templates cannot tell the user's
// "<" from their own, and the shortening of templates never cuts an
// escape in half.
const (
	hiddenAmp = "\uE000"
	hiddenLt  = "\uE001"
	hiddenGt  = "\uE002"
)

var (
	// hider hides the reserved characters of user text; the private-use
	// characters themselves become U+FFFD, so none reaches Slack as a
	// reserved one.
	hider = strings.NewReplacer("&", hiddenAmp, "<", hiddenLt, ">", hiddenGt,
		hiddenAmp, "\uFFFD", hiddenLt, "\uFFFD", hiddenGt, "\uFFFD")
	// shower writes the hidden characters as Slack's escapes.
	shower = strings.NewReplacer(hiddenAmp, "&amp;", hiddenLt, "&lt;", hiddenGt, "&gt;")
	// urlRE finds URLs in hidden text as templates.URLSpans does (to any
	// Unicode white space); "&" and "|" may be part of one.
	urlRE = regexp.MustCompile(`(?i)https?://[^\s\v\x{85}\p{Z}<>"` + hiddenLt + hiddenGt + `]+`)
	// linker writes a link's address: the hidden characters as escapes,
	// and "|", which would end the address and label the link, as %7C,
	// as Slack writes it.
	linker = strings.NewReplacer(hiddenAmp, "&amp;", hiddenLt, "&lt;", hiddenGt, "&gt;", "|", "%7C")
)

// escape returns s escaped for mrkdwn: "&", "<" and ">" as entities.
func escape(s string) string { return shower.Replace(hider.Replace(s)) }

// unescape reverses escape, for tests and for what a reader sees.
func unescape(s string) string {
	return strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">").Replace(s)
}

// hide returns u with every text field's reserved characters hidden, for
// rendering by channel: the author's text, and the IDs and URL templates
// may show too. The Update's slice and map are copied, not changed.
func hide(u broadcast.Update, channel string) broadcast.Update {
	u = textsafe.Map(u, channel, hider.Replace)
	for _, f := range []*string{&u.ID, &u.IncidentID, &u.Corrects, &u.URL} {
		*f = hider.Replace(*f)
	}
	return u
}

// finish turns rendered hidden text into the section's mrkdwn: each URL
// as a link, <url>, whole (a "|" in it as %7C), so that Slack need not
// find it (the text is verbatim), and the hidden characters as escapes.
// A link ends where templates.LinkSpans ends it, and trimURL; but url,
// the hidden Update.URL, is linked whole wherever s shows it
// (templates.LinkSpansWhole), its final ".", ")" or "*" included. A URL
// written within a raw "<" and ">" (user text's are hidden: a link
// destination that templates.Shorten moved after the ellipsis so, where
// a bare URL would be linked short of its end, "<https://x.example/a.>",
// or a template's own link) is that one link, whole, to the ">" (see
// angled: a '"' or the user's "<" or ">" in it included), its brackets the
// link's: Slack reads "<" and ">" as control characters
// (https://api.slack.com/reference/surfaces/formatting#escaping), and
// a link within raw brackets would leave them open around it.
func finish(s, url string) string {
	var b strings.Builder
	last := 0
	for _, m := range urlRE.FindAllStringIndex(s, -1) {
		u := s[m[0]:m[1]]
		if end := angled(s, m[0], m[1]); end >= 0 {
			b.WriteString(shower.Replace(s[last : m[0]-1]))
			b.WriteString("<" + linker.Replace(s[m[0]:end]) + ">")
			last = end + 1
			continue
		}
		for _, l := range templates.LinkSpansWhole(u, url) {
			at := m[0] + l[0]
			line := s[strings.LastIndexByte(s[:at], '\n')+1 : at]
			keep := 0
			if url != "" && strings.HasPrefix(u[l[0]:l[1]], url) {
				keep = len(url)
			}
			link := trimURL(u[l[0]:l[1]], line, keep)
			b.WriteString(shower.Replace(s[last:at]))
			b.WriteString("<" + linker.Replace(link) + ">")
			last = at + len(link)
		}
	}
	b.WriteString(shower.Replace(s[last:]))
	return b.String()
}

// angled returns where the raw ">" is that closes the URL s[start:end]
// written within a raw "<" and ">", or -1 when it is not: the URL goes
// on to that ">" through what urlRE ends a URL at but a destination
// Shorten moves may hold (a '"', the user's hidden "<" or ">"), never
// through white space or a raw "<".
func angled(s string, start, end int) int {
	if start == 0 || s[start-1] != '<' {
		return -1
	}
	i := strings.IndexFunc(s[end:], func(r rune) bool {
		return r == '<' || r == '>' || unicode.IsSpace(r) || unicode.Is(unicode.Z, r)
	})
	if i < 0 || s[end+i] != '>' {
		return -1
	}
	return end + i
}

// trimURL drops the punctuation that ends a sentence rather than the URL
// u, a templates.LinkSpans link: a final ".", ",", quote or unbalanced
// ")", as Slack's own link detection does; and a final "*", "_", "~" or "`" that closes the
// formatting one opened earlier on its line (line is the text before u
// there), as the default template's bold title does: taken into the
// link, it would point elsewhere and leave the formatting open. The
// first keep bytes of u, Update.URL, stay.
func trimURL(u, line string, keep int) string {
	for {
		n := len(u)
		if n <= keep {
			return u
		}
		switch c := u[n-1]; {
		case strings.IndexByte(".,;:!?'\"", c) >= 0:
		case c == ')' && strings.Count(u, "(") < strings.Count(u, ")"):
		case strings.IndexByte("*_~`", c) >= 0 && strings.Count(line, string(c))%2 == 1:
		default:
			return u
		}
		if strings.HasSuffix(u[:n-1], "//") {
			return u // nothing left of the host
		}
		u = u[:n-1]
	}
}

// utf16Len measures s in UTF-16 code units, the unit of a JavaScript
// string's length: never less than the characters Slack counts, whether
// it counts code points or code units.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r) // U+FFFD for invalid UTF-8: 1
	}
	return n
}

// sectionLength returns the Measure of rendered hidden text as its
// finished section, url the hidden Update.URL.
func sectionLength(url string) templates.Measure {
	return func(s string) int { return utf16Len(finish(s, url)) }
}

// fallbackLength measures rendered hidden text as its escaped fallback.
func fallbackLength(s string) int { return utf16Len(shower.Replace(s)) }

// Status colours of the root post's status bar.
var statusColors = map[broadcast.Status]string{
	broadcast.StatusInvestigating: "#cf222e",
	broadcast.StatusIdentified:    "#bc4c00",
	broadcast.StatusMonitoring:    "#9a6700",
	broadcast.StatusResolved:      "#1a7f37",
	broadcast.StatusCompleted:     "#1a7f37",
	broadcast.StatusScheduled:     "#0969da",
	broadcast.StatusInProgress:    "#0969da",
	broadcast.StatusVerifying:     "#0969da",
}

// statusBar is the attachment a thread's root post shows: the status of
// the incident's latest update, and its title with any right-to-left
// override it leaves open closed (templates.BalanceBidi).
func statusBar(u broadcast.Update) attachment {
	head := "Current status: " + u.Status.Label()
	when := ""
	if !u.Time.IsZero() {
		when = " at " + u.Time.UTC().Format("2 Jan 15:04 UTC")
	}
	// An override the title leaves open is closed at its end: Slack's
	// line break ends none, and it would reverse the line after it.
	title := templates.BalanceBidi(strings.Join(strings.Fields(u.Title), " "))
	text := "*" + head + "* · " + escape(title) +
		"\n_Updated" + when + ". Every update is in the thread._"
	return attachment{Color: statusColors[u.Status], Fallback: head, Text: text, MrkdwnIn: []string{"text"}}
}
