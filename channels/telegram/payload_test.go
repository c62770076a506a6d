package telegram

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/golden"
	"github.com/outagecast/outagecast/channels/internal/httpx"
)

// goldenUpdate has text HTML must escape and a mention to break.
var goldenUpdate = broadcast.Update{
	ID: "u_golden", IncidentID: "cdn-errors", Title: "CDN errors in the EU <eu-west> & @ops",
	Status: broadcast.StatusIdentified, Impact: broadcast.ImpactMajor,
	Body:       "We found the cause: a bad \"config\" push.\nRolling back in 東京 too 🇯🇵.",
	Components: []broadcast.Component{{Name: "CDN", Status: broadcast.ComponentPartialOutage}},
	URL:        "https://status.example.com/incidents/42?lang=en&tz=utc",
	Time:       time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC),
	NextUpdate: time.Date(2025, 3, 1, 12, 30, 0, 0, time.UTC),
}

// payloads are the bodies the channel sends, by golden file name.
func payloads(t *testing.T) map[string][]byte {
	ch, err := New(testConfig("@examplestatus", "-1002222222222/42"))
	require.NoError(t, err)
	html, _, err := ch.render(goldenUpdate)
	require.NoError(t, err)
	preview := previewOptions(LinkPreview{PreferSmallMedia: true}, goldenUpdate.URL)
	out := map[string][]byte{}
	for name, in := range map[string]any{
		"sendMessage": sendMessage{ChatID: "@examplestatus", Text: html, ParseMode: parseMode, LinkPreviewOptions: preview},
		"sendMessage-reply-topic": sendMessage{ChatID: int64(-1002222222222), MessageThreadID: 42, Text: html, ParseMode: parseMode,
			LinkPreviewOptions: preview, ReplyParameters: &replyParameters{MessageID: 17, AllowSendingWithoutReply: true}},
		"editMessageText": editMessageText{ChatID: int64(-1001111111111), MessageID: 17, Text: html, ParseMode: parseMode},
		"deleteMessage":   deleteMessage{ChatID: int64(-1001111111111), MessageID: 17},
	} {
		b, err := httpx.JSONBody(in)
		require.NoError(t, err)
		out[name] = b
	}
	return out
}

func TestPayloadGolden(t *testing.T) {
	for name, body := range payloads(t) {
		t.Run(name, func(t *testing.T) { golden.JSON(t, name+".json", body) })
	}
}

// The golden message parses as Telegram HTML, and readers see the
// update's text as written.
func TestPayloadGoldenParses(t *testing.T) {
	ch, err := New(testConfig("@examplestatus"))
	require.NoError(t, err)
	html, plain, err := ch.render(goldenUpdate)
	require.NoError(t, err)
	visible, err := parseHTML(html)
	require.NoError(t, err)
	assert.Equal(t, plain, visible)
	assert.Contains(t, visible, "CDN errors in the EU <eu-west> & @\u2060ops")
	assert.Contains(t, visible, "https://status.example.com/incidents/42?lang=en&tz=utc")
}
