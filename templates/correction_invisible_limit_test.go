package templates_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/templates"
)

// When the lines that show nothing before a correction's first line that
// shows something leave no room for the marker and an ellipsis, Text
// leaves them out: before, it kept them and cut the rest, and the text
// showed an ellipsis alone, neither the marker nor any of the text.
func TestTextDropsInvisibleLinesThatLeaveNoRoom(t *testing.T) {
	u := representative(broadcast.StatusIdentified)
	u.Corrects = "u_41"
	lines := func(s string) int { return strings.Count(s, "\n") + 1 }
	tests := []struct {
		override string
		limit    int
		m        templates.Measure
		want     string
	}{
		{"\u200b\u2060\nCDN errors in the EU", 13, templates.Runes, "Correction: …"},
		{"\u200b\u2060\nCDN errors in the EU", 15, templates.Runes, "Correction: CD…"},
		{strings.Repeat("\u200b", 20) + "\nCDN errors in the EU", 25, templates.Runes, "Correction: CDN errors…"},
		// One line allowed (an IRC channel's Config.MaxLines of 1).
		{"\u200b\nCDN errors in the EU", 1, lines, "Correction: CDN errors in the EU"},
		{"\u200b\nCorrection: CDN errors in the EU", 1, lines, "Correction: CDN errors in the EU"},
		{"\u200b\nCorrection: CDN errors in the EU", 5, templates.Runes, "Corr…"},
	}
	for _, tt := range tests {
		u.Overrides = map[string]string{"x": tt.override}
		got, err := templates.Default().Text("x", "text", u, tt.limit, tt.m)
		require.NoError(t, err)
		assert.Equal(t, tt.want, got, "%q within %d", tt.override, tt.limit)
	}
}
