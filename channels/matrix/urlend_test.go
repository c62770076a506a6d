package matrix

import (
	"context"
	"encoding/json"
	"html"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// An Update.URL that ends in what ends a sentence (".", "!", a ")" it did
// not open), or holds what ends a link in one ("«"), which Validate
// takes, is linked whole in formatted_body, posts and edits alike, in the
// last line and in the body that shows it: before, its link ended where a
// sentence's rule ends a link, and pointed to another page
// (".../incidents/42." to ".../incidents/42"). A URL in the body keeps
// that rule. An "@room" in such a URL is written "%40room", as in any
// link, not broken by a word joiner, which would end the link.
func TestUpdateURLEndingInPunctuationLinksWhole(t *testing.T) {
	for raw, shown := range map[string]string{
		"https://status.example.com/incidents/42.":         "https://status.example.com/incidents/42.",
		"https://status.example.com/wiki/Outage_2026)":     "https://status.example.com/wiki/Outage_2026)",
		"https://status.example.com/incidents/42!":         "https://status.example.com/incidents/42!",
		"https://status.example.com/«42»":                  "https://status.example.com/«42»",
		"https://status.example.com/«@room»":               "https://status.example.com/«%40room»",
		"https://status.example.com/incidents/42?a=1&b=2.": "https://status.example.com/incidents/42?a=1&b=2.",
	} {
		t.Run(raw, func(t *testing.T) {
			f, ch := newTestPair(t, confConfig(""))
			ctx := context.Background()
			u := incident(1, broadcast.StatusInvestigating, "See https://status.example.com/b. Or "+raw+" now.")
			u.URL = raw
			require.NoError(t, u.Validate())
			r, err := ch.Send(ctx, broadcast.NewMessage(u))
			require.NoError(t, err)
			u.Body += " Fixed."
			_, err = ch.Edit(ctx, broadcast.NewMessage(u), r)
			require.NoError(t, err)

			link := `<a href="` + html.EscapeString(shown) + `">` + html.EscapeString(shown) + `</a>`
			bodies := sendBodies(f)
			require.Len(t, bodies, 4, "a post and an edit in 2 rooms")
			for i, b := range bodies {
				var c content
				require.NoError(t, json.Unmarshal(b, &c))
				htmls := []string{c.FormattedBody}
				if c.NewContent != nil {
					htmls = append(htmls, c.NewContent.FormattedBody)
				}
				for _, h := range htmls {
					assert.Equal(t, 2, strings.Count(h, link), "event %d: the URL linked whole twice: %s", i, h)
					assert.Contains(t, h, `See <a href="https://status.example.com/b">https://status.example.com/b</a>. Or `, "event %d", i)
				}
			}
		})
	}
}
