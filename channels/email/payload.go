package email

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"html"
	"io"
	"net/mail"
	"net/textproto"
	"net/url"
	"slices"
	"strings"
	"text/template"
	"unicode"
	"unicode/utf8"

	gomail "github.com/wneessen/go-mail"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/guard"
	"github.com/outagecast/outagecast/channels/internal/textsafe"
	"github.com/outagecast/outagecast/redact"
	"github.com/outagecast/outagecast/templates"
)

// content is an update rendered for e-mail: the same for every recipient.
type content struct {
	subject, text, html string
}

// prepared is everything of a message but its recipient.
type prepared struct {
	content
	update     broadcast.Update
	messageID  string   // "<…@…>"
	inReplyTo  string   // "" for the first update of an incident
	references []string // earlier Message-IDs, oldest first (see chain); the header has capReferences of them
	data       []byte   // the message without its recipient's header, as DATA sends it; see compose
	size       int64    // of data, as RFC 1870 counts it: see contentSize
}

// render renders u's subject, text and HTML. Overrides[Name] replaces the
// text after the status line, which a correction's starts with "Correction: "
// (templates.MarkCorrection); the HTML part then shows it escaped. An
// Update.URL the message could not link to (textsafe.CheckURL) is an
// error.
func (c *Channel) render(u broadcast.Update) (content, error) {
	if err := textsafe.CheckURL(u.URL, "the message links to it"); err != nil {
		return content{}, err
	}
	subject, err := c.tmpl.Render("subject", u)
	if err != nil {
		return content{}, fmt.Errorf("render subject: %w", err)
	}
	out := content{subject: subjectLine(subject)}
	if broadcast.Blank(out.subject) {
		// Mail clients show an empty subject as "(no subject)": a
		// template that shows nothing for this update (a branch on a
		// field it leaves empty) gives way to the default one.
		if subject, err = templates.Default().Render("subject", u); err != nil {
			return content{}, fmt.Errorf("render default subject: %w", err)
		}
		out.subject = subjectLine(subject)
	}
	if o, ok := u.Override(c.cfg.Name); ok {
		// The subject names no status, so the override gets it as a lead.
		status, err := c.tmpl.Render(statusTemplate, u)
		if err != nil {
			return content{}, fmt.Errorf("render status line: %w", err)
		}
		status = oneLine(status)
		if u.Corrects != "" {
			// A correction's override reads as one, as every channel marks
			// it, also after a status line of the user's that does not say
			// so; the default one does, and is left as it is.
			status = templates.MarkCorrection(status)
		}
		// Its first paragraph, the preheader, ends at a blank line in any
		// form; and what it leaves open of right-to-left text is closed at
		// each line's end, as the templates close Body's, so that it does
		// not reverse the next line where the preheader joins them.
		o = templates.BalanceBidi(lfLines(o))
		out.text = status + "\n\n" + o
		out.html = textToHTML(out.text, status+" — "+oneLine(firstParagraph(o)))
		return out, nil
	}
	// Text, which is Render here (no override, no limit), refuses a text
	// that shows nothing (templates.ErrBlank), as every channel's.
	if out.text, err = c.tmpl.Text(c.cfg.Name, "text", u, 0, nil); err != nil {
		return content{}, fmt.Errorf("render text: %w", err)
	}
	if out.html, err = c.tmpl.Render("html", u); err != nil {
		return content{}, fmt.Errorf("render html: %w", err)
	}
	return out, nil
}

