package slack

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// readMethods are the Web API methods the channel calls with GET and a
// query string: Slack takes JSON bodies for most write methods only
// (https://docs.slack.dev/apis/web-api: arguments as GET query string
// parameters or POST form parameters; "most write methods" allow JSON).
var readMethods = map[string]bool{"conversations.history": true, "conversations.replies": true}

// maxReadLimit is the largest page of conversations.history and
// conversations.replies Slack gives apps distributed outside its
// Marketplace (15 since May 2025); the channel asks for no more.
const maxReadLimit = 15

// query reads the arguments of a read method from r's query string, each
// as a JSON string, as the other methods' JSON bodies are kept.
func (f *fakeSlack) query(r *http.Request, raw []byte) map[string]json.RawMessage {
	if r.Method != http.MethodGet || len(raw) > 0 {
		f.t.Errorf("%s %s with a %d-byte body: the channel reads with GET and a query string", r.Method, r.URL.Path, len(raw))
	}
	body := map[string]json.RawMessage{}
	for k, vs := range r.URL.Query() {
		if len(vs) != 1 {
			f.t.Errorf("%s: %d values of %q", r.URL.Path, len(vs), k)
		}
		js, _ := json.Marshal(vs[0])
		body[k] = js
	}
	return body
}

// fakeRead are the common arguments of conversations.history and
// conversations.replies.
type fakeRead struct {
	channel        string
	oldest, latest time.Time // latest zero: now
	inclusive      bool
	limit          int
	metadata       bool
}

// in reports whether a message's ts is between oldest and latest: after
// oldest and before latest, or at either with inclusive, as Slack
// documents the arguments.
func (a fakeRead) in(ts string) bool {
	t, ok := tsTime(ts)
	if !ok {
		return false
	}
	if t.Equal(a.oldest) || t.Equal(a.latest) {
		return a.inclusive
	}
	return t.After(a.oldest) && (a.latest.IsZero() || t.Before(a.latest))
}

// readArgs checks and reads the common arguments of method; code is the
// refusal Slack would answer.
func (f *fakeSlack) readArgs(method string, body map[string]json.RawMessage) (a fakeRead, code string) {
	f.checkFields(method, body)
	a.channel = str(body["channel"])
	if !f.isConversation(a.channel) {
		return a, "channel_not_found" // Slack takes conversation IDs only there
	}
	var err error
	a.oldest = time.Unix(0, 0)
	for _, b := range []struct {
		name string
		to   *time.Time
	}{{"oldest", &a.oldest}, {"latest", &a.latest}} {
		if s := str(body[b.name]); s != "" {
			t, ok := tsTime(s)
			if !ok {
				f.t.Errorf("%s: %s %q is not a Unix timestamp", method, b.name, s)
			}
			*b.to = t
		}
	}
	switch v := str(body["inclusive"]); v {
	case "true", "1":
		a.inclusive = true
	case "", "false", "0":
	default:
		f.t.Errorf("%s: inclusive %q is not a boolean", method, v)
	}
	a.limit = 100
	if s := str(body["limit"]); s != "" {
		if a.limit, err = strconv.Atoi(s); err != nil || a.limit < 1 {
			f.t.Errorf("%s: limit %q is not a positive number", method, s)
		}
	}
	if a.limit > maxReadLimit {
		f.t.Errorf("%s: limit %d, more than the %d Slack gives apps outside its Marketplace", method, a.limit, maxReadLimit)
	}
	switch v := str(body["include_all_metadata"]); v {
	case "true", "1":
		a.metadata = true
	case "", "false", "0":
	default:
		f.t.Errorf("%s: include_all_metadata %q is not a boolean", method, v)
	}
	return a, ""
}

