package googlechat

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/httpx"
	"github.com/outagecast/outagecast/channels/internal/textsafe"
	"github.com/outagecast/outagecast/templates"
)

// Google Chat's limits.
const (
	// MaxText is the limit on a message's text, measured in UTF-16 code
	// units (an emoji counts 2), which is never less than Google's count
	// in characters. Google's reference pages state only the 32,000-byte
	// message limit, but its API refuses a longer text with 400
	// INVALID_ARGUMENT "Maximum length of the field is 4096. Field:
	// apps.dynamite.CreateMessageInfo.text_body" (its answer as quoted in
	// googleworkspace/hubot-google-hangouts-chat issue 12) or "Message is
	// longer than 4096 characters": an update cut to fit is posted, one
	// not cut would be lost.
	MaxText = 4096
	// MaxMessageBytes is the limit on a whole message, text and cards.
	MaxMessageBytes = 32000
	// maxCardTitle and maxCardComponents bound the card's title and its
	// component list, in UTF-16 code units, so that the card stays small
	// next to the text.
	maxCardTitle      = 200
	maxCardComponents = 2000
)

// ReplyOption is the messageReplyOption of every post: reply in the
// incident's thread, or start it.
const ReplyOption = "REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD"

// TextTemplate is the "googlechat" template the channel adds to its
// templates.Set when the set has none: Google Chat's own markup (*bold*,
// _italic_), the status and title first, the advice, the impact, the
// body, the components, the next update and the URL, which Google Chat
// links.
const TextTemplate = `*{{if .Corrects}}Correction: {{end}}{{.Headline}}: {{.Title}}*
{{with .Advice}}*{{$.AdviceLabel}}:* {{.}}

{{end}}{{with .ImpactLabel}}_Impact: {{.}}_{{end}}

{{.Body}}

{{with .Components}}*Affected components*
{{range .}}- {{.Name}}: {{.Status.Label}}
{{end}}{{with $.MoreComponents}}{{.}}
{{end}}{{end}}
{{with .NextUpdateAt}}_Next update by {{.}}._{{end}}

{{.URL}}
`

// templateName is the name of the channel's template in a templates.Set.
const templateName = "googlechat"

// MarkupSyntax is the markupSyntax of every post: Google Chat's own text
// markup, which TextTemplate and the defusing of user text are written
// for. Without it Google reads the text in the default syntax of the app,
// which may be Markdown, where the template's *bold* is italic and an
// author's [text](url) a link with forged text.
const MarkupSyntax = "MARKUP_SYNTAX_CHAT"

// message is the JSON body of spaces.messages.create.
type message struct {
	Text         string   `json:"text"`
	MarkupSyntax string   `json:"markupSyntax,omitempty"` // MarkupSyntax in every post
	CardsV2      []cardV2 `json:"cardsV2,omitempty"`
	Thread       thread   `json:"thread"`
}

type thread struct {
	Name      string `json:"name,omitempty"`
	ThreadKey string `json:"threadKey,omitempty"`
}

type cardV2 struct {
	CardID string `json:"cardId"`
	Card   card   `json:"card"`
}

type card struct {
	Header   cardHeader `json:"header"`
	Sections []section  `json:"sections"`
}

type cardHeader struct {
	Title    string `json:"title"`
	Subtitle string `json:"subtitle,omitempty"`
}

type section struct {
	Widgets []widget `json:"widgets"`
}

// widget is one of Google's card widgets; exactly one field is set.
type widget struct {
	DecoratedText *decoratedText `json:"decoratedText,omitempty"`
	ButtonList    *buttonList    `json:"buttonList,omitempty"`
}

type decoratedText struct {
	TopLabel string `json:"topLabel,omitempty"`
	Text     string `json:"text"`
	WrapText bool   `json:"wrapText,omitempty"`
}

type buttonList struct {
	Buttons []button `json:"buttons"`
}

type button struct {
	Text    string  `json:"text"`
	OnClick onClick `json:"onClick"`
}

type onClick struct {
	OpenLink openLink `json:"openLink"`
}

type openLink struct {
	URL string `json:"url"`
}

// created is the part of Google's answer the channel reads: for webhooks,
// the message's name and its thread's.
type created struct {
	Name   string `json:"name"`
	Thread thread `json:"thread"`
}

