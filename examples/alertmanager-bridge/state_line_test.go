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
	assert.Contains(t, err.Error(), cfg+":3: state: ")
	assert.Contains(t, err.Error(), filepath.Dir(missing)+" does not exist")
}

// The state's path is shown as the file hides it: a value of a variable
// named as a secret put there (by mistake) is its reference, as in every
// other error about the file.
func TestConfigStateErrorHidesSecretVariable(t *testing.T) {
	const token = "tok-8c1f2e9d7a6b"
	t.Setenv("BRIDGE_TOKEN", token)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "outagecast.yaml")
	require.NoError(t, os.WriteFile(cfg, []byte("channels:\n  - type: console\nstate: nodir/${BRIDGE_TOKEN}/bridge.db\n"), 0o600))
	_, _, err := setup(&options{config: cfg}, io.Discard, io.Discard, slog.New(slog.DiscardHandler))
	require.Error(t, err)
	assert.Contains(t, err.Error(), cfg+":3: state: ")
	assert.Contains(t, err.Error(), "${BRIDGE_TOKEN}")
	assert.NotContains(t, err.Error(), token)
}
