package slack

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/outagecast/outagecast/channels/channeltest"
)

// workspace is the Slack workspace each fake starts with: conversation
// names and IDs. A fake keeps a copy of its own (see rename).
var workspace = map[string]string{"ops": "C0OPS00001", "status": "C0STATUS02", "eng": "C0ENG00003"}

// fakeSlack is an httptest server that speaks Slack's Web API
// (chat.postMessage, chat.update, chat.delete, auth.test, and
// conversations.history and conversations.replies, read with GET and a
// query string) and an incoming webhook as Slack documents them: JSON
// bodies with a bearer token, "ok":
// false and an error code for refusals, HTTP 429 with Retry-After for
// rate limits, the webhook's plain-text "ok" or error word. It checks
// every request against the documented shape (t.Errorf on a mistake),
// keeps the conversations' messages, and fails on demand.
type fakeSlack struct {
	t     *testing.T
	srv   *httptest.Server
	token string
	hook  string // the incoming webhook's path, /services/T…/B…/…

	mu       sync.Mutex
	targets  map[string]string // conversation ID → Ledger target
	msgs     []*fakeMsg
	fail     channeltest.Failure
	failures map[string]channeltest.Failure // by conversation ID
	failCode map[string]string              // Web API method → error code to answer
	lose     map[string]bool                // conversation ID → post, then drop the answer
	loseCall map[string]bool                // Web API method → take effect, then drop the answer
	after    map[string]string              // conversation ID → post, then answer this error code
	hookErr  *fakeAnswer                    // the webhook's next answers, instead of "ok"
	proxy    map[string]fakeAnswer          // Web API method → a proxy's answer in Slack's place
	// goneCode is the answer to a reply under a deleted message that has
	// no replies: "" posts it at the conversation's top level (its answer
	// has no thread_ts), as Slack does; an error code refuses it.
	goneCode string
	// flat are the conversations that take no thread replies: Slack
	// refuses a reply there with restricted_action_non_threadable_channel.
	flat map[string]bool
	// closed are the conversations that refuse every post with their
	// code: is_archived (archived), not_in_channel (the bot removed).
	closed map[string]string
	// locked are the threads (by their first post's ts) an admin locked:
	// Slack refuses a reply there with restricted_action_thread_locked.
	locked map[string]bool
	calls  []fakeCall
	// epoch is the Unix time of the messages' ts (their microseconds
	// count the messages): 1741944413, 14 March 2025 09:26:53 UTC.
	epoch int64
	// gap is the time between two messages' ts; 0 is 100µs.
	gap time.Duration
	// rangedParent makes conversations.replies list a thread's parent
	// only when it is between oldest and latest; by default it lists it
	// first on every first page. Slack's documentation does not say.
	rangedParent bool
	// oneRead answers each read method once, then ratelimited, as Slack
	// limits an app distributed outside its Marketplace (one a minute).
	oneRead bool
	// noMetadata refuses a post or an update carrying message metadata
	// with metadata_must_be_sent_from_app, as Slack documents for a
	// token that may not send it.
	noMetadata bool

	// wsMu guards names, apart from mu: resolve is called with mu held
	// and without.
	wsMu  sync.Mutex
	names map[string]string // the fake's workspace: conversation name → ID
}

// fakeMsg is a message in a conversation.
type fakeMsg struct {
	target, channel, ts, threadTS string
	text                          string // top-level text, as sent
	sections                      []string
	attachments                   []string // texts of the attachments
	broadcast, deleted            bool
	metadata                      json.RawMessage // as posted: event_type and event_payload
}

// fakeCall is a request as the fake received it.
type fakeCall struct {
	method string // Web API method, or "webhook"
	header http.Header
	body   map[string]json.RawMessage
	raw    []byte
}

// fakeAnswer is an HTTP answer of the webhook.
type fakeAnswer struct {
	status int
	body   string
	header map[string]string
	// passed: the proxy passed the call on to Slack, which carried it
	// out, and answers with this in place of Slack's answer (a gateway's
	// 502 or 504 after its upstream was slow).
	passed bool
}

