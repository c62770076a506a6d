package googlechat

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/redact"
)

// The test webhook, shaped like Google's: the key is an API key, the
// token is URL-safe base64 with "=" padding, escaped in the URL.
const (
	testSpace = "AAAAx7Hq3bM"
	testKey   = "AIzaSyDdI0hCZtE6vySjMm-WEfRq3CPzqKqqsHI"
	testToken = "5jSAF7_6d-zB9MXTUXqWU8GmpF1D_r3jbwgyOoC6Ez8="
)

// fakeOptions shape the fake's behaviour.
type fakeOptions struct {
	// repeats records a request whose requestId is known as a new
	// message. The conformance suite counts one Delivery per request and
	// checks its key; it does not model a platform that drops repeats,
	// which TestRetryAfterLostAnswer checks with the default.
	repeats bool
	// conflict answers a known messageId with 409 ALREADY_EXISTS, as
	// Google does for a known id without a known requestId.
	conflict bool
}

// fakeChat speaks spaces.messages.create for incoming webhooks as Google
// documents it, with Google's error shapes. It refuses what Google would
// and records what it accepted.
type fakeChat struct {
	t   *testing.T
	srv *httptest.Server
	opt fakeOptions

	mu       sync.Mutex
	failure  channeltest.Failure
	echo     bool // FailEchoDelivered: answers pass through channeltest.EchoAnswer
	canned   []canned
	messages []*fakeMessage
	threads  map[string]*fakeThread // by threadKey
	requests []request
}

type fakeMessage struct {
	name, id, requestID string
	thread              *fakeThread
	replyTo             string // the thread's first message, for a reply
	text                string
	cards               []cardV2
}

type fakeThread struct{ name, root string }

// request is a request the fake received, as sent.
type request struct {
	query  url.Values
	header http.Header
	body   map[string]any
	raw    []byte
}

// canned is an answer given instead of the normal one.
type canned struct {
	status int
	header map[string]string
	body   string
}

