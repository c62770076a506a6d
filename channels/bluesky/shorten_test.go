package bluesky

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A link facet never points at a cut URL: shortening (templates.RenderFit
// for the template, templates.Shorten for an override) cuts only outside
// URLs, moving a URL after the cut behind the ellipsis or dropping it
// whole, so every link the post has is one the author wrote, whole. The
// bodies below put the cut before, at, inside and after a URL, glued to
// text or bracketed. An Update.URL that cannot fit whole is shown
// shortened, its link facet pointing to the whole URL, rather than link a
// truncated address.
func TestShortenedPostLinksWholeURLs(t *testing.T) {
	ch, err := New(testConfig("https://bsky.social"))
	require.NoError(t, err)
	const page = "https://status.example.com/incidents/42"
	urls := []string{"https://example.com/a/long/path/to/the/incident/report?id=42&region=eu", "https://example.com/wiki/Edge_(cdn)"}
	for n := 200; n < 300; n += 3 {
		for _, before := range []string{" ", "(", "—"} {
			for _, link := range urls {
				body := strings.Repeat("word ", n/5+1)[:n] + before + link + " then " + link + "."
				u := broadcast.Update{ID: "u", Title: "CDN errors", Status: broadcast.StatusInvestigating, Body: body, URL: page}
				o := u
				o.Overrides = map[string]string{ch.name: body + " " + strings.Repeat("more ", 40)}
				for _, v := range []broadcast.Update{u, o} {
					text, _, err := ch.text(v.WithDefaults(fixedNow))
					require.NoError(t, err)
					require.LessOrEqual(t, Measure(text), MaxGraphemes)
					for _, f := range linkFacets(text) {
						assert.Contains(t, []string{link, page}, f.Features[0].URI, "a link in %q", text)
					}
				}
			}
		}
	}

	u := broadcast.Update{ID: "u", Title: "CDN errors", Status: broadcast.StatusInvestigating,
		URL: "https://status.example.com/" + strings.Repeat("x", MaxGraphemes)}
	text, shown, err := ch.text(u.WithDefaults(fixedNow))
	require.NoError(t, err, "a URL longer than a post is shown shortened")
	require.NotNil(t, shown)
	assert.LessOrEqual(t, Measure(text), MaxGraphemes)
	assert.Equal(t, u.URL, shown.uri)
}

// A URL's scheme is case-insensitive (RFC 3986), and the Broadcaster takes
// "HTTPS://…": one too long for a post is shown shortened as the
// lower-case one is, never refused as too long.
func TestShortenedURLWithUpperCaseScheme(t *testing.T) {
	ch, err := New(testConfig("https://bsky.social"))
	require.NoError(t, err)
	for _, scheme := range []string{"https://", "HTTPS://", "Https://", "HTTP://"} {
		u := broadcast.Update{ID: "u", Title: "CDN errors", Status: broadcast.StatusInvestigating,
			URL: scheme + "Status.example.com/incidents/" + strings.Repeat("x", MaxGraphemes)}
		text, shown, err := ch.text(u.WithDefaults(fixedNow))
		require.NoError(t, err, "%s: a URL longer than a post is shown shortened", scheme)
		require.NotNil(t, shown, scheme)
		assert.LessOrEqual(t, Measure(text), MaxGraphemes, scheme)
		assert.Equal(t, u.URL, shown.uri, scheme)
		assert.Equal(t, scheme+"Status.example.com/incidents/xxxxxxxxxxxxx...", text[shown.start:shown.end], scheme)
	}
}
