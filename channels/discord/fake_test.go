package discord

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/redact"
)

// The test webhook: an id and a token shaped like Discord's.
const (
	testID    = "1234567890123456789"
	testToken = "q8Zt-4Hn_2VbL1xW9cRj5kM3pD7sY0aE6uF8gN2hQ4iT1oB5wK9zC3vX7mJ0lA6rS8dG"
	// parentID is the channel the webhook posts to.
	parentID = "1100000000000000001"
	guildID  = "1000000000000000001"
)

// fakeOptions shape the fake's channel.
type fakeOptions struct {
	forum   bool     // the webhook's channel is a forum
	threads []string // threads that exist in a text channel
}

// fakeDiscord speaks Discord's webhook routes under /api/v10 as Discord
// documents them: Execute Webhook, Edit and Delete Webhook Message, Get
// Webhook with Token, with Discord's error shapes. It refuses, as Discord
// does, a request the documentation does not allow, and records what it
// accepted.
type fakeDiscord struct {
	t   *testing.T
	srv *httptest.Server
	opt fakeOptions

	mu       sync.Mutex
	failure  channeltest.Failure
	canned   []canned // answers to give next, before anything else
	next     int64
	messages []*fakeMessage
	threads  map[string]bool
	locked   map[string]string // threads a moderator locked → Discord's refusal of a post there
	requests []request
	limits   map[string]string // rate limit headers of every answer not canned
}

// fakeMessage is a message the fake holds.
type fakeMessage struct {
	id, channel string // channel: parentID, or a thread
	replyTo     string // the thread_id it was posted with
	content     string
	embeds      []embed
	deleted     bool
}

// request is a request the fake received, as sent.
type request struct {
	method, path string
	query        url.Values
	header       http.Header
	body         map[string]any
	raw          []byte
}

// canned is an answer given instead of the normal one.
type canned struct {
	skip   int // requests to answer normally first
	status int
	header map[string]string
	body   string
}

func newFake(t *testing.T, opt fakeOptions) *fakeDiscord {
	f := &fakeDiscord{t: t, opt: opt, next: 1300000000000000000, threads: map[string]bool{}, locked: map[string]string{}}
	for _, th := range opt.threads {
		f.threads[th] = true
	}
	base := "/api/v10/webhooks/{id}/{token}"
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+base, f.guard(f.execute))
	mux.HandleFunc("GET "+base, f.guard(f.get))
	mux.HandleFunc("GET "+base+"/messages/{mid}", f.guard(f.getMessage))
	mux.HandleFunc("PATCH "+base+"/messages/{mid}", f.guard(f.edit))
	mux.HandleFunc("DELETE "+base+"/messages/{mid}", f.guard(f.remove))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		f.t.Errorf("fake Discord: unexpected %s %s", r.Method, r.URL.Path)
		writeJSON(w, 404, `{"message": "404: Not Found", "code": 0}`)
	})
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

// config is a Config of a channel posting to the fake.
func (f *fakeDiscord) config() Config {
	return Config{Name: "ops-discord", WebhookURL: redact.NewURL(f.srv.URL + "/api/webhooks/" + testID + "/" + testToken),
		Forum: f.opt.forum, HTTPClient: f.srv.Client()}
}

