package telegram

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/channels/internal/cutbody"
)

// testToken is a bot token as @BotFather makes them.
const testToken = "7012345678:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw-_x"

// The fake's chats: a public channel, a forum supergroup with topic 42,
// and a basic group.
const (
	channelID = int64(-1001111111111)
	forumID   = int64(-1002222222222)
	groupID   = int64(-333333333)
)

// fakeBot is an httptest fake of the Telegram Bot API: POST
// /bot<token>/<method> with a JSON body for sendMessage, editMessageText,
// deleteMessage and getMe (method names in any case, as the Bot API takes
// them). It parses parse_mode HTML as Telegram does (only Telegram's tags
// and entities, every "<", ">" and "&" of text escaped), limits the text
// readers see to 4,096 characters, numbers messages per chat, honours
// reply_parameters and message_thread_id, refuses to delete messages older
// than 48 hours, and answers with Telegram's Message and error envelopes
// ({"ok":false,"error_code":…,"description":…,"parameters":{…}}), 429
// with retry_after, and a migrated group's migrate_to_chat_id. It
// implements channeltest.TargetBackend, its targets named as Config.Chats
// names them.
type fakeBot struct {
	*httptest.Server

	mu       sync.Mutex
	chats    map[int64]*fakeChat
	targets  map[string]chatTopic // Config.Chats entry → chat and topic
	messages []*fakeMessage
	failure  channeltest.Failure
	echo     bool                           // FailEchoDelivered: answers pass through channeltest.EchoAnswer
	failing  map[string]channeltest.Failure // by target
	cut      map[string]bool                // by target: the answer to a message posted there breaks off
	methods  map[string]channeltest.Failure // by method, lower-case: a failure of every request for it
	requests []request
	now      func() time.Time
	// gate, when set, is called with each request's method before the
	// fake takes it, outside its lock: a test may hold a request there.
	gate func(method string)
	// chatAnswer, when set, answers every getChat in its place.
	chatAnswer http.HandlerFunc
}

type chatTopic struct{ chat, topic int64 }

type fakeChat struct {
	id       int64
	username string // without "@"; "" for none
	// aliases are the chat's other active usernames, as a channel may
	// have several (active_usernames), without "@".
	aliases   []string
	typ       string
	forum     bool
	next      int64  // the last message id used
	migrateTo int64  // a basic group upgraded to this supergroup
	refuse    string // a 403 description, as a bot blocked or kicked
}

type fakeMessage struct {
	chat, id, topic, replyTo int64
	text, html               string // what readers see, and what was sent
	date                     time.Time
	deleted                  bool
	frozen                   bool // Telegram will not edit it: "message can't be edited"
	// invalid: Telegram's servers refuse its id ("MESSAGE_ID_INVALID"),
	// which the Bot API passes on for a message deleted where it did not
	// learn of it.
	invalid bool
}

// request is what the fake received, for tests that check it.
type request struct {
	Path, Method string
	Body         string
}

func newFakeBot(t *testing.T) *fakeBot {
	t.Helper()
	f := &fakeBot{
		chats: map[int64]*fakeChat{
			channelID: {id: channelID, username: "examplestatus", typ: "channel"},
			forumID:   {id: forumID, typ: "supergroup", forum: true},
			groupID:   {id: groupID, typ: "group"},
		},
		targets: map[string]chatTopic{"@examplestatus": {channelID, 0}, "-1002222222222/42": {forumID, 42},
			"-333333333": {groupID, 0}, "-1001111111111": {channelID, 0}},
		failing: map[string]channeltest.Failure{},
		cut:     map[string]bool{},
		methods: map[string]channeltest.Failure{},
		now:     time.Now,
	}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		echo := f.echo
		f.mu.Unlock()
		if echo {
			channeltest.EchoAnswer(http.HandlerFunc(f.serve)).ServeHTTP(w, r)
			return
		}
		f.serve(w, r)
	}))
	t.Cleanup(f.Close)
	return f
}

// Received implements channeltest.Backend.
func (f *fakeBot) Received() []channeltest.Delivery {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]channeltest.Delivery, len(f.messages))
	for i, m := range f.messages {
		d := channeltest.Delivery{Text: m.text, Parts: []string{m.text}, ID: strconv.FormatInt(m.id, 10),
			Target: f.targetOf(m.chat, m.topic), Deleted: m.deleted}
		if m.replyTo != 0 {
			d.ReplyTo = strconv.FormatInt(m.replyTo, 10)
		}
		out[i] = d
	}
	return out
}

