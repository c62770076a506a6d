package main

import (
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A second signal during the shutdown exits 130, other errors 1; the
// shutdown itself is tested in examples/internal/shutdown.
func TestExitStatus(t *testing.T) {
	assert.Equal(t, 130, fail(io.Discard, errAbandoned))
	assert.Equal(t, 1, fail(io.Discard, io.ErrUnexpectedEOF))
}

// Ctrl-C before the page is served (while -demo writes its updates, which
// takes seconds) is an interruption, said as one and exiting 130, not a
// failure of the channel exiting 1.
func TestInterruptedBeforeServing(t *testing.T) {
	for _, demo := range []bool{true, false} {
		o := options{dir: filepath.Join(t.TempDir(), "site"), addr: "127.0.0.1:0", base: "http://127.0.0.1:8080/",
			title: "Example Status", demo: demo}
		ctx, cancel := context.WithCancel(context.Background())
		cancel() // the first Ctrl-C
		var log strings.Builder
		err := run(ctx, nil, &log, o)
		require.Error(t, err, "demo %t", demo)
		assert.Empty(t, log.String(), "nothing said to serve")
		var out strings.Builder
		assert.Equal(t, 130, fail(&out, err), "demo %t: %v", demo, err)
		assert.Equal(t, "statuspage: interrupted before serving: what was written is kept; "+
			"run it again to finish the page\n", out.String())
	}
}