// guard records each request, checks what every route needs, and answers
// with an injected failure or canned answer first.
func (f *fakeDiscord) guard(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		raw := readAll(r)
		req := request{method: r.Method, path: r.URL.Path, query: r.URL.Query(), header: r.Header.Clone(), raw: raw}
		if len(raw) > 0 {
			if err := json.Unmarshal(raw, &req.body); err != nil {
				f.t.Errorf("fake Discord: body is not JSON: %v", err)
			}
		}
		f.mu.Lock()
		f.requests = append(f.requests, req)
		failure := f.failure
		var c *canned
		switch {
		case len(f.canned) > 0 && f.canned[0].skip > 0:
			f.canned[0].skip--
		case len(f.canned) > 0:
			c, f.canned = &f.canned[0], f.canned[1:]
		}
		f.mu.Unlock()
		if got := r.Header.Get("User-Agent"); got != UserAgent {
			f.t.Errorf("fake Discord: User-Agent %q, want %q", got, UserAgent)
		}
		switch {
		case c != nil:
			for k, v := range c.header {
				w.Header().Set(k, v)
			}
			writeJSON(w, c.status, c.body)
		case failure == channeltest.FailForeign:
			r.Body = readCloser(raw)
			channeltest.ForeignPage(w, r, http.StatusOK)
		case failure == channeltest.FailEchoDelivered:
			r.Body = readCloser(raw)
			channeltest.EchoAnswer(next).ServeHTTP(w, r)
		case failure != channeltest.FailNone:
			f.fail(w, r, failure)
		case r.PathValue("id") != testID:
			writeJSON(w, 404, `{"message": "Unknown Webhook", "code": 10015}`)
		default:
			f.mu.Lock()
			for k, v := range f.limits {
				w.Header().Set(k, v)
			}
			f.mu.Unlock()
			r.Body = readCloser(raw)
			next(w, r)
		}
	}
}

// fail answers as Discord does for each class of failure.
func (f *fakeDiscord) fail(w http.ResponseWriter, r *http.Request, failure channeltest.Failure) {
	switch failure {
	case channeltest.FailTransient:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(502)
		_, _ = w.Write([]byte("<html><head><title>502 Bad Gateway</title></head><body>cloudflare</body></html>"))
	case channeltest.FailRateLimited:
		h := w.Header()
		h.Set("Retry-After", "2")
		h.Set("X-RateLimit-Limit", "5")
		h.Set("X-RateLimit-Remaining", "0")
		h.Set("X-RateLimit-Reset", strconv.FormatInt(time.Now().Add(2*time.Second).Unix(), 10))
		h.Set("X-RateLimit-Reset-After", "1.337")
		h.Set("X-RateLimit-Bucket", "abcd1234")
		h.Set("X-RateLimit-Scope", "shared")
		writeJSON(w, 429, `{"message": "You are being rate limited.", "retry_after": 1.337, "global": false}`)
	case channeltest.FailUnauthorized:
		writeJSON(w, 401, `{"message": "Invalid Webhook Token", "code": 50027}`)
	case channeltest.FailRejected:
		writeJSON(w, 400, `{"message": "Invalid Form Body", "code": 50035, "errors": {"content": {"_errors": [`+
			`{"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 2000 or fewer in length."}]}}}`)
	case channeltest.FailEcho:
		// A debugging proxy's answer: the credentials as it got them.
		token := r.PathValue("token")
		body, _ := json.Marshal(map[string]any{"message": "Unknown Webhook " + token, "code": 10015,
			"debug": map[string]string{"path": r.URL.Path, "raw": r.URL.RawPath, "uri": r.RequestURI,
				"url": "https://discord.com" + r.URL.Path, "b64": base64.StdEncoding.EncodeToString([]byte(token)),
				"escaped": url.PathEscape(token)}})
		writeJSON(w, 404, string(body))
	}
}

// executeBody is the JSON body Discord documents for Execute Webhook.
type executeBody struct {
	Content         string           `json:"content"`
	Username        string           `json:"username"`
	AvatarURL       string           `json:"avatar_url"`
	TTS             bool             `json:"tts"`
	Embeds          []embed          `json:"embeds"`
	AllowedMentions *allowedMentions `json:"allowed_mentions"`
	Flags           int              `json:"flags"`
	ThreadName      string           `json:"thread_name"`
	AppliedTags     []string         `json:"applied_tags"`
}

// editBody is the JSON body Discord documents for Edit Webhook Message.
type editBody struct {
	Content         *string          `json:"content"`
	Embeds          []embed          `json:"embeds"`
	Flags           int              `json:"flags"`
	AllowedMentions *allowedMentions `json:"allowed_mentions"`
}