// Fail implements channeltest.Backend.
func (f *fakeBot) Fail(failure channeltest.Failure) {
	f.set(func(f *fakeBot) {
		f.echo = failure == channeltest.FailEchoDelivered
		if f.echo { // the Bot API's answer, echoed
			failure = channeltest.FailNone
		}
		f.failure = failure
	})
}

// FailTarget implements channeltest.TargetBackend.
func (f *fakeBot) FailTarget(target string, failure channeltest.Failure) {
	f.set(func(f *fakeBot) { f.failing[target] = failure })
}

func (f *fakeBot) set(change func(f *fakeBot)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	change(f)
}

// received returns the requests for method ("" for all).
func (f *fakeBot) received(method string) []request {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []request
	for _, r := range f.requests {
		if method == "" || strings.EqualFold(r.Method, method) {
			out = append(out, r)
		}
	}
	return out
}

// targetOf names a chat and topic as Config.Chats does; the @username
// entry wins for the public channel.
func (f *fakeBot) targetOf(chat, topic int64) string {
	if chat == channelID {
		return "@examplestatus"
	}
	for name, ct := range f.targets {
		if ct.chat == chat && ct.topic == topic {
			return name
		}
	}
	return strconv.FormatInt(chat, 10)
}

func (f *fakeBot) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rest, _ := strings.CutPrefix(r.URL.Path, "/bot")
	token, method, _ := strings.Cut(rest, "/")
	f.mu.Lock()
	gate := f.gate
	f.mu.Unlock()
	if gate != nil {
		gate(method)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, request{Path: r.URL.Path, Method: method, Body: string(body)})
	switch {
	case f.failure != channeltest.FailNone:
		f.writeFailure(w, r, f.failure)
		return
	case f.methods[strings.ToLower(method)] != channeltest.FailNone:
		f.writeFailure(w, r, f.methods[strings.ToLower(method)])
		return
	case refused(token) != 0:
		status := refused(token)
		writeError(w, status, map[int]string{http.StatusUnauthorized: "Unauthorized: invalid token specified",
			http.StatusMisdirectedRequest: "Misdirected Request: unallowed token specified"}[status], nil)
		return
	case token != testToken:
		writeError(w, http.StatusUnauthorized, "Unauthorized", nil)
		return
	case r.Header.Get("Content-Type") != "application/json":
		writeError(w, http.StatusBadRequest, "Bad Request: Content-Type "+r.Header.Get("Content-Type"), nil)
		return
	}
	switch strings.ToLower(method) {
	case "sendmessage":
		f.sendMessage(w, r, body)
	case "editmessagetext":
		f.editMessageText(w, r, body)
	case "deletemessage":
		f.deleteMessage(w, r, body)
	case "getchat":
		if f.chatAnswer != nil {
			f.chatAnswer(w, r)
			return
		}
		f.getChat(w, body)
	case "getchatmembercount":
		f.getChatMemberCount(w, body)
	case "getme":
		writeResult(w, map[string]any{"id": 7012345678, "is_bot": true, "first_name": "Example Status",
			"username": "example_status_bot", "can_join_groups": true})
	default:
		writeError(w, http.StatusNotFound, "Not Found: method not found", nil)
	}
}

// failing returns the failure injected for target, if any.
func (f *fakeBot) failingFor(target string) channeltest.Failure { return f.failing[target] }

// resolve finds the chat of a chat_id: a number, or "@username", or a
// number in a string.
func (f *fakeBot) resolve(raw json.RawMessage) *fakeChat {
	var id int64
	if json.Unmarshal(raw, &id) == nil {
		return f.chats[id]
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return nil
	}
	if name, ok := strings.CutPrefix(s, "@"); ok {
		for _, c := range f.chats {
			if c.username != "" && strings.EqualFold(c.username, name) {
				return c
			}
			for _, a := range c.aliases {
				if strings.EqualFold(a, name) {
					return c
				}
			}
		}
		return nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return nil
	}
	return f.chats[n]
}

type sendInput struct {
	ChatID             json.RawMessage     `json:"chat_id"`
	MessageThreadID    int64               `json:"message_thread_id"`
	Text               string              `json:"text"`
	ParseMode          string              `json:"parse_mode"`
	LinkPreviewOptions *linkPreviewOptions `json:"link_preview_options"`
	ReplyParameters    *replyParameters    `json:"reply_parameters"`
}

