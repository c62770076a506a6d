package channeltest_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/templates"
)

// chat stands for an adapter: it posts each update as one message of at
// most chatLimit characters to a chat platform that threads replies under
// the incident's first post (as Slack does), takes an idempotency key, and
// can edit and delete posts.
type chat struct {
	name  string
	token string // secret: kept out of errors and printing
	api   *fakeChat
	// keyFor is the idempotency key of m; nil: m.Key(""). The broken
	// channels of the suite's own tests change it, and showBody.
	keyFor func(m broadcast.Message) string
	// showBody makes what errors show of the platform's answer; nil:
	// nothing, errors give the status only.
	showBody func(body string) string
	// lenient takes any 200 for the platform's answer, as a broken
	// channel of the suite's own tests does.
	lenient bool
	// anyID takes the answer's post id as it comes, as a broken channel
	// of the suite's own tests does.
	anyID bool
	// certain refuses an echoed answer as if nothing was posted, as a
	// broken channel of the suite's own tests does.
	certain bool
	// retext changes the rendered text of u; nil: the text as rendered.
	// The broken channels of the suite's own tests set it.
	retext func(text string, u broadcast.Update) string
}

const chatLimit = 500

// chatConfig is the chat's configuration, as a user writes it.
type chatConfig struct {
	Name   string
	Server string // the platform's address, which errors name
	Token  secret
}

func newChat(cfg chatConfig, api *fakeChat) *chat {
	return &chat{name: cfg.Name, token: string(cfg.Token), api: api}
}

// secret prints as REDACTED with every verb, in slog, in JSON and in YAML.
type secret string

func (secret) Format(f fmt.State, _ rune)   { _, _ = f.Write([]byte("REDACTED")) }
func (secret) LogValue() slog.Value         { return slog.StringValue("REDACTED") }
func (secret) MarshalJSON() ([]byte, error) { return []byte(`"REDACTED"`), nil }
func (secret) MarshalText() ([]byte, error) { return []byte("REDACTED"), nil }

// errChatNotMade is the error of every call of a chat not made by
// newChat: a nil *chat, a zero chat (the NilOrZeroChannelFails rule).
var errChatNotMade = broadcast.Permanent(errors.New("chat: not made by newChat"))

// made reports whether c was made by newChat.
func (c *chat) made() bool { return c != nil && c.api != nil }

func (c *chat) Name() string {
	if !c.made() {
		return ""
	}
	return c.name
}

func (c *chat) Format(f fmt.State, _ rune) {
	if c == nil {
		_, _ = f.Write([]byte("chat (nil)"))
		return
	}
	_, _ = fmt.Fprintf(f, "chat %s", c.name)
}

func (c *chat) LogValue() slog.Value {
	if c == nil {
		return slog.StringValue("chat (nil)")
	}
	return slog.StringValue("chat " + c.name)
}
func (c *chat) render(u broadcast.Update) (string, error) {
	text, err := templates.Default().Text(c.name, "short", u, chatLimit, templates.Runes)
	if err != nil {
		return "", broadcast.Permanent(fmt.Errorf("chat: render: %w", err))
	}
	if c.retext != nil {
		text = c.retext(text, u)
	}
	return text, nil
}

// Send renders, posts once and classifies the platform's answer.
func (c *chat) Send(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	if !c.made() {
		return broadcast.Receipt{}, errChatNotMade
	}
	text, err := c.render(m.Update)
	if err != nil {
		return broadcast.Receipt{}, err
	}
	if err := ctx.Err(); err != nil { // where a real adapter's HTTP request would fail
		return broadcast.Receipt{}, fmt.Errorf("chat: post: %w", err)
	}
	key := m.Key("")
	if c.keyFor != nil {
		key = c.keyFor(m)
	}
	a := c.api.post(c.token, key, text, m.Thread.Root.ID)
	if err := c.check("post", a); err != nil {
		return broadcast.Receipt{}, err
	}
	if a.id != "" && !c.anyID && !postID.MatchString(a.id) { // a relay's echo of the request, say
		err := broadcast.Permanent(errors.New("chat: post: the answer names no post id of " +
			"the platform: check Config.Server"))
		if c.certain {
			return broadcast.Receipt{}, err
		}
		// The post may have been made all the same: a later attempt
		// looks for it.
		return broadcast.Receipt{}, broadcast.Uncertain(err)
	}
	return broadcast.Receipt{Channel: c.name, ID: a.id, Time: m.Update.Time}, nil
}

