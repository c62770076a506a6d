//go:build aix || darwin || dragonfly || freebsd || linux || netbsd || openbsd || solaris

package main

import (
	"os"

	"golang.org/x/sys/unix"
)

// columns returns the width of the terminal f is, or 0 when f is none.
func columns(f *os.File) int {
	cols, _ := size(f)
	return cols
}

// rows returns the height of the terminal f is, or 0 when f is none.
func rows(f *os.File) int {
	_, n := size(f)
	return n
}

// size returns the columns and rows of the terminal f is, or zeros when f
// is none. It reads f's descriptor through SyscallConn, not Fd, which
// would put f in blocking mode.
func size(f *os.File) (cols, rows int) {
	rc, err := f.SyscallConn()
	if err != nil {
		return 0, 0
	}
	_ = rc.Control(func(fd uintptr) {
		if ws, err := unix.IoctlGetWinsize(int(fd), unix.TIOCGWINSZ); err == nil {
			cols, rows = int(ws.Col), int(ws.Row)
		}
	})
	return cols, rows
}

// isTTY reports whether f is a terminal: its terminal settings can be
// read (a character device such as /dev/null has none).
func isTTY(f *os.File) bool {
	rc, err := f.SyscallConn()
	if err != nil {
		return false
	}
	tty := false
	_ = rc.Control(func(fd uintptr) {
		_, err := unix.IoctlGetTermios(int(fd), ioctlReadTermios)
		tty = err == nil
	})
	return tty
}