// prepare renders m's update and works out its threading headers from
// m.Thread, this channel's receipts of the incident's first and latest
// messages.
func (c *Channel) prepare(m broadcast.Message) (*prepared, error) {
	ct, err := c.render(m.Update)
	if err != nil {
		return nil, err
	}
	p := &prepared{content: ct, update: m.Update, messageID: c.messageID(m)}
	root, last := m.Thread.Root, m.Thread.Last
	if !isMessageID(last.ID) {
		last = root // a Thread from a caller that set Root alone
	}
	if !isMessageID(last.ID) {
		return p, nil
	}
	if s := threadSubject(root, last); s != "" {
		p.subject = s
	}
	if last.ID == p.messageID || strings.Contains(last.Meta["references"], p.messageID) {
		// The update sent again, its receipt the thread's latest, or in
		// the chain of a later post that replied to it: it replies to
		// what it replied to the first time, not to itself nor to a
		// reply to it.
		if last = before(root, last, p.messageID); !isMessageID(last.ID) {
			return p, nil
		}
	}
	p.inReplyTo = last.ID
	p.references = chain(root, last)
	return p, nil
}

// before returns the receipt of the message that own replied to, as chain
// needs it, from r, the thread's latest: own's receipt, or that of a later
// message whose chain holds own. It is the last ID before own in r's chain
// (Meta["references"]), with the chain before it; or root, when that
// chain has none; or a zero Receipt when own is the thread's first
// message.
func before(root, r broadcast.Receipt, own string) broadcast.Receipt {
	earlier := strings.Fields(r.Meta["references"])
	if i := slices.Index(earlier, own); i >= 0 {
		earlier = earlier[:i]
	}
	earlier = slices.DeleteFunc(earlier, func(id string) bool {
		return id == own || id == r.ID || !isMessageID(id)
	})
	if n := len(earlier); n > 0 {
		return broadcast.Receipt{ID: earlier[n-1], Meta: map[string]string{"references": strings.Join(earlier[:n-1], " ")}}
	}
	if root.ID != own {
		return root
	}
	return broadcast.Receipt{}
}

// threadSubject is the subject the incident's messages carry: that of the
// first (root's Meta["subject"]), else the one last carried on, cleaned like
// a rendered one since it comes from a Store. Gmail threads only messages
// with the same subject, and nothing else is sure to stay the same across
// updates: the status changes, and the title may be edited. "" when neither
// receipt has one that shows something (receipts of an older version).
func threadSubject(root, last broadcast.Receipt) string {
	for _, r := range []broadcast.Receipt{root, last} {
		if !isMessageID(r.ID) {
			continue // not a receipt of this channel
		}
		if s := subjectLine(strings.ToValidUTF8(r.Meta["subject"], "")); !broadcast.Blank(s) {
			return s
		}
	}
	return ""
}

// messageID is the update's Message-ID, the same for every recipient, on
// every attempt and after a restart: "<" key "." incident "@" domain of
// From ">", where key is m.Key(""), stable for the update and the channel.
func (c *Channel) messageID(m broadcast.Message) string {
	return "<" + m.Key("") + "." + broadcast.Slug(m.Update.IncidentID) + "@" + c.domain + ">"
}

// chain returns the chain of a reply to last: the incident's Message-IDs
// from root to last. It is last's own chain (Meta["references"]) ending in
// last.ID, with root.ID first when the chain lacks it, capped to
// maxChain by dropping the oldest but the first. The References header
// holds fewer (capReferences); the receipt keeps it all, so that an update
// sent again after later ones finds what it replied to (see before) even
// where their References no longer name it.
func chain(root, last broadcast.Receipt) []string {
	earlier := strings.Fields(last.Meta["references"])
	var refs []string
	if isMessageID(root.ID) && root.ID != last.ID && !slices.Contains(earlier, root.ID) {
		refs = append(refs, root.ID)
	}
	for _, id := range earlier {
		if isMessageID(id) && id != last.ID {
			refs = append(refs, id)
		}
	}
	return capChain(append(refs, last.ID), maxChain)
}

// maxChain caps the Message-IDs a receipt's Meta["references"] keeps, the
// first and the latest: an incident of more updates than that on the
// channel has a receipt of bounded size, and an update sent again after
// maxChain later ones may reply to another than the first time.
const maxChain = 200

// capReferences returns the References header of a message whose chain is
// refs: at most MaxReferences IDs, the first (the incident's first
// message) and the latest ones, ending with what it replies to, as
// RFC 5322 (3.6.4) builds References and mail readers thread by them.
func capReferences(refs []string) []string { return capChain(refs, MaxReferences) }

