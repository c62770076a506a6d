package slack

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/outagecast/outagecast/channels/channeltest"
)

// allowed are the fields each request may carry.
var allowed = map[string][]string{
	"chat.postMessage": {"channel", "text", "blocks", "thread_ts", "reply_broadcast", "parse", "link_names",
		"unfurl_links", "unfurl_media", "metadata"},
	"conversations.history": {"channel", "oldest", "latest", "inclusive", "limit", "cursor", "include_all_metadata"},
	"conversations.replies": {"channel", "ts", "oldest", "latest", "inclusive", "limit", "cursor", "include_all_metadata"},
	"chat.update":           {"channel", "ts", "text", "blocks", "attachments", "parse", "metadata"},
	"chat.delete":           {"channel", "ts"},
	"auth.test":             {},
	"webhook":               {"text", "blocks", "parse", "link_names", "unfurl_links", "unfurl_media"},
}

// checkFields reports fields the method does not take.
func (f *fakeSlack) checkFields(method string, body map[string]json.RawMessage) {
	for k := range body {
		if !slices.Contains(allowed[method], k) {
			f.t.Errorf("%s: unexpected field %q", method, k)
		}
	}
}

// fakeBlock is a Block Kit block as Slack documents it.
type fakeBlock struct {
	Type string `json:"type"`
	Text struct {
		Type     string `json:"type"`
		Text     string `json:"text"`
		Verbatim bool   `json:"verbatim"`
	} `json:"text"`
}

// content reads and checks a message's text and blocks, as Slack limits
// them.
func (f *fakeSlack) content(method string, body map[string]json.RawMessage) (*fakeMsg, string) {
	m := &fakeMsg{text: str(body["text"])}
	var blocks []fakeBlock
	if b := body["blocks"]; b != nil {
		if err := json.Unmarshal(b, &blocks); err != nil {
			return nil, "invalid_blocks_format"
		}
	}
	switch {
	case m.text == "" && len(blocks) == 0:
		return nil, "no_text"
	case utf16Len(m.text) > MaxText:
		return nil, "msg_too_long"
	case len(blocks) > MaxBlocks:
		return nil, "invalid_blocks"
	}
	f.checkControls(method+" text", m.text)
	for _, b := range blocks {
		n := utf16Len(b.Text.Text)
		if b.Type != "section" || b.Text.Type != "mrkdwn" || n < 1 || n > MaxSectionText {
			return nil, "invalid_blocks"
		}
		if !b.Text.Verbatim {
			f.t.Errorf("%s: a section's text is not verbatim: Slack would parse names in it", method)
		}
		f.checkControls(method+" section", b.Text.Text)
		m.sections = append(m.sections, b.Text.Text)
	}
	return m, ""
}

// controlRE finds Slack's control sequences, <…>.
var controlRE = regexp.MustCompile(`<[^>]*>`)

// checkControls reports mrkdwn that pings, mentions or labels a link: the
// only control sequence a message may hold is a plain link, <https://…>.
func (f *fakeSlack) checkControls(where, text string) {
	for _, c := range controlRE.FindAllString(text, -1) {
		if !regexp.MustCompile(`^<https?://[^|<>]+>$`).MatchString(c) {
			f.t.Errorf("%s holds the control sequence %q: a mention, a ping or a labelled link", where, c)
		}
	}
	if rest := controlRE.ReplaceAllString(text, ""); strings.ContainsAny(rest, "<>") {
		f.t.Errorf("%s holds an unescaped < or >: %q", where, text)
	}
	if amp := regexp.MustCompile(`&(amp|lt|gt);`).ReplaceAllString(text, ""); strings.Contains(amp, "&") {
		f.t.Errorf("%s holds an unescaped &: %q", where, text)
	}
}

// webhook answers the incoming webhook: "ok", or the answer set.
func (f *fakeSlack) webhook(w http.ResponseWriter, r *http.Request, body map[string]json.RawMessage) {
	f.checkFields("webhook", body)
	f.mu.Lock()
	fail, set := f.fail, f.hookErr
	f.mu.Unlock()
	switch fail {
	case channeltest.FailTransient:
		f.answer(w, fakeAnswer{status: http.StatusInternalServerError, body: "rollup_error"})
	case channeltest.FailRateLimited:
		f.answer(w, fakeAnswer{status: http.StatusTooManyRequests, body: "rate_limited", header: map[string]string{"Retry-After": "3"}})
	case channeltest.FailUnauthorized:
		f.answer(w, fakeAnswer{status: http.StatusForbidden, body: "invalid_token"})
	case channeltest.FailRejected:
		f.answer(w, fakeAnswer{status: http.StatusBadRequest, body: "invalid_payload"})
	case channeltest.FailEcho:
		p := r.URL.Path
		f.answer(w, fakeAnswer{status: http.StatusNotFound, body: "no_service: " + p + " " + url.PathEscape(p) + " " +
			strings.ReplaceAll(p, "/", `\/`) + " " + r.URL.String()})
	default:
		if set != nil {
			f.answer(w, *set)
			return
		}
		m, code := f.content("webhook", body)
		if code != "" {
			f.answer(w, fakeAnswer{status: http.StatusBadRequest, body: "invalid_payload"})
			return
		}
		f.mu.Lock()
		f.msgs = append(f.msgs, m)
		f.mu.Unlock()
		f.answer(w, fakeAnswer{status: http.StatusOK, body: "ok"})
	}
}

// Received shows each message as the conversation's readers see it.
func (f *fakeSlack) Received() []channeltest.Delivery {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []channeltest.Delivery
	for _, m := range f.msgs {
		var parts []string
		for _, s := range slices.Concat(m.sections, m.attachments) {
			parts = append(parts, shown(s))
		}
		if len(parts) == 0 {
			parts = []string{shown(m.text)}
		}
		out = append(out, channeltest.Delivery{Text: strings.Join(parts, "\n"), Parts: parts, ReplyTo: m.threadTS,
			ID: m.ts, Target: m.target, Deleted: m.deleted})
	}
	return out
}

// linkRE finds links, <url>.
var linkRE = regexp.MustCompile(`<(https?://[^|<>]+)>`)

// shown is mrkdwn as a reader sees it: links as their URL, escapes as
// the characters.
func shown(s string) string { return unescape(linkRE.ReplaceAllString(s, "$1")) }
