package telegram

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/channels/internal/httpx"
	"github.com/outagecast/outagecast/redact"
	"github.com/outagecast/outagecast/templates"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var fixedNow = time.Date(2025, time.March, 14, 9, 30, 0, 0, time.UTC)

func testConfig(chats ...string) Config {
	return Config{Token: redact.NewSecret(testToken), Chats: chats}
}

// newTestChannel returns a channel wired to f posting to chats.
func newTestChannel(t *testing.T, f *fakeBot, chats []string, edit ...func(*Config)) *Channel {
	t.Helper()
	client := &http.Client{Transport: &http.Transport{}, Timeout: 10 * time.Second}
	t.Cleanup(client.CloseIdleConnections)
	cfg := testConfig(chats...)
	cfg.BaseURL, cfg.HTTPClient = f.URL, client
	for _, e := range edit {
		e(&cfg)
	}
	ch, err := New(cfg)
	require.NoError(t, err)
	return ch
}

// The suite runs twice: with one chat, where a receipt's ID is the
// message's, and with two, where the fan-out rules run (each chat numbers
// its messages, so one receipt ID cannot name them all; each threads under
// its own message). The fake numbers each chat's messages from 1, as the
// platform's 32-bit message ids are small: LargeIDSurvives logs that it
// proves nothing about their decoding.
func TestConformance(t *testing.T) {
	failures := []channeltest.Failure{channeltest.FailTransient, channeltest.FailRateLimited,
		channeltest.FailUnauthorized, channeltest.FailRejected, channeltest.FailEcho, channeltest.FailForeign,
		channeltest.FailEchoDelivered}
	t.Run("OneChat", func(t *testing.T) {
		chats := []string{"@examplestatus"}
		channeltest.Run(t, channeltest.Harness{
			New: func(t *testing.T) (broadcast.Channel, channeltest.Backend) {
				f := newFakeBot(t)
				return newTestChannel(t, f, chats), f
			},
			Reopen: func(t *testing.T, be channeltest.Backend) broadcast.Channel {
				return newTestChannel(t, be.(*fakeBot), chats)
			},
			OwnClient: func(t *testing.T) (broadcast.Channel, channeltest.Backend) {
				f := newFakeBot(t)
				return newTestChannel(t, f, chats, func(c *Config) { c.HTTPClient = nil }), f
			},
			Untrusted: func(t *testing.T, serverURL string) broadcast.Channel {
				cfg := testConfig(chats...)
				cfg.BaseURL = serverURL
				ch, err := New(cfg)
				require.NoError(t, err)
				t.Cleanup(func() { _ = ch.Close() })
				return ch
			},
			Secrets: []string{testToken}, Config: testConfig(chats...),
			MaxLength: MaxLength, ThreadsTo: channeltest.Last, Failures: failures,
			ServerField:     "Config.BaseURL",
			CredentialField: "Config.Token",
		})
	})
	t.Run("TwoChats", func(t *testing.T) {
		chats := []string{"@examplestatus", "-1002222222222/42"}
		channeltest.Run(t, channeltest.Harness{
			New: func(t *testing.T) (broadcast.Channel, channeltest.Backend) {
				f := newFakeBot(t)
				return newTestChannel(t, f, chats), f
			},
			Reopen: func(t *testing.T, be channeltest.Backend) broadcast.Channel {
				return newTestChannel(t, be.(*fakeBot), chats)
			},
			Secrets: []string{testToken}, Config: testConfig(chats...),
			MaxLength: MaxLength, ThreadsTo: channeltest.Last, Targets: chats, Posts: true, Failures: failures,
			ServerField:     "Config.BaseURL",
			CredentialField: "Config.Token",
		})
	})
}

func testUpdate() broadcast.Update {
	return broadcast.Update{
		IncidentID: "cdn-errors",
		Title:      "Elevated error rates on the CDN",
		Status:     broadcast.StatusInvestigating,
		Body:       "We are investigating elevated error rates in the EU region.",
		URL:        "https://status.example.com/incidents/42",
	}.WithDefaults(fixedNow)
}

