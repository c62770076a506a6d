//go:build unix

package boltstore_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast/boltstore"
)

// fullDiskEnv names the file a child process of
// TestNewFileOnAFullDiskIsNotLeftBehind opens with no room to write.
const fullDiskEnv = "BOLTSTORE_TEST_FULL_DISK_CHILD"

func init() { runChildIf(fullDiskEnv, runFullDiskChild) }

// runFullDiskChild opens a new store at path with no room for a byte (a
// file size limit of 0: writes fail as on a full disk) and prints Open's
// error.
func runFullDiskChild(path string) int {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &lim); err != nil {
		return 2
	}
	lim.Cur = 0
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &lim); err != nil {
		return 2
	}
	s, err := boltstore.Open(path, nil)
	if err == nil {
		_ = s.Close()
		return 3
	}
	os.Stdout.WriteString(err.Error())
	return 0
}

// A new store that cannot be written (a full disk) fails Open, saying
// why, and leaves no file behind: once there is room, the next Open makes
// the store. Before, the failed Open left an empty file at the path,
// which every later Open refused as a damaged store, to restore from a
// backup, though it had never held anything. A crash while Open created
// the file left the same.
func TestNewFileOnAFullDiskIsNotLeftBehind(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state.db")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), fullDiskEnv+"="+path)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(out), "boltstore: open "+path+": "), "%s", out)
	assert.Contains(t, string(out), "file too large")

	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Empty(t, entries, "no file left behind")

	s, err := boltstore.Open(path, nil)
	require.NoError(t, err)
	require.NoError(t, s.Close())
}
