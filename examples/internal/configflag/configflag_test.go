package configflag

import (
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/config"
)

// An error of reading the file names -config (before, it said "read
// config: open …", naming no flag); one of its content still names the
// file and line.
func TestReadErrorNamesTheFlag(t *testing.T) {
	l := config.Loader{Stdout: io.Discard, Stderr: io.Discard}
	missing := filepath.Join(t.TempDir(), "nope.yaml")
	_, err := Load(l, missing)
	require.Error(t, err)
	assert.Equal(t, "-config: open "+missing+": no such file or directory", err.Error())
	assert.ErrorIs(t, err, fs.ErrNotExist)

	dir := t.TempDir()
	_, err = Load(l, dir)
	require.Error(t, err)
	assert.Equal(t, "-config: read "+dir+": is a directory", err.Error())

	_, err = Load(l, "https://user:hunter2-fake@example.com/outagecast.yaml")
	require.Error(t, err)
	assert.Regexp(t, `^-config: the path is a URL`, err.Error())
	assert.NotContains(t, err.Error(), "hunter2")

	bad := filepath.Join(t.TempDir(), "bad.yaml")
	require.NoError(t, os.WriteFile(bad, []byte("channels: [\n"), 0o600))
	_, err = Load(l, bad)
	require.Error(t, err)
	assert.Regexp(t, `^`+regexp.QuoteMeta(bad)+`:\d+: `, err.Error(), "the content's mistake names file and line")

	good := filepath.Join(t.TempDir(), "good.yaml")
	require.NoError(t, os.WriteFile(good, []byte("channels:\n  - kind: console\n"), 0o600))
	f, err := Load(l, good)
	require.NoError(t, err)
	require.NotNil(t, f)
}