func (f *fakeBot) sendMessage(w http.ResponseWriter, r *http.Request, body []byte) {
	var in sendInput
	if err := decodeStrict(body, &in); err != nil {
		writeError(w, http.StatusBadRequest, "Bad Request: "+err.Error(), nil)
		return
	}
	c := f.resolve(in.ChatID)
	if c == nil {
		writeError(w, http.StatusBadRequest, "Bad Request: chat not found", nil)
		return
	}
	if fl := f.failingFor(f.targetOf(c.id, in.MessageThreadID)); fl != channeltest.FailNone {
		f.writeFailure(w, r, fl)
		return
	}
	if problem, status, params := f.refuseSend(c, in); problem != "" {
		writeError(w, status, problem, params)
		return
	}
	text, problem := parseText(in.ParseMode, in.Text)
	if problem != "" {
		writeError(w, http.StatusBadRequest, problem, nil)
		return
	}
	m := &fakeMessage{chat: c.id, topic: in.MessageThreadID, text: text, html: in.Text, date: f.now()}
	if rp := in.ReplyParameters; rp != nil {
		if f.find(c.id, rp.MessageID) != nil {
			m.replyTo = rp.MessageID
		} else if !rp.AllowSendingWithoutReply {
			writeError(w, http.StatusBadRequest, "Bad Request: message to be replied not found", nil)
			return
		}
	}
	c.next++
	m.id = c.next
	f.messages = append(f.messages, m)
	if f.cut[f.targetOf(c.id, in.MessageThreadID)] {
		cutbody.Write(w, http.StatusOK, `{"ok":true,"result":{"message_id":`)
		return
	}
	writeResult(w, f.entity(c, m))
}

// refuseSend returns why Telegram refuses a message to c, if it does.
func (f *fakeBot) refuseSend(c *fakeChat, in sendInput) (string, int, map[string]any) {
	switch {
	case c.migrateTo != 0:
		return migratedProblem, http.StatusBadRequest, map[string]any{"migrate_to_chat_id": c.migrateTo}
	case c.refuse != "":
		return c.refuse, http.StatusForbidden, nil
	case in.MessageThreadID != 0 && (!c.forum || in.MessageThreadID != 42):
		return "Bad Request: message thread not found", http.StatusBadRequest, nil
	}
	return "", 0, nil
}

// migratedProblem is the Bot API's answer to every method naming a basic
// group upgraded to a supergroup, with parameters.migrate_to_chat_id
// (https://core.telegram.org/bots/api#responseparameters).
const migratedProblem = "Bad Request: group chat was upgraded to a supergroup chat"

// writeMigrated answers as the Bot API does for c, a group upgraded to a
// supergroup: its messages stay behind in it, and it takes no edit or
// deletion any more.
func writeMigrated(w http.ResponseWriter, c *fakeChat) {
	writeError(w, http.StatusBadRequest, migratedProblem, map[string]any{"migrate_to_chat_id": c.migrateTo})
}

// parseText returns the text readers see, or Telegram's error.
func parseText(mode, text string) (string, string) {
	if mode != "HTML" {
		return "", "Bad Request: the fake expects parse_mode HTML"
	}
	visible, err := parseHTML(text)
	visible = cleanText(visible)
	switch {
	case err != nil:
		return "", "Bad Request: can't parse entities: " + err.Error()
	case strings.TrimSpace(visible) == "":
		return "", "Bad Request: message text is empty"
	case utf8.RuneCountInString(visible) > MaxLength:
		return "", "Bad Request: message is too long"
	}
	return visible, ""
}

// cleanText is the text as Telegram keeps it (tdlib's
// clean_input_string, before it looks for mentions and bot commands):
// without "\r", U+2028 to U+202E, U+030A, U+0333 and U+033F, and with
// the other control characters but "\t" and "\n" made spaces.
func cleanText(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\r' || r >= '\u2028' && r <= '\u202e' || r == '\u030a' || r == '\u0333' || r == '\u033f':
			return -1
		case r < ' ' && r != '\t' && r != '\n':
			return ' '
		}
		return r
	}, s)
}