// The request is the Bot API's: POST /bot<token>/sendMessage with a JSON
// body; a username goes as a string, an id as a number, a topic as
// message_thread_id; a follow-up replies to the chat's latest message.
func TestSendRequest(t *testing.T) {
	f := newFakeBot(t)
	ch := newTestChannel(t, f, []string{"@examplestatus", "-1002222222222/42"}, func(c *Config) {
		c.LinkPreview = LinkPreview{PreferSmallMedia: true}
	})
	u := broadcast.Update{Title: "Down", Status: broadcast.StatusInvestigating, URL: "https://status.example.com/i/1"}.WithDefaults(fixedNow)
	first, err := ch.Send(context.Background(), broadcast.NewMessage(u))
	require.NoError(t, err)
	u.ID, u.Status = "", broadcast.StatusIdentified
	m := broadcast.NewMessage(u)
	m.Thread = broadcast.Thread{Root: first, Last: first}
	_, err = ch.Send(context.Background(), m)
	require.NoError(t, err)

	sends := f.received("sendMessage")
	require.Len(t, sends, 4)
	assert.Equal(t, "/bot"+testToken+"/sendMessage", sends[0].Path)
	text := `"text":"\u003cb\u003eInvestigating: Down\u003c/b\u003e\n\nDetails: https://status.example.com/i/1\nPosted 14 Mar 2025 09:30 UTC.","parse_mode":"HTML",` +
		`"link_preview_options":{"url":"https://status.example.com/i/1","prefer_small_media":true}`
	assert.JSONEq(t, `{"chat_id":"@examplestatus",`+text+`}`, sends[0].Body)
	assert.JSONEq(t, `{"chat_id":-1002222222222,"message_thread_id":42,`+text+`}`, sends[1].Body)
	assert.Contains(t, sends[2].Body, `"chat_id":"@examplestatus"`)
	assert.Contains(t, sends[2].Body, `"reply_parameters":{"message_id":`+first.Meta["message_id:@examplestatus"]+`,"allow_sending_without_reply":true}`)
	assert.Contains(t, sends[3].Body, `"reply_parameters":{"message_id":`+first.Meta["message_id:-1002222222222/42"]+`,"allow_sending_without_reply":true}`)

	assert.Equal(t, map[string]string{"message_id:@examplestatus": "1", "chat_id:@examplestatus": "-1001111111111",
		"message_id:-1002222222222/42": "1", "chat_id:-1002222222222/42": "-1002222222222"}, first.Meta)
	assert.Equal(t, "1", first.ID)
	assert.Equal(t, "https://t.me/examplestatus/1", first.URL)
}

// A hostile title is shown as written: no tag, no link, no entity of its
// own, and no mention.
func TestSendEscapes(t *testing.T) {
	f := newFakeBot(t)
	ch := newTestChannel(t, f, []string{"@examplestatus"})
	u := testUpdate()
	u.Title = `<b>Free</b> <a href="https://evil.example">click</a> &amp; R&D @everyone`
	u.Body = "1 < 2 > 0 & x\n<tg-spoiler>hidden</tg-spoiler> mail ops@example.com"
	_, err := ch.Send(context.Background(), broadcast.NewMessage(u))
	require.NoError(t, err)
	got := f.Received()
	require.Len(t, got, 1)
	assert.Contains(t, got[0].Text, `Investigating: <b>Free</b> <a href="https://evil.example">click</a> &amp; R&D @`+"\u2060"+`everyone`)
	assert.Contains(t, got[0].Text, "1 < 2 > 0 & x\n<tg-spoiler>hidden</tg-spoiler> mail ops@example.com")
	html := f.received("sendMessage")[0].Body
	assert.Contains(t, html, `"<b>Investigating: &lt;b&gt;Free&lt;/b&gt; &lt;a href=\"https://evil.example\"&gt;click&lt;/a&gt; &amp;amp; R&amp;D @`,
		"only the first line's own <b> is a tag")
}

// Telegram ends a link at a character its URLs cannot hold, as "«" or
// "»", and makes an "@name" after it a mention: such an "@", in the
// author's URLs and in the update's URL, goes out as %40, which links to
// the same page. An "@" that starts no mention, as in a profile's URL,
// goes out as written.
func TestSendQuietsMentionsInURLs(t *testing.T) {
	f := newFakeBot(t)
	ch := newTestChannel(t, f, []string{"@examplestatus"})
	u := testUpdate()
	u.Title = "see https://docs.example.com/«a»@ops and https://t.me/@examplestatus"
	u.URL = "https://status.example.com/«incident»@ops"
	_, err := ch.Send(context.Background(), broadcast.NewMessage(u))
	require.NoError(t, err)
	got := f.Received()
	require.Len(t, got, 1)
	assert.Contains(t, got[0].Text, "see https://docs.example.com/«a»%40ops and https://t.me/@examplestatus")
	assert.Contains(t, got[0].Text, "https://status.example.com/«incident»%40ops")
	assert.NotContains(t, got[0].Text, "»@")
}

func TestToHTML(t *testing.T) {
	tests := []struct{ plain, want string }{
		{"Resolved: CDN", "<b>Resolved: CDN</b>"},
		{"Investigating: A & B <x>\n\nbody > 1", "<b>Investigating: A &amp; B &lt;x&gt;</b>\n\nbody &gt; 1"},
		{"\nbody", "\nbody"},
		{"a &amp; b", "<b>a &amp;amp; b</b>"},
	}
	for _, tt := range tests {
		got := toHTML(tt.plain)
		assert.Equal(t, tt.want, got)
		visible, err := parseHTML(got)
		require.NoError(t, err)
		assert.Equal(t, tt.plain, visible, "readers see the plain text")
	}
}

