package config_test

import (
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/config"
)

// At names a key where the file writes it, as the package's errors do, so
// that a program's own check of a value reads like them.
func TestAtNamesTheKeysLine(t *testing.T) {
	cfg, _, err := parse(t, lines(
		"channels:",
		"  - kind: console",
		"retry:",
		"  initial_interval: 1s",
		"  max_attempts: 9",
	), nil)
	require.NoError(t, err)
	assert.Equal(t, cfg.Path+":5: retry.max_attempts", cfg.At("retry.max_attempts"))
	assert.Equal(t, cfg.Path+":3: retry.max_elapsed", cfg.At("retry.max_elapsed"), "a key the file leaves out: its deepest key's line")

	def, err := config.Default(io.Discard)
	require.NoError(t, err)
	assert.Equal(t, "retry.max_attempts", def.At("retry.max_attempts"))
	assert.Equal(t, "retry.max_attempts", (*config.File)(nil).At("retry.max_attempts"))
}
