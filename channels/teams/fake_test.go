package teams

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/outagecast/outagecast/channels/channeltest"
)

// The workflow's trigger: its ID, path and signature.
const (
	workflowID   = "4c8e1a7f2b9d4e6a8f0c3b5d7e9a1c2f"
	workflowSig  = "Kx9_3vQ-7mZpL2sW8cN4bR1tY6uJ0hG5fD3aE9kMnOp"
	triggerPath  = "/workflows/" + workflowID + "/triggers/manual/paths/invoke"
	triggerQuery = "api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=" + workflowSig
)

// fakeWorkflow is an httptest server that speaks like a Power Automate
// workflow's HTTP trigger: it takes a signed POST of a message with one
// Adaptive Card, answers 202 Accepted, and refuses with Azure's error
// JSON, {"error":{"code":…,"message":…}}. It checks every request against
// the shape the Workflows app's "Post to a channel when a webhook request
// is received" template takes (t.Errorf on a mistake) and keeps the cards.
type fakeWorkflow struct {
	t   *testing.T
	srv *httptest.Server

	mu     sync.Mutex
	fail   channeltest.Failure
	echoes bool // FailEchoDelivered: answers pass through channeltest.EchoAnswer
	answer *fakeAnswer
	cards  []fakeCard
	bodies [][]byte
}

// fakeAnswer is an HTTP answer of the trigger.
type fakeAnswer struct {
	status int
	code   string // Azure's error code; "" for no body
	header map[string]string
	body   string // the body, when code is ""
}

// fakeCard is a posted card as Teams shows it.
type fakeCard struct {
	style   string
	lines   []string // the heading first
	actions []string // the URLs of the buttons
}

func newFakeWorkflow(t *testing.T) *fakeWorkflow {
	f := &fakeWorkflow{t: t}
	f.srv = httptest.NewServer(f)
	t.Cleanup(f.srv.Close)
	return f
}

// url is the trigger's URL.
func (f *fakeWorkflow) url() string { return f.srv.URL + triggerPath + "?" + triggerQuery }

func (f *fakeWorkflow) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	echoes := f.echoes
	f.mu.Unlock()
	if echoes {
		channeltest.EchoAnswer(http.HandlerFunc(f.serve), "x-ms-workflow-run-id").ServeHTTP(w, r)
		return
	}
	f.serve(w, r)
}

// serve answers r as the trigger does, or fails it as told.
func (f *fakeWorkflow) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	fail, set := f.fail, f.answer
	f.mu.Unlock()
	switch {
	case r.URL.Path != triggerPath:
		f.reply(w, fakeAnswer{status: http.StatusNotFound, code: "WorkflowNotFound"})
		return
	case fail == channeltest.FailEcho:
		f.echo(w, r)
		return
	case fail == channeltest.FailForeign:
		r.Body = io.NopCloser(bytes.NewReader(body))
		channeltest.ForeignPage(w, r, http.StatusOK)
		return
	case fail != channeltest.FailNone:
		f.reply(w, failures[fail])
		return
	case set != nil:
		f.reply(w, *set)
		return
	case r.URL.Query().Get("sig") != workflowSig:
		f.reply(w, fakeAnswer{status: http.StatusUnauthorized, code: "DirectApiInvalidAuthorizationSignature"})
		return
	}
	if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
		f.t.Errorf("%s with Content-Type %q: the trigger wants a POST of application/json", r.Method, r.Header.Get("Content-Type"))
	}
	if n := teamsSize(body); n > MaxPayloadBytes {
		// The trigger takes a body far larger than Teams does (Logic Apps
		// limits a request to 100 MB) and answers 202 Accepted; the card
		// then fails to post, in the workflow's run history only. It never
		// answers 413 for it.
		f.t.Errorf("a body of %d bytes as Teams counts them (%d as sent), more than Teams takes (%d)",
			n, len(body), MaxPayloadBytes)
		w.WriteHeader(http.StatusAccepted)
		return
	}
	c, ok := f.card(body)
	if !ok {
		f.reply(w, fakeAnswer{status: http.StatusBadRequest, code: "InvalidRequestContent"})
		return
	}
	f.mu.Lock()
	f.cards, f.bodies = append(f.cards, c), append(f.bodies, body)
	n := len(f.cards)
	f.mu.Unlock()
	w.Header().Set("x-ms-workflow-run-id", fmt.Sprintf("0858%04d", n))
	w.WriteHeader(http.StatusAccepted)
}

// failures are the answers of each injected failure.
var failures = map[channeltest.Failure]fakeAnswer{
	channeltest.FailTransient:    {status: http.StatusBadGateway, code: "BadGateway"},
	channeltest.FailRateLimited:  {status: http.StatusTooManyRequests, code: "WorkflowTriggerIsThrottled", header: map[string]string{"Retry-After": "11"}},
	channeltest.FailUnauthorized: {status: http.StatusUnauthorized, code: "DirectApiInvalidAuthorizationSignature"},
	channeltest.FailRejected:     {status: http.StatusBadRequest, code: "InvalidRequestContent"},
}

func (f *fakeWorkflow) reply(w http.ResponseWriter, a fakeAnswer) {
	for k, v := range a.header {
		w.Header().Set(k, v)
	}
	if a.code == "" {
		w.WriteHeader(a.status)
		_, _ = w.Write([]byte(a.body))
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(a.status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"code": a.code,
		"message": "The request failed: " + a.code + "."}})
}

