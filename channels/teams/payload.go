package teams

import (
	"bytes"
	"strings"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/httpx"
	"github.com/outagecast/outagecast/channels/internal/textsafe"
	"github.com/outagecast/outagecast/templates"
)

// Limits and fixed values of the payload.
const (
	// MaxPayloadBytes is the size Send keeps the JSON body within, as
	// Teams counts it (see teamsSize): Teams' 28 KB message limit (28,672
	// bytes of the message's properties), read as the smaller 28,000
	// bytes, which leaves room for the properties Teams adds.
	MaxPayloadBytes = 28_000
	// CardVersion is the Adaptive card schema version of the card; Teams
	// renders 1.4 on every client.
	CardVersion = "1.4"
	// ContentType is the content type of an Adaptive card attachment.
	ContentType = "application/vnd.microsoft.card.adaptive"
	// cardSchema is the card's $schema.
	cardSchema = "http://adaptivecards.io/schemas/adaptive-card.json"
)

// DefaultTemplate is the card's plain text: the status and title (the
// card's heading), the advice, the impact, the body, the affected
// components, the next update and the link. Teams shows it as written:
// the card's text runs take no markdown.
const DefaultTemplate = `{{if .Corrects}}Correction: {{end}}{{.Headline}}: {{.Title}}
{{with .Advice}}{{$.AdviceLabel}}: {{.}}

{{end}}{{with .ImpactLabel}}Impact: {{.}}{{end}}
{{with .Body}}
{{.}}
{{end}}
{{with .Components}}
Affected components:
{{range .}}• {{.Name}}: {{.Status.Label}}
{{end}}{{with $.MoreComponents}}{{.}}
{{end}}{{end}}
{{with .NextUpdateAt}}
Next update by {{.}}.
{{end}}
{{with .URL}}
{{.}}
{{end}}`

// payload is the JSON body Send posts: a message with one Adaptive card
// attachment, the shape the Workflows app's webhook trigger takes.
type payload struct {
	Type        string       `json:"type"` // "message"
	Attachments []attachment `json:"attachments"`
}

// attachment is a card attachment of a payload.
type attachment struct {
	ContentType string  `json:"contentType"` // ContentType
	ContentURL  *string `json:"contentUrl"`  // null, as Microsoft's samples send it
	Content     card    `json:"content"`
}

// card is an Adaptive card.
type card struct {
	Schema       string    `json:"$schema"`
	Type         string    `json:"type"` // "AdaptiveCard"
	Version      string    `json:"version"`
	FallbackText string    `json:"fallbackText,omitempty"`
	Body         []element `json:"body"`
	Actions      []action  `json:"actions,omitempty"`
	MSTeams      *msteams  `json:"msteams,omitempty"`
}

// msteams holds Teams' own card properties.
type msteams struct {
	Width string `json:"width"` // "Full": the card takes the message's width
}

// element is a card element: a Container (the heading, coloured by
// status) or a RichTextBlock (one line of text).
type element struct {
	Type    string    `json:"type"`
	Style   string    `json:"style,omitempty"`
	Bleed   bool      `json:"bleed,omitempty"`
	Spacing string    `json:"spacing,omitempty"`
	Items   []element `json:"items,omitempty"`
	Inlines []textRun `json:"inlines,omitempty"`
}

// textRun is text shown as it is: Adaptive Cards read no markdown in a
// text run, so the user's text cannot format, link or mention.
type textRun struct {
	Type   string `json:"type"` // "TextRun"
	Text   string `json:"text"`
	Weight string `json:"weight,omitempty"`
	Size   string `json:"size,omitempty"`
}

// action is a card action; Send adds one, opening the Update's URL.
type action struct {
	Type  string `json:"type"` // "Action.OpenUrl"
	Title string `json:"title"`
	URL   string `json:"url"`
}

// statusStyles are the heading's container styles: red, amber, green,
// blue.
var statusStyles = map[broadcast.Status]string{
	broadcast.StatusInvestigating: "attention",
	broadcast.StatusIdentified:    "warning",
	broadcast.StatusMonitoring:    "warning",
	broadcast.StatusResolved:      "good",
	broadcast.StatusCompleted:     "good",
	broadcast.StatusScheduled:     "accent",
	broadcast.StatusInProgress:    "accent",
	broadcast.StatusVerifying:     "accent",
}

