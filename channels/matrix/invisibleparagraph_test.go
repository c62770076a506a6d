package matrix

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/broadcast"
)

// A paragraph that shows nothing though it is not white space (zero-width
// spaces, a word joiner, a bidi mark) is left out of formatted_body, as a
// paragraph of white space is: before, it was sent as a paragraph of its
// own, a blank gap in the message, and when it came first it took the
// bold meant for the status line, which then showed plain.
func TestInvisibleParagraphLeftOut(t *testing.T) {
	u := incident(1, broadcast.StatusInvestigating, "Error rates are up.\n\n\u200b\u2060\u200e\n\nA fix is rolling out.")
	c := sentContent(t, u)
	assert.NotContains(t, c.FormattedBody, "<p>\u200b", "no paragraph that shows nothing")
	assert.Contains(t, c.FormattedBody, "<p>Error rates are up.</p><p>A fix is rolling out.</p>")

	assert.Equal(t, "<p><strong>Investigating: CDN</strong><br>Details</p>",
		toHTML("\u200b\ufeff\n\nInvestigating: CDN\nDetails", ""))
}
