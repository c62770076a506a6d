package statuspage

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A Channel that did not write the current version trusts no file of it
// when its manifest is missing, unreadable or another version's: it
// writes every file again, so that a hand edit does not pass into the
// new version. The "forged" case is the control: a manifest of the right
// version that records the edited file links it, so the "foreign" case
// fails on the nonce alone.
func TestManifestNotTrusted(t *testing.T) {
	for _, tc := range []struct {
		name string
		mess func(t *testing.T, vdir, nonce string)
		kept bool // the hand edit passes into the next version
	}{
		{"missing", func(t *testing.T, vdir, _ string) {
			require.NoError(t, os.Remove(filepath.Join(vdir, manifestName)))
		}, false},
		{"corrupt", func(t *testing.T, vdir, _ string) {
			require.NoError(t, os.WriteFile(filepath.Join(vdir, manifestName), []byte(`{"nonce":`), 0o644))
		}, false},
		{"foreign", func(t *testing.T, vdir, _ string) { forgeManifest(t, vdir, "another version") }, false},
		{"forged", func(t *testing.T, vdir, nonce string) { forgeManifest(t, vdir, nonce) }, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			send(t, newTestChannel(t, dir), ChildUpdate("a", 0))
			send(t, newTestChannel(t, dir), ChildUpdate("a", 1))
			gen, err := readCurrent(dir)
			require.NoError(t, err)
			vdir := filepath.Join(dir, versionsName, versionName(gen))
			nonce, err := readNonce(vdir)
			require.NoError(t, err)
			path := filepath.Join(vdir, siteName, pagePath(pageName("a-incident-0")))
			generated, err := os.ReadFile(path)
			require.NoError(t, err)

			require.NoError(t, os.WriteFile(path, []byte("HAND EDIT"), 0o644))
			tc.mess(t, vdir, nonce)
			c := newTestChannel(t, dir)     // a restart
			send(t, c, ChildUpdate("a", 2)) // incident a-incident-2: a-incident-0 unchanged
			data, err := os.ReadFile(filepath.Join(c.Root(), pagePath(pageName("a-incident-0"))))
			require.NoError(t, err)
			assert.Equalf(t, tc.kept, !bytes.Equal(generated, data), "the hand edit kept: %.40q", data)
			if !tc.kept {
				// Nor is an untouched page of an unchanged incident linked.
				rel := filepath.Join(siteName, pagePath(pageName("a-incident-1")))
				before, err := os.Stat(filepath.Join(vdir, rel))
				require.NoError(t, err)
				after, err := os.Stat(filepath.Join(dir, versionsName, versionName(gen+1), rel))
				require.NoError(t, err)
				assert.False(t, os.SameFile(before, after), "an untouched page linked unread")
			}
		})
	}
}

// forgeManifest writes a manifest of vdir as its files are now, for the
// version of nonce.
func forgeManifest(t *testing.T, vdir, nonce string) {
	t.Helper()
	m := manifest{Nonce: nonce, Files: map[string]savedStamp{}}
	require.NoError(t, filepath.WalkDir(vdir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(vdir, p)
		saved, ok := save(fi, true)
		require.True(t, ok, "inode numbers")
		m.Files[filepath.ToSlash(rel)] = saved
		return nil
	}))
	data, err := json.Marshal(m)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(vdir, manifestName), data, 0o644))
}