// capChain returns refs with at most n IDs: the first and the last n-1.
func capChain(refs []string, n int) []string {
	if len(refs) <= n {
		return refs
	}
	return append(refs[:1:1], refs[len(refs)-n+1:]...)
}

// isMessageID reports whether s looks like "<left@right>" with nothing a
// header could be broken with.
func isMessageID(s string) bool {
	if len(s) < 5 || len(s) > 500 || s[0] != '<' || s[len(s)-1] != '>' {
		return false
	}
	left, right, ok := strings.Cut(s[1:len(s)-1], "@")
	return ok && left != "" && right != "" && !strings.ContainsAny(s[1:len(s)-1], "<> \t\r\n\\\"") &&
		!hasControl(s) && isASCII(s)
}

// isAtomText reports whether s holds only ASCII letters, digits, '-' and
// '_', and with dots also dot-separated labels of those.
func isAtomText(s string, dots bool) bool {
	for _, label := range strings.Split(s, ".") {
		if label == "" || (!dots && label != s) {
			return false
		}
		for _, r := range label {
			if r > unicode.MaxASCII || !(r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)) {
				return false
			}
		}
	}
	return true
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] > unicode.MaxASCII {
			return false
		}
	}
	return true
}

// oneLine collapses every run of white space and control characters to one
// space, so a subject is one line whatever the title holds.
func oneLine(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r)
	}), " ")
}

// subjectLine returns s, a rendered or stored subject, as one line
// without terminal escape sequences, IRC colour codes and control
// characters, each removed whole as broadcast.Update.Clean removes them
// from a Title: a template that writes "\x1b[1mDown\x1b[0m" gives
// "Down", not "[1mDown [0m".
func subjectLine(s string) string {
	return oneLine(broadcast.Update{Title: s}.Clean().Title)
}

// firstParagraph returns s up to its first blank line.
func firstParagraph(s string) string {
	s = strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
	first, _, _ := strings.Cut(s, "\n\n")
	return first
}

// hiddenStyle hides a preheader in every mail client that honours one of
// its rules; the default html template uses the same.
const hiddenStyle = "display:none;font-size:1px;line-height:1px;max-height:0;max-width:0;" +
	"opacity:0;overflow:hidden;mso-hide:all;color:#ffffff;"

// textToHTML shows plain text as HTML, escaped, keeping its line breaks,
// after a hidden preheader: the preview line mail clients show after the
// subject.
func textToHTML(s, preheader string) string {
	return "<!DOCTYPE html>\n<html><body>\n<div style=\"" + hiddenStyle + "\">" + html.EscapeString(preheader) +
		"</div>\n<pre style=\"white-space: pre-wrap; font-family: inherit\">" + html.EscapeString(s) +
		"</pre>\n</body></html>\n"
}