func (f *fakeDiscord) execute(w http.ResponseWriter, r *http.Request) {
	if !f.authorized(w, r) || !f.jsonType(w, r) {
		return
	}
	if r.URL.Query().Get("wait") != "true" {
		f.t.Errorf("fake Discord: execute without wait=true: %q", r.URL.RawQuery)
	}
	var b executeBody
	if !decode(w, r, &b) || !f.checkMessage(w, b.Content, b.Embeds, b.AllowedMentions) {
		return
	}
	thread := r.URL.Query().Get("thread_id")
	f.mu.Lock()
	defer f.mu.Unlock()
	channel, ok := f.route(w, thread, b.ThreadName)
	if !ok {
		return
	}
	f.next++
	m := &fakeMessage{id: strconv.FormatInt(f.next, 10), channel: channel, replyTo: thread,
		content: b.Content, embeds: b.Embeds}
	if b.ThreadName != "" {
		// A forum post: its first message has the id of its thread.
		m.id, m.channel = channel, channel
	}
	f.messages = append(f.messages, m)
	writeJSON(w, 200, messageJSON(m))
}

// route returns the channel a new message goes to.
func (f *fakeDiscord) route(w http.ResponseWriter, thread, name string) (string, bool) {
	switch {
	case thread != "" && name != "":
		writeJSON(w, 400, `{"message": "Webhooks posted to forum channels cannot have both a thread_name and thread_id", "code": 220002}`)
	case name != "" && !f.opt.forum:
		writeJSON(w, 400, `{"message": "Webhooks can only create threads in forum channels", "code": 220003}`)
	case thread == "" && name == "" && f.opt.forum:
		writeJSON(w, 400, `{"message": "Webhooks posted to forum channels must have a thread_name or thread_id", "code": 220001}`)
	case name != "" && utf8.RuneCountInString(name) > MaxThreadName:
		writeJSON(w, 400, `{"message": "Invalid Form Body", "code": 50035}`)
	case name != "":
		f.next++
		id := strconv.FormatInt(f.next, 10)
		f.threads[id] = true
		return id, true
	case thread != "" && !f.threads[thread]:
		writeJSON(w, 404, `{"message": "Unknown Channel", "code": 10003}`)
	case thread != "" && f.locked[thread] != "":
		// An archived thread the webhook may reopen, it does; one locked,
		// it may not (see threadArchived for the status).
		writeJSON(w, 403, f.locked[thread])
	case thread != "":
		return thread, true
	default:
		return parentID, true
	}
	return "", false
}

