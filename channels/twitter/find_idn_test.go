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

// A link with a non-ASCII host or path is the same link whether X gives
// it in entities.urls[].expanded_url as written or as a URL: the host in
// Punycode, the rest percent-encoded, or the other way round. Before, a
// link was matched only at the length of X's form, so the lost post of
// such a link was not found (no post id: no threading, no edit or
// delete). Different links stay different.
func TestSameTextNonASCIILinks(t *testing.T) {
	const unicode = "https://bücher.de:8443/straße?q=grüße#größe"
	const ascii = "https://xn--bcher-kva.de:8443/stra%C3%9Fe?q=gr%C3%BC%C3%9Fe#gr%C3%B6%C3%9Fe"
	tests := []struct {
		name     string
		link     string // as the update writes it
		expanded string // as X gives it
		same     bool
	}{
		{"Unicode written, X gives Punycode and percent-encoding", unicode, ascii, true},
		{"Punycode and percent-encoding written, X gives Unicode", ascii, unicode, true},
		{"X gives Punycode only", unicode, "https://xn--bcher-kva.de:8443/straße?q=grüße#größe", true},
		{"X gives percent-encoding only", unicode, "https://bücher.de:8443/stra%C3%9Fe?q=gr%C3%BC%C3%9Fe#gr%C3%B6%C3%9Fe", true},
		{"Punycode in upper case, hexadecimal in lower case", unicode,
			"https://XN--BCHER-KVA.DE:8443/stra%c3%9fe?q=gr%c3%bc%c3%9fe#gr%c3%b6%c3%9fe", true},
		{"host in upper case", "https://Bücher.de/a", "https://BÜCHER.DE/a", true},
		{"unreserved character escaped", "https://bücher.de/~a", "https://xn--bcher-kva.de/%7Ea", true},
		{"no scheme written", "bücher.de/straße", "http://xn--bcher-kva.de/stra%C3%9Fe", true},

		{"another host", unicode, "https://xn--bcher-kva.com:8443/stra%C3%9Fe?q=gr%C3%BC%C3%9Fe#gr%C3%B6%C3%9Fe", false},
		{"ß is not ss", "https://straße.de/a", "https://strasse.de/a", false},
		{"another port", unicode, strings.Replace(ascii, "8443", "8444", 1), false},
		{"another path", unicode, strings.Replace(ascii, "stra%C3%9Fe", "strasse", 1), false},
		{"another query", unicode, strings.Replace(ascii, "gr%C3%BC%C3%9Fe#", "gr%C3%BC%C3%9F#", 1), false},
		{"another fragment", unicode, strings.Replace(ascii, "#gr%C3%B6", "#gr%C3%B5", 1), false},
		{"path in another case", "https://bücher.de/Straße", "https://xn--bcher-kva.de/stra%C3%9Fe", false},
		{"escaped slash is no slash", "https://bücher.de/a/b", "https://xn--bcher-kva.de/a%2Fb", false},
		{"escaped ampersand is no ampersand", "https://bücher.de/?a=1&b=2", "https://xn--bcher-kva.de/?a=1%26b=2", false},
		{"longer link", "https://bücher.de/a", "https://xn--bcher-kva.de/ab", false},
		{"shorter link", "https://bücher.de/ab", "https://xn--bcher-kva.de/a", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The link last, and the link before another.
			for _, form := range []string{"Resolved: see %s", "Resolved: see %s and https://example.com/a"} {
				text := strings.Replace(form, "%s", tt.link, 1)
				p := timelinePost{Text: strings.Replace(form, "%s", "https://t.co/Ab3dE5gH7j", 1)}
				p.Entities.URLs = []timelineURL{{URL: "https://t.co/Ab3dE5gH7j", ExpandedURL: tt.expanded}}
				if strings.Contains(form, "example.com") {
					p.Text = strings.Replace(p.Text, "https://example.com/a", "https://t.co/Ab3dE5gH7k", 1)
					p.Entities.URLs = append(p.Entities.URLs, timelineURL{URL: "https://t.co/Ab3dE5gH7k", ExpandedURL: "https://example.com/a"})
				}
				assert.Equal(t, tt.same, sameText(text, p), "%s", form)
			}
		})
	}
}

// The post a lost answer made is found, and the retry's receipt has its
// id, when the update's link has a non-ASCII host and path that X gives
// in Punycode and percent-encoded.
func TestDuplicateFoundWithNonASCIILink(t *testing.T) {
	const (
		parent   = "1850000000000000005"
		lost     = "1850000000000000006"
		tco      = "https://t.co/Ab3dE5gH7j"
		link     = "https://störung.de/vorfälle/42"
		expanded = "https://xn--strung-xxa.de/vorf%C3%A4lle/42"
	)
	f := newFakeX(t, false)
	ch := newTestChannel(t, f)
	ch.now = func() time.Time { return fixedNow }
	u := testUpdate()
	u.URL = link
	preview, err := ch.Preview(u)
	require.NoError(t, err)
	require.Contains(t, preview.Text, link)
	stored := strings.Replace(preview.Text, link, tco, 1)
	page, err := json.Marshal(map[string]any{
		"data": []map[string]any{{
			"id": lost, "text": stored, "created_at": "2025-11-24T14:30:01.000Z",
			"edit_history_tweet_ids": []string{lost},
			"entities": map[string]any{"urls": []map[string]string{{"url": tco, "expanded_url": expanded,
				"display_url": "störung.de/vorfälle/42"}}},
			"referenced_tweets": []map[string]string{{"type": "replied_to", "id": parent}},
		}},
		"meta": map[string]any{"result_count": 1},
	})
	require.NoError(t, err)
	f.respondWith(timelineAnswer(answer(200, string(page))))

	m := broadcast.Message{Update: u, Attempt: 2}
	m.Thread.Last = broadcast.Receipt{Channel: "x", ID: parent}
	r, err := ch.Send(context.Background(), m)
	require.NoError(t, err)
	assert.Equal(t, lost, r.ID)
	assert.Equal(t, statusURL+lost, r.URL)
}
