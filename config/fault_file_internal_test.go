package config

import (
	"errors"
	"io"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A program's fault of a key of a loaded file (File.Fault) is made as the
// package's own are: "file:line: key: what", at At's line, unwrapping to
// what is wrong, and joinFaults orders it by its line among the file's
// faults. Before, a program built the text by hand from At, or from
// Store's Path, Line and Key, which nothing ordered by its line.
func TestFileFaultIsAFault(t *testing.T) {
	name := filepath.Join(t.TempDir(), "test.yaml")
	cfg, err := Loader{LookupEnv: func(string) (string, bool) { return "", false }, Stdout: io.Discard, Stderr: io.Discard}.Parse(
		strings.NewReader("channels:\n  - kind: console\nstate: s.db\nretry:\n  max_attempts: 9\n"), name)
	require.NoError(t, err)
	got := cfg.Fault("retry.max_attempts", fs.ErrInvalid)
	assert.Equal(t, name+":5: retry.max_attempts: invalid argument", got.Error())
	assert.Equal(t, cfg.At("retry.max_attempts")+": invalid argument", got.Error())
	assert.ErrorIs(t, got, fs.ErrInvalid)
	assert.Equal(t, cfg.Store.Line, lineOfFault(cfg.Fault(cfg.Store.Key, fs.ErrNotExist)))
	joined := joinFaults([]error{got, faultf(name, 2, "two"), cfg.Fault(cfg.Store.Key, errors.New("three"))})
	assert.Equal(t, name+":2: two\n"+name+":3: state: three\n"+name+":5: retry.max_attempts: invalid argument", joined.Error())

	def, err := Default(io.Discard)
	require.NoError(t, err)
	assert.Equal(t, "retry.max_attempts: invalid argument", def.Fault("retry.max_attempts", fs.ErrInvalid).Error())
	assert.ErrorIs(t, def.Fault("state", fs.ErrInvalid), fs.ErrInvalid)
}
