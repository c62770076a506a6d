package googlechat

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/channels/internal/cutbody"
	"github.com/outagecast/outagecast/channels/internal/golden"
	"github.com/outagecast/outagecast/channels/internal/httpx"
	"github.com/outagecast/outagecast/templates"
)

// The channel keeps the Channel contract.
func TestConformance(t *testing.T) { channeltest.Run(t, harness()) }

var fullUpdate = broadcast.Update{
	ID: "u_full", IncidentID: "cdn-errors", Title: "CDN errors in EU", Status: broadcast.StatusIdentified,
	Impact: broadcast.ImpactMajor, Body: "We found the cause: a bad config push.\nRolling back.",
	Advice: "Retry failed requests; the US endpoint is unaffected.",
	Components: []broadcast.Component{{Name: "CDN", Status: broadcast.ComponentPartialOutage},
		{Name: "API & Edge", Status: broadcast.ComponentDegraded}},
	URL:        "https://status.example.com/incidents/42",
	Time:       time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC),
	NextUpdate: time.Date(2025, 3, 1, 12, 30, 0, 0, time.UTC),
}

func newChannel(t *testing.T, f *fakeChat, edit func(*Config)) *Channel {
	t.Helper()
	cfg := f.config()
	if edit != nil {
		edit(&cfg)
	}
	ch, err := New(cfg)
	require.NoError(t, err)
	return ch
}

func send(t *testing.T, ch *Channel, m broadcast.Message) broadcast.Receipt {
	t.Helper()
	r, err := ch.Send(context.Background(), m)
	require.NoError(t, err)
	return r
}

// An update is one spaces.messages.create request as Google documents it
// for webhooks: the webhook's key and token, the reply option, the
// client-assigned message id and the request id in the query; the text,
// the card and the thread key in the body.
func TestPostRequest(t *testing.T) {
	f := newFake(t, fakeOptions{})
	ch := newChannel(t, f, nil)
	m := broadcast.NewMessage(fullUpdate)
	r := send(t, ch, m)

	reqs := f.sent()
	require.Len(t, reqs, 1)
	req := reqs[0]
	key := m.Key("")
	assert.Equal(t, map[string][]string{"key": {testKey}, "token": {testToken}, "messageReplyOption": {ReplyOption},
		"messageId": {"client-" + key}, "requestId": {key}}, map[string][]string(req.query))
	assert.Equal(t, "application/json; charset=UTF-8", req.header.Get("Content-Type"))
	assert.Equal(t, map[string]any{"threadKey": "cdn-errors"}, req.body["thread"])
	golden.JSON(t, "post.json", req.raw)

	assert.Equal(t, broadcast.Receipt{Channel: "ops-chat", ID: "spaces/" + testSpace + "/messages/m001.m001", Time: r.Time,
		Meta: map[string]string{"thread": "spaces/" + testSpace + "/threads/t001", "message_id": "client-" + key}}, r)
}

// The updates of an incident share its thread; another incident starts
// its own.
func TestThreads(t *testing.T) {
	f := newFake(t, fakeOptions{})
	ch := newChannel(t, f, nil)
	first := send(t, ch, broadcast.NewMessage(fullUpdate))
	later := fullUpdate
	later.ID, later.Status = "u_later", broadcast.StatusResolved
	reply := send(t, ch, broadcast.NewMessage(later))
	other := fullUpdate
	other.ID, other.IncidentID = "u_other", "api-latency"
	send(t, ch, broadcast.NewMessage(other))

	got := f.Received()
	require.Len(t, got, 3)
	assert.Empty(t, got[0].ReplyTo)
	assert.Equal(t, first.ID, got[1].ReplyTo, "a reply in the incident's thread")
	assert.Equal(t, first.Meta["thread"], reply.Meta["thread"])
	assert.Empty(t, got[2].ReplyTo, "another incident, another thread")
}