func newFakeSlack(t *testing.T, token string, channels ...string) *fakeSlack {
	f := &fakeSlack{t: t, token: token, epoch: 1741944413, hook: "/services/T0TEST0001/B0HOOK0001/" + hookSecret,
		targets: map[string]string{}, failures: map[string]channeltest.Failure{},
		failCode: map[string]string{}, lose: map[string]bool{}, after: map[string]string{}, flat: map[string]bool{}, locked: map[string]bool{},
		closed: map[string]string{}, names: maps.Clone(workspace)}
	for _, ch := range channels {
		f.targets[f.resolve(ch)] = ch
	}
	f.srv = httptest.NewServer(f)
	t.Cleanup(f.srv.Close)
	return f
}

// resolve returns the ID of a conversation name or ID in the fake's
// workspace; "" when unknown.
func (f *fakeSlack) resolve(ch string) string {
	if f.isConversation(ch) {
		return ch
	}
	f.wsMu.Lock()
	defer f.wsMu.Unlock()
	return f.names[strings.TrimPrefix(ch, "#")]
}

// isConversation reports whether id is the ID of a conversation of the
// fake's workspace.
func (f *fakeSlack) isConversation(id string) bool {
	f.wsMu.Lock()
	defer f.wsMu.Unlock()
	return slices.Contains(slices.Collect(maps.Values(f.names)), id)
}

// rename gives the conversation named from the name to, as a Slack admin
// may; to may be the old name of another conversation, renamed first.
// An empty to leaves the conversation without a name that resolves.
func (f *fakeSlack) rename(from, to string) {
	f.wsMu.Lock()
	defer f.wsMu.Unlock()
	id := f.names[from]
	delete(f.names, from)
	if to != "" {
		f.names[to] = id
	}
}

func (f *fakeSlack) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	echo := f.fail == channeltest.FailEchoDelivered
	f.mu.Unlock()
	if echo { // Slack's answer, echoed
		channeltest.EchoAnswer(http.HandlerFunc(f.serve)).ServeHTTP(w, r)
		return
	}
	f.serve(w, r)
}

// serve answers r as Slack does, or fails it as told.
func (f *fakeSlack) serve(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	var body map[string]json.RawMessage
	if readMethods[strings.TrimPrefix(r.URL.Path, "/api/")] {
		body = f.query(r, raw)
	} else {
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json; charset=utf-8" {
			f.t.Errorf("%s %s with Content-Type %q: Slack wants POST and application/json; charset=utf-8",
				r.Method, r.URL.Path, r.Header.Get("Content-Type"))
		}
		if err := json.Unmarshal(raw, &body); err != nil {
			f.t.Errorf("%s: body is not a JSON object: %v", r.URL.Path, err)
		}
	}
	f.mu.Lock()
	foreign := f.fail == channeltest.FailForeign
	f.mu.Unlock()
	if foreign {
		r.Body = io.NopCloser(bytes.NewReader(raw))
		channeltest.ForeignPage(w, r, http.StatusOK)
		return
	}
	if r.URL.Path == f.hook {
		f.record("webhook", r, raw, body)
		f.webhook(w, r, body)
		return
	}
	method, ok := strings.CutPrefix(r.URL.Path, "/api/")
	if !ok {
		http.NotFound(w, r)
		return
	}
	f.record(method, r, raw, body)
	if a, refused := f.refuse(method, r, body); refused {
		if a.passed {
			f.api(httptest.NewRecorder(), method, body)
		}
		f.answer(w, a)
		return
	}
	f.api(w, method, body)
}

func (f *fakeSlack) record(method string, r *http.Request, raw []byte, body map[string]json.RawMessage) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, fakeCall{method: method, header: r.Header.Clone(), body: body, raw: raw})
}