// Edit replaces the text of the post prev; a post gone says so.
func (c *chat) Edit(ctx context.Context, m broadcast.Message, prev broadcast.Receipt) (broadcast.Receipt, error) {
	if !c.made() {
		return broadcast.Receipt{}, errChatNotMade
	}
	text, err := c.render(m.Update)
	if err != nil {
		return broadcast.Receipt{}, err
	}
	if err := ctx.Err(); err != nil {
		return broadcast.Receipt{}, fmt.Errorf("chat: edit: %w", err)
	}
	a := c.api.edit(c.token, prev.ID, text)
	if a.status == 404 { // deleted by hand: Broadcaster.Correct posts the correction anew
		return broadcast.Receipt{}, broadcast.Permanent(fmt.Errorf("chat: edit: %w", broadcast.ErrPostGone))
	}
	if err := c.check("edit", a); err != nil {
		return broadcast.Receipt{}, err
	}
	return broadcast.Receipt{Channel: c.name, ID: prev.ID, Time: m.Update.Time}, nil
}

// Preview renders u as Send would post it.
func (c *chat) Preview(u broadcast.Update) (broadcast.Preview, error) {
	if !c.made() {
		return broadcast.Preview{}, errChatNotMade
	}
	text, err := c.render(u)
	return broadcast.Preview{Channel: c.name, Text: text, Length: templates.Runes(text), Limit: chatLimit,
		Unit: "characters"}, err
}

// Check verifies the token without posting.
func (c *chat) Check(ctx context.Context) error {
	if !c.made() {
		return errChatNotMade
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("chat: check: %w", err)
	}
	return c.check("check", c.api.auth(c.token))
}

// Retract deletes the post prev; a post already gone is fine.
func (c *chat) Retract(ctx context.Context, prev broadcast.Receipt) error {
	if !c.made() {
		return errChatNotMade
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("chat: delete: %w", err)
	}
	a := c.api.remove(c.token, prev.ID)
	if a.status == 404 {
		return nil
	}
	return c.check("delete", a)
}

func (c *chat) check(op string, a answer) error {
	if a.status == 200 && (a.body == okBody || c.lenient) {
		return nil
	}
	err := fmt.Errorf("chat: %s: status %d", op, a.status)
	if a.status == 200 { // a captive portal's page: Permanent below
		err = fmt.Errorf("chat: %s: status 200 without the platform's answer: check Config.Server", op)
	}
	if c.showBody != nil {
		err = fmt.Errorf("%w: %s", err, c.showBody(a.body))
	}
	switch {
	case a.status == 429:
		return broadcast.RetryAfter(err, time.Minute)
	case a.status >= 500:
		return err
	}
	return broadcast.Permanent(err)
}

// fakeChat is the platform's fake: it answers with the status each
// channeltest.Failure stands for and keeps the posts it accepted.
type fakeChat struct {
	// firstID is the id of the platform's first post; 0: firstPostID.
	firstID int64
	mu      sync.Mutex
	token   string
	failure channeltest.Failure
	posts   []channeltest.Delivery
}

// answer is the platform's answer to a request.
type answer struct {
	status   int
	id, body string
}

// firstPostID is the platform's id of its first post: ids are snowflakes,
// above 2^53, as X's and Discord's are.
const firstPostID = 1850000000000000001

// postID is the form of the platform's post ids.
var postID = regexp.MustCompile(`^[0-9]+$`)

// okBody is the body of the platform's every success.
const okBody = `{"ok":true}`

var failStatus = map[channeltest.Failure]int{
	channeltest.FailTransient:    503,
	channeltest.FailRateLimited:  429,
	channeltest.FailUnauthorized: 401,
	channeltest.FailRejected:     400,
}

// refuse is the answer to a request failing as told, or with a wrong token.
func (f *fakeChat) refuse(token string) (answer, bool) {
	switch f.failure {
	case channeltest.FailEcho:
		return answer{status: 400, body: echo("ops-bot", token)}, true
	case channeltest.FailForeign:
		return answer{status: 200, body: "<html><body>Sign in to continue. Your request: " +
			echo("ops-bot", token) + "</body></html>"}, true
	}
	if status, ok := failStatus[f.failure]; ok {
		return answer{status: status, body: `{"ok":false,"error":"` + f.failure.String() + `"}`}, true
	}
	if token != f.token {
		return answer{status: 401, body: `{"ok":false,"error":"invalid_auth"}`}, true
	}
	return answer{}, false
}

// echo is a debugging server's error answer: the credentials it got, in
// the forms a request carries them.
func echo(user, token string) string {
	b, _ := json.Marshal(map[string]string{
		"error":         "invalid_request",
		"authorization": "Bearer " + token,
		"basic":         base64.StdEncoding.EncodeToString([]byte(user + ":" + token)),
		"query":         "token=" + url.QueryEscape(token),
	})
	return string(b) + " php: " + strings.ReplaceAll(token, "/", `\/`)
}