func newFake(t *testing.T, opt fakeOptions) *fakeChat {
	f := &fakeChat{t: t, opt: opt, threads: map[string]*fakeThread{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/spaces/{space}/messages", f.create)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		f.t.Errorf("fake Google Chat: unexpected %s %s", r.Method, r.URL.Path)
		googleError(w, 404, "NOT_FOUND", "Requested entity was not found.")
	})
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		echo := f.echo
		f.mu.Unlock()
		if echo {
			channeltest.EchoAnswer(mux).ServeHTTP(w, r)
			return
		}
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

// webhookURL is the fake's webhook URL, as Google gives it.
func (f *fakeChat) webhookURL() redact.URL {
	return redact.NewURL(f.srv.URL + "/v1/spaces/" + testSpace + "/messages?key=" + testKey + "&token=" + url.QueryEscape(testToken))
}

func (f *fakeChat) config() Config {
	return Config{Name: "ops-chat", WebhookURL: f.webhookURL(), HTTPClient: f.srv.Client()}
}

func (f *fakeChat) create(w http.ResponseWriter, r *http.Request) {
	var raw bytes.Buffer
	_, _ = raw.ReadFrom(r.Body)
	req := request{query: r.URL.Query(), header: r.Header.Clone(), raw: raw.Bytes()}
	_ = json.Unmarshal(req.raw, &req.body)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, req)
	switch {
	case len(f.canned) > 0:
		c := f.canned[0]
		f.canned = f.canned[1:]
		for k, v := range c.header {
			w.Header().Set(k, v)
		}
		writeJSON(w, c.status, c.body)
	case f.failure != channeltest.FailNone:
		f.fail(w, r, f.failure)
	case req.query.Get("key") != testKey:
		googleError(w, 400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.")
	case req.query.Get("token") != testToken:
		googleError(w, 401, "UNAUTHENTICATED", "Request had invalid authentication credentials. Expected OAuth 2 access "+
			"token, login cookie or other valid authentication credential.")
	case r.PathValue("space") != testSpace:
		googleError(w, 404, "NOT_FOUND", "Requested entity was not found.")
	default:
		f.accept(w, r, req)
	}
}

// body is the part of the Message resource the channel may send.
type body struct {
	Text         string   `json:"text"`
	CardsV2      []cardV2 `json:"cardsV2"`
	Thread       *thread  `json:"thread"`
	FallbackText string   `json:"fallbackText"`
	MarkupSyntax string   `json:"markupSyntax"`
}

// markupSyntaxes are the values of Message.markupSyntax (an enum).
var markupSyntaxes = []string{"", "MARKUP_SYNTAX_UNSPECIFIED", "MARKUP_SYNTAX_CHAT", "MARKUP_SYNTAX_MARKDOWN"}

var clientID = regexp.MustCompile(`^client-[a-z0-9-]+$`)

// accept checks the request as Google would, then creates the message.
func (f *fakeChat) accept(w http.ResponseWriter, r *http.Request, req request) {
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		googleError(w, 400, "INVALID_ARGUMENT", "Invalid Content-Type: "+ct)
		return
	}
	q := req.query
	id, requestID := q.Get("messageId"), q.Get("requestId")
	if id != "" && (!clientID.MatchString(id) || len(id) > 63) {
		googleError(w, 400, "INVALID_ARGUMENT", "Invalid message ID.")
		return
	}
	var b body
	dec := json.NewDecoder(bytes.NewReader(req.raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		googleError(w, 400, "INVALID_ARGUMENT", "Invalid JSON payload received. "+err.Error())
		return
	}
	switch {
	case !slices.Contains(markupSyntaxes, b.MarkupSyntax):
		googleError(w, 400, "INVALID_ARGUMENT", "Invalid value at 'message.markup_syntax'.")
		return
	case len(req.raw) > MaxMessageBytes:
		googleError(w, 400, "INVALID_ARGUMENT", "Message is too large.")
		return
	case UTF16(b.Text) > MaxText:
		googleError(w, 400, "INVALID_ARGUMENT", "Message text is too long.")
		return
	case strings.TrimSpace(b.Text) == "" && len(b.CardsV2) == 0:
		googleError(w, 400, "INVALID_ARGUMENT", "Message cannot be empty.")
		return
	}
	if m := f.known(requestID, id); m != nil {
		if f.opt.conflict {
			googleError(w, 409, "ALREADY_EXISTS", "Message with ID "+id+" already exists.")
			return
		}
		writeJSON(w, 200, messageJSON(m))
		return
	}
	// Without a reply option, Google starts a new thread whatever the key.
	writeJSON(w, 200, messageJSON(f.store(b, id, requestID, q.Get("messageReplyOption") == ReplyOption)))
}

// known returns the message an earlier request created under requestID or
// id, when the fake drops repeats.
func (f *fakeChat) known(requestID, id string) *fakeMessage {
	if f.opt.repeats {
		return nil
	}
	for _, m := range f.messages {
		if requestID != "" && m.requestID == requestID || id != "" && m.id == id {
			return m
		}
	}
	return nil
}

// store creates a message, in the thread of its key when there is one
// and the message is a reply.
func (f *fakeChat) store(b body, id, requestID string, reply bool) *fakeMessage {
	n := len(f.messages) + 1
	m := &fakeMessage{name: fmt.Sprintf("spaces/%s/messages/m%03d.m%03d", testSpace, n, n), id: id, requestID: requestID,
		text: b.Text, cards: b.CardsV2}
	key := ""
	if b.Thread != nil {
		key = b.Thread.ThreadKey
	}
	if th, ok := f.threads[key]; ok && key != "" && reply {
		m.thread, m.replyTo = th, th.root
	} else {
		m.thread = &fakeThread{name: fmt.Sprintf("spaces/%s/threads/t%03d", testSpace, n), root: m.name}
		if key != "" {
			f.threads[key] = m.thread
		}
	}
	f.messages = append(f.messages, m)
	return m
}

// fail answers as Google does for each class of failure.
func (f *fakeChat) fail(w http.ResponseWriter, r *http.Request, failure channeltest.Failure) {
	switch failure {
	case channeltest.FailTransient:
		googleError(w, 503, "UNAVAILABLE", "The service is currently unavailable.")
	case channeltest.FailRateLimited:
		w.Header().Set("Retry-After", "30")
		googleError(w, 429, "RESOURCE_EXHAUSTED", "Resource has been exhausted (e.g. check quota).")
	case channeltest.FailUnauthorized:
		googleError(w, 401, "UNAUTHENTICATED", "Request had invalid authentication credentials.")
	case channeltest.FailRejected:
		googleError(w, 400, "INVALID_ARGUMENT", "Invalid JSON payload received. Unknown name \"txt\".")
	case channeltest.FailForeign:
		channeltest.ForeignPage(w, r, http.StatusOK) // the body was read: it holds no credential
	case channeltest.FailEcho:
		// A debugging proxy's answer: the credentials as it got them.
		q := r.URL.Query()
		msg := fmt.Sprintf("Bad request %s key=%s token=%s escaped=%s b64=%s", r.URL.RequestURI(), q.Get("key"),
			q.Get("token"), url.QueryEscape(q.Get("token")), base64.StdEncoding.EncodeToString([]byte(q.Get("token"))))
		googleError(w, 400, "INVALID_ARGUMENT", msg)
	}
}

func messageJSON(m *fakeMessage) string {
	b, _ := json.Marshal(map[string]any{"name": m.name, "sender": map[string]any{"name": "users/114022495153014004089",
		"displayName": "Status", "type": "BOT"}, "text": m.text, "cardsV2": m.cards,
		"createTime": "2025-03-14T09:26:53.123455Z", "thread": map[string]any{"name": m.thread.name},
		"space":        map[string]any{"name": "spaces/" + testSpace, "type": "ROOM", "spaceType": "SPACE"},
		"argumentText": m.text, "formattedText": m.text})
	return string(b)
}

func googleError(w http.ResponseWriter, code int, status, message string) {
	b, _ := json.Marshal(map[string]any{"error": map[string]any{"code": code, "message": message, "status": status}})
	writeJSON(w, code, string(b))
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

// shown is text as readers see it: the zero-width spaces are invisible.
func shown(s string) string { return strings.ReplaceAll(s, "\u200b", "") }

// cardText is a card's text as readers see it.
func cardText(c cardV2) string {
	lines := []string{c.Card.Header.Title}
	for _, s := range c.Card.Sections {
		for _, w := range s.Widgets {
			if d := w.DecoratedText; d != nil {
				lines = append(lines, d.TopLabel+": "+html.UnescapeString(strings.ReplaceAll(d.Text, "<br>", "\n")))
			}
			if b := w.ButtonList; b != nil {
				for _, bt := range b.Buttons {
					lines = append(lines, bt.Text+" "+bt.OnClick.OpenLink.URL)
				}
			}
		}
	}
	return strings.Join(lines, "\n")
}

// Received returns the messages as readers see them.
func (f *fakeChat) Received() []channeltest.Delivery {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]channeltest.Delivery, len(f.messages))
	for i, m := range f.messages {
		parts := []string{m.text}
		for _, c := range m.cards {
			parts = append(parts, cardText(c))
		}
		seen := slices.Clone(parts)
		seen[0] = shown(m.text)
		out[i] = channeltest.Delivery{Text: strings.Join(seen, "\n"), Parts: parts, ReplyTo: m.replyTo, ID: m.name,
			Key: m.requestID}
	}
	return out
}