func (f *fakeDiscord) edit(w http.ResponseWriter, r *http.Request) {
	if !f.authorized(w, r) || !f.jsonType(w, r) {
		return
	}
	var b editBody
	if !decode(w, r, &b) {
		return
	}
	content := ""
	if b.Content != nil {
		content = *b.Content
	}
	if b.AllowedMentions == nil {
		f.t.Errorf("fake Discord: an edit without allowed_mentions parses mentions with the default allowances")
	}
	if !f.checkMessage(w, content, b.Embeds, b.AllowedMentions) {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	m := f.find(w, r)
	if m == nil || f.closed(w, m) {
		return
	}
	if b.Content != nil {
		m.content = *b.Content
	}
	if b.Embeds != nil {
		m.embeds = b.Embeds
	}
	writeJSON(w, 200, messageJSON(m))
}

func (f *fakeDiscord) remove(w http.ResponseWriter, r *http.Request) {
	if !f.authorized(w, r) {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if m := f.find(w, r); m != nil && !f.closed(w, m) {
		m.deleted = true
		w.WriteHeader(204)
	}
}

// getMessage is Get Webhook Message: the message, as Discord answers an
// edit with it.
func (f *fakeDiscord) getMessage(w http.ResponseWriter, r *http.Request) {
	if !f.authorized(w, r) {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if m := f.find(w, r); m != nil {
		writeJSON(w, 200, messageJSON(m))
	}
}

func (f *fakeDiscord) get(w http.ResponseWriter, r *http.Request) {
	if !f.authorized(w, r) {
		return
	}
	writeJSON(w, 200, `{"application_id": null, "avatar": null, "channel_id": "`+parentID+`", "guild_id": "`+guildID+
		`", "id": "`+testID+`", "name": "Status", "type": 1, "token": "`+testToken+`"}`)
}

// find returns the message of the request's route, answering 404 Unknown
// Message, as Discord does, for one deleted, unknown, or in a thread the
// request does not name.
func (f *fakeDiscord) find(w http.ResponseWriter, r *http.Request) *fakeMessage {
	id, thread := r.PathValue("mid"), r.URL.Query().Get("thread_id")
	for _, m := range f.messages {
		if m.id == id && !m.deleted && (m.channel == thread || thread == "" && m.channel == parentID) {
			return m
		}
	}
	writeJSON(w, 404, `{"message": "Unknown Message", "code": 10008}`)
	return nil
}

func (f *fakeDiscord) authorized(w http.ResponseWriter, r *http.Request) bool {
	if r.PathValue("token") != testToken {
		writeJSON(w, 401, `{"message": "Invalid Webhook Token", "code": 50027}`)
		return false
	}
	return true
}

func (f *fakeDiscord) jsonType(w http.ResponseWriter, r *http.Request) bool {
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		writeJSON(w, 400, `{"message": "Invalid Form Body", "code": 50035}`)
		f.t.Errorf("fake Discord: Content-Type %q", ct)
		return false
	}
	return true
}

// checkMessage refuses, as Discord does, a message over its limits, and
// fails the test when it lacks the allowed_mentions that stops pings.
func (f *fakeDiscord) checkMessage(w http.ResponseWriter, content string, embeds []embed, am *allowedMentions) bool {
	if am == nil || am.Parse == nil || len(am.Parse) > 0 {
		f.t.Errorf("fake Discord: allowed_mentions %+v, want {\"parse\": []}", am)
	}
	problem := ""
	switch {
	case utf8.RuneCountInString(strings.TrimSpace(content)) > MaxContent:
		problem = `"content": {"_errors": [{"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 2000 or fewer in length."}]}`
	case len(embeds) > 10:
		problem = `"embeds": {"_errors": [{"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 10 or fewer in length."}]}`
	}
	for _, e := range embeds {
		if bad := embedProblem(e); bad != "" && problem == "" {
			problem = `"embeds": {"0": {"_errors": [{"code": "BASE_TYPE_MAX_LENGTH", "message": "` + bad + `"}]}}`
		}
	}
	if problem != "" {
		writeJSON(w, 400, `{"message": "Invalid Form Body", "code": 50035, "errors": {`+problem+`}}`)
		return false
	}
	return true
}

// embedProblem says which of Discord's embed limits e breaks, "" for none.
func embedProblem(e embed) string {
	n := func(s string) int { return utf8.RuneCountInString(strings.TrimSpace(s)) }
	switch {
	case n(e.Title) > MaxEmbedTitle:
		return "title too long"
	case n(e.Description) > MaxDescription:
		return "description too long"
	case len(e.Fields) > MaxFields:
		return "too many fields"
	case e.Footer != nil && n(e.Footer.Text) > MaxFooter:
		return "footer too long"
	case embedLength(e) > MaxEmbedTotal:
		return "Embed size exceeds maximum size of 6000"
	}
	for _, fl := range e.Fields {
		switch {
		case n(fl.Name) == 0 || n(fl.Value) == 0:
			return "field empty"
		case n(fl.Name) > MaxFieldName || n(fl.Value) > MaxFieldValue:
			return "field too long"
		}
	}
	return ""
}

// Received returns the messages as readers see them.
func (f *fakeDiscord) Received() []channeltest.Delivery {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]channeltest.Delivery, len(f.messages))
	for i, m := range f.messages {
		parts := []string{m.content}
		seen := []string{unescape(m.content)}
		for _, e := range m.embeds {
			parts = append(parts, e.Title)
			seen = append(seen, unescape(e.Title))
			for _, fl := range e.Fields {
				parts = append(parts, fl.Value)
				seen = append(seen, fl.Name+": "+unescape(fl.Value))
			}
		}
		out[i] = channeltest.Delivery{Text: strings.Join(seen, "\n"), Parts: parts, ReplyTo: m.replyTo,
			ID: m.id, Deleted: m.deleted}
	}
	return out
}

