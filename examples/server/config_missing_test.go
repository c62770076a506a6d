package main

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A -config naming no file is said as a mistake of -config: before, the
// error said "read config: open …", naming no flag.
func TestMissingConfigNamesTheFlag(t *testing.T) {
	env, _, _ := testEnv(nil)
	missing := filepath.Join(t.TempDir(), "nope.yaml")
	_, err := loadConfig(&options{config: missing}, env)
	require.Error(t, err)
	assert.Equal(t, "-config: open "+missing+": no such file or directory", err.Error())
}