// The limit applies to the text readers see, not to the HTML: a body of
// "&" and "<" takes five and four times the bytes in HTML, and the
// message still uses the 4,096 characters.
func TestSendLengthIsVisibleText(t *testing.T) {
	f := newFakeBot(t)
	ch := newTestChannel(t, f, []string{"@examplestatus"})
	u := testUpdate()
	u.Body = strings.Repeat("R&D <eu> ", 900)
	_, err := ch.Send(context.Background(), broadcast.NewMessage(u))
	require.NoError(t, err)
	text := f.Received()[0].Text
	n := templates.Runes(text)
	assert.LessOrEqual(t, n, MaxLength)
	assert.Greater(t, n, MaxLength-40, "the message uses the limit")
	assert.Greater(t, len(f.received("sendMessage")[0].Body), MaxLength+2000, "the HTML is longer than the limit")
	assert.Contains(t, text, "https://status.example.com/incidents/42")
}

// Message ids of chats an earlier attempt reached are in the receipt of
// the attempt that completes the update, also when another Channel (after
// a restart, or on another instance) makes it: they are in the Ledger.
func TestReceiptAcrossAttempts(t *testing.T) {
	f := newFakeBot(t)
	chats := []string{"@examplestatus", "-1002222222222/42"}
	ch := newTestChannel(t, f, chats)
	f.FailTarget(chats[1], channeltest.FailTransient)
	m := broadcast.NewMessage(testUpdate())
	_, err := ch.Send(context.Background(), m)
	var te *broadcast.TargetsError
	require.ErrorAs(t, err, &te)
	assert.False(t, broadcast.IsPermanent(err))
	require.Len(t, te.Pending, 1)
	assert.Equal(t, chats[1], te.Pending[0].Target)

	f.FailTarget(chats[1], channeltest.FailNone)
	m.Attempt = 2
	restarted := newTestChannel(t, f, chats)
	r, err := restarted.Send(context.Background(), m)
	require.NoError(t, err)
	assert.Equal(t, "1", r.Meta["message_id:@examplestatus"], "reached by the first attempt")
	assert.Equal(t, "1", r.Meta["message_id:-1002222222222/42"], "reached by the second")
	assert.Equal(t, "1", r.ID, "the first chat's message")
	assert.Equal(t, "https://t.me/examplestatus/1", r.URL)
	assert.Len(t, f.received("sendMessage"), 3)
}

// A group upgraded to a supergroup is followed: the message goes to the
// supergroup at once, and later ones go there directly.
func TestSendMigratedGroup(t *testing.T) {
	f := newFakeBot(t)
	const super = int64(-1004444444444)
	f.set(func(f *fakeBot) {
		f.chats[groupID].migrateTo = super
		f.chats[super] = &fakeChat{id: super, typ: "supergroup"}
	})
	ch := newTestChannel(t, f, []string{"-333333333"})
	r, err := ch.Send(context.Background(), broadcast.NewMessage(testUpdate()))
	require.NoError(t, err)
	assert.Equal(t, "-1004444444444", r.Meta["chat_id:-333333333"])
	assert.Equal(t, "https://t.me/c/4444444444/1", r.URL)
	u := testUpdate()
	u.ID = ""
	_, err = ch.Send(context.Background(), broadcast.NewMessage(u))
	require.NoError(t, err)
	sends := f.received("sendMessage")
	require.Len(t, sends, 3, "the refused one, its resend, and the next update sent straight to the supergroup")
	assert.Contains(t, sends[2].Body, `"chat_id":-1004444444444`)
}