// Fail makes every request fail as failure says.
func (f *fakeDiscord) Fail(failure channeltest.Failure) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failure = failure
}

// answer makes the next request get c instead of its normal answer.
func (f *fakeDiscord) answer(c canned) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.canned = append(f.canned, c)
}

// threadArchived is Discord's refusal of an operation in an archived
// thread it does not reopen: a post into a thread closed and locked by a
// moderator, an edit or a deletion of a message there. Discord's list of
// JSON error codes gives 50083 ("Operation not allowed on an archived
// thread") no HTTP status
// (https://discord.com/developers/docs/topics/opcodes-and-status-codes#json-json-error-codes);
// the answers reported are 403 for a post (discord/discord-api-docs issues
// 6884 and 7707: "403 Forbidden (error code: 50083): Thread is archived")
// and 400 for a deletion (victornpb/undiscord issue 399,
// cedws/discord-delete issue 48) and an edit (discord.py's "400 Bad
// Request (error code: 50083): Thread is archived"). The fake answers so;
// the channel goes by the code, whatever the status.
const threadArchived = `{"message": "Thread is archived", "code": 50083}`

// threadLocked is Discord's refusal of a post into a thread locked but
// left open (JSON error code 160005, "Thread is locked"): a forum post a
// moderator locked without closing it, in which only members with Manage
// Threads may post. Its status is documented nowhere either: the fake
// answers a post there 403, as threadArchived's.
const threadLocked = `{"message": "Thread is locked", "code": 160005}`

// closed answers Discord's refusal of an edit or a deletion of m when its
// thread is closed (archived and locked: see threadArchived), and reports
// whether it did. f.mu is held.
func (f *fakeDiscord) closed(w http.ResponseWriter, m *fakeMessage) bool {
	if f.locked[m.channel] != threadArchived {
		return false
	}
	writeJSON(w, 400, threadArchived)
	return true
}

// lockThread locks a thread, as a moderator may: the webhook can no
// longer post in it, refused with the JSON refusal, threadArchived for a
// thread closed too, threadLocked for one left open.
func (f *fakeDiscord) lockThread(id, refusal string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.locked[id] = refusal
}

// dropThread deletes a thread, as a moderator may.
func (f *fakeDiscord) dropThread(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.threads, id)
}

// answerAfter makes the request after the next n get c.
func (f *fakeDiscord) answerAfter(n int, c canned) {
	c.skip = n
	f.answer(c)
}

// sent returns the requests the fake received.
func (f *fakeDiscord) sent() []request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.requests)
}

// message returns the i-th message the fake holds.
func (f *fakeDiscord) message(i int) fakeMessage {
	f.mu.Lock()
	defer f.mu.Unlock()
	return *f.messages[i]
}

