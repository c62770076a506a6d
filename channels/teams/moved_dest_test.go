package teams

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A link whose destination a cut of the text moves after the ellipsis
// shows the URL the link points to, "&" as "&": every line of the card
// is a TextRun of a RichTextBlock, which takes no Markdown ("RichTextBlock
// does not support Markdown", learn.microsoft.com/adaptive-cards/authoring-cards/text-features)
// and shows its text as written. Before, it was written as a CommonMark
// autolink, "&amp;" for the "&" that starts a character reference, and
// the reader saw <https://x.example/?a=1&amp;b=2>, another URL.
func TestMovedDestinationShowsItsURL(t *testing.T) {
	ch, f := newTestChannel(t)
	link := " [the page](https://x.example/?a=1&amp;amp;b=2)" // to https://x.example/?a=1&amp;b=2
	u := update(broadcast.StatusInvestigating)
	u.Overrides = map[string]string{"ops-teams": "Investigating: the CDN\n" + strings.Repeat(`"C:\path" `, broadcast.MaxBodyLength/10) + link}
	_, err := send(t, ch, u)
	require.NoError(t, err)
	cards, _ := f.posted()
	require.NotEmpty(t, cards)
	var moved []string
	for _, line := range cards[len(cards)-1].lines {
		if i := strings.Index(line, "https://x.example/"); i >= 0 {
			moved = append(moved, line)
		}
	}
	require.Len(t, moved, 1, "the destination, moved after the ellipsis")
	_, after, cut := strings.Cut(moved[0], "…")
	require.True(t, cut, "the line is cut")
	assert.Equal(t, " <https://x.example/?a=1&amp;b=2>", after)
}