// An Unauthorized answer fails every chat: the chats not yet tried fail
// without a request.
func TestSendTokenRefused(t *testing.T) {
	f := newFakeBot(t)
	ch := newTestChannel(t, f, []string{"@examplestatus", "-1002222222222/42", "-333333333"},
		func(c *Config) { c.Token = redact.NewSecret("7012345678:AAHrevokedrevokedrevokedrevoked") })
	_, err := ch.Send(context.Background(), broadcast.NewMessage(testUpdate()))
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err))
	var te *broadcast.TargetsError
	require.ErrorAs(t, err, &te)
	assert.Len(t, te.Failures, 3)
	assert.Len(t, f.received(""), 1, "one request")
	assert.ErrorIs(t, err, errTokenRefused)
	channeltest.AssertNoSecret(t, err.Error(), "AAHrevokedrevokedrevokedrevoked")
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		header    map[string]string
		body      string
		permanent bool
		wait      time.Duration
		msg       string
	}{
		{"429", 429, map[string]string{"Retry-After": "7"}, `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 35","parameters":{"retry_after":35}}`,
			false, 35 * time.Second, "sendMessage: Bot API answered 429: Too Many Requests: retry after 35"},
		{"429 with the header only", 429, map[string]string{"Retry-After": "7"}, `{"ok":false,"error_code":429,"description":"Too Many Requests"}`,
			false, 7 * time.Second, "sendMessage: Bot API answered 429: Too Many Requests"},
		// A 429 without retry_after or Retry-After (a proxy's, say) still
		// waits, not the Broadcaster's first second of backoff.
		{"429 without a hint", 429, nil, `{"ok":false,"error_code":429,"description":"Too Many Requests"}`,
			false, httpx.RateLimitWait, "sendMessage: Bot API answered 429: Too Many Requests"},
		{"blocked", 403, nil, `{"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"}`, true, 0,
			"sendMessage: Bot API answered 403: Forbidden: bot was blocked by the user"},
		{"chat not found", 400, nil, `{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}`, true, 0,
			"sendMessage: Bot API answered 400: Bad Request: chat not found"},
		{"unauthorized", 401, nil, `{"ok":false,"error_code":401,"description":"Unauthorized"}`, true, 0,
			"sendMessage: the Bot API refused the bot token: Bot API answered 401: Unauthorized (refused the credential: check Config.Token)"},
		{"malformed token", 404, nil, `{"ok":false,"error_code":404,"description":"Not Found"}`, true, 0,
			"sendMessage: the Bot API refused the bot token: Bot API answered 404: Not Found"},
		{"internal", 500, nil, `{"ok":false,"error_code":500,"description":"Internal Server Error: restart"}`, false, 0,
			"sendMessage: Bot API answered 500: Internal Server Error: restart"},
		// 501 Not Implemented: a retry is refused alike.
		{"not implemented", 501, nil, `{"ok":false,"error_code":501,"description":"Not Implemented"}`, true, 0,
			"sendMessage: Bot API answered 501: Not Implemented"},
		{"proxy page", 502, nil, "<html><body><h1>502 Bad Gateway</h1></body></html>", false, 0,
			"sendMessage: Bot API answered 502: <html><body><h1>502 Bad Gateway</h1></body></html>"},
		// parameters.retry_after is the wait the Bot API names on any
		// transient answer, as Discord's retry_after is (httpx.MarkWait).
		{"internal with retry_after", 500, map[string]string{"Retry-After": "7"}, `{"ok":false,"error_code":500,"description":"Internal Server Error","parameters":{"retry_after":20}}`,
			false, 20 * time.Second, "sendMessage: Bot API answered 500: Internal Server Error"},
		// 420 is flood control in Telegram's own API (FLOOD_WAIT_X), and
		// parameters.retry_after means flood control whatever the code
		// (https://core.telegram.org/bots/api#responseparameters): both
		// wait, not fail the chat for good.
		{"flood wait 420", 420, nil, `{"ok":false,"error_code":420,"description":"Flood control exceeded","parameters":{"retry_after":12}}`,
			false, 12 * time.Second, "sendMessage: Bot API answered 420: Flood control exceeded"},
		{"420 without a hint", 420, nil, `{"ok":false,"error_code":420,"description":"FLOOD_WAIT_12"}`,
			false, httpx.RateLimitWait, "sendMessage: Bot API answered 420: FLOOD_WAIT_12"},
		{"400 with retry_after", 400, nil, `{"ok":false,"error_code":400,"description":"Bad Request: flood control","parameters":{"retry_after":5}}`,
			false, 5 * time.Second, "sendMessage: Bot API answered 400: Bad Request: flood control"},
		{"bad gateway with Retry-After", 502, map[string]string{"Retry-After": "7"}, "<html>502</html>",
			false, 7 * time.Second, "sendMessage: Bot API answered 502: <html>502</html>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			for k, v := range tt.header {
				h.Set(k, v)
			}
			r := &httpx.Response{Status: tt.status, Header: h, Body: []byte(tt.body)}
			err := classify("sendMessage", r, apiError(nil, r))
			assert.Equal(t, tt.msg, err.Error())
			assert.Equal(t, tt.permanent, broadcast.IsPermanent(err))
			d, ok := broadcast.RetryDelay(err)
			assert.Equal(t, tt.wait != 0, ok)
			assert.Equal(t, tt.wait, d)
			var e *APIError
			require.ErrorAs(t, err, &e)
			assert.Equal(t, tt.status, e.Code)
		})
	}
}