func (f *fakeChat) post(token, key, text, replyTo string) answer {
	f.mu.Lock()
	defer f.mu.Unlock()
	if a, refused := f.refuse(token); refused {
		return a
	}
	first := f.firstID
	if first == 0 {
		first = firstPostID
	}
	id := strconv.FormatInt(first+int64(len(f.posts)), 10)
	f.posts = append(f.posts, channeltest.Delivery{Text: text, Parts: []string{text}, ReplyTo: replyTo, ID: id, Key: key})
	if f.failure == channeltest.FailEchoDelivered {
		id += " " + echo("ops-bot", token) // the id field, quoting the request
	}
	return answer{status: 200, id: id, body: okBody}
}

func (f *fakeChat) auth(token string) answer {
	f.mu.Lock()
	defer f.mu.Unlock()
	if a, refused := f.refuse(token); refused {
		return a
	}
	return answer{status: 200, body: okBody}
}

func (f *fakeChat) edit(token, id, text string) answer {
	f.mu.Lock()
	defer f.mu.Unlock()
	if a, refused := f.refuse(token); refused {
		return a
	}
	i := f.find(id)
	if i < 0 {
		return answer{status: 404}
	}
	f.posts[i].Text, f.posts[i].Parts = text, []string{text}
	if f.failure == channeltest.FailEchoDelivered {
		id += " " + echo("ops-bot", token)
	}
	return answer{status: 200, id: id, body: okBody}
}

func (f *fakeChat) remove(token, id string) answer {
	f.mu.Lock()
	defer f.mu.Unlock()
	if a, refused := f.refuse(token); refused {
		return a
	}
	i := f.find(id)
	if i < 0 {
		return answer{status: 404}
	}
	f.posts[i].Deleted = true
	return answer{status: 200, id: id, body: okBody}
}

// find returns the index of the post id, -1 when there is none (or no
// more).
func (f *fakeChat) find(id string) int {
	return slices.IndexFunc(f.posts, func(d channeltest.Delivery) bool { return d.ID == id && !d.Deleted })
}

func (f *fakeChat) Received() []channeltest.Delivery {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.posts)
}

func (f *fakeChat) Fail(failure channeltest.Failure) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failure = failure
}

// chatToken is the chat's secret: "/", "+" and "=" make its URL-escaped
// and base64 forms differ from it.
const chatToken = "tok-3f9a/7c1e+Zq=="

// chatHarness is what a test passes to channeltest.Run:
//
//	func TestConformance(t *testing.T) { channeltest.Run(t, chatHarness()) }
func chatHarness() channeltest.Harness {
	cfg := chatConfig{Name: "ops-chat", Server: "https://chat.example.com", Token: chatToken}
	return channeltest.Harness{
		New: func(t *testing.T) (broadcast.Channel, channeltest.Backend) {
			api := &fakeChat{token: chatToken}
			return newChat(cfg, api), api
		},
		Reopen: func(_ *testing.T, be channeltest.Backend) broadcast.Channel {
			return newChat(cfg, be.(*fakeChat))
		},
		Secrets:   []string{chatToken},
		Config:    cfg,
		MaxLength: chatLimit,
		ThreadsTo: channeltest.Root,
		Keyed:     true,
		LargeIDs:  true, // snowflakes, from firstPostID
		Failures: []channeltest.Failure{channeltest.FailTransient, channeltest.FailRateLimited,
			channeltest.FailUnauthorized, channeltest.FailRejected, channeltest.FailEcho,
			channeltest.FailForeign, channeltest.FailEchoDelivered},
		ServerField: "Config.Server",
		Untrusted:   untrustedChat(true),
		TLS:         tlsChat(""),
	}
}

// An adapter's test wires the adapter to a fake of its platform and hands
// both to channeltest.Run. The fake records what it accepted and fails on
// demand; here it is exercised by hand.
func Example() {
	api := &fakeChat{token: chatToken}
	ch := newChat(chatConfig{Name: "ops-chat", Token: chatToken}, api)
	m := broadcast.NewMessage(broadcast.Update{
		Title:  "Elevated error rates on the CDN",
		Status: broadcast.StatusInvestigating,
		URL:    "https://status.example.com/incidents/42",
	})

	r, err := ch.Send(context.Background(), m)
	fmt.Println(r.ID, err, api.Received()[0].Text)

	api.Fail(channeltest.FailRateLimited)
	_, err = ch.Send(context.Background(), m)
	wait, _ := broadcast.RetryDelay(err)
	fmt.Println(err, "- retry in", wait)

	fmt.Println(ch, chatHarness().Failures)
	// Output:
	// 1850000000000000001 <nil> Investigating: Elevated error rates on the CDN https://status.example.com/incidents/42
	// chat: post: status 429 - retry in 1m0s
	// chat ops-chat [transient rate-limited unauthorized rejected echo foreign echo-delivered]
}