// A retry after a lost answer carries the same request id and message id:
// Google answers with the message it made, or refuses the known id with
// 409 ALREADY_EXISTS; either way the update is delivered once.
func TestRetryAfterLostAnswer(t *testing.T) {
	for _, tt := range []struct {
		name   string
		opt    fakeOptions
		wantID func(first broadcast.Receipt, m broadcast.Message) string
	}{
		{"same request id", fakeOptions{}, func(first broadcast.Receipt, _ broadcast.Message) string { return first.ID }},
		{"known message id", fakeOptions{conflict: true}, func(_ broadcast.Receipt, m broadcast.Message) string {
			return "spaces/" + testSpace + "/messages/client-" + m.Key("")
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, tt.opt)
			ch := newChannel(t, f, nil)
			first := send(t, ch, broadcast.NewMessage(fullUpdate))
			again := broadcast.NewMessage(fullUpdate) // nothing in its Ledger: the answer was lost
			again.Attempt = 2
			r := send(t, ch, again)
			assert.Len(t, f.Received(), 1, "one message")
			assert.Equal(t, tt.wantID(first, again), r.ID)
			assert.Equal(t, "client-"+again.Key(""), r.Meta["message_id"])
		})
	}
}

// A hostile title or body cannot mention anyone or forge a link: each "<"
// of user text is followed by a zero-width space, which readers do not
// see; the card escapes HTML.
func TestHostileText(t *testing.T) {
	const title = "<users/all> outage <https://evil.example|Status page>"
	f := newFake(t, fakeOptions{})
	ch := newChannel(t, f, nil)
	u := fullUpdate
	u.Title, u.Body = title, "Ask <users/123456789> or see <https://evil.example|here>."
	u.Components = []broadcast.Component{{Name: "<b>CDN</b> & co", Status: broadcast.ComponentMajorOutage}}
	send(t, ch, broadcast.NewMessage(u))

	var b body
	require.NoError(t, json.Unmarshal(f.sent()[0].raw, &b))
	for _, markup := range []string{"<users/", "<https://evil"} {
		assert.NotContains(t, b.Text, markup)
	}
	assert.Contains(t, shown(b.Text), "*Identified: "+title+"*", "readers see the title as written")
	assert.Contains(t, shown(b.Text), u.Body)
	list := widgetText(t, b.CardsV2[0], "Affected components")
	assert.Equal(t, "&lt;b&gt;CDN&lt;/b&gt; &amp; co: Major outage", list)
	assert.Contains(t, f.Received()[0].Text, "<b>CDN</b> & co: Major outage")
}

// retryInfo is Google's error with a google.rpc.RetryInfo detail, as
// Google's APIs send it (a google.rpc.ErrorInfo beside it).
func retryInfo(code int, status, delay string) string {
	return fmt.Sprintf(`{"error": {"code": %d, "message": "Try again later.", "status": %q, "details": [`+
		`{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "RATE_LIMIT_EXCEEDED", "domain": "googleapis.com"}, `+
		`{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": %q}]}}`, code, status, delay)
}