// refuse returns the answer to a request that fails: as told, or for a
// wrong token.
func (f *fakeSlack) refuse(method string, r *http.Request, body map[string]json.RawMessage) (fakeAnswer, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if a, ok := f.proxy[method]; ok {
		return a, true
	}
	fail := f.fail
	if id := f.resolve(str(body["channel"])); fail == channeltest.FailNone && id != "" {
		fail = f.failures[id]
	}
	switch fail {
	case channeltest.FailTransient:
		return apiError("internal_error"), true
	case channeltest.FailRateLimited:
		a := fakeAnswer{status: http.StatusTooManyRequests, body: `{"ok":false,"error":"ratelimited"}`,
			header: map[string]string{"Retry-After": "7"}}
		return a, true
	case channeltest.FailUnauthorized:
		// A refusal of the token itself: invalid_auth may be an address's.
		return apiError("token_revoked"), true
	case channeltest.FailRejected:
		return apiError(rejectCodes[method]), true
	case channeltest.FailEcho:
		return f.echo(r.Header.Get("Authorization")), true
	}
	if f.oneRead && readMethods[method] && slices.ContainsFunc(f.calls[:len(f.calls)-1], func(c fakeCall) bool { return c.method == method }) {
		return fakeAnswer{status: http.StatusTooManyRequests, body: `{"ok":false,"error":"ratelimited"}`,
			header: map[string]string{"Retry-After": "60"}}, true
	}
	if code := f.failCode[method]; code != "" {
		if code == "missing_scope" {
			return missingScope(method), true
		}
		return apiError(code), true
	}
	switch auth := r.Header.Get("Authorization"); {
	case auth == "":
		return apiError("not_authed"), true
	case auth != "Bearer "+f.token:
		return apiError("invalid_auth"), true
	}
	return fakeAnswer{}, false
}

// rejectCodes are the permanent refusals of FailRejected, by method: for
// chat.update, of the correction's content (cant_update_message is not
// one: the Broadcaster posts the correction anew).
var rejectCodes = map[string]string{"chat.postMessage": "not_in_channel", "chat.update": "invalid_blocks",
	"chat.delete": "cant_delete_message", "auth.test": "account_inactive"}

// apiError is Slack's refusal: HTTP 200, "ok": false, the code.
func apiError(code string) fakeAnswer {
	return fakeAnswer{status: http.StatusOK, body: `{"ok":false,"error":"` + code + `"}`}
}

// missingScope is Slack's refusal of a method the token has no scope
// for: it names the scopes needed and those the token has.
func missingScope(method string) fakeAnswer {
	js, _ := json.Marshal(map[string]any{"ok": false, "error": "missing_scope",
		"needed": neededScopes[method], "provided": "chat:write"})
	return fakeAnswer{status: http.StatusOK, body: string(js)}
}

// neededScopes are the bot token scopes of each method, as Slack names
// them in a missing_scope answer.
var neededScopes = map[string]string{
	"chat.postMessage":      "chat:write",
	"conversations.history": "channels:history,groups:history,mpim:history,im:history",
	"conversations.replies": "channels:history,groups:history,mpim:history,im:history",
}

// echo is a debugging proxy's refusal: the credential the request carried,
// as it came and in the forms servers re-encode it.
func (f *fakeSlack) echo(auth string) fakeAnswer {
	token := strings.TrimPrefix(auth, "Bearer ")
	js, _ := json.Marshal(map[string]any{"ok": false, "error": "invalid_arguments " + token,
		"response_metadata": map[string]any{"messages": []string{
			"[ERROR] Authorization: " + auth,
			"[ERROR] token=" + url.QueryEscape(token) + " b64=" + base64.StdEncoding.EncodeToString([]byte(token)),
		}}})
	return fakeAnswer{status: http.StatusOK, body: string(js)}
}

func (f *fakeSlack) answer(w http.ResponseWriter, a fakeAnswer) {
	for k, v := range a.header {
		w.Header().Set(k, v)
	}
	if strings.HasPrefix(a.body, "{") {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
	} else {
		w.Header().Set("Content-Type", "text/html")
	}
	w.WriteHeader(a.status)
	_, _ = io.WriteString(w, a.body)
}