func TestEdit(t *testing.T) {
	f := newFakeBot(t)
	ch := newTestChannel(t, f, []string{"@examplestatus", "-1002222222222/42"})
	prev, err := ch.Send(context.Background(), broadcast.NewMessage(testUpdate()))
	require.NoError(t, err)
	u := testUpdate()
	u.ID, u.Body = "", "Only the Paris region is affected."
	m := broadcast.NewMessage(u)
	r, err := ch.Edit(context.Background(), m, prev)
	require.NoError(t, err)
	assert.Equal(t, prev.Meta, r.Meta)
	edits := f.received("editMessageText")
	require.Len(t, edits, 2)
	assert.Contains(t, edits[0].Body, `"chat_id":-1001111111111,"message_id":1,`)
	assert.Contains(t, edits[1].Body, `"chat_id":-1002222222222,"message_id":1,`)
	for _, d := range f.Received() {
		assert.Contains(t, d.Text, "Only the Paris region is affected.")
	}

	again := broadcast.NewMessage(u)
	_, err = ch.Edit(context.Background(), again, prev)
	assert.NoError(t, err, "Telegram finds the message unchanged: an earlier attempt edited it")

	_, err = ch.Edit(context.Background(), m, broadcast.Receipt{ID: "1"})
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err))

	// Deleted by hand: the Broadcaster posts the correction anew.
	require.NoError(t, ch.Retract(context.Background(), prev))
	_, err = ch.Edit(context.Background(), broadcast.NewMessage(u), prev)
	require.Error(t, err)
	assert.ErrorIs(t, err, broadcast.ErrPostGone)
}

// A message Telegram will not edit ("Bad Request: message can't be
// edited", its answer as TelegramBotAPI/errors lists it) fails that chat
// with broadcast.ErrNotEditable: the
// Broadcaster posts the correction anew there. The other chat's message
// is edited.
func TestEditRefused(t *testing.T) {
	f := newFakeBot(t)
	ch := newTestChannel(t, f, []string{"@examplestatus", "-1002222222222/42"})
	prev, err := ch.Send(context.Background(), broadcast.NewMessage(testUpdate()))
	require.NoError(t, err)
	f.mu.Lock()
	var other *fakeMessage
	for _, m := range f.messages {
		if m.chat == forumID {
			m.frozen = true
		} else {
			other = m
		}
	}
	f.mu.Unlock()
	require.NotNil(t, other)
	u := testUpdate()
	u.ID, u.Body = "", "Only the Paris region is affected."
	_, err = ch.Edit(context.Background(), broadcast.NewMessage(u), prev)
	require.Error(t, err)
	assert.ErrorIs(t, err, broadcast.ErrNotEditable)
	assert.NotErrorIs(t, err, broadcast.ErrPostGone)
	var te *broadcast.TargetsError
	require.ErrorAs(t, err, &te)
	assert.Len(t, te.Pending, 1, "left for the Broadcaster to post anew")
	f.mu.Lock()
	defer f.mu.Unlock()
	assert.Contains(t, other.text, "Only the Paris region is affected.")
}

// Telegram's servers may refuse a message's id (MESSAGE_ID_INVALID, which
// the Bot API passes on, as for a message deleted where it did not learn
// of it): the message cannot be edited, and the correction is posted anew
// in that chat rather than lost.
func TestEditMessageIDInvalid(t *testing.T) {
	f := newFakeBot(t)
	ch := newTestChannel(t, f, []string{"@examplestatus", "-1002222222222/42"})
	prev, err := ch.Send(context.Background(), broadcast.NewMessage(testUpdate()))
	require.NoError(t, err)
	f.set(func(f *fakeBot) { f.messages[1].invalid = true })
	u := testUpdate()
	u.ID, u.Body = "", "Only the Paris region is affected."
	_, err = ch.Edit(context.Background(), broadcast.NewMessage(u), prev)
	require.Error(t, err)
	assert.ErrorIs(t, err, broadcast.ErrNotEditable)
	var te *broadcast.TargetsError
	require.ErrorAs(t, err, &te)
	require.Len(t, te.Pending, 1, "left for the Broadcaster to post anew")
	assert.Equal(t, "-1002222222222/42", te.Pending[0].Target)
}

// A message older than 48 hours cannot be deleted: that chat's failure
// wraps ErrNotSupported, the other chat's message is deleted, and the
// error is permanent.
func TestRetractTooOld(t *testing.T) {
	f := newFakeBot(t)
	chats := []string{"@examplestatus", "-1002222222222/42"}
	ch := newTestChannel(t, f, chats)
	prev, err := ch.Send(context.Background(), broadcast.NewMessage(testUpdate()))
	require.NoError(t, err)
	f.set(func(f *fakeBot) { f.messages[0].date = f.messages[0].date.Add(-49 * time.Hour) })
	err = ch.Retract(context.Background(), prev)
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err))
	assert.True(t, errors.Is(err, broadcast.ErrNotSupported), "%v", err)
	got := f.Received()
	assert.False(t, got[0].Deleted)
	assert.True(t, got[1].Deleted)
	assert.Equal(t, "telegram: delete: post not deleted on 1 of 2 targets (0 pending, 1 failed permanently): @examplestatus: "+
		"broadcast: not supported by this channel: deleteMessage: Bot API answered 400: Bad Request: message can't be deleted", err.Error())

	err = ch.Retract(context.Background(), broadcast.Receipt{})
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err))
}

