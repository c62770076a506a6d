package telegram

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/channels/internal/httpx"
	"github.com/outagecast/outagecast/redact"
)

// tokenForms are the token as a server may echo it: as is, its secret part
// alone, percent-escaped, in base64 and hex, and with its punctuation as
// JSON \u escapes (which a JSON answer's description decodes).
var tokenForms = map[string]string{
	"plain":  testToken,
	"secret": testToken[strings.IndexByte(testToken, ':')+1:],
	"query":  url.QueryEscape(testToken),
	"base64": base64.StdEncoding.EncodeToString([]byte(testToken)),
	"hex":    hex.EncodeToString([]byte(testToken)),
	"json":   strings.NewReplacer(":", `\u003a`, "-", `\u002d`, "_", `\u005f`).Replace(testToken),
}

// Every text of an answer that an error of Send, Edit, Retract or Check
// quotes passes through httpx.RedactedSnippet or, for a body,
// httpx.BodySnippet, the ways every channel quotes a server: redacted
// whole, then cut. The answers here quote the
// token in each form a server may echo it in, in each shape the Bot API or
// another server in its place answers with (httpx redacts the body of a
// non-2xx, not of a 2xx, so each is tried), with the quote whole before
// the snippet's cut and across it. The test fails if any of them shows
// the token, or the start of one of its forms, anywhere: the error's text
// under every verb, or a chat's failure in the Ledger. It also gives each
// answer to apiError as it is, unredacted, so that a quote that relies on
// httpx's redaction of a non-2xx body fails too.
func TestQuotedAnswerRedacted(t *testing.T) {
	shapes := []struct {
		name, contentType string
		status            int
		lead              string // the snippet's text before the padding
		body              func(text string) string
	}{
		{"200 page", "text/html", 200, "", func(s string) string { return s }},
		{"200 JSON not the Bot API's", "application/json", 200, `{"ok":true,"note":"`,
			func(s string) string { return `{"ok":true,"note":"` + s + `"}` }},
		{"200 JSON error", "application/json", 200, "", botError(400)},
		{"400 JSON error", "application/json", 400, "", botError(400)},
		{"429 JSON error", "application/json", 429, "", botError(429)},
		{"403 JSON error", "application/json", 403, "", botError(403)},
		{"404 page", "text/html", 404, "", func(s string) string { return s }},
		{"502 page", "text/html", 502, "", func(s string) string { return s }},
	}
	type canned struct {
		contentType string
		status      int
		body        string
	}
	var answer atomic.Pointer[canned]
	ch, _ := botAPI(t, func(w http.ResponseWriter, _ *http.Request) {
		a := answer.Load()
		w.Header().Set("Content-Type", a.contentType)
		w.WriteHeader(a.status)
		_, _ = w.Write([]byte(a.body))
	})
	prev := broadcast.Receipt{ID: "7", Meta: map[string]string{metaMessage("@examplestatus"): "7", metaChat("@examplestatus"): "-1001"}}
	// visible is the snippet's text: httpx.SnippetLimit bytes, less the "…"
	// of a cut.
	const visible = httpx.SnippetLimit - len("…")
	for _, sh := range shapes {
		for name, form := range tokenForms {
			// The same answers, as apiError gets them from a client that
			// redacted nothing: the quote is redacted there too, whether
			// or not httpx redacted the body.
			for _, k := range []int{12, len(form) + 10} {
				text := strings.Repeat("x", max(visible-len(sh.lead)-1-k, 0)) + " " + form + " refused"
				r := &httpx.Response{Status: sh.status, Header: http.Header{"Content-Type": {sh.contentType}}, Body: []byte(sh.body(text))}
				err := classify("sendMessage", r, apiError(ch.s.redactor, r))
				require.Error(t, err)
				assertNoToken(t, err.Error(), form, fmt.Sprintf("apiError: %s, %s form, %d bytes of it before the cut", sh.name, name, k))
			}
			// k bytes of the form before the cut: none of it shows
			// unless redacted first; then the whole form, before the cut.
			for _, k := range []int{12, len(form) - 1, len(form) + 10} {
				pad := max(visible-len(sh.lead)-1-k, 0)
				text := strings.Repeat("x", pad) + " " + form + " refused"
				answer.Store(&canned{sh.contentType, sh.status, sh.body(text)})
				m := broadcast.NewMessage(broadcast.Update{ID: "u", IncidentID: "i", Title: "CDN", Status: broadcast.StatusInvestigating})
				_, sendErr := ch.Send(context.Background(), m)
				_, editErr := ch.Edit(context.Background(), broadcast.NewMessage(m.Update), prev)
				_, failure := m.Ledger.Done("@examplestatus")
				where := fmt.Sprintf("%s, %s form, %d bytes of it before the cut", sh.name, name, k)
				for op, err := range map[string]error{"send": sendErr, "edit": editErr,
					"retract": ch.Retract(context.Background(), prev), "check": ch.Check(context.Background())} {
					require.Errorf(t, err, "%s: %s", op, where)
					assertNoToken(t, fmt.Sprintf("%v\n%+v\n%#v\n%q", err, err, err, err), form, op+": "+where)
				}
				assertNoToken(t, failure, form, "ledger: "+where)
			}
		}
	}
}

// botError returns a Bot API error answer whose description is text.
func botError(code int) func(text string) string {
	return func(text string) string {
		return fmt.Sprintf(`{"ok":false,"error_code":%d,"description":"%s","parameters":{"retry_after":1}}`, code, text)
	}
}

// assertNoToken checks that s holds no form of the token (channeltest's
// check) and not the first 12 bytes of form, nor of the token as JSON
// decodes form: what a cut before the redaction would leave.
func assertNoToken(t *testing.T, s, form, where string) {
	t.Helper()
	if !channeltest.AssertNoSecret(t, s, testToken) {
		t.Logf("in %s", where)
	}
	for _, start := range []string{form[:12], testToken[:12]} {
		assert.NotContainsf(t, s, start, "%s: the start of the token's form shows", where)
	}
}

// A successful answer is used as it came: no Redactor reads it (redacting
// every answer would cost each delivery a copy of it; the webhook
// benchmark measured that), so that a result whose text a Redactor would
// change is still read whole. The test gives the channel a Redactor of
// the chat's username, which the answer names, in place of the token's:
// a redacted answer would lose the message's link.
func TestSuccessNotRedacted(t *testing.T) {
	f := newFakeBot(t)
	ch := newTestChannel(t, f, []string{"@examplestatus"})
	ch.s.redactor = redact.NewRedactor(redact.NewSecret("examplestatus"))
	r, err := ch.Send(context.Background(), broadcast.NewMessage(testUpdate()))
	require.NoError(t, err)
	assert.Equal(t, "https://t.me/examplestatus/1", r.URL)
	assert.Equal(t, "1", r.ID)
}
