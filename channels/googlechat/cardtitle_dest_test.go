package googlechat

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/templates"
)

// The card's title is plain text (the channel writes it unescaped, as
// Chat shows it): a link destination its cut moves after the ellipsis is
// written as the URL the link points to, "&" as "&"
// (templates.ShortenPlain). Before, it was written as a CommonMark
// autolink, "&amp;" for each "&" that starts a character reference,
// which the title showed as written: <https://x.example/?a=1&amp;amp;b=2>.
func TestCardTitleMovesDestinationPlain(t *testing.T) {
	u := broadcast.Update{IncidentID: "cdn", Status: broadcast.StatusInvestigating,
		Title: strings.Repeat("word ", maxCardTitle/5) + "See [the page](https://x.example/?a=1&amp;amp;b=2) now."}
	require.NoError(t, u.Validate())
	title := statusCard(u).Card.Header.Title
	assert.True(t, strings.HasSuffix(title, templates.Ellipsis+" <https://x.example/?a=1&amp;b=2>"), "%q", title)
}
