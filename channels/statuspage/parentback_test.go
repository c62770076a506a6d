package statuspage

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// swap sets *v to with until the test ends.
func swap[T any](t *testing.T, v *T, with T) {
	t.Helper()
	old := *v
	t.Cleanup(func() { *v = old })
	*v = with
}

// A Config.Dir whose parent was removed and made again between a failed
// mkdir and refused's look at the parent is not judged a file system that
// makes nothing there, for good: it is tried once more, and made. Before,
// the Send failed, marked Permanent, and the update was never published.
func TestParentMadeAgainIsNotPermanent(t *testing.T) {
	base := t.TempDir()
	dir := filepath.Join(base, "site", "status")
	// The first mkdir fails as when a parent of dir was removed (a
	// clean-up, another process) just before, and made again just after.
	calls := 0
	real := mkdirAll
	swap(t, &mkdirAll, func(path string, perm fs.FileMode) error {
		calls++
		if calls == 1 {
			require.NoError(t, real(filepath.Dir(path), perm)) // made again
			return &fs.PathError{Op: "mkdir", Path: path, Err: syscall.ENOENT}
		}
		return real(path, perm)
	})
	c := newTestChannel(t, dir)
	_, err := c.Send(context.Background(), broadcast.NewMessage(broadcast.Update{ID: "u1", IncidentID: "a",
		Title: "T", Status: broadcast.StatusInvestigating, Time: c.clock.Now()}))
	require.NoError(t, err)
	_, err = os.Stat(filepath.Join(dir, currentName))
	assert.NoError(t, err, "published")

	// Failing again under a parent that is there: for good, as before.
	swap(t, &mkdirAll, func(string, fs.FileMode) error {
		return &fs.PathError{Op: "mkdir", Path: filepath.Join(base, "other"), Err: syscall.ENOENT}
	})
	err = makeDir(filepath.Join(base, "other"))
	assert.True(t, broadcast.IsPermanent(classify("create Config.Dir", err)), "%v", err)
	assert.ErrorIs(t, err, errNoneMade)
}

// Check judges the directory so too: a temporary file that could not be
// made because the directory was removed, and made again before refused
// looks, is tried once more.
func TestCheckParentMadeAgainIsNotPermanent(t *testing.T) {
	dir := t.TempDir()
	calls := 0
	real := createTemp
	swap(t, &createTemp, func(d, pattern string) (*os.File, error) {
		calls++
		if calls == 1 {
			return nil, &fs.PathError{Op: "open", Path: filepath.Join(d, pattern), Err: syscall.ENOENT}
		}
		return real(d, pattern)
	})
	c := newTestChannel(t, dir)
	assert.NoError(t, c.Check(context.Background()))
}
