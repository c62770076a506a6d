package main

import (
	"io"
	"log/slog"
	"testing"
)

// -log-level takes slog's names, any case, with an offset; the default is
// info.
func TestLogLevelFlag(t *testing.T) {
	for arg, want := range map[string]slog.Level{"": slog.LevelInfo, "debug": slog.LevelDebug, "WARN": slog.LevelWarn, "error": slog.LevelError, "info+2": slog.LevelInfo + 2} {
		var args []string
		if arg != "" {
			args = []string{"-log-level", arg}
		}
		o, err := parseFlags(args, io.Discard)
		if err != nil || slog.Level(o.logLevel) != want {
			t.Errorf("-log-level %q: %v, %v; want %v", arg, o, err, want)
		}
	}
}
