//go:build linux

package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// On a terminal of 20 columns or fewer (a narrow split pane), the lines
// redrawn in place are cut to its width too: taken as 80 columns wide,
// they wrapped, and moving up a line to redraw another landed on the
// wrong one.
func TestProgressFitsANarrowTerminal(t *testing.T) {
	t.Setenv("COLUMNS", "")
	for _, cols := range []int{20, 12, 2} {
		pts := openTerminal(t, uint16(cols))
		require.Equal(t, cols, terminalWidth(pts))

		var w bytes.Buffer
		p := newProgress(&w, true, []string{"status-page", "x"}, func(_, s string) string { return s })
		p.width = terminalWidth(pts)
		p.begin()
		p.event(broadcast.Event{Kind: broadcast.EventAttempt, Channel: "status-page", Attempt: 1})
		for _, line := range strings.Split(strings.TrimSuffix(w.String(), "\n"), "\n") {
			// What the terminal shows of the line: the cursor moves and
			// clears left out.
			for _, seq := range []string{"\x1b[2K", "\x1b[1B", "\x1b[2B", "\x1b[1A", "\x1b[2A", "\r"} {
				line = strings.ReplaceAll(line, seq, "")
			}
			width := 0
			for _, r := range line {
				width += runeWidth(r)
			}
			assert.Less(t, width, cols, "%d columns: %q", cols, line)
		}
	}
}
