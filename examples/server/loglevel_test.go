package main

import (
	"flag"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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

// -help shows the default as the flag takes it and the help lists it
// ("info"), not as slog prints a level ("INFO").
func TestLogLevelHelpDefault(t *testing.T) {
	var out strings.Builder
	_, err := parseFlags([]string{"-h"}, &out)
	require.ErrorIs(t, err, flag.ErrHelp)
	assert.Contains(t, out.String(), "debug, info, warn or error (default info)")
}