// cutCreated reads the message's name, and its thread's, from the start
// of an answer that broke off or passed the read limit, which
// json.Unmarshal refuses whole: value by value up to the cut, taking only
// values read to their end. Google writes "name" first in a Message.
func cutCreated(body []byte) created {
	var got created
	dec := json.NewDecoder(bytes.NewReader(body))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return got
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return got
		}
		var v any = new(json.RawMessage)
		switch t {
		case "name":
			v = &got.Name
		case "thread":
			v = &got.Thread
		}
		// A value of another type (a thread that is not an object) is
		// read past, as json.Unmarshal does; a value cut off ends it.
		if err := dec.Decode(v); err != nil && !errors.As(err, new(*json.UnmarshalTypeError)) {
			return got
		}
	}
	return got
}

// UTF16 measures s in UTF-16 code units, the unit of MaxText.
func UTF16(s string) int {
	n := 0
	for _, r := range s {
		n++
		if r >= 0x10000 {
			n++
		}
	}
	return n
}

// zwsp is the zero-width space defuse inserts: readers do not see it.
const zwsp = "\u200b"

// defuse makes user text inert in Google Chat's text markup, which has no
// escape: a zero-width space follows every "<", which opens a mention
// (<users/all>) or a link with text of its own (<https://…|text>), and
// every "*", "_", "~" or "`" that would open bold, italic, strikethrough or
// monospace: one that starts a word (not glued to a preceding letter or
// digit, and followed by a character that is not white space). Markers
// inside words (snake_case) or standing alone are left as written, and so
// are URLs (templates.URLSpans), which must stay whole to link, and the
// path, query and fragment of a link without a scheme
// (textsafe.BareLinks: "example.com/_next"), which Google Chat links as
// its users type it.
func defuse(s string) string {
	if !strings.ContainsAny(s, "<*_~`") {
		return s
	}
	inLink := textsafe.BareLinks(s)
	return textsafe.Insert(s, zwsp, func(s string, i int) bool {
		return s[i] == '<' || strings.IndexByte("*_~`", s[i]) >= 0 && opens(s, i) && !inLink(i)
	})
}

// opens reports whether the marker s[i] starts a word: what precedes it is
// not a letter or digit, and what follows is not white space.
func opens(s string, i int) bool {
	prev, _ := utf8.DecodeLastRuneInString(s[:i])
	next, n := utf8.DecodeRuneInString(s[i+1:])
	return (i == 0 || !unicode.IsLetter(prev) && !unicode.IsDigit(prev)) && n > 0 && !unicode.IsSpace(next)
}

// render returns the text of u's message: Overrides[channel], or the
// set's "googlechat" template, fitted to MaxText. An Update.URL the card's
// button could not open (textsafe.CheckURL) is an error; so is a text
// that shows nothing (templates.ErrBlank) when noCard leaves out the card:
// Google refuses the message ("Message cannot be empty").
func render(set *templates.Set, channel string, u broadcast.Update, noCard bool) (string, error) {
	if err := textsafe.CheckURL(u.URL, "the card's button opens it"); err != nil {
		return "", broadcast.Permanent(fmt.Errorf("googlechat: render: %w", err))
	}
	text, err := messageText(set, channel, u, noCard)
	if err != nil {
		return text, broadcast.Permanent(fmt.Errorf("googlechat: render: %w", err))
	}
	return text, nil
}

// messageText is the text of render, and its error of the template.
func messageText(set *templates.Set, channel string, u broadcast.Update, noCard bool) (string, error) {
	text, err := set.Text(channel, templateName, textsafe.Map(u, channel, defuse), MaxText, UTF16)
	if errors.Is(err, templates.ErrBlank) {
		if !noCard {
			return "", nil // the card shows the update
		}
		err = fmt.Errorf("%w, and Config.NoCard leaves out the card", err)
	}
	return text, err
}