// api answers a Web API call that passed authentication.
func (f *fakeSlack) api(w http.ResponseWriter, method string, body map[string]json.RawMessage) {
	var out map[string]any
	var code string
	switch method {
	case "chat.postMessage":
		out, code = f.postMessage(body)
	case "chat.update":
		out, code = f.update(body)
	case "chat.delete":
		out, code = f.remove(body)
	case "conversations.history":
		out, code = f.history(body)
	case "conversations.replies":
		out, code = f.replies(body)
	case "auth.test":
		out = map[string]any{"url": "https://outagecast-test.slack.com/", "team": "Outagecast Test",
			"user": "status-bot", "team_id": "T0TEST0001", "user_id": "U0BOT00001", "bot_id": "B0BOT00001"}
	default:
		code = "unknown_method"
	}
	if code != "" {
		f.answer(w, apiError(code))
		return
	}
	out["ok"] = true
	js, _ := json.Marshal(out)
	if f.lost(str(body["channel"]), method) {
		dropAnswer(w)
		return
	}
	if code := f.failedAfter(str(body["channel"]), method); code != "" {
		f.answer(w, apiError(code)) // the message is posted all the same
		return
	}
	f.answer(w, fakeAnswer{status: http.StatusOK, body: string(js)})
}

// lost reports whether the answer of this post is to be lost.
func (f *fakeSlack) lost(channel, method string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return method == "chat.postMessage" && f.lose[f.resolve(channel)] || f.loseCall[method]
}

// failedAfter returns the error code to answer a post that was made:
// Slack's internal_error and fatal_error say part of the operation may
// have succeeded.
func (f *fakeSlack) failedAfter(channel, method string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if method != "chat.postMessage" {
		return ""
	}
	return f.after[f.resolve(channel)]
}

// dropAnswer closes the connection without an answer: the request took
// effect, the client never learns it.
func dropAnswer(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err == nil {
		_ = conn.Close()
	}
}

