package main

import (
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A state file of the configuration that will not open is named as every
// other configuration error names its value: file, line and key.
func TestConfigStateErrorNamesFileLineAndKey(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "nodir", "bridge.db")
	cfg := filepath.Join(dir, "outagecast.yaml")
	require.NoError(t, os.WriteFile(cfg, []byte("channels:\n  - type: console\nstate: "+missing+"\n"), 0o600))
	_, _, err := setup(&options{config: cfg}, io.Discard, io.Discard, slog.New(slog.DiscardHandler))
	require.Error(t, err)
	assert.Contains(t, err.Error(), cfg+":3: state: open store: ")
	assert.Contains(t, err.Error(), missing)
}
