package bluesky

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// An update whose URL is longer than a post holds (a valid one: up to
// broadcast.MaxURLLength) is posted with the URL shown shortened and its
// link facet pointing to the whole URL, as Bluesky's app shows long
// links; before, every attempt failed for good with templates.ErrTooLong.
func TestLongURLShownShortLinksWhole(t *testing.T) {
	for _, long := range []string{
		"https://status.example.com/incidents/" + strings.Repeat("a", 300) + "?utm_source=bluesky",
		"https://status.example.com/i/" + strings.Repeat("%E6%97%A5", 120), // a cut must not split an escape
	} {
		f := newFakePDS(t)
		ch := newTestChannel(t, f)
		u := broadcast.Update{ID: "u-long", IncidentID: "inc", Title: "CDN outage #cdn", Status: broadcast.StatusInvestigating,
			Body: "Requests fail in Europe.", URL: long, Time: fixedNow}
		require.NoError(t, u.Validate())
		p, err := ch.Preview(u)
		require.NoError(t, err)
		require.LessOrEqual(t, p.Length, MaxGraphemes)

		_, err = ch.Send(context.Background(), broadcast.NewMessage(u))
		require.NoError(t, err)
		require.Len(t, f.records, 1)
		post := f.records[0].post
		require.NotContains(t, post.Text, long)
		var links []facet
		for _, fc := range post.Facets {
			if fc.Features[0].Type == linkFeature {
				links = append(links, fc)
			}
		}
		require.Len(t, links, 1, "%+v", post.Facets)
		shown := post.Text[links[0].Index.ByteStart:links[0].Index.ByteEnd]
		require.Equal(t, long, links[0].Features[0].URI)
		require.True(t, strings.HasPrefix(shown, "https://status.example.com/") && strings.HasSuffix(shown, "..."), shown)
		require.True(t, strings.HasPrefix(long, strings.TrimSuffix(shown, "...")), shown)
	}
}