// compose renders the part of the message that is the same for every
// recipient, once per Send: every header but To and List-Unsubscribe, and
// the multipart body, as the data of a DATA command (CRLF line endings,
// dots stuffed, the final dot). A recipient's message is their header
// (recipientHeader) followed by these bytes.
//
// The message is kept lean: what mail clients need (From, To, Subject,
// Date, Message-ID, the threading headers, List-Unsubscribe, text and HTML
// parts) and Auto-Submitted (RFC 3834) with X-Auto-Response-Suppress (its
// counterpart in Exchange and Outlook), which keep out-of-office replies
// from answering every subscriber's copy; no User-Agent, and a boundary of
// 26 characters rather than go-mail's 60 (it is written four times). Both
// parts are quoted-printable: 7-bit clean whatever the text and the
// server, with lines under the 78 characters of RFC 5322, and no line
// that starts with "From " (see encodeFromLines).
func (c *Channel) compose(p *prepared) ([]byte, error) {
	m := gomail.NewMsg(gomail.WithNoDefaultUserAgent(), gomail.WithBoundary(rand.Text()))
	// From is written here, as To is (recipientHeader): go-mail cannot
	// fold a display name with a word too long for a line.
	m.Subject(headerText(p.subject))
	m.SetMessageIDWithValue(p.messageID[1 : len(p.messageID)-1])
	m.SetDateWithValue(p.update.Time)
	if p.inReplyTo != "" {
		m.SetGenHeader(gomail.HeaderInReplyTo, p.inReplyTo)
		m.SetGenHeader(gomail.HeaderReferences, strings.Join(capReferences(p.references), " "))
	}
	// RFC 3834: tells auto-responders (out of office) not to answer;
	// Exchange and Outlook go by X-Auto-Response-Suppress instead.
	m.SetGenHeader("Auto-Submitted", "auto-generated")
	m.SetGenHeader("X-Auto-Response-Suppress", "All")
	m.SetBodyString(gomail.TypeTextPlain, lfLines(p.text))
	m.AddAlternativeString(gomail.TypeTextHTML, lfLines(p.html))
	var buf bytes.Buffer
	buf.Grow(len(p.text) + 2*len(p.html) + 1<<10)
	w := textproto.NewWriter(bufio.NewWriter(&buf))
	dw := w.DotWriter()
	if _, err := io.WriteString(dw, foldHeader("From", addressField(c.from))); err != nil {
		return nil, fmt.Errorf("build message: %w", err)
	}
	if _, err := m.WriteTo(dw); err != nil {
		return nil, fmt.Errorf("build message: %w", err)
	}
	if err := dw.Close(); err != nil {
		return nil, fmt.Errorf("build message: %w", err)
	}
	if err := w.W.Flush(); err != nil {
		return nil, fmt.Errorf("build message: %w", err)
	}
	return encodeFromLines(buf.Bytes()), nil
}

// qpLine is the longest line quoted-printable allows (RFC 2045, 6.7).
const qpLine = 76

// encodeFromLines returns data, the message as compose writes it, with the
// "F" of every line that starts with "From " encoded, "=46rom ", as RFC
// 2049 (section 4) advises: a mail store in mbox format, as Postfix's
// local delivery writes it, prefixes such a line with ">", and the
// recipient reads ">From 09:00 UTC, …". Only a body line can start so: a
// header line starts with a field name and a colon ("From:"), or white
// space. A line that the two characters more would take over the 76 of
// quoted-printable gets a soft line break after "=46rom".
func encodeFromLines(data []byte) []byte {
	const from, crlf = "\r\nFrom ", "\r\n"
	if !bytes.Contains(data, []byte(from)) {
		return data
	}
	out := make([]byte, 0, len(data)+64)
	for {
		i := bytes.Index(data, []byte(from))
		if i < 0 {
			return append(out, data...)
		}
		out = append(out, data[:i+len(crlf)]...)
		line := data[i+len(crlf):]
		if end := bytes.Index(line, []byte(crlf)); end >= 0 {
			line = line[:end]
		}
		if len(line)+2 <= qpLine {
			out = append(out, "=46rom "...)
		} else {
			out = append(out, "=46rom=\r\n "...)
		}
		data = data[i+len(from):]
	}
}

