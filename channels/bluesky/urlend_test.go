package bluesky

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// An Update.URL that ends in what ends a sentence (".", "!", a ")" it did
// not open), or holds what ends a link in one ("«"), which Validate
// takes, is linked whole: its link facet covers the URL as the post shows
// it and points to it. Before, the facet ended where a sentence's rule
// ends a link, and the post linked to another page
// (".../incidents/42." to ".../incidents/42"). A URL in the body keeps
// that rule: "see https://…/b." links without its full stop.
func TestUpdateURLEndingInPunctuationLinksWhole(t *testing.T) {
	for _, raw := range []string{
		"https://status.example.com/incidents/42.",
		"https://status.example.com/wiki/Outage_2026)",
		"https://status.example.com/incidents/42!",
		"https://status.example.com/«42»",
	} {
		t.Run(raw, func(t *testing.T) {
			u := testUpdate()
			u.URL = raw
			u.Body = "Details at https://status.example.com/b."
			text, posted := postLinks(t, u)
			links := map[string]string{} // the text a link facet covers → its URI
			for _, l := range posted {
				links[l[0]] = l[1]
			}
			assert.Equal(t, map[string]string{
				raw:                            raw,
				"https://status.example.com/b": "https://status.example.com/b",
			}, links, "text %q", text)
		})
	}
}

// The body that shows Update.URL links it whole too, as the link at the
// post's end does: before, only the URL's last occurrence was, and the
// body's link pointed to another page (".../42" for ".../42.").
func TestUpdateURLInBodyLinksWhole(t *testing.T) {
	u := testUpdate()
	u.URL = "https://status.example.com/incidents/42."
	u.Body = "Follow https://status.example.com/incidents/42. for news."
	text, posted := postLinks(t, u)
	var links []string
	for _, l := range posted {
		links = append(links, l[0]+" → "+l[1])
	}
	assert.Equal(t, []string{u.URL + " → " + u.URL, u.URL + " → " + u.URL}, links, "text %q", text)
}

// postLinks sends u, valid, on a channel of its own, and returns the text
// of its one post and, in the text's order, each link facet's text and URI.
func postLinks(t *testing.T, u broadcast.Update) (text string, links [][2]string) {
	t.Helper()
	f := newFakePDS(t)
	ch := newTestChannel(t, f)
	require.NoError(t, u.Validate())
	_, err := ch.Send(context.Background(), broadcast.NewMessage(u))
	require.NoError(t, err)
	require.Len(t, f.records, 1)
	post := f.records[0].post
	for _, fc := range post.Facets {
		if fc.Features[0].Type == linkFeature {
			links = append(links, [2]string{post.Text[fc.Index.ByteStart:fc.Index.ByteEnd], fc.Features[0].URI})
		}
	}
	return post.Text, links
}