func (f *fakeBot) entity(c *fakeChat, m *fakeMessage) map[string]any {
	chat := map[string]any{"id": c.id, "type": c.typ, "title": "Example Status"}
	if c.username != "" {
		chat["username"] = c.username
	}
	e := map[string]any{"message_id": m.id, "date": m.date.Unix(), "chat": chat, "text": m.text,
		"sender_chat": chat, "entities": []map[string]any{{"type": "bold", "offset": 0, "length": 1}}}
	if m.topic != 0 {
		e["message_thread_id"], e["is_topic_message"] = m.topic, true
	}
	if m.replyTo != 0 {
		e["reply_to_message"] = map[string]any{"message_id": m.replyTo, "chat": chat, "date": m.date.Unix()}
	}
	return e
}

// find returns the message id in chat unless it is unknown or deleted.
func (f *fakeBot) find(chat, id int64) *fakeMessage {
	for _, m := range f.messages {
		if m.chat == chat && m.id == id && !m.deleted {
			return m
		}
	}
	return nil
}

func (f *fakeBot) editMessageText(w http.ResponseWriter, r *http.Request, body []byte) {
	var in struct {
		ChatID             json.RawMessage     `json:"chat_id"`
		MessageID          int64               `json:"message_id"`
		Text               string              `json:"text"`
		ParseMode          string              `json:"parse_mode"`
		LinkPreviewOptions *linkPreviewOptions `json:"link_preview_options"`
	}
	if err := decodeStrict(body, &in); err != nil {
		writeError(w, http.StatusBadRequest, "Bad Request: "+err.Error(), nil)
		return
	}
	c := f.resolve(in.ChatID)
	if c == nil {
		writeError(w, http.StatusBadRequest, "Bad Request: chat not found", nil)
		return
	}
	if c.migrateTo != 0 {
		writeMigrated(w, c)
		return
	}
	m := f.find(c.id, in.MessageID)
	if m != nil {
		if fl := f.failingFor(f.targetOf(c.id, m.topic)); fl != channeltest.FailNone {
			f.writeFailure(w, r, fl)
			return
		}
	}
	text, problem := parseText(in.ParseMode, in.Text)
	switch {
	case m == nil:
		writeError(w, http.StatusBadRequest, "Bad Request: message to edit not found", nil)
	case m.frozen:
		writeError(w, http.StatusBadRequest, "Bad Request: message can't be edited", nil)
	case m.invalid:
		writeError(w, http.StatusBadRequest, "Bad Request: MESSAGE_ID_INVALID", nil)
	case problem != "":
		writeError(w, http.StatusBadRequest, problem, nil)
	case text == m.text && in.Text == m.html:
		writeError(w, http.StatusBadRequest, "Bad Request: message is not modified: specified new message content "+
			"and reply markup are exactly the same as a current content and reply markup of the message", nil)
	default:
		m.text, m.html = text, in.Text
		e := f.entity(c, m)
		e["edit_date"] = f.now().Unix()
		writeResult(w, e)
	}
}

func (f *fakeBot) deleteMessage(w http.ResponseWriter, r *http.Request, body []byte) {
	var in struct {
		ChatID    json.RawMessage `json:"chat_id"`
		MessageID int64           `json:"message_id"`
	}
	if err := decodeStrict(body, &in); err != nil {
		writeError(w, http.StatusBadRequest, "Bad Request: "+err.Error(), nil)
		return
	}
	c := f.resolve(in.ChatID)
	if c == nil {
		writeError(w, http.StatusBadRequest, "Bad Request: chat not found", nil)
		return
	}
	if c.migrateTo != 0 {
		writeMigrated(w, c)
		return
	}
	m := f.find(c.id, in.MessageID)
	if m != nil {
		if fl := f.failingFor(f.targetOf(c.id, m.topic)); fl != channeltest.FailNone {
			f.writeFailure(w, r, fl)
			return
		}
	}
	switch {
	case m == nil:
		writeError(w, http.StatusBadRequest, "Bad Request: message to delete not found", nil)
	case f.now().Sub(m.date) >= 48*time.Hour:
		writeError(w, http.StatusBadRequest, "Bad Request: message can't be deleted", nil)
	default:
		m.deleted = true
		writeResult(w, true)
	}
}

