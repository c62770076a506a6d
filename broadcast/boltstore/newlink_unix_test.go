//go:build unix

package boltstore

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A store path that is a symbolic link to a file not made yet (a link
// into a data volume) gets a new file as any other path does: written
// under a temporary name beside the link's target, given that name once
// synced, and that name's directory synced before Open returns. Before,
// Open synced the link's directory only, so a power failure could lose
// the new file's name, with every mark in it, and bbolt created the file
// in place through the link, so that a crash meanwhile left an empty file
// that every later Open refused as a damaged store.
func TestNewFileThroughASymlink(t *testing.T) {
	var synced []string
	defer func(f func(string) error) { syncDir = f }(syncDir)
	syncDir = func(dir string) error {
		synced = append(synced, dir)
		return syncDirectory(dir)
	}
	var linked []string
	defer func(f func(string, string) error) { link = f }(link)
	link = func(from, to string) error {
		linked = append(linked, to)
		return os.Link(from, to)
	}
	root := t.TempDir()
	data, links := filepath.Join(root, "data"), filepath.Join(root, "links")
	require.NoError(t, os.Mkdir(data, 0o700))
	require.NoError(t, os.Mkdir(links, 0o700))
	path := filepath.Join(links, "state.db")
	require.NoError(t, os.Symlink(filepath.Join("..", "data", "state.db"), path))

	s, err := Open(path, nil)
	require.NoError(t, err)
	require.NoError(t, s.Close())
	if assert.Len(t, synced, 1) {
		assertSameDir(t, data, synced[0], "the directory synced is the new file's")
	}
	if assert.Len(t, linked, 1) {
		assertSameDir(t, data, filepath.Dir(linked[0]), "the new file was given its name where the link points")
	}
	info, err := os.Lstat(path)
	require.NoError(t, err)
	assert.Equal(t, os.ModeSymlink, info.Mode().Type(), "the link stays a link")
	for _, dir := range []string{data, links} {
		entries, err := os.ReadDir(dir)
		require.NoError(t, err)
		assert.Len(t, entries, 1, "%s: no temporary file left", dir)
	}
	s, err = Open(path, nil)
	require.NoError(t, err, "open again")
	require.NoError(t, s.Close())
}

func assertSameDir(t *testing.T, want, got, msg string) {
	t.Helper()
	a, err := os.Stat(want)
	require.NoError(t, err)
	b, err := os.Stat(got)
	require.NoError(t, err, msg)
	assert.True(t, os.SameFile(a, b), "%s: want %s, got %s", msg, want, got)
}
