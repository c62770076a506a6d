package main

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The bridge says that it shuts down before it says that it stopped, and
// always says both, even when no notification was under way (the shutdown
// then takes no time at all).
func TestShutdownIsLoggedBeforeStopped(t *testing.T) {
	for range 50 {
		var buf bytes.Buffer
		log := slog.New(slog.NewTextHandler(&buf, nil))
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		require.NoError(t, serve(ctx, nil, ln, &handler{log: log}, log))
		out := buf.String()
		shutting, stopped := strings.Index(out, "shutting down"), strings.Index(out, "msg=stopped")
		require.True(t, shutting >= 0 && shutting < stopped, "the shutdown is logged before the stop:\n%s", out)
	}
}
