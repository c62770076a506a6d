package statuspage_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/statuspage"
)

// A file of the published site edited by hand, in place (as vi does a
// file of several links, or a shell's >) or replaced (as sed -i does), is
// written again by the next write: unchanged files are hard links of the
// previous version's, and a link of the edited file would carry the edit
// into every later version.
func TestHandEditIsNotKept(t *testing.T) {
	p := newPage(t, statuspage.Config{})
	p.send(update("a", "a1", 0, broadcast.StatusResolved))
	p.send(update("b", "b1", 10, broadcast.StatusInvestigating))
	files := []string{"incidents/a.html", "history.html", "history-2025-03.html", "favicon.svg", "overdue.js"}
	edits := map[string]func(path string) error{
		"in place": func(path string) error { return os.WriteFile(path, []byte("HAND EDIT"), 0o644) },
		"replaced": func(path string) error {
			if err := os.WriteFile(path+".new", []byte("HAND EDIT"), 0o644); err != nil {
				return err
			}
			return os.Rename(path+".new", path)
		},
	}
	n := 11
	for _, how := range []string{"replaced", "in place", "replaced"} {
		p.send(update("b", fmt.Sprintf("b%d", n), n, broadcast.StatusIdentified)) // a write that recycles a version
		n++
		generated := map[string][]byte{}
		for _, f := range files {
			path := filepath.Join(p.ch.Root(), f)
			data, err := os.ReadFile(path)
			require.NoError(t, err)
			generated[f] = data
			require.NoError(t, edits[how](path), "edit %s", f)
		}
		p.send(update("b", fmt.Sprintf("b%d", n), n, broadcast.StatusIdentified))
		n++
		for _, f := range files {
			data, err := os.ReadFile(filepath.Join(p.ch.Root(), f))
			require.NoError(t, err)
			assert.Truef(t, bytes.Equal(generated[f], data), "%s, edited %s, after the next write: %.40q", f, how, data)
		}
	}
	p.site()
}

// A Channel that did not write the current version (after a restart, or
// another process's) checks the files it would link as the one that did:
// an unchanged incident's page edited by hand is written again, as in
// TestHandEditIsNotKept.
func TestHandEditIsNotKeptAfterRestart(t *testing.T) {
	for _, how := range []string{"in place", "replaced"} {
		t.Run(how, func(t *testing.T) {
			first := newPage(t, statuspage.Config{})
			first.send(update("a", "a1", 0, broadcast.StatusResolved))
			first.send(update("b", "b1", 10, broadcast.StatusInvestigating))
			path := filepath.Join(first.ch.Root(), "incidents", "a.html")
			generated, err := os.ReadFile(path)
			require.NoError(t, err)

			restarted := newPage(t, statuspage.Config{Dir: first.dir})
			handEdit(t, path, how)
			restarted.send(update("b", "b2", 11, broadcast.StatusIdentified))
			data, err := os.ReadFile(path)
			require.NoError(t, err)
			assert.Truef(t, bytes.Equal(generated, data), "incidents/a.html, edited %s before a restart's write: %.40q", how, data)

			// The restarted Channel's version is checked by the first.
			handEdit(t, path, how)
			first.send(update("b", "b3", 12, broadcast.StatusIdentified))
			data, err = os.ReadFile(path)
			require.NoError(t, err)
			assert.Truef(t, bytes.Equal(generated, data), "incidents/a.html, edited %s after another Channel's write: %.40q", how, data)
			first.site()
		})
	}
}

// handEdit edits the file at path in place (as vi does a file of several
// links, or a shell's >) or replaces it (as sed -i does).
func handEdit(t *testing.T, path, how string) {
	t.Helper()
	if how == "replaced" {
		require.NoError(t, os.WriteFile(path+".new", []byte("HAND EDIT"), 0o644))
		require.NoError(t, os.Rename(path+".new", path))
		return
	}
	require.NoError(t, os.WriteFile(path, []byte("HAND EDIT"), 0o644))
}

// A page edited by hand in the version before the current one, which is
// no longer served and which the next write recycles, does not come back
// into the new version: the recycled files are checked as the current
// version's are.
func TestHandEditInRecycledVersionIsNotKept(t *testing.T) {
	for _, how := range []string{"in place", "replaced"} {
		t.Run(how, func(t *testing.T) {
			p := newPage(t, statuspage.Config{})
			p.send(update("a", "a1", 0, broadcast.StatusResolved))
			p.send(update("b", "b1", 10, broadcast.StatusInvestigating))
			p.send(update("b", "b2", 11, broadcast.StatusIdentified))
			current, err := os.Readlink(filepath.Join(p.dir, "current"))
			require.NoError(t, err)
			generated, err := os.ReadFile(filepath.Join(p.ch.Root(), "incidents", "a.html"))
			require.NoError(t, err)
			// The version before current: versions/<n-1>/site.
			entries, err := os.ReadDir(filepath.Join(p.dir, "versions"))
			require.NoError(t, err)
			var before string
			for _, e := range entries {
				if v := filepath.Join("versions", e.Name(), "site"); e.IsDir() && v < current && v > before {
					before = v
				}
			}
			require.NotEmpty(t, before, "a version before %s", current)
			handEdit(t, filepath.Join(p.dir, before, "incidents", "a.html"), how)
			p.send(update("b", "b3", 12, broadcast.StatusMonitoring)) // recycles that version
			data, err := os.ReadFile(filepath.Join(p.ch.Root(), "incidents", "a.html"))
			require.NoError(t, err)
			assert.Truef(t, bytes.Equal(generated, data), "incidents/a.html, edited %s in the version before current: %.40q", how, data)
		})
	}
}
