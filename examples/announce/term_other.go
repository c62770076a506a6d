//go:build !(aix || darwin || dragonfly || freebsd || linux || netbsd || openbsd || solaris)

package main

import "os"

// columns returns 0: the terminal's width is not read on this system, and
// terminalWidth falls back to $COLUMNS.
func columns(*os.File) int { return 0 }

// rows returns 0: the terminal's height is not read on this system.
func rows(*os.File) int { return 0 }

// isTTY reports false: whether a file is a terminal is not read on this
// system.
func isTTY(*os.File) bool { return false }
