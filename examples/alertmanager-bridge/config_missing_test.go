package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// A -config naming no file is refused naming -config, exit status 2:
// before, the error said "read config: open …", naming no flag.
func TestMissingConfigNamesTheFlag(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope.yaml")
	var stdout, stderr strings.Builder
	code := run(context.Background(), nil, []string{"-listen", "127.0.0.1:0", "-config", missing}, &stdout, &stderr)
	assert.Equal(t, 2, code)
	assert.Equal(t, "alertmanager-bridge: -config: open "+missing+": no such file or directory\n", stderr.String())
}