func TestCheck(t *testing.T) {
	f := newFakeBot(t)
	ch := newTestChannel(t, f, []string{"@examplestatus"})
	require.NoError(t, ch.Check(context.Background()))
	assert.Len(t, f.received("getMe"), 1)
	bad := newTestChannel(t, f, []string{"@examplestatus"}, func(c *Config) {
		c.Token = redact.NewSecret("7012345678:AAHrevokedrevokedrevokedrevoked")
	})
	err := bad.Check(context.Background())
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err))
	assert.Equal(t, "telegram: check: getMe: the Bot API refused the bot token: Bot API answered 401: Unauthorized (refused the credential: check Config.Token)", err.Error())
}

// Check asks getChat of every chat (https://core.telegram.org/bots/api#getchat),
// so a chat id mistyped, a chat the bot is not in or was kicked from, and
// a group upgraded to a supergroup show before an outage, each named.
func TestCheckChats(t *testing.T) {
	f := newFakeBot(t)
	const super = int64(-1004444444444)
	f.set(func(f *fakeBot) {
		f.chats[groupID].migrateTo = super
		f.chats[super] = &fakeChat{id: super, typ: "supergroup"}
		f.chats[forumID].refuse = "Forbidden: bot was kicked from the supergroup chat"
	})
	ch := newTestChannel(t, f, []string{"@examplestatus", "-1009999999999", "-333333333", "-1002222222222/42"})
	err := ch.Check(context.Background())
	require.Error(t, err)
	assert.Len(t, f.received("getChat"), 4)
	for _, want := range []string{
		"-1009999999999: getChat: Bot API answered 400: Bad Request: chat not found",
		"-333333333: getChatMemberCount: Bot API answered 400: Bad Request: group chat was upgraded to a supergroup chat (now -1004444444444: update Config.Chats)",
		"-1002222222222/42: getChat: Bot API answered 403: Forbidden: bot was kicked from the supergroup chat",
	} {
		assert.Contains(t, err.Error(), want)
	}
	assert.NotContains(t, err.Error(), "@examplestatus")
	assert.True(t, broadcast.IsPermanent(err))
	require.NoError(t, newTestChannel(t, f, []string{"@examplestatus", "-1004444444444"}).Check(context.Background()))
}

// getChat of a basic group the bot was kicked from answers with the group
// (it needs read access only), so Check asks for its member list too,
// which Telegram refuses then (check_chat_access in
// tdlib/telegram-bot-api); a group the bot is in passes.
func TestCheckKickedFromGroup(t *testing.T) {
	f := newFakeBot(t)
	ch := newTestChannel(t, f, []string{"-333333333"})
	require.NoError(t, ch.Check(context.Background()))
	f.set(func(f *fakeBot) { f.chats[groupID].refuse = "Forbidden: bot was kicked from the group chat" })
	err := ch.Check(context.Background())
	require.Error(t, err)
	assert.Equal(t, "telegram: check: -333333333: getChatMemberCount: Bot API answered 403: Forbidden: bot was kicked from the group chat", err.Error())
}

// The token is in every request's path: a transport error leaves the URL
// out of its text, as every HTTP channel does with a URL that holds a
// secret (httpx), and names the method.
func TestTransportErrorHasNoToken(t *testing.T) {
	f := newFakeBot(t)
	ch := newTestChannel(t, f, []string{"@examplestatus"})
	f.Close()
	_, err := ch.Send(context.Background(), broadcast.NewMessage(testUpdate()))
	require.Error(t, err)
	assert.False(t, broadcast.IsPermanent(err))
	channeltest.AssertNoSecret(t, err.Error(), testToken, "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw-_x")
	assert.Contains(t, err.Error(), "sendMessage: post: dial tcp ")
	var te *broadcast.TargetsError
	require.ErrorAs(t, err, &te)
	var ue *url.Error
	assert.ErrorAs(t, te.Pending[0].Err, &ue, "the *url.Error every HTTP channel returns")
	err = ch.Check(context.Background())
	require.Error(t, err)
	channeltest.AssertNoSecret(t, err.Error(), testToken, "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw-_x")
}