// Google's answers are classified as its documentation says.
func TestClassify(t *testing.T) {
	e := func(code int, status, msg string) string {
		return fmt.Sprintf(`{"error": {"code": %d, "message": %q, "status": %q}}`, code, msg, status)
	}
	for _, tt := range []struct {
		name      string
		answer    canned
		permanent bool
		wait      time.Duration
		text      string
	}{
		{name: "quota", answer: canned{status: 429, body: e(429, "RESOURCE_EXHAUSTED", "Resource has been exhausted (e.g. check quota).")},
			wait: httpx.RateLimitWait, text: "http status 429 Too Many Requests: RESOURCE_EXHAUSTED: Resource has been exhausted (e.g. check quota)."},
		{name: "quota with Retry-After", answer: canned{status: 429, header: map[string]string{"Retry-After": "42"},
			body: e(429, "RESOURCE_EXHAUSTED", "Quota exceeded")}, wait: 42 * time.Second},
		{name: "unavailable", answer: canned{status: 503, body: e(503, "UNAVAILABLE", "The service is currently unavailable.")},
			text: "http status 503 Service Unavailable: UNAVAILABLE: The service is currently unavailable."},
		{name: "unavailable with Retry-After", answer: canned{status: 503, header: map[string]string{"Retry-After": "5"},
			body: e(503, "UNAVAILABLE", "x")}, wait: 5 * time.Second},
		// A google.rpc.RetryInfo detail says how long to wait: "Clients
		// should wait at least this long between retrying the same
		// request"; its retryDelay is a google.protobuf.Duration, in JSON
		// seconds with an "s" ("1.5s")
		// (https://cloud.google.com/apis/design/errors#retryinfo,
		// https://protobuf.dev/reference/protobuf/google.protobuf/#duration).
		// It wins over Retry-After, as the more precise of the two.
		{name: "quota with RetryInfo", answer: canned{status: 429, header: map[string]string{"Retry-After": "60"},
			body: retryInfo(429, "RESOURCE_EXHAUSTED", "37.5s")}, wait: 37500 * time.Millisecond},
		{name: "unavailable with RetryInfo", answer: canned{status: 503, body: retryInfo(503, "UNAVAILABLE", "12s")}, wait: 12 * time.Second},
		{name: "quota with RetryInfo of 0s", answer: canned{status: 429, body: retryInfo(429, "RESOURCE_EXHAUSTED", "0s")},
			wait: httpx.RateLimitWait},
		{name: "unavailable with a malformed RetryInfo", answer: canned{status: 503, header: map[string]string{"Retry-After": "5"},
			body: retryInfo(503, "UNAVAILABLE", "soon")}, wait: 5 * time.Second},
		{name: "internal", answer: canned{status: 500, body: e(500, "INTERNAL", "Internal error encountered.")}},
		{name: "deadline", answer: canned{status: 504, body: e(504, "DEADLINE_EXCEEDED", "Deadline exceeded.")}},
		{name: "aborted", answer: canned{status: 409, body: e(409, "ABORTED", "The operation was aborted.")}},
		{name: "front end page", answer: canned{status: 502, body: "<html><title>Error 502 (Server Error)!!1</title></html>"}},
		{name: "bad key", answer: canned{status: 400, body: e(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.")},
			permanent: true, text: "http status 400 Bad Request: INVALID_ARGUMENT: API key not valid. Please pass a valid API key. " +
				"(refused the credential: check Config.WebhookURL)"},
		{name: "bad token", answer: canned{status: 401, body: e(401, "UNAUTHENTICATED", "Request had invalid authentication credentials.")}, permanent: true},
		{name: "removed from space", answer: canned{status: 403, body: e(403, "PERMISSION_DENIED", "The caller does not have permission")}, permanent: true},
		{name: "space gone", answer: canned{status: 404, body: e(404, "NOT_FOUND", "Requested entity was not found.")}, permanent: true,
			text: "http status 404 Not Found: NOT_FOUND: Requested entity was not found."},
		// Google's APIs answer a refusal with {"error": {"code", "message",
		// "status"}} (https://cloud.google.com/apis/design/errors): a 401,
		// 404 or 405 without it is another server's (a proxy's page, a
		// URL with a wrong path), and names Config.WebhookURL.
		{name: "proxy's 404", answer: canned{status: 404, body: "<html><h1>404 Not Found</h1>nginx</html>"}, permanent: true,
			text: "http status 404 Not Found: <html><h1>404 Not Found</h1>nginx</html>; not Google Chat's answer (check Config.WebhookURL)"},
		{name: "proxy's 401", answer: canned{status: 401, body: "Unauthorized"}, permanent: true,
			text: "http status 401 Unauthorized: Unauthorized; not Google Chat's answer (check Config.WebhookURL)"},
		// A 403 of a CDN or a firewall in front of Google (Cloudflare's
		// "Attention Required", a corporate proxy's "Access Denied")
		// refuses the network, not the webhook's token.
		{name: "CDN's 403", answer: canned{status: 403, body: "<!DOCTYPE html><title>Attention Required! | Cloudflare</title>"},
			permanent: true, text: "http status 403 Forbidden: <!DOCTYPE html><title>Attention Required! | Cloudflare</title>; " +
				"not Google Chat's answer (check Config.WebhookURL)"},
		{name: "not implemented", answer: canned{status: 501, body: e(501, "UNIMPLEMENTED", "x")}, permanent: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, fakeOptions{})
			ch := newChannel(t, f, nil)
			f.answer(tt.answer)
			_, err := ch.Send(context.Background(), broadcast.NewMessage(fullUpdate))
			require.Error(t, err)
			assert.Equal(t, tt.permanent, broadcast.IsPermanent(err), "IsPermanent(%q)", err)
			d, ok := broadcast.RetryDelay(err)
			assert.Equal(t, tt.wait != 0, ok, "RetryDelay(%q)", err)
			assert.Equal(t, tt.wait, d)
			if tt.text != "" {
				assert.Equal(t, "googlechat: post: "+tt.text, err.Error())
			}
		})
	}
}

