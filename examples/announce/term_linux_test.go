//go:build linux

package main

import (
	"bytes"
	"fmt"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/outagecast/outagecast/config"
)

// openTerminal returns the terminal side of a new pseudo-terminal of cols
// columns.
func openTerminal(t *testing.T, cols uint16) *os.File {
	ptmx, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	require.NoError(t, err)
	t.Cleanup(func() { ptmx.Close() })
	require.NoError(t, unix.IoctlSetPointerInt(int(ptmx.Fd()), unix.TIOCSPTLCK, 0))
	n, err := unix.IoctlGetInt(int(ptmx.Fd()), unix.TIOCGPTN)
	require.NoError(t, err)
	pts, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	require.NoError(t, err)
	t.Cleanup(func() { pts.Close() })
	require.NoError(t, unix.IoctlSetWinsize(int(pts.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: 24, Col: cols}))
	return pts
}

// Lines redrawn in place are cut to the terminal's width, which shells do
// not export as COLUMNS: on a narrower terminal than 80 columns (a split
// pane) a longer line wraps, and moving up a line to redraw another lands
// on the wrong one.
func TestProgressFitsTheTerminal(t *testing.T) {
	t.Setenv("COLUMNS", "")
	pts := openTerminal(t, 50)
	assert.Equal(t, 50, terminalWidth(pts))
	assert.Equal(t, 80, terminalWidth(&bytes.Buffer{}), "not a terminal")
	t.Setenv("COLUMNS", "120")
	assert.Equal(t, 50, terminalWidth(pts), "the terminal's own width wins")
	assert.Equal(t, 120, terminalWidth(&bytes.Buffer{}))

	var out bytes.Buffer
	a := &app{opts: &options{}, stdout: &out, stderr: &out, ttyErr: true, width: terminalWidth(pts),
		hide: func(s string) string { return s }, explain: func(_, s string) string { return s }}
	cfg, err := config.Default(&bytes.Buffer{})
	require.NoError(t, err)
	p := a.progress(cfg)
	require.True(t, p.live)
	assert.Equal(t, 50, p.width)
}