// The preview is of the update's URL, never of another link in the
// text: an update without a URL has none.
func TestPreviewOptions(t *testing.T) {
	const link = "https://status.example.com/i/1"
	tests := []struct {
		p    LinkPreview
		link string
		want *linkPreviewOptions
	}{
		{LinkPreview{}, link, &linkPreviewOptions{URL: link}},
		{LinkPreview{}, "", &linkPreviewOptions{IsDisabled: true}},
		{LinkPreview{PreferSmallMedia: true, ShowAboveText: true}, "", &linkPreviewOptions{IsDisabled: true}},
		{LinkPreview{Disabled: true}, link, &linkPreviewOptions{IsDisabled: true}},
		{LinkPreview{PreferLargeMedia: true, ShowAboveText: true}, link,
			&linkPreviewOptions{URL: link, PreferLargeMedia: true, ShowAboveText: true}},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, previewOptions(tt.p, tt.link), "%+v", tt.p)
	}
}

// A link a responder pasted in the body is not previewed when the update
// has no URL, in a message and in its edit alike.
func TestSendPreviewsNoOtherLink(t *testing.T) {
	f := newFakeBot(t)
	ch := newTestChannel(t, f, []string{"@examplestatus"})
	u := testUpdate()
	u.URL, u.Body = "", "Logs at https://grafana.example.com/d/abc"
	r, err := ch.Send(context.Background(), broadcast.NewMessage(u))
	require.NoError(t, err)
	u.ID, u.Corrects = "", u.ID
	_, err = ch.Edit(context.Background(), broadcast.NewMessage(u), r)
	require.NoError(t, err)
	for _, method := range []string{"sendMessage", "editMessageText"} {
		got := f.received(method)
		require.Len(t, got, 1, method)
		assert.Contains(t, got[0].Body, `"link_preview_options":{"is_disabled":true}`, method)
	}
}

func TestPreview(t *testing.T) {
	ch, err := New(testConfig("@examplestatus"))
	require.NoError(t, err)
	u := testUpdate()
	u.Title = "A & B"
	p, err := ch.Preview(u)
	require.NoError(t, err)
	assert.Equal(t, "<b>Investigating: A &amp; B</b>\n\nWe are investigating elevated error rates in the EU region.\n\n"+
		"Details: https://status.example.com/incidents/42\nPosted 14 Mar 2025 09:30 UTC.", p.Text)
	assert.Equal(t, 161, p.Length, "the text as shown: \"&\" counts one")
	assert.Equal(t, MaxLength, p.Limit)
}

// A chat's messages are numbered per chat; replyTo reads them from the
// receipt by chat.
func TestReplyTo(t *testing.T) {
	last := broadcast.Receipt{ID: "7", Meta: map[string]string{"message_id:@a": "7", "chat_id:@a": "-1001",
		"message_id:@b": "3", "chat_id:@b": "-1002"}}
	assert.Equal(t, posted{chatID: -1001, messageID: 7}, replyTo(last, "@a", 2))
	assert.Equal(t, posted{chatID: -1002, messageID: 3}, replyTo(last, "@b", 2))
	assert.Equal(t, posted{}, replyTo(last, "@c", 3), "a chat added since")
	assert.Equal(t, posted{}, replyTo(broadcast.Receipt{}, "@a", 1))
	assert.Equal(t, posted{messageID: 9}, replyTo(broadcast.Receipt{ID: "9"}, "@a", 1), "one chat, a receipt without Meta")
}

// A chat whose message of the incident's latest update is not in its
// receipt (that update failed there for good, or its answer was cut
// short) still replies in the incident's thread: to the incident's first
// message there, from Thread.Root.
func TestSendRepliesToRootWhereLastMissed(t *testing.T) {
	f := newFakeBot(t)
	chats := []string{"@examplestatus", "-1002222222222/42"}
	ch := newTestChannel(t, f, chats)
	u := broadcast.Update{Title: "Down", Status: broadcast.StatusInvestigating}.WithDefaults(fixedNow)
	first, err := ch.Send(context.Background(), broadcast.NewMessage(u))
	require.NoError(t, err)
	// The second update reached the public channel only.
	u.ID, u.Status = "", broadcast.StatusIdentified
	m := broadcast.NewMessage(u)
	m.Thread = broadcast.Thread{Root: first, Last: first}
	second, err := ch.Send(context.Background(), m)
	require.NoError(t, err)
	delete(second.Meta, "message_id:-1002222222222/42")
	delete(second.Meta, "chat_id:-1002222222222/42")

	u.ID, u.Status = "", broadcast.StatusResolved
	m = broadcast.NewMessage(u)
	m.Thread = broadcast.Thread{Root: first, Last: second}
	_, err = ch.Send(context.Background(), m)
	require.NoError(t, err)
	sends := f.received("sendMessage")
	require.Len(t, sends, 6)
	assert.Contains(t, sends[4].Body, `"reply_parameters":{"message_id":`+second.Meta["message_id:@examplestatus"]+`,`)
	assert.Contains(t, sends[5].Body, `"reply_parameters":{"message_id":`+first.Meta["message_id:-1002222222222/42"]+`,`,
		"the forum topic replies to the incident's first message there")
}

