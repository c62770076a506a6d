package statuspage_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/statuspage"
)

// Files of a version with the same bytes are written once, the others
// linked to it: incidents.json and incidents/unresolved.json are alike
// while every incident listed is open (each holds their latest updates,
// megabytes at hundreds of components), and so are the three lists of
// maintenances while there are none. Files that differ, or came to
// differ, have their own bytes; one edited by hand, which edits those
// linked to it, is written again with them by the next write.
func TestFilesOfTheSameBytesWrittenOnce(t *testing.T) {
	p := newPage(t, statuspage.Config{})
	api := func(rel string) string { return filepath.Join(p.ch.Root(), "api", "v2", filepath.FromSlash(rel)) }
	incidents, unresolved := api("incidents.json"), api("incidents/unresolved.json")
	maints := []string{api("scheduled-maintenances.json"), api("scheduled-maintenances/upcoming.json"),
		api("scheduled-maintenances/active.json")}
	// check checks that the incidents the two files list are want and
	// open, and that they are one file exactly when their bytes are alike.
	check := func(step string, want, open []string) {
		t.Helper()
		var data [2][]byte
		for i, path := range []string{incidents, unresolved} {
			var err error
			data[i], err = os.ReadFile(path)
			require.NoError(t, err)
			var doc struct{ Incidents []struct{ ID string } }
			require.NoError(t, json.Unmarshal(data[i], &doc), "%s: %s", step, path)
			var ids []string
			for _, in := range doc.Incidents {
				ids = append(ids, in.ID)
			}
			assert.Equal(t, [][]string{want, open}[i], ids, "%s: %s", step, path)
		}
		a, err := os.Stat(incidents)
		require.NoError(t, err)
		b, err := os.Stat(unresolved)
		require.NoError(t, err)
		assert.Equal(t, bytes.Equal(data[0], data[1]), os.SameFile(a, b), "%s: the two files one file", step)
		first, err := os.Stat(maints[0])
		require.NoError(t, err)
		for _, path := range maints[1:] {
			fi, err := os.Stat(path)
			require.NoError(t, err)
			assert.True(t, os.SameFile(first, fi), "%s: %s one file with %s", step, path, maints[0])
		}
	}

	p.send(update("a", "a1", 0, broadcast.StatusInvestigating))
	check("one open incident", []string{"a"}, []string{"a"})
	p.send(update("a", "a2", 1, broadcast.StatusIdentified))
	check("its next update", []string{"a"}, []string{"a"})
	p.send(update("a", "a3", 2, broadcast.StatusResolved))
	check("resolved", []string{"a"}, nil)
	for i := range 3 { // writes that recycle the versions where they were one
		p.send(update("b", fmt.Sprint("b", i), 3+i, broadcast.StatusInvestigating))
		check(fmt.Sprint("an open incident and a resolved one, write ", i), []string{"b", "a"}, []string{"b"})
	}

	q := newPage(t, statuspage.Config{})
	incidents = filepath.Join(q.ch.Root(), "api", "v2", "incidents.json")
	unresolved = filepath.Join(q.ch.Root(), "api", "v2", "incidents", "unresolved.json")
	maints = []string{filepath.Join(q.ch.Root(), "api", "v2", "scheduled-maintenances.json"),
		filepath.Join(q.ch.Root(), "api", "v2", "scheduled-maintenances", "upcoming.json"),
		filepath.Join(q.ch.Root(), "api", "v2", "scheduled-maintenances", "active.json")}
	q.send(update("a", "a1", 0, broadcast.StatusInvestigating))
	q.send(update("a", "a2", 1, broadcast.StatusIdentified))
	generated, err := os.ReadFile(unresolved)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(unresolved, []byte("HAND EDIT"), 0o644)) // in place: incidents.json too
	q.send(update("b", "b1", 2, broadcast.StatusInvestigating))
	check("after a hand edit", []string{"b", "a"}, []string{"b", "a"})
	q.send(update("b", "b2", 3, broadcast.StatusResolved))
	check("after a hand edit, resolved", []string{"b", "a"}, []string{"a"})
	q.send(update("a", "a3", 4, broadcast.StatusResolved))
	check("after a hand edit, both resolved", []string{"b", "a"}, nil)
	assert.NotContains(t, string(generated), "HAND EDIT")
	q.site()
	p.site()
}