// history answers conversations.history: the conversation's top-level
// messages (and replies also sent to it) between oldest and latest,
// newest first, at most limit of them, the newest.
func (f *fakeSlack) history(body map[string]json.RawMessage) (map[string]any, string) {
	a, code := f.readArgs("conversations.history", body)
	if code != "" {
		return nil, code
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var msgs []any
	for _, m := range slices.Backward(f.msgs) {
		if m.channel != a.channel || m.deleted || m.threadTS != "" && !m.broadcast || !a.in(m.ts) {
			continue
		}
		msgs = append(msgs, f.shape(m, a.metadata))
	}
	msgs, more, next, code := page(msgs, a.limit, str(body["cursor"]))
	if code != "" {
		return nil, code
	}
	return map[string]any{"messages": msgs, "has_more": more, "pin_count": 0,
		"channel_actions_ts": nil, "channel_actions_count": 0,
		"response_metadata": map[string]any{"next_cursor": next}}, ""
}

// page returns the page of msgs that cursor (a next_cursor of an earlier
// page, or "" for the first) starts, at most limit of them, whether more
// follow, and the cursor to them; or Slack's error code for a cursor it
// did not give.
func page(msgs []any, limit int, cursor string) (_ []any, more bool, next, code string) {
	from := 0
	if cursor != "" {
		raw, derr := base64.StdEncoding.DecodeString(cursor)
		n, ok := strings.CutPrefix(string(raw), "next:")
		var err error
		if from, err = strconv.Atoi(n); derr != nil || !ok || err != nil || from > len(msgs) {
			return nil, false, "", "invalid_cursor"
		}
	}
	msgs = msgs[from:]
	if more = len(msgs) > limit; more {
		next = base64.StdEncoding.EncodeToString([]byte("next:" + strconv.Itoa(from+limit)))
	}
	return msgs[:min(len(msgs), limit)], more, next, ""
}

// replies answers conversations.replies: the thread's parent, then its
// replies between oldest and latest, earliest first, at most limit
// messages in all: the earliest, as Slack documents ("The earliest
// messages in the time range are returned first"), with has_more and a
// cursor to the rest.
func (f *fakeSlack) replies(body map[string]json.RawMessage) (map[string]any, string) {
	a, code := f.readArgs("conversations.replies", body)
	if code != "" {
		return nil, code
	}
	ts := str(body["ts"])
	f.mu.Lock()
	defer f.mu.Unlock()
	i := slices.IndexFunc(f.msgs, func(m *fakeMsg) bool { return m.channel == a.channel && m.ts == ts })
	if i < 0 || f.goneThread(a.channel, ts) {
		return nil, "thread_not_found"
	}
	parent := f.msgs[i]
	if parent.threadTS != "" {
		parent = f.msgs[slices.IndexFunc(f.msgs, func(m *fakeMsg) bool { return m.channel == a.channel && m.ts == parent.threadTS })]
	}
	var msgs []any
	if !f.rangedParent || a.in(parent.ts) {
		msgs = append(msgs, f.shape(parent, a.metadata))
	}
	for _, m := range f.msgs {
		if m.channel == a.channel && m.threadTS == parent.ts && !m.deleted && a.in(m.ts) {
			msgs = append(msgs, f.shape(m, a.metadata))
		}
	}
	msgs, more, next, code := page(msgs, a.limit, str(body["cursor"]))
	if code != "" {
		return nil, code
	}
	return map[string]any{"messages": msgs, "has_more": more,
		"response_metadata": map[string]any{"next_cursor": next}}, ""
}

// shape is m as Slack lists it, with its metadata when asked for it.
func (f *fakeSlack) shape(m *fakeMsg, metadata bool) map[string]any {
	out := map[string]any{"type": "message", "text": m.text, "ts": m.ts, "user": "U0BOT00001",
		"bot_id": "B0BOT00001", "app_id": "A0APP00001", "team": "T0TEST0001"}
	if m.threadTS != "" {
		out["thread_ts"], out["parent_user_id"] = m.threadTS, "U0BOT00001"
		if m.broadcast {
			out["subtype"] = "thread_broadcast"
		}
	}
	if n := f.replyCount(m); n > 0 {
		out["thread_ts"], out["reply_count"] = m.ts, n
	}
	if metadata && m.metadata != nil {
		out["metadata"] = m.metadata
	}
	if len(m.attachments) > 0 {
		// As Slack lists a message's attachments: numbered, their colour
		// without "#".
		var atts []any
		for i, text := range m.attachments {
			atts = append(atts, map[string]any{"id": i + 1, "text": text, "fallback": "Current status",
				"color": "1a7f37", "mrkdwn_in": []string{"text"}})
		}
		out["attachments"] = atts
	}
	return out
}

// replyCount counts the replies to m.
func (f *fakeSlack) replyCount(m *fakeMsg) int {
	n := 0
	for _, r := range f.msgs {
		if r.channel == m.channel && r.threadTS == m.ts && !r.deleted {
			n++
		}
	}
	return n
}

// checkMetadata checks a message's metadata as Slack documents it
// (https://docs.slack.dev/messaging/message-metadata): an event_type and
// an event_payload object.
func (f *fakeSlack) checkMetadata(raw json.RawMessage) {
	if raw == nil {
		return
	}
	var md struct {
		EventType    string         `json:"event_type"`
		EventPayload map[string]any `json:"event_payload"`
	}
	if err := json.Unmarshal(raw, &md); err != nil || md.EventType == "" || md.EventPayload == nil {
		f.t.Errorf("chat.postMessage: metadata %s is not {event_type, event_payload}: %v", raw, err)
	}
	for k, v := range md.EventPayload {
		if !payloadValue(v, true) {
			f.t.Errorf("chat.postMessage: event_payload %q is %v: Slack takes strings, numbers, booleans, "+
				"and objects of them (or arrays of such objects)", k, v)
		}
	}
	if strings.ContainsFunc(md.EventType, func(r rune) bool { return !(r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9') }) {
		f.t.Errorf("chat.postMessage: event_type %q is not an alphanumeric name", md.EventType)
	}
}

// payloadValue reports whether v is a value Slack takes in an
// event_payload: a string, number or boolean, or, at the top (top), an
// object of them or an array of such objects.
func payloadValue(v any, top bool) bool {
	switch v := v.(type) {
	case string, float64, bool:
		return true
	case map[string]any:
		for _, x := range v {
			if !payloadValue(x, false) {
				return false
			}
		}
		return top
	case []any:
		for _, x := range v {
			if _, ok := x.(map[string]any); !ok || !payloadValue(x, true) {
				return false
			}
		}
		return top
	}
	return false
}

// tsValue reads a message's ts as a number, for comparing with oldest.
func tsValue(ts string) float64 {
	v, _ := strconv.ParseFloat(ts, 64)
	return v
}
