package statuspage

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A paragraph of an update's text that shows nothing though it is not
// white space (zero-width spaces, a word joiner, a bidi mark) is left out
// of the page, as a paragraph of white space is: before, the incident's
// page showed it as an empty paragraph, a blank gap in the update.
func TestInvisibleParagraphLeftOut(t *testing.T) {
	dir := t.TempDir()
	c := newTestChannel(t, dir)
	send(t, c, broadcast.Update{
		ID: "u1", IncidentID: "cdn", Title: "Elevated CDN errors", Status: broadcast.StatusInvestigating,
		Body: "Error rates are up.\n\n\u200b\u2060\u200e\n\nA fix is rolling out.",
		Time: time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC),
	})
	page, err := os.ReadFile(filepath.Join(dir, currentName, "incidents", pageName("cdn")+".html"))
	require.NoError(t, err)
	_, body, ok := strings.Cut(string(page), `<div class="update-body" dir="auto">`)
	require.True(t, ok, "the update's body is on the page")
	body, _, _ = strings.Cut(body, "</div>")
	assert.Equal(t, "<p>Error rates are up.</p><p>A fix is rolling out.</p>", body)

	assert.Equal(t, "<p>A</p><p>B</p>", string(richText("\u200b\ufeff\n\nA\n\n\u2060 \u200e\n\nB")))
}