func (f *fakeSlack) postMessage(body map[string]json.RawMessage) (map[string]any, string) {
	f.checkFields("chat.postMessage", body)
	if f.refusesMetadata(body) {
		return nil, "metadata_must_be_sent_from_app"
	}
	if str(body["parse"]) != "none" || string(body["link_names"]) != "false" ||
		string(body["unfurl_links"]) != "false" || string(body["unfurl_media"]) != "false" {
		f.t.Errorf("chat.postMessage: want parse none, link_names, unfurl_links and unfurl_media false: %s %s %s %s",
			body["parse"], body["link_names"], body["unfurl_links"], body["unfurl_media"])
	}
	m, code := f.content("chat.postMessage", body)
	if code != "" {
		return nil, code
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	m.channel = f.resolve(str(body["channel"]))
	if m.channel == "" {
		return nil, "channel_not_found"
	}
	if code := f.closed[m.channel]; code != "" {
		return nil, code
	}
	m.target, m.threadTS = f.targets[m.channel], str(body["thread_ts"])
	m.metadata = body["metadata"]
	f.checkMetadata(m.metadata)
	if m.threadTS != "" && f.flat[m.channel] {
		return nil, "restricted_action_non_threadable_channel"
	}
	if m.threadTS != "" && f.locked[m.threadTS] {
		return nil, "restricted_action_thread_locked"
	}
	m.broadcast = string(body["reply_broadcast"]) == "true"
	if m.threadTS != "" && !f.isRoot(m.channel, m.threadTS) {
		f.t.Errorf("chat.postMessage: thread_ts %s is not a top-level message of %s: reply to the parent", m.threadTS, m.channel)
	}
	if m.broadcast && m.threadTS == "" {
		f.t.Errorf("chat.postMessage: reply_broadcast without thread_ts")
	}
	if m.threadTS != "" && f.goneThread(m.channel, m.threadTS) {
		if f.goneCode != "" {
			return nil, f.goneCode
		}
		m.threadTS, m.broadcast = "", false
	}
	m.ts = f.nextTS()
	f.msgs = append(f.msgs, m)
	msg := map[string]any{"type": "message", "subtype": "bot_message", "bot_id": "B0BOT00001", "text": m.text, "ts": m.ts}
	if m.threadTS != "" {
		msg["thread_ts"] = m.threadTS
	}
	return map[string]any{"channel": m.channel, "ts": m.ts, "message": msg}, ""
}

// nextTS is the ts of the next message: the messages' ts count them, gap
// apart from epoch.
func (f *fakeSlack) nextTS() string {
	gap := f.gap
	if gap == 0 {
		gap = 100 * time.Microsecond
	}
	return slackTS(time.Unix(f.epoch, 0).Add(time.Duration(len(f.msgs)+1) * gap))
}

// talk adds n replies of people (no metadata, not the bot's) to the
// thread of threadTS in target's conversation.
func (f *fakeSlack) talk(target, threadTS string, n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for range n {
		f.msgs = append(f.msgs, &fakeMsg{target: target, channel: f.resolve(target), ts: f.nextTS(), threadTS: threadTS,
			text: "still seeing 503s from eu-west"})
	}
}

// isRoot reports whether ts is a top-level message of channel.
func (f *fakeSlack) isRoot(channel, ts string) bool {
	return slices.ContainsFunc(f.msgs, func(m *fakeMsg) bool {
		return m.channel == channel && m.ts == ts && m.threadTS == ""
	})
}

// goneThread reports whether the thread of ts in channel is gone: its
// first post was deleted and nothing replied to it. (Deleted with
// replies, it stays as "This message was deleted", and so does the
// thread.)
func (f *fakeSlack) goneThread(channel, ts string) bool {
	root := slices.ContainsFunc(f.msgs, func(m *fakeMsg) bool { return m.channel == channel && m.ts == ts && m.deleted })
	replied := slices.ContainsFunc(f.msgs, func(m *fakeMsg) bool { return m.channel == channel && m.threadTS == ts })
	return root && !replied
}

func (f *fakeSlack) update(body map[string]json.RawMessage) (map[string]any, string) {
	f.checkFields("chat.update", body)
	if f.refusesMetadata(body) {
		return nil, "metadata_must_be_sent_from_app"
	}
	f.mu.Lock()
	m, code := f.find(body)
	f.mu.Unlock()
	if code != "" {
		return nil, code
	}
	if _, ok := body["blocks"]; ok || body["text"] != nil {
		c, code := f.content("chat.update", body)
		if code != "" {
			return nil, code
		}
		f.mu.Lock()
		// Slack drops the blocks of a message updated with text only.
		m.text, m.sections = c.text, c.sections
		f.mu.Unlock()
	}
	if md := body["metadata"]; md != nil {
		// Given, it replaces the message's metadata; left out, Slack
		// keeps it.
		f.checkMetadata(md)
		f.mu.Lock()
		m.metadata = md
		f.mu.Unlock()
	}
	if a := body["attachments"]; a != nil {
		var atts []struct {
			Text     string   `json:"text"`
			Color    string   `json:"color"`
			Fallback string   `json:"fallback"`
			MrkdwnIn []string `json:"mrkdwn_in"`
		}
		if err := json.Unmarshal(a, &atts); err != nil {
			return nil, "invalid_attachments"
		}
		var texts []string
		for _, at := range atts {
			f.checkControls("chat.update attachment", at.Text)
			texts = append(texts, at.Text)
		}
		f.mu.Lock()
		m.attachments = texts
		f.mu.Unlock()
	}
	// Slack answers with the message as updated, the attachments it
	// kept among its fields.
	f.mu.Lock()
	msg := map[string]any{"type": "message", "ts": m.ts, "text": m.text}
	if len(m.attachments) > 0 {
		var atts []map[string]any
		for i, text := range m.attachments {
			atts = append(atts, map[string]any{"id": i + 1, "text": text})
		}
		msg["attachments"] = atts
	}
	f.mu.Unlock()
	return map[string]any{"channel": m.channel, "ts": m.ts, "text": m.text, "message": msg}, ""
}

// find returns the message a chat.update or chat.delete names. Slack
// takes conversation IDs only there.
func (f *fakeSlack) find(body map[string]json.RawMessage) (*fakeMsg, string) {
	ch, ts := str(body["channel"]), str(body["ts"])
	if !f.isConversation(ch) {
		return nil, "channel_not_found"
	}
	if code := f.closed[ch]; code != "" {
		if code == "is_archived" {
			code = "is_inactive" // chat.update's and chat.delete's word for it
		}
		return nil, code
	}
	i := slices.IndexFunc(f.msgs, func(m *fakeMsg) bool { return m.channel == ch && m.ts == ts && !m.deleted })
	if i < 0 {
		return nil, "message_not_found"
	}
	return f.msgs[i], ""
}

func (f *fakeSlack) remove(body map[string]json.RawMessage) (map[string]any, string) {
	f.checkFields("chat.delete", body)
	f.mu.Lock()
	defer f.mu.Unlock()
	m, code := f.find(body)
	if code != "" {
		return nil, code
	}
	m.deleted = true
	return map[string]any{"channel": m.channel, "ts": m.ts}, ""
}

func (f *fakeSlack) Fail(fail channeltest.Failure) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail = fail
}