// build returns the payload of the rendered text of u: its first line
// that shows something as the heading (marked for a correction,
// templates.MarkCorrection, as Set.Text marks an Overrides text), each
// other line a block of its own (lines that show nothing separate
// paragraphs) with its indentation as no-break spaces, which Teams' HTML
// renderers do not collapse, and a button opening u.URL.
func build(text string, u broadcast.Update) payload {
	lines := strings.Split(text, "\n")
	for len(lines) > 1 && broadcast.Blank(lines[0]) {
		lines = lines[1:] // a heading readers would not see
	}
	head := lines[0]
	if u.Corrects != "" {
		// A template of the user's may not say it; a correction posted
		// anew must read as one.
		head = templates.MarkCorrection(head)
	}
	c := card{Schema: cardSchema, Type: "AdaptiveCard", Version: CardVersion, FallbackText: head,
		MSTeams: &msteams{Width: "Full"}}
	c.Body = append(c.Body, element{Type: "Container", Style: statusStyles[u.Status], Bleed: true,
		Items: []element{{Type: "RichTextBlock", Inlines: []textRun{{Type: "TextRun", Text: head, Weight: "Bolder", Size: "Medium"}}}}})
	spacing := "Medium"
	for _, l := range lines[1:] {
		if broadcast.Blank(l) {
			spacing = "Medium"
			continue
		}
		c.Body = append(c.Body, element{Type: "RichTextBlock", Spacing: spacing,
			Inlines: []textRun{{Type: "TextRun", Text: templates.Indent(l)}}})
		spacing = "None"
	}
	if u.URL != "" {
		c.Actions = []action{{Type: "Action.OpenUrl", Title: "Open the status page", URL: u.URL}}
	}
	return payload{Type: "message", Attachments: []attachment{{ContentType: ContentType, Content: c}}}
}

// quietFunctions makes the Adaptive Cards date and time functions in s,
// {{DATE(…)}} and {{TIME(…)}}, which Teams replaces with a date even in a
// text run, inert: an invisible word joiner follows the first "{" of every
// "{{". In a URL's path, query or fragment (templates.URLSpans), the "{"
// that starts a function (startsFunction) is written "%7B" instead, which
// names the same page (a URL holds no "{" unescaped): a word joiner there
// would go along with a link a reader copies. Any other "{{" there Teams
// shows as written, and so does the URL. Before the path, where "%7B"
// would name another host, it takes the word joiner.
func quietFunctions(s string) string {
	if !strings.Contains(s, "{{") {
		return s
	}
	spans := templates.URLSpans(s)
	var b strings.Builder
	k := 0 // the first URL that does not end before s[i]
	for i := 0; i < len(s); i++ {
		for k < len(spans) && spans[k][1] <= i {
			k++
		}
		if s[i] != '{' || i+1 == len(s) || s[i+1] != '{' {
			b.WriteByte(s[i])
			continue
		}
		if k < len(spans) && spans[k][0] <= i && i >= pathStart(s[:spans[k][1]], spans[k][0]) {
			if startsFunction(s[i:]) {
				b.WriteString("%7B")
			} else {
				b.WriteByte('{')
			}
		} else {
			b.WriteString("{" + textsafe.WordJoiner)
		}
	}
	return b.String()
}

// startsFunction reports whether s starts as a date or time function that
// Teams reads: "{{DATE(" or "{{TIME(", in capitals and with no space, as
// the Adaptive Cards renderers match them; any other "{{" they show as
// written.
func startsFunction(s string) bool {
	return strings.HasPrefix(s, "{{DATE(") || strings.HasPrefix(s, "{{TIME(")
}

// pathStart returns the offset in s of the path, query or fragment of the
// URL that starts at s[start:] and ends with s: where its authority ends,
// after "://"; len(s) for a URL of a host alone.
func pathStart(s string, start int) int {
	host := start + strings.Index(s[start:], "://") + len("://")
	if end := strings.IndexAny(s[host:], "/?#"); end >= 0 {
		return host + end
	}
	return len(s)
}

// encode encodes p as the body Send posts (see httpx.JSONBody).
func encode(p payload) ([]byte, error) { return httpx.JSONBody(p) }

// teamsSize returns the size of body, a JSON body Send posts, as Teams
// counts it against its limit: Teams keeps the card's JSON as a string
// among the message's properties (Graph reads an attachment's content
// so), where each '"' and '\' of the card is escaped with a '\' of its
// own. A card of many lines, or of text with many quotes, counts that
// much more than its body: Teams has refused a body of 24,453 bytes as
// 28,897 bytes of properties, after the workflow took it with a 202. The
// quotes of the rest of the body count too, which errs on the side of a
// card Teams takes.
func teamsSize(body []byte) int {
	return len(body) + bytes.Count(body, []byte{'"'}) + bytes.Count(body, []byte{'\\'})
}

// sizer measures rendered text as the teamsSize of the payload it makes for
// u, for the templates' shortening ("" measures 0, as a Measure must).
func sizer(u broadcast.Update) func(string) int {
	return func(text string) int {
		if text == "" {
			return 0
		}
		b, err := encode(build(text, u))
		if err != nil {
			return MaxPayloadBytes + 1
		}
		return teamsSize(b)
	}
}
