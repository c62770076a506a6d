package bluesky

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/golden"
)

// goldenUpdate puts emoji, CJK and combining marks before the URL, so the
// golden facets show byte offsets, not character offsets.
var goldenUpdate = broadcast.Update{
	ID: "u_golden", IncidentID: "cdn-errors", Title: "CDN errors in 東京 🇯🇵 and Zürich n̈",
	Status: broadcast.StatusIdentified, Impact: broadcast.ImpactMajor,
	Body:       "We found the cause: a bad \"config\" push. Rolling back 👩🏽‍💻.",
	Components: []broadcast.Component{{Name: "CDN", Status: broadcast.ComponentPartialOutage}},
	URL:        "https://status.example.com/incidents/42",
	Time:       time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC),
}

var goldenThread = broadcast.Thread{
	Root: broadcast.Receipt{Meta: map[string]string{metaURI: "at://" + testDID + "/app.bsky.feed.post/3ljb2kqm3ya2c",
		metaCID: "bafyreig2fjxi3rptqdgylg7e5hmjl6mcke7rn2b6cugzlqq3i4zu6rq52q"}},
	Last: broadcast.Receipt{Meta: map[string]string{metaURI: "at://" + testDID + "/app.bsky.feed.post/3ljb2nvyq5k2c",
		metaCID: "bafyreihwcmu3qrmzvdhnlyhm7ckqs2tkvrq2iqhkqvcnpvqbcjnm4ohf3i"}},
}

// payloads are the bodies the channel sends, by golden file name.
func payloads(t *testing.T) map[string][]byte {
	ch, err := New(testConfig(""))
	require.NoError(t, err)
	text, _, err := ch.text(goldenUpdate)
	require.NoError(t, err)
	created := time.Date(2025, 3, 1, 12, 0, 3, 250_000_000, time.UTC)
	m := broadcast.NewMessage(goldenUpdate)
	out := map[string][]byte{}
	for name, in := range map[string]any{
		"post": createRecord{Repo: testDID, Collection: Collection, RKey: recordKey(m),
			Record: newPost(text, goldenUpdate.URL, nil, nil, []string{"en"}, created)},
		"reply": createRecord{Repo: testDID, Collection: Collection, RKey: recordKey(m),
			Record: newPost(text, goldenUpdate.URL, nil, threadRef(goldenThread), nil, created)},
		"delete": deleteRecord{Repo: testDID, Collection: Collection, RKey: "3ljb2kqm3ya2c"},
	} {
		b, err := json.Marshal(in)
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