func (f *fakeSlack) FailTarget(target string, fail channeltest.Failure) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failures[f.resolve(target)] = fail
}

// addTarget adds a conversation of the workspace as a Ledger target.
func (f *fakeSlack) addTarget(target string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.targets[f.resolve(target)] = target
}

// failMethod makes every call of method answer code; "" stops it.
func (f *fakeSlack) failMethod(method, code string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failCode[method] = code
}

// proxyAnswers makes a proxy in front of Slack answer every call of
// method with a, which never reaches Slack; nil stops it.
func (f *fakeSlack) proxyAnswers(method string, a *fakeAnswer) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.proxy == nil {
		f.proxy = map[string]fakeAnswer{}
	}
	delete(f.proxy, method)
	if a != nil {
		f.proxy[method] = *a
	}
}

// refuseMetadata makes every post and update carrying message metadata
// refused, as Slack refuses a token that may not send it; false stops it.
func (f *fakeSlack) refuseMetadata(on bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.noMetadata = on
}

// refusesMetadata reports whether the fake refuses body for its metadata.
func (f *fakeSlack) refusesMetadata(body map[string]json.RawMessage) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.noMetadata && body["metadata"] != nil
}

// noThreads makes target a conversation that takes no thread replies.
func (f *fakeSlack) noThreads(target string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.flat[f.resolve(target)] = true
}

// recreate deletes the conversation named name and gives the name to a
// new conversation, id (or to none, when id is ""), whose messages count
// as the old one's Ledger target's.
func (f *fakeSlack) recreate(name, id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	old := f.resolve(name)
	f.rename(name, "")
	if id != "" {
		f.wsMu.Lock()
		f.names[name] = id
		f.wsMu.Unlock()
		f.targets[id] = f.targets[old]
	}
}

// close makes the conversation of target refuse every post with code.
func (f *fakeSlack) close(target, code string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed[f.resolve(target)] = code
}

// lockThread locks the thread of the first post ts against replies.
func (f *fakeSlack) lockThread(ts string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.locked[ts] = true
}

// answerGone sets goneCode: how a reply under a deleted first post
// without replies is answered.
func (f *fakeSlack) answerGone(code string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.goneCode = code
}

// loseAnswers makes posts to target take effect and their answers lost.
func (f *fakeSlack) loseAnswers(target string, lose bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lose[f.resolve(target)] = lose
}

// loseAnswersOf makes every call of method take effect and its answer
// lost.
func (f *fakeSlack) loseAnswersOf(method string, lose bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.loseCall == nil {
		f.loseCall = map[string]bool{}
	}
	f.loseCall[method] = lose
}

// failAfterPost makes posts to target take effect and be answered with
// the error code, as Slack's internal_error may be; "" stops it.
func (f *fakeSlack) failAfterPost(target, code string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.after[f.resolve(target)] = code
}

// answerHook makes the webhook give a, or "ok" again for nil.
func (f *fakeSlack) answerHook(a *fakeAnswer) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.hookErr = a
}

// requests returns the calls of method, in order.
func (f *fakeSlack) requests(method string) []fakeCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []fakeCall
	for _, c := range f.calls {
		if c.method == method {
			out = append(out, c)
		}
	}
	return out
}

// messages returns copies of the conversations' messages.
func (f *fakeSlack) messages() []fakeMsg {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]fakeMsg, len(f.msgs))
	for i, m := range f.msgs {
		out[i] = *m
	}
	return out
}

// str decodes a JSON string; "" for anything else.
func str(raw json.RawMessage) string {
	var s string
	_ = json.Unmarshal(raw, &s)
	return s
}
