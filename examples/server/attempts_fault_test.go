package main

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A retry.max_attempts above dispatch's most is the file's fault at the
// key's line, made as config's own faults are (config.File.Fault): it
// unwraps to what is wrong with the value. Before, its text was built by
// hand around the line's place and wrapped nothing.
func TestTooManyAttemptsIsTheFilesFault(t *testing.T) {
	path := filepath.Join(t.TempDir(), "attempts.yaml")
	require.NoError(t, os.WriteFile(path, []byte("channels:\n  - kind: console\nretry:\n  max_attempts: 40000\n"), 0o600))
	env, _, _ := testEnv(nil)
	_, err := loadConfig(&options{config: path}, env)
	require.Error(t, err)
	assert.Equal(t, path+":4: retry.max_attempts: 40000, at most 32757", err.Error())
	var inner []string
	for e := errors.Unwrap(err); e != nil; e = errors.Unwrap(e) {
		inner = append(inner, e.Error())
	}
	assert.Contains(t, inner, "40000, at most 32757", "the fault unwraps to what is wrong with the value")
}