// lfLines returns s with every line break as LF: CR LF, and a lone CR (old
// Mac text, in an update sent without a Broadcaster's Clean, or from a
// template), become LF, as Update.Clean makes them. The quoted-printable
// encoder (mime/quotedprintable) takes the LF after a CR followed only by
// characters it encodes ("\r=\n", a line of emoji) for the end of a CR LF
// and drops it, joining two lines.
func lfLines(s string) string {
	if !strings.Contains(s, "\r") {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

// headerText returns s for an unstructured header field such as Subject.
// go-mail encodes a value that is not all ASCII as encoded words, and
// leaves ASCII as it is, folded at its spaces; but ASCII holding "=?" may
// read as an encoded word, which mail readers would decode and show
// instead of s (RFC 2047 sections 5 and 7; many readers decode one inside
// a word too), and a word too long for a line (RFC 5322, 2.1.1: 78
// characters) cannot be folded. Such a value is returned as "B" encoded
// words, separated by spaces that readers drop between them and go-mail
// folds at; each of 45 bytes, 72 characters, within the 75 allowed, so a
// folded line stays within 76.
func headerText(s string) string {
	if strings.ContainsFunc(s, func(r rune) bool { return r >= utf8.RuneSelf }) ||
		!strings.Contains(s, "=?") && !slices.ContainsFunc(strings.Fields(s), func(w string) bool { return len(w) >= maxLine }) {
		return s
	}
	return encodedWords(s)
}

// encodedWords returns s as "B" encoded words (RFC 2047) separated by
// spaces, which readers drop between them and at which a header folds:
// each of at most 45 bytes of s, 72 characters, within the 75 allowed,
// so that a folded line stays within 76. No character is split between
// two words.
func encodedWords(s string) string {
	const chunk = 45
	words := make([]string, 0, len(s)/chunk+1)
	for s != "" {
		n := min(chunk, len(s))
		for n < len(s) && n > 0 && !utf8.RuneStart(s[n]) {
			n--
		}
		if n == 0 {
			n = min(chunk, len(s)) // not UTF-8: cut anyway
		}
		words = append(words, "=?UTF-8?b?"+base64.StdEncoding.EncodeToString([]byte(s[:n]))+"?=")
		s = s[n:]
	}
	return strings.Join(words, " ")
}

// addressField returns a as the value of an address header field (From,
// To): as mail.Address.String writes it, which quotes a display name in
// ASCII and encodes one outside it, unless a word of the name is then too
// long for a header line (RFC 5322, 2.1.1: 78 characters, and 998 at
// most), which cannot be folded: the name is then written as encoded
// words (see encodedWords), which fold at the spaces between them.
func addressField(a *mail.Address) string {
	s := a.String()
	name, ok := strings.CutSuffix(s, " "+envelope(a))
	if !ok || !slices.ContainsFunc(strings.Split(name, " "), func(w string) bool { return len(w) >= maxLine }) {
		return s
	}
	return encodedWords(a.Name) + " " + envelope(a)
}

// recipientHeader returns the header fields of the message to recipient
// i: To, and List-Unsubscribe when configured. The address was parsed by
// New; addressField encodes or quotes its name, so the field cannot hold
// a line break. The unsubscribe URL is checked by unsubscribeURL.
// Without a ListUnsubscribeFunc, whose URLs may change (a signed token,
// say), the fields are the same on every Send: they are made once, on the
// first Send that needs them. With one, each batch makes them (see
// batch.makeHeads).
func (c *Channel) recipientHeader(i int) ([]byte, error) {
	h := c.heads()[i]
	return h.fields, h.err
}

// recipientFields is the header of a recipient's message, or why it
// cannot be made.
type recipientFields struct {
	fields []byte
	err    error
}

// makeHeads makes the header fields of every recipient; see
// recipientHeader.
func (c *Channel) makeHeads() []recipientFields {
	out := make([]recipientFields, len(c.to))
	for i := range c.to {
		out[i].fields, out[i].err = c.makeRecipientHeader(i)
	}
	return out
}

// makeRecipientHeader makes the header fields of recipient i; the
// unsubscribe URL gets the address as configured.
func (c *Channel) makeRecipientHeader(i int) ([]byte, error) {
	link, err := unsubscribeURL(c.unsub, c.cfg.ListUnsubscribeFunc, c.targets[i], c.cfg.ListUnsubscribeOneClick)
	if err != nil {
		return nil, err
	}
	h := foldHeader("To", addressField(c.to[i]))
	if link != "" {
		h += foldHeader("List-Unsubscribe", "<"+link+">")
		if c.cfg.ListUnsubscribeOneClick {
			h += "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
		}
	}
	return []byte(h), nil
}

// maxLine is the length a header line is folded at (RFC 5322, 2.1.1:
// SHOULD).
const maxLine = 78

// maxEncodedLine is the longest a header line that holds an encoded word
// may be (RFC 2047, section 2).
const maxEncodedLine = 76

// maxUnsubscribeURL is the longest List-Unsubscribe URL a header line
// holds whole, as " <URL>" in the 998 characters RFC 5322 (2.1.1) allows
// (MUST). RFC 2369 (2) has readers ignore white space inside the angle
// brackets, so a longer URL could be folded; but checkers, as Mailpit's,
// report a URL with white space as broken, and a one-click unsubscribe
// (RFC 8058) posts to the URL as the receiver reads it.
const maxUnsubscribeURL = 998 - len(" <>")

// foldHeader returns "name: value" and CRLF, folded before a space (also
// the one after the colon) so that no line is longer than maxLine unless a
// single word is; maxEncodedLine when value holds an encoded word (an
// encoded display name), whose words are shorter (see encodedWords).
func foldHeader(name, value string) string {
	limit := maxLine
	if strings.Contains(value, "=?") {
		limit = maxEncodedLine
	}
	var sb strings.Builder
	sb.WriteString(name + ":")
	line := sb.Len()
	for _, word := range strings.Split(value, " ") {
		if line > 0 && line+1+len(word) > limit {
			sb.WriteString("\r\n")
			line = 0
		}
		sb.WriteString(" " + word)
		line += 1 + len(word)
	}
	sb.WriteString("\r\n")
	return sb.String()
}

// unsubscribeURL returns the List-Unsubscribe URL for recipient from the
// template t or the function fn; "" when there is none.
func unsubscribeURL(t *template.Template, fn func(string) string, recipient string, oneClick bool) (string, error) {
	var s string
	switch {
	case fn != nil:
		var err error
		if s, err = callUnsubscribe(fn, recipient); err != nil {
			return "", err
		}
	case t != nil:
		var err error
		if s, err = executeString(t, struct{ Recipient string }{url.QueryEscape(recipient)}); err != nil {
			return "", fmt.Errorf("render unsubscribe URL: %w", err)
		}
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	// Errors show the URL by its scheme and host only: its path and query
	// may hold a token that lets anyone unsubscribe the recipient.
	if hasControlOrSpace(s) || strings.ContainsAny(s, "<>,\"") || !isASCII(s) {
		return "", fmt.Errorf("unsubscribe URL %s: characters not allowed in a header", redact.ShowURL(s))
	}
	if len(s) > maxUnsubscribeURL {
		return "", fmt.Errorf("unsubscribe URL %s: %d characters, over the %d a header line holds (RFC 5322, 2.1.1)",
			redact.ShowURL(s), len(s), maxUnsubscribeURL)
	}
	p, err := url.Parse(s)
	switch {
	case err != nil:
		return "", fmt.Errorf("unsubscribe URL %s: not a URL", redact.ShowURL(s))
	case oneClick && (p.Scheme != "https" || p.Host == ""):
		return "", fmt.Errorf("unsubscribe URL %s: one-click needs an https URL", redact.ShowURL(s))
	case p.Scheme == "mailto" && p.Opaque != "":
	case (p.Scheme == "https" || p.Scheme == "http") && p.Host != "":
	default:
		return "", fmt.Errorf("unsubscribe URL %s: must be an absolute https, http or mailto URL", redact.ShowURL(s))
	}
	return s, nil
}

// errNoReturn is the error of a recipient whose ListUnsubscribeFunc call
// ended its goroutine rather than return (runtime.Goexit, which testing's
// FailNow calls): that recipient is refused, as after a panic, rather than
// sent a message without its header fields.
var errNoReturn = errors.New("unsubscribe URL: Config.ListUnsubscribeFunc did not return (runtime.Goexit)")

// callUnsubscribe returns fn(recipient), or the error of a panic in fn
// (see package guard): that recipient is refused, and the others still
// get the update (see batch.makeHeads). The panic's value is named only
// if it is a runtime error: another may quote the URL, and its token.
func callUnsubscribe(fn func(string) string, recipient string) (s string, err error) {
	defer guard.Recover("unsubscribe URL: Config.ListUnsubscribeFunc", &err)
	return fn(recipient), nil
}
