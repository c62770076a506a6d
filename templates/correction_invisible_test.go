package templates_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/templates"
)

// MarkCorrection marks a text's first line that shows something: a line
// before it of zero-width spaces, word joiners or bidi marks shows nothing
// (broadcast.Blank), and "Correction: " there would be read alone, the
// text's real first line after it. Nor is a text whose first line that
// shows something says it marked again.
func TestMarkCorrectionFirstLineThatShowsSomething(t *testing.T) {
	tests := []struct{ in, want string }{
		{"\u200b\u2060\nCDN errors in the EU", "\u200b\u2060\nCorrection: CDN errors in the EU"},
		{"\u200e \n\u200b\n  CDN errors\nWe found the cause.", "\u200e \n\u200b\nCorrection:   CDN errors\nWe found the cause."},
		{"\u200b\nCorrection: CDN errors in the EU", "\u200b\nCorrection: CDN errors in the EU"},
		{"\u2060\nCORRECTION - EU-West", "\u2060\nCORRECTION - EU-West"},
		{"\ufeffCorrection: CDN errors", "\ufeffCorrection: CDN errors"},
		{"\u200bCorrections API down", "Correction: \u200bCorrections API down"},
		{"CDN errors\n\u200b", "Correction: CDN errors\n\u200b"},
		{"\u200b", "Correction: \u200b"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, templates.MarkCorrection(tt.in), "%q", tt.in)
	}
}

// Set.Text marks a correction's Overrides text on its first line that
// shows something: before, "Correction: " went on a first line of
// invisible characters (which Update.Clean keeps), and every channel
// showing the text showed the marker alone on its first line.
func TestTextMarksTheFirstLineThatShowsSomething(t *testing.T) {
	u := representative(broadcast.StatusIdentified)
	u.Corrects = "u_41"
	const override = "\u200b\u2060\nCDN errors in the EU\nWe found the cause."
	u.Overrides = map[string]string{"x": override}
	for _, name := range []string{"text", "markdown", "html"} {
		got, err := templates.Default().Text("x", name, u, 0, nil)
		require.NoError(t, err, name)
		assert.Equal(t, "\u200b\u2060\nCorrection: CDN errors in the EU\nWe found the cause.", got, name)
	}

	// Said already on the line that shows: not marked twice.
	u.Overrides = map[string]string{"x": "\u200b\nCorrection: CDN errors in the EU"}
	got, err := templates.Default().Text("x", "text", u, 0, nil)
	require.NoError(t, err)
	assert.Equal(t, "\u200b\nCorrection: CDN errors in the EU", got)
}

// Text keeps the marker, moved to the first line that shows something,
// when it shortens a correction's override to a limit, and the result
// fits.
func TestTextMarksTheFirstLineThatShowsSomethingWithinLimit(t *testing.T) {
	u := representative(broadcast.StatusIdentified)
	u.Corrects = "u_41"
	const override = "\u200b\u2060\nCDN errors in the EU, not in the US. We found the cause."
	u.Overrides = map[string]string{"x": override}
	full := "\u200b\u2060\nCorrection: CDN errors in the EU, not in the US. We found the cause."
	for _, limit := range []int{templates.Runes(full), templates.Runes(full) - 1, 40, 20, 16, 15, 10, 3} {
		got, err := templates.Default().Text("x", "text", u, limit, templates.Runes)
		require.NoError(t, err, limit)
		assert.LessOrEqual(t, templates.Runes(got), limit, "%d: %q", limit, got)
		if limit >= templates.Runes("\u200b\u2060\nCorrection: "+templates.Ellipsis) {
			assert.True(t, strings.HasPrefix(got, "\u200b\u2060\nCorrection: "), "%d: %q", limit, got)
		}
		if limit >= templates.Runes(full) {
			assert.Equal(t, full, got)
		}
	}
	got, err := templates.Default().Text("x", "text", u, 41, templates.Runes)
	require.NoError(t, err)
	assert.Equal(t, "\u200b\u2060\nCorrection: CDN errors in the EU, not…", got)
}
