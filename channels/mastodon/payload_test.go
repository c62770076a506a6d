package mastodon

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/golden"
	"github.com/outagecast/outagecast/redact"
)

// goldenUpdate has every field the short template shows, a mention to
// break, and text that JSON escapes.
var goldenUpdate = broadcast.Update{
	ID: "u_golden", IncidentID: "cdn-errors", Title: "CDN errors in the EU <eu-west> & @ops",
	Status: broadcast.StatusIdentified, Impact: broadcast.ImpactMajor,
	Body:       "We found the cause: a bad \"config\" push.\nRolling back in 東京 too 🇯🇵.",
	Components: []broadcast.Component{{Name: "CDN", Status: broadcast.ComponentPartialOutage}},
	URL:        "https://status.example.com/incidents/42",
	Time:       time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC),
	NextUpdate: time.Date(2025, 3, 1, 12, 30, 0, 0, time.UTC),
}

// payloads are the bodies the channel sends, by golden file name.
func payloads(t *testing.T) map[string][]byte {
	ch, err := New(Config{Server: "https://mastodon.example", Token: redact.NewSecret(testToken),
		Visibility: Unlisted, Language: "en"})
	require.NoError(t, err)
	text, err := ch.text(goldenUpdate, defaultLimits)
	require.NoError(t, err)
	first, err := newStatus(text, "", "", "")
	require.NoError(t, err)
	reply, err := newStatus(text, "110000000000000007", Unlisted, "en")
	require.NoError(t, err)
	edit, err := editStatus(text, "en")
	require.NoError(t, err)
	return map[string][]byte{"status": first, "reply": reply, "edit": edit}
}

func TestPayloadGolden(t *testing.T) {
	for name, body := range payloads(t) {
		t.Run(name, func(t *testing.T) { golden.JSON(t, name+".json", body) })
	}
}

func TestParseLimits(t *testing.T) {
	tests := []struct {
		name string
		body string
		want limits
		ok   bool
	}{
		{"Mastodon 4", `{"configuration":{"statuses":{"max_characters":500,"max_media_attachments":4,"characters_reserved_per_url":23}}}`,
			limits{500, 23, countLinks, false, false}, true},
		{"a larger instance", `{"configuration":{"statuses":{"max_characters":5000,"characters_reserved_per_url":30}}}`, limits{5000, 30, countLinks, false, false}, true},
		// A server that does not say what a URL counts: the larger count.
		{"no per-URL count", `{"configuration":{"statuses":{"max_characters":1000}}}`, limits{1000, 23, countEither, false, false}, true},
		{"a limit that is no number", `{"configuration":{"statuses":{"max_characters":"1000"}},"max_toot_chars":800}`, limits{800, 23, countEither, false, false}, true},
		{"GoToSocial", `{"source_url":"https://codeberg.org/superseriousbusiness/gotosocial","version":"3.5.3+0.19.1",` +
			`"configuration":{"statuses":{"max_characters":5000,"characters_reserved_per_url":25}}}`, limits{5000, 25, countWhole, false, true}, true},
		{"Pleroma", `{"version":"2.7.2 (compatible; Pleroma 2.5.2)","max_toot_chars":5000,"pleroma":{"metadata":{}}}`,
			limits{4999, 23, countWhole, false, false}, true},
		// Akkoma takes only two-letter language codes.
		{"Akkoma", `{"version":"2.7.2 (compatible; Akkoma 3.13.2)","max_toot_chars":5000,"pleroma":{"metadata":{}}}`,
			limits{4999, 23, countWhole, true, false}, true},
		{"no statuses", `{"configuration":{}}`, limits{}, false},
		{"zero", `{"configuration":{"statuses":{"max_characters":0}}}`, limits{}, false},
		{"HTML", `<html>Maintenance</html>`, limits{}, false},
	}
	for _, tt := range tests {
		got, ok := parseLimits([]byte(tt.body))
		assert.Equal(t, tt.ok, ok, tt.name)
		assert.Equal(t, tt.want, got, tt.name)
	}
}
