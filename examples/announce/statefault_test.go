package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A configuration's state file that cannot be made is the configuration's
// fault of its key, made by config as the file's own faults are: its text
// "file:line: key: what", and it unwraps to what is wrong. Before, the
// text was written by hand, wrapping nothing.
func TestStateFaultIsTheFilesFault(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "nodir", "state.db")
	path := filepath.Join(dir, "outagecast.yaml")
	require.NoError(t, os.WriteFile(path, []byte("channels:\n  - type: console\nstate: "+missing+"\n"), 0o600))
	var out bytes.Buffer
	a := &app{opts: &options{config: path}, stdout: &out, stderr: &out}
	_, err := a.load()
	require.Error(t, err)
	assert.Equal(t, path+":3: state: directory "+filepath.Dir(missing)+" does not exist (create it, or put the state file elsewhere)", err.Error())
	want := "directory " + filepath.Dir(missing) + " does not exist (create it, or put the state file elsewhere)"
	var causes []string
	for e := errors.Unwrap(err); e != nil; e = errors.Unwrap(e) {
		causes = append(causes, e.Error())
	}
	assert.Contains(t, causes, want, "the fault unwraps to what is wrong")
}
