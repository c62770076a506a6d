//go:build aix || darwin || dragonfly || freebsd || linux || netbsd || openbsd || solaris

package main

import (
	"os"

	"golang.org/x/sys/unix"
)

// columns returns the width of the terminal f is, or 0 when f is none. It
// reads f's descriptor through SyscallConn, not Fd, which would put f in
// blocking mode.
func columns(f *os.File) int {
	rc, err := f.SyscallConn()
	if err != nil {
		return 0
	}
	n := 0
	_ = rc.Control(func(fd uintptr) {
		if ws, err := unix.IoctlGetWinsize(int(fd), unix.TIOCGWINSZ); err == nil {
			n = int(ws.Col)
		}
	})
	return n
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
