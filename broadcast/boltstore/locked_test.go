package boltstore_test

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast/boltstore"
)

// lockEnv names the file a child process of TestOpenByAnotherProcessSaysSo
// opens, and holds until its standard input closes.
const lockEnv = "BOLTSTORE_TEST_LOCK_CHILD"

// runLockChild opens the store at $lockEnv, says "open", and closes it
// once its standard input closes. It returns the exit code.
func runLockChild() int {
	s, err := boltstore.Open(os.Getenv(lockEnv), nil)
	if err != nil {
		os.Stderr.WriteString(err.Error() + "\n")
		return 2
	}
	os.Stdout.WriteString("open\n")
	_, _ = bufio.NewReader(os.Stdin).ReadString('\n') // until EOF
	if err := s.Close(); err != nil {
		return 2
	}
	return 0
}

// heldByAnotherProcess returns the path of a new store file that a child
// process holds open until the test ends.
func heldByAnotherProcess(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "state.db")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), lockEnv+"="+path)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = stdin.Close()
		assert.NoError(t, cmd.Wait())
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	require.NoError(t, err)
	require.Equal(t, "open\n", line)
	return path
}

// A file another process has open: the error says so.
func TestOpenByAnotherProcessSaysSo(t *testing.T) {
	path := heldByAnotherProcess(t)

	_, err := boltstore.Open(path, &boltstore.Options{LockTimeout: -1})
	require.ErrorIs(t, err, boltstore.ErrLocked)
	assert.EqualError(t, err, "boltstore: file locked by another process: "+path)
	_, err = boltstore.Open(path, &boltstore.Options{LockTimeout: 50 * time.Millisecond})
	require.ErrorIs(t, err, boltstore.ErrLocked)
	assert.EqualError(t, err, "boltstore: file locked by another process: "+path+" (waited 50ms)")
}

// A file this process has open already, by any of its names, is not
// said to be another process's: Open said "file locked by another
// process", and a user looked for one in vain.
func TestOpenTwiceInOneProcessSaysSo(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state.db")
	first := open(t, path)

	names := []string{path, filepath.Join(dir, ".", "state.db")}
	if wd, err := os.Getwd(); err == nil {
		if rel, err := filepath.Rel(wd, path); err == nil {
			names = append(names, rel)
		}
	}
	if runtime.GOOS != "windows" {
		link := filepath.Join(t.TempDir(), "link.db")
		require.NoError(t, os.Symlink(path, link))
		names = append(names, link)
	}
	for _, name := range names {
		_, err := boltstore.Open(name, &boltstore.Options{LockTimeout: -1})
		require.ErrorIs(t, err, boltstore.ErrLocked, name)
		assert.EqualError(t, err, "boltstore: file locked by this process: "+name+
			": another of its Stores has it open (close that Store first, or use it)", name)
	}

	// Closed, the file is no longer this process's: a failed Open kept
	// no hold on it either.
	require.NoError(t, first.Close())
	second, err := boltstore.Open(path, &boltstore.Options{LockTimeout: -1})
	require.NoError(t, err)
	require.NoError(t, second.Close())
}

// Opens of one file at once in this process, while another process holds
// it, each say another process holds it: each blamed "another of its
// Stores", the other Open that was failing too.
func TestOpenAtOnceWhileAnotherProcessHoldsIt(t *testing.T) {
	path := heldByAnotherProcess(t)

	const n = 4
	errs := make(chan error, n)
	for range n {
		go func() {
			s, err := boltstore.Open(path, &boltstore.Options{LockTimeout: 500 * time.Millisecond})
			if err == nil {
				_ = s.Close()
			}
			errs <- err
		}()
	}
	for range n {
		err := <-errs
		require.ErrorIs(t, err, boltstore.ErrLocked)
		assert.EqualError(t, err, "boltstore: file locked by another process: "+path+" (waited 500ms)")
	}
}
