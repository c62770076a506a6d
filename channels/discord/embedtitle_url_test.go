package discord

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/templates"
)

// The status card's title, escaped and cut to MaxEmbedTitle, keeps the
// Update.URL it shows whole as escape writes it ("cdn\-errors"), as the
// card's advice keeps it: not cut at a character in it that ends a link
// in a sentence ("https://status.example.com/cdn\-errors」…") and, cut
// before it, moved after the ellipsis whole, with the ")" it ends in.
// Before, the cut was told of the URL as it is, which the escaped title
// does not show wherever the URL holds a character escape escapes ("-",
// "_"): the title showed ".../cdn\-errors」…", or moved
// ".../wiki/Outage\_2026" without its ")", other pages.
func TestCardTitleCutKeepsEscapedUpdateURLWhole(t *testing.T) {
	for _, url := range []string{
		"https://status.example.com/cdn-errors」b",
		"https://status.example.com/wiki/Outage_2026)",
	} {
		shown := escape(url)
		prefix := escape(strings.TrimSuffix(strings.TrimSuffix(url, "」b"), ")"))
		// Escaped, each "x-" of the title takes three runes: the URL
		// starts that far into the title's limit.
		for _, before := range []int{MaxEmbedTitle - 40, MaxEmbedTitle - 30, MaxEmbedTitle - 20, MaxEmbedTitle - 10} {
			u := fullUpdate
			u.URL = url
			u.Title = strings.Repeat("x-", before/3) + " " + url + " now."
			require.NoError(t, u.Validate())
			title := statusEmbed(u, false).Title
			require.LessOrEqual(t, runes(title), MaxEmbedTitle)
			require.Contains(t, title, templates.Ellipsis, "the title is cut")
			assert.Contains(t, title, shown, "%d runes before it", before)
			assert.Equal(t, strings.Count(title, prefix), strings.Count(title, shown), "%d runes before it: %q", before, title)
		}
	}
}
