package statuspage_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/statuspage"
	"github.com/outagecast/outagecast/templates"
)

// The excerpt of a past incident is plain text in the page (escaped, no
// Markdown read): a link destination its cut moves after the ellipsis is
// written as the URL the link points to, "&" as "&"
// (templates.ShortenPlain). Before, it was written as a CommonMark
// autolink, "&amp;" for each "&" that starts a character reference,
// which the page showed as written: <https://x.example/?a=1&amp;amp;b=2>.
func TestPastExcerptMovesDestinationPlain(t *testing.T) {
	p := newPage(t, statuspage.Config{})
	u := update("a", "a1", 0, broadcast.StatusResolved)
	u.Body = strings.Repeat("word ", 40) + "See [the page](https://x.example/?a=1&amp;amp;b=2) and more words.\nA second line."
	require.NoError(t, u.Validate())
	p.send(u)

	past := statuspage.Find(statuspage.FindID(p.index(), "history"), "li")
	require.Len(t, past, 1)
	line := statuspage.Text(past[0])
	assert.True(t, strings.HasSuffix(line, templates.Ellipsis+" <https://x.example/?a=1&amp;b=2>"), "%q", line)
}