// A basic group upgraded to a supergroup starts a new message numbering:
// a basic group's messages are numbered in each member's message box, a
// supergroup's in its own sequence, and the old group stays behind,
// deactivated (https://core.telegram.org/api/channel#migration). So after
// a restart, whose channel posts to the old group first, an update
// replying to a message already in the supergroup keeps its reply on the
// resend there.
func TestSendMigratedGroupKeepsReply(t *testing.T) {
	f := newFakeBot(t)
	const super = int64(-1004444444444)
	f.set(func(f *fakeBot) {
		f.chats[groupID].migrateTo = super
		f.chats[super] = &fakeChat{id: super, typ: "supergroup"}
	})
	first, err := newTestChannel(t, f, []string{"-333333333"}).Send(context.Background(), broadcast.NewMessage(testUpdate()))
	require.NoError(t, err)
	require.Equal(t, "-1004444444444", first.Meta["chat_id:-333333333"])

	u := testUpdate()
	u.ID, u.Status = "", broadcast.StatusResolved
	m := broadcast.NewMessage(u)
	m.Thread = broadcast.Thread{Root: first, Last: first}
	restarted := newTestChannel(t, f, []string{"-333333333"})
	_, err = restarted.Send(context.Background(), m)
	require.NoError(t, err)
	sends := f.received("sendMessage")
	require.Len(t, sends, 4, "each update: refused by the group, sent to the supergroup")
	assert.Contains(t, sends[3].Body, `"chat_id":-1004444444444`)
	assert.Contains(t, sends[3].Body, `"reply_parameters":{"message_id":`+first.Meta["message_id:-333333333"]+`,`)
	assert.NotContains(t, sends[2].Body, `"reply_parameters"`, "the message is not the old group's")
}

// A message of the old group is not replied to in the supergroup: its id
// there names another message, or none
// (https://core.telegram.org/api/channel#migration).
func TestSendMigratedGroupDropsOldGroupReply(t *testing.T) {
	f := newFakeBot(t)
	const super = int64(-1004444444444)
	ch := newTestChannel(t, f, []string{"-333333333"})
	incidentA, err := ch.Send(context.Background(), broadcast.NewMessage(testUpdate()))
	require.NoError(t, err)
	require.Equal(t, "-333333333", incidentA.Meta["chat_id:-333333333"])
	require.Equal(t, "1", incidentA.Meta["message_id:-333333333"])

	f.set(func(f *fakeBot) {
		f.chats[groupID].migrateTo = super
		f.chats[super] = &fakeChat{id: super, typ: "supergroup"}
	})
	u := testUpdate()
	u.ID, u.Title = "", "Another incident"
	incidentB, err := ch.Send(context.Background(), broadcast.NewMessage(u))
	require.NoError(t, err)
	require.Equal(t, "1", incidentB.Meta["message_id:-333333333"], "the supergroup's first message")

	u = testUpdate()
	u.ID, u.Status = "", broadcast.StatusResolved
	m := broadcast.NewMessage(u)
	m.Thread = broadcast.Thread{Root: incidentA, Last: incidentA}
	_, err = ch.Send(context.Background(), m)
	require.NoError(t, err)
	sends := f.received("sendMessage")
	require.Len(t, sends, 4)
	assert.Contains(t, sends[3].Body, `"chat_id":-1004444444444`)
	assert.NotContains(t, sends[3].Body, `"reply_parameters"`, "not a reply to the other incident's message")
}

// The limit counts code points, as the Bot API's tdlib counts a bot's
// text (utf8_length), not UTF-16 units: a body of emoji outside the Basic
// Multilingual Plane fills the 4,096 code points, some 6,700 UTF-16
// units, and no emoji is split.
func TestSendLengthIsCodePoints(t *testing.T) {
	f := newFakeBot(t)
	ch := newTestChannel(t, f, []string{"@examplestatus"})
	u := testUpdate()
	u.Body = strings.Repeat("🔥𝐀 ", 2000)
	_, err := ch.Send(context.Background(), broadcast.NewMessage(u))
	require.NoError(t, err)
	text := f.Received()[0].Text
	n := templates.Runes(text)
	assert.LessOrEqual(t, n, MaxLength)
	assert.Greater(t, n, MaxLength-40, "the message uses the limit")
	assert.Greater(t, len(utf16.Encode([]rune(text))), MaxLength+2500, "two code points in three are astral")
	assert.True(t, utf8.ValidString(text))
	assert.Contains(t, text, "https://status.example.com/incidents/42")
}