// echo is a verbose gateway's refusal: the URL it was called at, whole and
// in the forms servers re-encode it.
func (f *fakeWorkflow) echo(w http.ResponseWriter, r *http.Request) {
	u := r.URL.RequestURI()
	msg := fmt.Sprintf("Bad request to %s (path %s, query %s, sig %s, escaped %s)", u, r.URL.Path, r.URL.RawQuery,
		r.URL.Query().Get("sig"), url.QueryEscape(u))
	js, _ := json.Marshal(map[string]any{"error": map[string]string{"code": "InvalidRequestContent", "message": msg}})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusBadRequest)
	_, _ = w.Write(js)
	_, _ = io.WriteString(w, " "+strings.ReplaceAll(string(js), "/", `\/`))
}

// The card as the Workflows template takes it; unknown fields are
// mistakes.
type (
	wireMessage struct {
		Type        string `json:"type"`
		Attachments []struct {
			ContentType string          `json:"contentType"`
			ContentURL  *string         `json:"contentUrl"`
			Content     json.RawMessage `json:"content"`
		} `json:"attachments"`
	}
	wireCard struct {
		Schema       string        `json:"$schema"`
		Type         string        `json:"type"`
		Version      string        `json:"version"`
		FallbackText string        `json:"fallbackText"`
		Body         []wireElement `json:"body"`
		Actions      []struct {
			Type, Title, URL string
		} `json:"actions"`
		MSTeams struct {
			Width string `json:"width"`
		} `json:"msteams"`
	}
	wireElement struct {
		Type    string        `json:"type"`
		Style   string        `json:"style"`
		Bleed   bool          `json:"bleed"`
		Spacing string        `json:"spacing"`
		Items   []wireElement `json:"items"`
		Inlines []struct {
			Type, Text, Weight, Size string
		} `json:"inlines"`
	}
)

// strict decodes JSON, refusing unknown fields.
func strict(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// card reads and checks a posted message.
func (f *fakeWorkflow) card(body []byte) (fakeCard, bool) {
	var m wireMessage
	var c wireCard
	switch {
	case strict(body, &m) != nil:
		f.t.Errorf("the message does not decode as the template's: %s", body)
	case m.Type != "message" || len(m.Attachments) != 1 || m.Attachments[0].ContentType != ContentType ||
		m.Attachments[0].ContentURL != nil:
		f.t.Errorf("want one Adaptive Card attachment with a null contentUrl: %s", body)
	case strict(m.Attachments[0].Content, &c) != nil:
		f.t.Errorf("the card does not decode: %s", m.Attachments[0].Content)
	case c.Type != "AdaptiveCard" || c.Version != CardVersion || c.Schema != cardSchema || c.MSTeams.Width != "Full":
		f.t.Errorf("the card's type, version, $schema or width: %s", m.Attachments[0].Content)
	default:
		return f.read(c)
	}
	return fakeCard{}, false
}

// read checks the card's elements and returns what Teams shows.
func (f *fakeWorkflow) read(c wireCard) (fakeCard, bool) {
	var out fakeCard
	for i, e := range c.Body {
		if i == 0 {
			if e.Type != "Container" || len(e.Items) != 1 {
				f.t.Errorf("the heading is not a container of one block: %+v", e)
				return fakeCard{}, false
			}
			out.style, e = e.Style, e.Items[0]
		}
		if e.Type != "RichTextBlock" || len(e.Inlines) != 1 || e.Inlines[0].Type != "TextRun" || e.Inlines[0].Text == "" {
			f.t.Errorf("element %d is not a block of one non-empty text run: %+v", i, e)
			return fakeCard{}, false
		}
		out.lines = append(out.lines, shows(e.Inlines[0].Text))
	}
	for _, a := range c.Actions {
		if a.Type != "Action.OpenUrl" || !strings.HasPrefix(a.URL, "https://") {
			f.t.Errorf("an action that is not an https Action.OpenUrl: %+v", a)
		}
		out.actions = append(out.actions, a.URL)
	}
	return out, len(out.lines) > 0
}

// dateFunction is the Adaptive Cards date and time function, which the
// renderers replace with the date or time in the reader's locale, in a
// TextBlock and in a TextRun alike (TextFormatters.formatText of the
// adaptivecards renderer; "Date/Time formatting and localization",
// https://learn.microsoft.com/adaptive-cards/authoring-cards/text-features).
var dateFunction = regexp.MustCompile(`\{\{(DATE|TIME)\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:Z|[+-]\d{2}:?\d{2}))(?:, ?(COMPACT|LONG|SHORT))?\)\}\}`)

// shows is text as Teams shows it: its date and time functions replaced
// by the date or time they name (here in UTC, as RFC 1123 writes it).
func shows(text string) string {
	return dateFunction.ReplaceAllStringFunc(text, func(f string) string {
		m := dateFunction.FindStringSubmatch(f)
		t, err := time.Parse(time.RFC3339, m[2])
		if err != nil {
			return f // not a valid date: shown as written
		}
		if m[1] == "TIME" {
			return t.UTC().Format("15:04")
		}
		return t.UTC().Format("Mon, Jan 2, 2006")
	})
}

// Received shows each card's text as Teams shows it.
func (f *fakeWorkflow) Received() []channeltest.Delivery {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []channeltest.Delivery
	for _, c := range f.cards {
		text := strings.Join(c.lines, "\n")
		out = append(out, channeltest.Delivery{Text: text, Parts: []string{text}})
	}
	return out
}

func (f *fakeWorkflow) Fail(fail channeltest.Failure) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.echoes = fail == channeltest.FailEchoDelivered
	if f.echoes { // the trigger's answer, echoed
		fail = channeltest.FailNone
	}
	f.fail = fail
}

// answerWith makes the trigger give a, or take cards again for nil.
func (f *fakeWorkflow) answerWith(a *fakeAnswer) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.answer = a
}

// posted returns the cards and bodies the trigger took.
func (f *fakeWorkflow) posted() ([]fakeCard, [][]byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]fakeCard(nil), f.cards...), append([][]byte(nil), f.bodies...)
}
