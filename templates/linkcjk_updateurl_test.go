package templates_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/templates"
)

// updateURLsEndingLinks are Update.URLs that hold a character that ends
// a link in a sentence (see templates.LinkSpans), each with a body that
// shows it, and the part of it before that character, a page of its own.
var updateURLsEndingLinks = []struct {
	url, body, prefix string
}{
	{"https://status.example.com/a、b", "詳細はhttps://status.example.com/a、bをご覧ください。" + cjkTail, "https://status.example.com/a"},
	{"https://status.example.com/a、b", "詳細は[https://status.example.com/a、b](https://status.example.com/a、b)をご覧ください。" + cjkTail,
		"https://status.example.com/a"},
	{"https://en.example.org/wiki/O’Brien", "Read https://en.example.org/wiki/O’Brien first. " + strings.Repeat("We are investigating. ", 12),
		"https://en.example.org/wiki/O"},
}

// showsPrefixAlone reports whether out shows url's prefix other than as
// the start of url: a link there, as LinkSpansWhole makes it for the
// channels that know the Update.URL (Bluesky, Matrix, Slack, the status
// page, IRC), points to the page prefix names, not to url's.
func showsPrefixAlone(out, url, prefix string) bool {
	return strings.Count(out, prefix) != strings.Count(out, url)
}

// TestRenderFitKeepsUpdateURLWhole: the Update.URL, shown in the body,
// is kept whole by RenderFit's cut, as it was before the cutters ended a
// URL at a character that ends a link: cut there, it showed
// "https://status.example.com/a、…", which those channels link as
// https://status.example.com/a, another page.
func TestRenderFitKeepsUpdateURLWhole(t *testing.T) {
	for _, tc := range updateURLsEndingLinks {
		u := representative(broadcast.StatusInvestigating)
		u.Components, u.Body, u.URL = nil, tc.body, tc.url
		full, err := templates.Default().Render("short", u)
		require.NoError(t, err)
		for limit := templates.Runes(full) - 1; limit > 0; limit-- {
			got, err := templates.Default().RenderFit("short", u, limit, templates.Runes)
			if err != nil {
				break
			}
			assert.False(t, showsPrefixAlone(got, tc.url, tc.prefix), "limit %d: %q", limit, got)
		}
	}
}

// TestTextOverrideKeepsUpdateURLWhole: an override that shows the
// Update.URL is cut by Text as RenderFit cuts a body: the URL kept whole,
// and moved whole after the ellipsis by a cut before it (before, moved
// as "https://status.example.com/a", another page).
func TestTextOverrideKeepsUpdateURLWhole(t *testing.T) {
	for _, tc := range updateURLsEndingLinks {
		u := representative(broadcast.StatusInvestigating)
		u.URL = tc.url
		u.Overrides = map[string]string{"x": "See the status page. " + tc.body}
		for _, corrects := range []string{"", "u_41"} {
			u.Corrects = corrects
			for limit := templates.Runes(u.Overrides["x"]) - 1; limit > 0; limit-- {
				got, err := templates.Default().Text("x", "short", u, limit, templates.Runes)
				require.NoError(t, err)
				assert.False(t, showsPrefixAlone(got, tc.url, tc.prefix), "limit %d: %q", limit, got)
			}
		}
	}
}