func messageJSON(m *fakeMessage) string {
	// Discord answers with the embeds as it keeps them: of type "rich",
	// the timestamp with "+00:00" for "Z".
	embeds := []map[string]any{}
	for _, e := range m.embeds {
		var v map[string]any
		raw, _ := json.Marshal(e)
		_ = json.Unmarshal(raw, &v)
		v["type"] = "rich"
		if ts, err := time.Parse(time.RFC3339, e.Timestamp); err == nil {
			v["timestamp"] = ts.UTC().Format("2006-01-02T15:04:05+00:00")
		}
		embeds = append(embeds, v)
	}
	b, _ := json.Marshal(map[string]any{"id": m.id, "type": 0, "channel_id": m.channel, "content": m.content,
		"embeds": embeds, "webhook_id": testID, "author": map[string]any{"id": testID, "username": "Status", "bot": true},
		"timestamp": "2025-03-14T09:26:53.000000+00:00", "mentions": []any{}, "mention_everyone": false,
		"attachments": []any{}, "pinned": false, "tts": false, "flags": 0})
	return string(b)
}

// unescape shows text as Discord's markdown renders backslash escapes.
var escaped = regexp.MustCompile("\\\\([!-/:-@\\[-`{-~])")

func unescape(s string) string { return escaped.ReplaceAllString(s, "$1") }

func writeJSON(w http.ResponseWriter, status int, body string) {
	if w.Header().Get("Content-Type") == "" { // else a canned answer's own (an HTML page's)
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

// decode reads the body strictly: a field Discord does not document for
// the route is refused, as a 400 Invalid Form Body.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		writeJSON(w, 400, fmt.Sprintf(`{"message": "Invalid Form Body", "code": 50035, "detail": %q}`, err.Error()))
		return false
	}
	return true
}

func readAll(r *http.Request) []byte {
	var b bytes.Buffer
	_, _ = b.ReadFrom(r.Body)
	return b.Bytes()
}

type nopCloser struct{ *bytes.Reader }

func (nopCloser) Close() error { return nil }

func readCloser(b []byte) nopCloser { return nopCloser{bytes.NewReader(b)} }

// harness is the conformance harness: a channel on a fresh fake, posting
// to a text channel, or to a forum when forum is set.
func harness(forum bool) channeltest.Harness {
	cfg := Config{Name: "ops-discord", Forum: forum,
		WebhookURL: redact.NewURL("https://discord.com/api/webhooks/" + testID + "/" + testToken)}
	h := channeltest.Harness{
		New:       onFake(fakeOptions{forum: forum}, false),
		Reopen:    reopenOn,
		OwnClient: onFake(fakeOptions{forum: forum}, true),
		Untrusted: func(t *testing.T, serverURL string) broadcast.Channel {
			c := cfg
			c.WebhookURL = redact.NewURL(serverURL + "/api/webhooks/" + testID + "/" + testToken)
			ch, err := New(c)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = ch.Close() })
			return ch
		},
		Secrets:   []string{testToken},
		Config:    cfg,
		MaxLength: MaxContent,
		// Message ids are snowflakes, "up to 64 bits", always strings in
		// the HTTP API (https://discord.com/developers/docs/reference#snowflakes);
		// the fake's are above 2^53.
		LargeIDs: true,
		Failures: []channeltest.Failure{channeltest.FailTransient, channeltest.FailRateLimited,
			channeltest.FailUnauthorized, channeltest.FailRejected, channeltest.FailEcho,
			channeltest.FailForeign, channeltest.FailEchoDelivered},
		ServerField:     "Config.WebhookURL",
		CredentialField: "Config.WebhookURL",
	}
	if forum {
		h.ThreadsTo = channeltest.Root
	}
	return h
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
		return onConfig(t, cfg), f
	}
}

// reopenOn is a Harness.Reopen: a new channel on be, the fake New made,
// with the fake's client.
func reopenOn(t *testing.T, be channeltest.Backend) broadcast.Channel {
	return onConfig(t, be.(*fakeDiscord).config())
}

// onConfig is a channel of cfg whose rate-limit waits end at once.
func onConfig(t *testing.T, cfg Config) *Channel {
	ch, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	// The suite's 429 says the bucket refills in 1.337s, which the
	// next request would wait out in real time; ratelimit_test.go
	// tests that wait.
	ch.s.sleep = func(ctx context.Context, _ time.Duration) error { return ctx.Err() }
	return ch
}
