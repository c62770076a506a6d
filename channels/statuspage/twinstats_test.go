package statuspage

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A file of the site linked to one of the same bytes written into the
// version (a twin: incidents/unresolved.json of incidents.json while every
// incident listed is open, megabytes at hundreds of components) is linked
// only once that file, read back from disk, is found to hold its bytes:
// those bytes are read to compare, and the write's count of them says so.
// Before, they were not counted: a first version, with no previous one to
// compare with, counted none read.
func TestTwinsReadBackAreCounted(t *testing.T) {
	dir := t.TempDir()
	c, err := New(Config{Dir: dir, BaseURL: "https://status.example.com/",
		Components: []ComponentInfo{{Name: "API"}, {Name: "CDN"}}})
	require.NoError(t, err)
	now := time.Date(2025, 3, 14, 12, 0, 0, 0, time.UTC)
	c.now = func() time.Time { return now }
	send(t, c, broadcast.Update{ID: "u1", IncidentID: "cdn", Title: "Errors", Status: broadcast.StatusInvestigating,
		Time: now, Components: []broadcast.Component{{Name: "CDN", Status: broadcast.ComponentDegraded}}})
	require.Positive(t, c.stats.twins, "files linked to twins")
	require.Empty(t, c.stats.read, "a first version: none of a previous one read")

	// Each twin read its file whole: the files of the version, in groups
	// of one file, each of k names read k-1 times.
	root, err := filepath.EvalSymlinks(filepath.Join(dir, currentName))
	require.NoError(t, err)
	var files []os.FileInfo
	require.NoError(t, filepath.WalkDir(root, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		fi, err := d.Info()
		files = append(files, fi)
		return err
	}))
	var want int64
	twins := 0
	for i, fi := range files {
		for _, other := range files[:i] {
			if os.SameFile(fi, other) {
				want += fi.Size()
				twins++
				break
			}
		}
	}
	require.Equal(t, c.stats.twins, twins, "the twins linked are the files of the version sharing one")
	assert.Positive(t, want)
	assert.Equal(t, want, c.stats.compared, "bytes read to compare")
}
