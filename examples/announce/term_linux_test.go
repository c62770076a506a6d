//go:build linux

package main

import (
	"bytes"
	"context"
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

// "-body -" with a terminal for standard input says that it waits for the
// text and how to end it: the program otherwise sits there without a word,
// and an empty line, which does not end it, looks like a hang.
func TestBodyFromTerminalSaysHowToEndIt(t *testing.T) {
	// Opened anew: openTerminal's file, whose Fd was taken, is in
	// blocking mode, and -timeout could not end a read of it.
	pts, err := os.OpenFile(openTerminal(t, 80).Name(), os.O_RDWR|unix.O_NOCTTY, 0)
	require.NoError(t, err)
	defer pts.Close()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"-title", "T", "-status", "investigating", "-body", "-", "-timeout", "50ms"}, pts, &stdout, &stderr)
	assert.Equal(t, exitFailed, code)
	assert.Contains(t, stderr.String(), "announce: reading -body from the terminal: type the text, then Ctrl-D on a line of its own (Ctrl-C cancels)")

	stderr.Reset()
	code = run(context.Background(), []string{"-title", "T", "-status", "investigating", "-body", "-", "-timeout", "50ms", "-quiet"}, pts, &stdout, &stderr)
	assert.Equal(t, exitFailed, code)
	assert.NotContains(t, stderr.String(), "Ctrl-D", "-quiet: no hints")

	devNull, err := os.Open(os.DevNull) // a character device too, but no terminal
	require.NoError(t, err)
	defer devNull.Close()
	stderr.Reset()
	code = run(context.Background(), []string{"-title", "T", "-status", "investigating", "-body", "-"}, devNull, &stdout, &stderr)
	assert.Equal(t, exitUsage, code, "empty standard input")
	assert.NotContains(t, stderr.String(), "Ctrl-D", "not a terminal: no hint")

	r, w, err := os.Pipe()
	require.NoError(t, err)
	defer r.Close()
	_, err = w.WriteString("From a pipe.\n")
	require.NoError(t, err)
	w.Close()
	stderr.Reset()
	code = run(context.Background(), []string{"-title", "T", "-status", "investigating", "-body", "-"}, r, &stdout, &stderr)
	assert.Equal(t, exitOK, code, stderr.String())
	assert.NotContains(t, stderr.String(), "Ctrl-D", "not a terminal: no hint")
}