// writeFailure answers as the Bot API (or the proxy in front of it) does
// for a failure class.
func (f *fakeBot) writeFailure(w http.ResponseWriter, r *http.Request, failure channeltest.Failure) {
	switch failure {
	case channeltest.FailTransient:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		_, _ = io.WriteString(w, "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"+
			"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n</body>\r\n</html>\r\n")
	case channeltest.FailRateLimited:
		w.Header().Set("Retry-After", "7")
		writeError(w, http.StatusTooManyRequests, "Too Many Requests: retry after 7", map[string]any{"retry_after": 7})
	case channeltest.FailUnauthorized:
		writeError(w, http.StatusUnauthorized, "Unauthorized", nil)
	case channeltest.FailEcho:
		writeEcho(w, r)
	case channeltest.FailForeign:
		channeltest.ForeignPage(w, r, http.StatusOK) // the token is in the path
	default:
		writeError(w, http.StatusForbidden, "Forbidden: bot is not a member of the channel chat", nil)
	}
}

// writeEcho answers 400 as a debugging proxy might: with the request's
// path (the token in it), raw and escaped, and the token in base64.
func writeEcho(w http.ResponseWriter, r *http.Request) {
	token, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/bot"), "/")
	writeError(w, http.StatusBadRequest, fmt.Sprintf("Bad Request: invalid request to %s (%s, %s, token %s)",
		r.URL.Path, url.PathEscape(r.URL.Path), url.QueryEscape(token), base64.StdEncoding.EncodeToString([]byte(token))), nil)
}

func decodeStrict(body []byte, v any) error {
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

func writeResult(w http.ResponseWriter, result any) {
	writeJSON(w, http.StatusOK, map[string]any{"ok": true, "result": result})
}

// refused is the status with which the Bot API server refuses token
// before it looks the bot up (see tokenRefusal), or 0.
func refused(token string) int {
	status, _ := tokenRefusal(token)
	return status
}

func writeError(w http.ResponseWriter, status int, description string, params map[string]any) {
	a := map[string]any{"ok": false, "error_code": status, "description": description}
	if params != nil {
		a["parameters"] = params
	}
	writeJSON(w, status, a)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// getChat answers with the chat's ChatFullInfo, or Telegram's refusal: a
// chat the bot cannot see, a supergroup or channel the bot was kicked
// from. It asks for read access only, as the Bot API does, which a basic
// group grants when it was upgraded to a supergroup or the bot was kicked
// from it (check_chat_access in tdlib/telegram-bot-api): getChat then
// answers with the old group, as type "group".
func (f *fakeBot) getChat(w http.ResponseWriter, body []byte) {
	var in struct {
		ChatID json.RawMessage `json:"chat_id"`
	}
	c := (*fakeChat)(nil)
	if decodeStrict(body, &in) == nil {
		c = f.resolve(in.ChatID)
	}
	switch {
	case c == nil:
		writeError(w, http.StatusBadRequest, "Bad Request: chat not found", nil)
	case c.refuse != "" && c.typ != "group":
		writeError(w, http.StatusForbidden, c.refuse, nil)
	default:
		info := map[string]any{"id": c.id, "type": c.typ, "title": "Example status", "accent_color_id": 0, "max_reaction_count": 11}
		if c.username != "" {
			info["username"] = c.username
			info["active_usernames"] = append([]string{c.username}, c.aliases...)
		}
		if c.forum {
			info["is_forum"] = true
		}
		writeResult(w, info)
	}
}

// getChatMemberCount answers with a member count, or Telegram's refusal.
// It asks for access to the member list, which a basic group upgraded to
// a supergroup refuses with migrate_to_chat_id, and one the bot was kicked
// from with 403 (check_chat_access in tdlib/telegram-bot-api).
func (f *fakeBot) getChatMemberCount(w http.ResponseWriter, body []byte) {
	var in struct {
		ChatID json.RawMessage `json:"chat_id"`
	}
	c := (*fakeChat)(nil)
	if decodeStrict(body, &in) == nil {
		c = f.resolve(in.ChatID)
	}
	switch {
	case c == nil:
		writeError(w, http.StatusBadRequest, "Bad Request: chat not found", nil)
	case c.migrateTo != 0:
		writeError(w, http.StatusBadRequest, "Bad Request: group chat was upgraded to a supergroup chat",
			map[string]any{"migrate_to_chat_id": c.migrateTo})
	case c.refuse != "":
		writeError(w, http.StatusForbidden, c.refuse, nil)
	default:
		writeResult(w, 3)
	}
}