// Fail makes every request fail as failure says.
func (f *fakeChat) Fail(failure channeltest.Failure) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.echo = failure == channeltest.FailEchoDelivered
	if f.echo { // Google's answer, echoed by EchoAnswer
		failure = channeltest.FailNone
	}
	f.failure = failure
}

// answer makes the next request get c instead of its normal answer.
func (f *fakeChat) answer(c canned) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.canned = append(f.canned, c)
}

// sent returns the requests the fake received.
func (f *fakeChat) sent() []request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.requests)
}

// harness is the conformance harness: a channel on a fresh fake.
func harness() channeltest.Harness {
	return channeltest.Harness{
		New:       onFake(fakeOptions{repeats: true}, false),
		Reopen:    reopenOn,
		OwnClient: onFake(fakeOptions{repeats: true}, true),
		Untrusted: func(t *testing.T, serverURL string) broadcast.Channel {
			ch, err := New(Config{Name: "ops-chat", WebhookURL: redact.NewURL(serverURL + "/v1/spaces/" + testSpace +
				"/messages?key=" + testKey + "&token=" + url.QueryEscape(testToken))})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = ch.Close() })
			return ch
		},
		Secrets: []string{testKey, testToken},
		Config: Config{Name: "ops-chat", WebhookURL: redact.NewURL("https://chat.googleapis.com/v1/spaces/" + testSpace +
			"/messages?key=" + testKey + "&token=" + url.QueryEscape(testToken))},
		MaxLength: MaxText,
		Measure:   UTF16,
		ThreadsTo: channeltest.Root,
		Keyed:     true,
		Failures: []channeltest.Failure{channeltest.FailTransient, channeltest.FailRateLimited,
			channeltest.FailUnauthorized, channeltest.FailRejected, channeltest.FailEcho,
			channeltest.FailForeign, channeltest.FailEchoDelivered},
		ServerField:     "Config.WebhookURL",
		CredentialField: "Config.WebhookURL",
	}
}

// reopenOn is a Harness.Reopen: a new channel on be, the fake New made,
// with the fake's client.
func reopenOn(t *testing.T, be channeltest.Backend) broadcast.Channel {
	ch, err := New(be.(*fakeChat).config())
	if err != nil {
		t.Fatal(err)
	}
	return ch
}

// onFake returns a Harness.New: a channel on a fresh fake of opt, with the
// fake's client, or with its own when own is set.
func onFake(opt fakeOptions, own bool) func(t *testing.T) (broadcast.Channel, channeltest.Backend) {
	return func(t *testing.T) (broadcast.Channel, channeltest.Backend) {
		f := newFake(t, opt)
		cfg := f.config()
		if own {
			cfg.HTTPClient = nil
		}
		ch, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		return ch, f
	}
}