// htmlText escapes s for a card's text, which takes Google's HTML subset.
var htmlText = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// statusCard is the status card of u: the title, the status, the advice,
// the impact, the next update, the components and a button to the URL.
func statusCard(u broadcast.Update) cardV2 {
	field := func(label, text string) widget {
		return widget{DecoratedText: &decoratedText{TopLabel: label, Text: htmlText.Replace(text), WrapText: true}}
	}
	ws := []widget{field("Status", u.Status.Label())}
	if u.Advice != "" {
		// Right after the status, as in every default template; each
		// line's bidi overrides closed before its "<br>", which ends none.
		w := field(templates.AdviceLabel, "")
		w.DecoratedText.Text = strings.ReplaceAll(htmlText.Replace(templates.BalanceBidi(u.Advice)), "\n", "<br>")
		ws = append(ws, w)
	}
	if u.Impact != "" && u.Impact != broadcast.ImpactNone {
		ws = append(ws, field("Impact", u.Impact.Label()))
	}
	if !u.NextUpdate.IsZero() && !u.Status.Closes() {
		ws = append(ws, field("Next update", u.NextUpdate.UTC().Format("2 Jan 2006 15:04 UTC")))
	}
	if len(u.Components) > 0 {
		w := field("Affected components", "")
		w.DecoratedText.Text = components(u.Components)
		ws = append(ws, w)
	}
	if u.URL != "" {
		ws = append(ws, widget{ButtonList: &buttonList{Buttons: []button{
			{Text: "View incident", OnClick: onClick{OpenLink: openLink{URL: u.URL}}}}}})
	}
	title := oneLine(u.Title)
	if u.Corrects != "" {
		title = templates.MarkCorrection(title) // as the text's headline says
	}
	// The update's URL kept whole where the title shows it, as the
	// text keeps it: cut at a character that ends a link in a sentence
	// ("https://status.example.com/a」…"), or moved after the ellipsis
	// without its final ")", it would name another page than the
	// button's. The title is plain text: a link destination the cut
	// moves is written as the URL it points to (templates.ShortenPlain).
	title = templates.ShortenPlain(title, maxCardTitle, UTF16, u.URL)
	return cardV2{CardID: "status", Card: card{Header: cardHeader{Title: title}, Sections: []section{{Widgets: ws}}}}
}

// components lists cs, escaped, one per line, within maxCardComponents:
// the lines that do not fit are counted instead. Each name has the
// embeddings and overrides it leaves open closed (templates.BalanceBidi),
// as the text's list does: a line break of the card ("<br>") does not end
// them, so an open one would reverse the rest of the list.
func components(cs []broadcast.Component) string {
	var lines []string
	n := 0
	for i, c := range cs {
		line := htmlText.Replace(templates.BalanceBidi(oneLine(c.Name))) + ": " + c.Status.Label()
		if n+UTF16(line)+len(" <br>… and 9999 more") > maxCardComponents {
			lines = append(lines, templates.MoreComponents(len(cs)-i))
			break
		}
		lines, n = append(lines, line), n+UTF16(line)+len("<br>")
	}
	return strings.Join(lines, "<br>")
}

// encode returns the JSON body of msg within MaxMessageBytes: without the
// card when that is what it takes, but for a message whose text is empty
// (shows nothing: see messageText), which would be empty without it, and
// which Google refuses for good ("Message cannot be empty").
func encode(msg message) ([]byte, error) {
	b, err := httpx.JSONBody(msg)
	if err == nil && len(b) > MaxMessageBytes && msg.CardsV2 != nil {
		if msg.Text == "" {
			return nil, broadcast.Permanent(fmt.Errorf("googlechat: encode: the card makes the message %d bytes, "+
				"more than %d, and the text shows nothing to post without it", len(b), MaxMessageBytes))
		}
		msg.CardsV2 = nil
		b, err = httpx.JSONBody(msg)
	}
	if err != nil {
		return nil, broadcast.Permanent(fmt.Errorf("googlechat: encode: %w", err))
	}
	if len(b) > MaxMessageBytes {
		return nil, broadcast.Permanent(fmt.Errorf("googlechat: encode: the message takes %d bytes, more than %d", len(b), MaxMessageBytes))
	}
	return b, nil
}

// messageIDChars are the characters Google Chat takes in a client-assigned
// message id, after "client-".
var messageIDChars = regexp.MustCompile(`[^a-z0-9-]`)

// messageID is the client-assigned message id of key: "client-" and key
// in Google's alphabet (lower-case letters, digits, hyphens), at most 63
// characters in all.
func messageID(key string) string {
	id := "client-" + messageIDChars.ReplaceAllString(strings.ToLower(key), "-")
	return id[:min(len(id), 63)]
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