// A whole 2xx answer that is not the Message Google Chat created (a
// captive portal's or a proxy's page) is another server's: the webhook
// answers a message it created with that Message resource
// (https://developers.google.com/workspace/chat/api/reference/rest/v1/spaces.messages/create#response-body),
// so nothing shows the update reached Google. Before, it counted as
// delivered without an id. An answer cut off on its way is still a
// delivery (TestCutAnswerIsDelivered); a retry would be safe in any case
// (the same messageId is refused as ALREADY_EXISTS once created).
func TestForeignSuccessIsNotDelivered(t *testing.T) {
	for _, tt := range []struct {
		name   string
		answer canned
		text   string
	}{
		{"captive portal", canned{status: 200, body: "<html><title>Sign in to the guest network</title></html>"},
			"http status 200 OK: <html><title>Sign in to the guest network</title></html>"},
		{"plain ok", canned{status: 200, body: "ok"}, "http status 200 OK: ok"},
		{"JSON without a message name", canned{status: 200, body: `{"status": "ok"}`}, `http status 200 OK: {"status": "ok"}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, fakeOptions{})
			ch := newChannel(t, f, nil)
			f.answer(tt.answer)
			_, err := ch.Send(context.Background(), broadcast.NewMessage(fullUpdate))
			require.Error(t, err)
			assert.True(t, broadcast.IsPermanent(err), err)
			assert.EqualError(t, err, "googlechat: post: "+tt.text+"; not Google Chat's answer (check Config.WebhookURL)")
		})
	}
}

// The text fits 4,096 UTF-16 code units with the URL whole; the card's
// component list stays short, counting what it leaves out.
func TestLimits(t *testing.T) {
	f := newFake(t, fakeOptions{})
	ch := newChannel(t, f, nil)
	u := fullUpdate
	u.Body = strings.Repeat("Packets are dropped in Zürich 🇨🇭 and 東京. ", 1000)
	u.Components = nil
	for i := range 100 {
		u.Components = append(u.Components, broadcast.Component{Name: fmt.Sprintf("%03d %s", i, strings.Repeat("c", 200)),
			Status: broadcast.ComponentMajorOutage})
	}
	send(t, ch, broadcast.NewMessage(u))
	req := f.sent()[0]
	var b body
	require.NoError(t, json.Unmarshal(req.raw, &b))
	assert.LessOrEqual(t, UTF16(b.Text), MaxText)
	assert.Greater(t, UTF16(b.Text), MaxText-100, "the body fills the room")
	assert.Contains(t, b.Text, u.URL)
	assert.LessOrEqual(t, len(req.raw), MaxMessageBytes)
	list := widgetText(t, b.CardsV2[0], "Affected components")
	assert.LessOrEqual(t, UTF16(list), maxCardComponents)
	assert.Regexp(t, `<br>… and \d+ more$`, list)
}

// A card that would make the message longer than 32,000 bytes is left
// out; a text that alone is too long fails permanently.
func TestEncodeSize(t *testing.T) {
	big := statusCard(fullUpdate)
	big.Card.Header.Title = strings.Repeat("x", MaxMessageBytes)
	b, err := encode(message{Text: "hello", CardsV2: []cardV2{big}})
	require.NoError(t, err)
	assert.JSONEq(t, `{"text": "hello", "thread": {}}`, string(b))

	_, err = encode(message{Text: strings.Repeat("y", MaxMessageBytes)})
	assert.True(t, broadcast.IsPermanent(err), err)
	assert.EqualError(t, err, "googlechat: encode: the message takes 32023 bytes, more than 32000")
}

// With NoCard the message is its text alone.
func TestNoCard(t *testing.T) {
	f := newFake(t, fakeOptions{})
	ch := newChannel(t, f, func(c *Config) { c.NoCard = true })
	send(t, ch, broadcast.NewMessage(fullUpdate))
	assert.NotContains(t, f.sent()[0].body, "cardsV2")
}

// An override replaces the text; the status card stays.
func TestOverride(t *testing.T) {
	f := newFake(t, fakeOptions{})
	ch := newChannel(t, f, nil)
	u := fullUpdate
	u.Overrides = map[string]string{"ops-chat": "The CDN is degraded in the EU <users/all>; see the status page."}
	send(t, ch, broadcast.NewMessage(u))
	golden.JSON(t, "override.json", f.sent()[0].raw)
	text := f.sent()[0].body["text"].(string)
	assert.Equal(t, "The CDN is degraded in the EU <\u200busers/all>; see the status page.", text, "the override, defused")
}

// A message id is Google's client-assigned form of the key.
func TestMessageID(t *testing.T) {
	assert.Equal(t, "client-0123456789abcdef0123456789abcdef", messageID("0123456789abcdef0123456789abcdef"))
	assert.Equal(t, "client-abc-d-f", messageID("ABC_déf"))
	long := messageID(strings.Repeat("a", 100))
	assert.Len(t, long, 63)
	assert.Regexp(t, `^client-[a-z0-9-]+$`, messageID(broadcast.NewMessage(fullUpdate).Key("")))
}

// A message with no text to show and no card (Config.NoCard), which
// Google refuses with 400 "Message cannot be empty", is not posted: Send
// fails for good, naming why. With its card, a blank text is no such
// message.
func TestNothingToShow(t *testing.T) {
	set, err := templates.Default().With("googlechat", "{{.Body}}")
	require.NoError(t, err)
	u := fullUpdate
	u.Body = ""
	f := newFake(t, fakeOptions{})
	ch := newChannel(t, f, func(c *Config) { c.Templates, c.NoCard = set, true })
	_, err = ch.Send(context.Background(), broadcast.NewMessage(u))
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err), err)
	assert.EqualError(t, err, `googlechat: render: templates: the text shows nothing: template "googlechat" rendered only white space `+
		"for status identified, and Config.NoCard leaves out the card")
	assert.Empty(t, f.sent(), "nothing posted")
	_, perr := ch.Preview(u)
	assert.EqualError(t, perr, err.Error(), "Preview says so too")

	withCard := newChannel(t, f, func(c *Config) { c.Templates = set })
	send(t, withCard, broadcast.NewMessage(u))
	assert.Len(t, f.Received(), 1, "the card alone")

	// A text of invisible characters is no text: the card is posted
	// alone, without a line that shows nothing above it.
	invisible, err := templates.Default().With("googlechat", "{{.Body}}\u200b\u2060")
	require.NoError(t, err)
	send(t, newChannel(t, f, func(c *Config) { c.Templates = invisible }), broadcast.NewMessage(u))
	sent := f.sent()
	assert.Equal(t, "", sent[len(sent)-1].body["text"], "the card alone, without the template's invisible characters")

	// The status of a Message built without the Broadcaster may be any
	// text: the error does not repeat one that is not broadcast's. Before,
	// the error held it verbatim, however long.
	u.Status = broadcast.Status("\x1b[2J" + strings.Repeat("degraded\n", 1000))
	_, err = ch.Send(context.Background(), broadcast.NewMessage(u))
	assert.EqualError(t, err, `googlechat: render: templates: the text shows nothing: template "googlechat" rendered only white space, `+
		"and Config.NoCard leaves out the card")
}

// The channel's template is the set's "googlechat" when it has one.
func TestTemplate(t *testing.T) {
	f := newFake(t, fakeOptions{})
	set, err := templates.Default().With("googlechat", "{{.StatusLabel}} — {{.Title}} {{.URL}}")
	require.NoError(t, err)
	ch := newChannel(t, f, func(c *Config) { c.Templates = set })
	p, err := ch.Preview(fullUpdate)
	require.NoError(t, err)
	assert.Equal(t, "Identified — CDN errors in EU https://status.example.com/incidents/42", p.Text)

	def := newChannel(t, f, nil)
	p, err = def.Preview(fullUpdate)
	require.NoError(t, err)
	assert.Equal(t, broadcast.Preview{Channel: "ops-chat", Text: p.Text, Length: UTF16(p.Text), Limit: MaxText,
		Unit: "UTF-16 code units"}, p)
	// The advice comes right after the status line, before the impact and the body.
	assert.True(t, strings.HasPrefix(p.Text, "*Identified: CDN errors in EU*\n"+
		"*What you can do:* Retry failed requests; the US endpoint is unaffected.\n\n_Impact: Major_\n\nWe found the cause"), p.Text)
	assert.Empty(t, f.sent(), "Preview posts nothing")
}

// Through a Broadcaster: a correction is posted in the incident's thread,
// marked as one; a retraction is not supported by incoming webhooks.
func TestCorrectAndRetract(t *testing.T) {
	f := newFake(t, fakeOptions{})
	ch := newChannel(t, f, nil)
	var c any = ch
	_, editor := c.(broadcast.Editor)
	_, retractor := c.(broadcast.Retractor)
	_, checker := c.(broadcast.Checker)
	assert.False(t, editor || retractor || checker, "incoming webhooks can only post")

	b, err := broadcast.New([]broadcast.Channel{ch}, broadcast.Options{})
	require.NoError(t, err)
	defer b.Close()
	_, err = b.Send(context.Background(), fullUpdate)
	require.NoError(t, err)
	fix := fullUpdate
	fix.ID, fix.Body = "u_fix", "The cause was a certificate rotation."
	_, err = b.Correct(context.Background(), fullUpdate.ID, fix)
	require.NoError(t, err)
	got := f.Received()
	require.Len(t, got, 2)
	assert.Equal(t, got[0].ID, got[1].ReplyTo, "the correction in the incident's thread")
	assert.True(t, strings.HasPrefix(got[1].Text, "*Correction: Identified: CDN errors in EU*"), got[1].Text)
	golden.JSON(t, "correction.json", f.sent()[1].raw)

	rep, err := b.Retract(context.Background(), fullUpdate.ID)
	require.Error(t, err)
	assert.True(t, errors.Is(rep.Results[0].Err, broadcast.ErrNotSupported), rep.Results[0].Err)
	assert.Len(t, f.sent(), 2, "nothing sent for the retraction")
}

// A 2xx whose body breaks off before the message's name is a message
// created: Send succeeds, with a Receipt naming the message by the
// client-assigned id the post carried, which Google takes in place of its
// own in a message's name. Before, the Receipt had no ID.
func TestCutAnswerIsDelivered(t *testing.T) {
	srv := cutbody.NewServer(t, http.StatusOK, `{"name":"spaces/`+testSpace+`/mess`)
	m := broadcast.NewMessage(fullUpdate)
	r, err := cutChannel(t, srv.URL).Send(context.Background(), m)
	require.NoError(t, err)
	assert.Equal(t, "spaces/"+testSpace+"/messages/"+messageID(m.Key("")), r.ID)
	assert.Equal(t, messageID(m.Key("")), r.Meta[metaMessageID])
	assert.Equal(t, 1, srv.Requests())
}

// Google's message is bounded and on one line, as every other answer's
// snippet: a refusal of many fields joins its violations with "\n"
// ("Invalid JSON payload received. Unknown name … at '…': Cannot find
// field.\nInvalid JSON payload received. …", as googleapis answers quoted
// in smallmain/vscode-unify-chat-provider#290 show), and may be long.
func TestErrorMessageBounded(t *testing.T) {
	violation := `Invalid JSON payload received. Unknown name \"x\" at 'message.cards_v2[0].card': Cannot find field.`
	msg := strings.Repeat(violation+`\n`, 40)
	f := newFake(t, fakeOptions{})
	ch := newChannel(t, f, nil)
	f.answer(canned{status: 400, body: `{"error": {"code": 400, "message": "` + msg + `", "status": "INVALID_ARGUMENT"}}`})
	_, err := ch.Send(context.Background(), broadcast.NewMessage(fullUpdate))
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err))
	assert.NotContains(t, err.Error(), "\n")
	assert.Less(t, len(err.Error()), httpx.SnippetLimit+200)
	assert.Contains(t, err.Error(), "INVALID_ARGUMENT: Invalid JSON payload received.")
}

// An answer naming the message Google created is a delivery, whatever
// else in it does not read as the channel expects (a thread that is not
// an object): the message was posted. Before, it was taken for another
// server's page and failed for good, and the Result said the update had
// not reached Google Chat.
func TestCreatedAnswerWithOddFieldsIsDelivered(t *testing.T) {
	name := "spaces/" + testSpace + "/messages/abc.abc"
	for _, body := range []string{
		`{"name":"` + name + `","thread":"spaces/` + testSpace + `/threads/xyz"}`,
		`{"name":"` + name + `","thread":{"name":7}}`,
	} {
		t.Run(body, func(t *testing.T) {
			f := newFake(t, fakeOptions{})
			ch := newChannel(t, f, nil)
			f.answer(canned{status: 200, body: body})
			r := send(t, ch, broadcast.NewMessage(fullUpdate))
			assert.Equal(t, name, r.ID)
			assert.NotContains(t, r.Meta, metaThread, "no thread name that did not read")
		})
	}
}
