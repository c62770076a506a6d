package twitter

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// X links a post's text by its own list of top-level domains, which is not
// this package's (see the package documentation: .music is a link here,
// not for twitter-text; .tp one for twitter-text, not here). The post a
// lost answer made is still the update's: X's text with its t.co links,
// each in entities.urls with its url and expanded_url, is the update's
// text once each t.co link is read as its expanded_url, whatever this
// package takes for a link. Before, the links were found in both texts
// by this package's rules and their counts differed: the post was not
// found, the retry's receipt had no id (the next update could not reply
// to it, a correction not edit or delete it), and a first attempt failed
// as a duplicate.
func TestDuplicateFoundWhereXLinksOtherwise(t *testing.T) {
	const (
		parent = "1850000000000000005"
		lost   = "1850000000000000006"
		tco1   = "https://t.co/Ab3dE5gH7j"
		tco2   = "https://t.co/Zq8Rw2Lm4P"
	)
	type link struct{ URL, Expanded string }
	tests := []struct {
		name string
		body string
		// xText makes X's text (before HTML escaping) from the update's
		// text, and gives its links in order.
		xText func(text string) (string, []link)
	}{
		{
			name: "a link here that X leaves as text",
			body: "Downloads from mirror.example.music are slow.",
			xText: func(text string) (string, []link) {
				return strings.Replace(text, "https://status.example.com/incidents/42", tco1, 1),
					[]link{{tco1, "https://status.example.com/incidents/42"}}
			},
		},
		{
			name: "a link for X that is text here",
			body: "Downloads from mirror.example.tp are slow.",
			xText: func(text string) (string, []link) {
				text = strings.Replace(text, "mirror.example.tp", tco2, 1)
				return strings.Replace(text, "https://status.example.com/incidents/42", tco1, 1),
					[]link{{tco2, "http://mirror.example.tp"}, {tco1, "https://status.example.com/incidents/42"}}
			},
		},
	}
	for _, tt := range tests {
		for _, attempt := range []int{1, 2} {
			t.Run(tt.name+"/attempt "+string(rune('0'+attempt)), func(t *testing.T) {
				f := newFakeX(t, false)
				ch := newTestChannel(t, f)
				ch.now = func() time.Time { return fixedNow }
				u := testUpdate()
				u.Body = tt.body
				preview, err := ch.Preview(u)
				require.NoError(t, err)
				text, links := tt.xText(preview.Text)
				require.NotEqual(t, preview.Text, text)

				var urls []map[string]string
				for _, l := range links {
					urls = append(urls, map[string]string{"url": l.URL, "expanded_url": l.Expanded,
						"display_url": withoutScheme(l.Expanded)})
				}
				stored := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(text)
				page, err := json.Marshal(map[string]any{
					"data": []map[string]any{{
						"id": lost, "text": stored, "created_at": "2025-11-24T14:30:01.000Z",
						"edit_history_tweet_ids": []string{lost},
						"entities":               map[string]any{"urls": urls},
						"referenced_tweets":      []map[string]string{{"type": "replied_to", "id": parent}},
					}},
					"meta": map[string]any{"result_count": 1},
				})
				require.NoError(t, err)
				f.respondWith(timelineAnswer(answer(200, string(page))))

				m := broadcast.Message{Update: u, Attempt: attempt}
				m.Thread.Last = broadcast.Receipt{Channel: "x", ID: parent}
				r, err := ch.Send(context.Background(), m)
				require.NoError(t, err)
				assert.Equal(t, lost, r.ID)
				assert.Equal(t, statusURL+lost, r.URL)
				assert.Equal(t, stored, r.Meta["text"])
			})
		}
	}
}
