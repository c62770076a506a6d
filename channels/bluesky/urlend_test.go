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
			f := newFakePDS(t)
			ch := newTestChannel(t, f)
			u := testUpdate()
			u.URL = raw
			u.Body = "Details at https://status.example.com/b."
			require.NoError(t, u.Validate())
			_, err := ch.Send(context.Background(), broadcast.NewMessage(u))
			require.NoError(t, err)
			require.Len(t, f.records, 1)
			post := f.records[0].post
			links := map[string]string{} // the text a link facet covers → its URI
			for _, fc := range post.Facets {
				if fc.Features[0].Type == linkFeature {
					links[post.Text[fc.Index.ByteStart:fc.Index.ByteEnd]] = fc.Features[0].URI
				}
			}
			assert.Equal(t, map[string]string{
				raw:                            raw,
				"https://status.example.com/b": "https://status.example.com/b",
			}, links, "text %q", post.Text)
		})
	}
}

// The body that shows Update.URL links it whole too, as the link at the
// post's end does: before, only the URL's last occurrence was, and the
// body's link pointed to another page (".../42" for ".../42.").
func TestUpdateURLInBodyLinksWhole(t *testing.T) {
	f := newFakePDS(t)
	ch := newTestChannel(t, f)
	u := testUpdate()
	u.URL = "https://status.example.com/incidents/42."
	u.Body = "Follow https://status.example.com/incidents/42. for news."
	require.NoError(t, u.Validate())
	_, err := ch.Send(context.Background(), broadcast.NewMessage(u))
	require.NoError(t, err)
	require.Len(t, f.records, 1)
	post := f.records[0].post
	var links []string
	for _, fc := range post.Facets {
		if fc.Features[0].Type == linkFeature {
			links = append(links, post.Text[fc.Index.ByteStart:fc.Index.ByteEnd]+" → "+fc.Features[0].URI)
		}
	}
	assert.Equal(t, []string{u.URL + " → " + u.URL, u.URL + " → " + u.URL}, links, "text %q", post.Text)
}
