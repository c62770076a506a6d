//go:build linux

package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/outagecast/outagecast/config"
)

// With more channels than the terminal has rows, the first lines have
// scrolled off when a channel's line is redrawn: moving up to it stops at
// the top row, and the redraw overwrote another channel's line. Progress
// is then written one plain line per event, as on a file.
func TestProgressNotRedrawnBeyondTheScreen(t *testing.T) {
	pts := openTerminal(t, 80)
	require.NoError(t, unix.IoctlSetWinsize(int(pts.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: 4, Col: 80}))
	assert.Equal(t, 4, terminalHeight(pts))
	assert.Equal(t, 0, terminalHeight(&bytes.Buffer{}), "not a terminal")

	channels := func(n int) *config.File {
		var yaml strings.Builder
		yaml.WriteString("channels:\n")
		for i := range n {
			yaml.WriteString("  - type: console\n    name: c" + string(rune('a'+i)) + "\n    output: stdout\n")
		}
		cfg, err := config.Load(writeConfig(t, yaml.String()))
		require.NoError(t, err)
		return cfg
	}
	var out bytes.Buffer
	a := &app{opts: &options{}, stdout: &bytes.Buffer{}, stderr: &out, ttyErr: true, width: 80, height: terminalHeight(pts),
		hide: func(s string) string { return s }, explain: func(_, s string) string { return s }}
	assert.True(t, a.progress(channels(3)).live, "3 lines and the cursor's fit 4 rows")
	assert.False(t, a.progress(channels(4)).live, "4 lines and the cursor's do not")
	a.height = 0
	assert.True(t, a.progress(channels(4)).live, "height unknown")
}
