package statuspage

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// After any sequence of sends, edits, retractions and rebuilds, the
// current version holds exactly the files a fresh rendering of its state
// makes, whether it was written from scratch or recycled from an older
// version.
func TestVersionsAreExact(t *testing.T) {
	dir := t.TempDir()
	c, err := New(Config{Dir: dir, BaseURL: "https://status.example.com/",
		Components: []ComponentInfo{{Name: "API"}}})
	require.NoError(t, err)
	c.s.pageUpdates = 2 // incidents of several pages, which retractions shorten
	clock := time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC)
	c.now = func() time.Time { clock = clock.Add(time.Second); return clock }
	rng := rand.New(rand.NewPCG(3, 4))
	ctx := context.Background()
	var sent []broadcast.Receipt
	const ops = 60
	recycled := 0
	for i := range ops {
		var err error
		switch op := rng.IntN(10); {
		case op < 6 || len(sent) == 0:
			u := ChildUpdate(fmt.Sprintf("r%d", rng.IntN(3)), i)
			u.IncidentID = fmt.Sprintf("incident-%d", rng.IntN(12))
			var r broadcast.Receipt
			r, err = c.Send(ctx, broadcast.NewMessage(u))
			sent = append(sent, r)
		case op < 8:
			fix := ChildUpdate("fix", i)
			fix.Body = fmt.Sprintf("Correction %d.", i)
			_, err = c.Edit(ctx, broadcast.NewMessage(fix), sent[rng.IntN(len(sent))])
		case op < 9:
			j := rng.IntN(len(sent))
			err = c.Retract(ctx, sent[j])
			sent = slices.Delete(sent, j, j+1)
		default:
			err = c.Rebuild(ctx)
		}
		require.NoError(t, err, "operation %d", i)
		if c.stats.recycled {
			recycled++
		}
		checkExact(t, c, i)
	}
	require.Positive(t, recycled, "no write recycled an older version")
	t.Logf("%d of %d writes recycled an older version", recycled, ops)
}

// checkExact compares the current version with a fresh rendering of its
// state.
func checkExact(t *testing.T, c *Channel, op int) {
	t.Helper()
	gen, err := readCurrent(c.s.dir)
	require.NoError(t, err)
	vdir := filepath.Join(c.s.dir, versionsName, versionName(gen))
	st, err := loadState(vdir, gen)
	require.NoError(t, err, "after operation %d", op)
	require.Equal(t, marshalBuckets(t, c.cache), marshalBuckets(t, st), "after operation %d: the state", op)

	want := map[string][]byte{}
	m := newModel(&c.s, st, st.Updated)
	memos := c.memos
	c.memos = map[string]memo{} // a fresh rendering: nothing remembered
	files, err := c.siteFiles(m)
	c.memos = memos
	require.NoError(t, err)
	for rel, data := range files {
		want[rel] = data
	}
	for _, in := range st.incidents {
		for _, part := range m.incidentParts(in) {
			page, err := c.theme.incidentPage(m, in, part.Number)
			require.NoError(t, err)
			want[part.Path] = page
		}
	}
	got := map[string][]byte{}
	root := filepath.Join(vdir, siteName)
	require.NoError(t, filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		got[filepath.ToSlash(rel)], err = os.ReadFile(p)
		return err
	}))
	require.ElementsMatch(t, keysOf(want), keysOf(got), "after operation %d: the files", op)
	for rel, data := range want {
		require.Truef(t, bytes.Equal(data, got[rel]), "after operation %d: %s differs from a fresh rendering", op, rel)
	}
	entries, err := os.ReadDir(filepath.Join(vdir, incidentsDir))
	require.NoError(t, err)
	require.Len(t, entries, len(st.byBucket()), "after operation %d: the buckets", op)

	// Every file of the version is stamped as it is, so that the next
	// write links it unread (see TestHandEditIsNotKept).
	require.NotNil(t, c.written, "after operation %d: the stamps", op)
	var all []string
	require.NoError(t, filepath.WalkDir(vdir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if rel, _ := filepath.Rel(vdir, p); rel != manifestName {
			all = append(all, filepath.ToSlash(rel))
		}
		return nil
	}))
	require.ElementsMatch(t, all, keysOf(c.written.files), "after operation %d: the files stamped", op)
	require.True(t, c.written.files.intact(vdir), "after operation %d: the stamps", op)
	// and so are they in its manifest, for a Channel that did not write it.
	require.ElementsMatch(t, all, keysOf(loadManifest(vdir, c.written.at.nonce)), "after operation %d: the manifest", op)
}

func marshalBuckets(t *testing.T, st *state) string {
	t.Helper()
	b, err := json.Marshal(st.byBucket())
	require.NoError(t, err)
	return string(b)
}

func keysOf[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// A month whose incidents all went loses its page, whether the version
// is written from scratch or recycled from an older one.
func TestMonthPageGoes(t *testing.T) {
	dir := t.TempDir()
	c, err := New(Config{Dir: dir, BaseURL: "https://status.example.com/"})
	require.NoError(t, err)
	clock := time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC)
	c.now = func() time.Time { clock = clock.Add(time.Second); return clock }
	ctx := context.Background()
	send := func(incident string, at time.Time) broadcast.Receipt {
		u := ChildUpdate(incident, 0)
		u.IncidentID, u.Status, u.Time = incident, broadcast.StatusResolved, at
		r, err := c.Send(ctx, broadcast.NewMessage(u))
		require.NoError(t, err)
		return r
	}
	jan := send("january", time.Date(2025, 1, 10, 9, 0, 0, 0, time.UTC))
	for i := range 4 {
		send(fmt.Sprintf("march-%d", i), time.Date(2025, 3, 1+i, 9, 0, 0, 0, time.UTC))
		checkExact(t, c, i)
	}
	require.NoError(t, c.Retract(ctx, jan))
	checkExact(t, c, 4)
	for i := range 3 {
		send(fmt.Sprintf("later-%d", i), time.Date(2025, 3, 10+i, 9, 0, 0, 0, time.UTC))
		checkExact(t, c, 5+i)
	}
	_, err = os.Stat(filepath.Join(dir, currentName, "history-2025-01.html"))
	require.ErrorIs(t, err, fs.ErrNotExist, "the page of a month without incidents")
	require.NotContains(t, c.memos, "history-2025-01.html")
}

// A write that fails leaves the Channel knowing the files of the version
// still current: the next write still finds a page edited by hand there.
func TestHandEditFoundAfterFailedWrite(t *testing.T) {
	c, err := New(Config{Dir: t.TempDir(), BaseURL: "https://status.example.com/"})
	require.NoError(t, err)
	ctx := context.Background()
	send := func(ctx context.Context, incident, id string) error {
		u := ChildUpdate(id, 0)
		u.IncidentID = incident
		_, err := c.Send(ctx, broadcast.NewMessage(u))
		return err
	}
	require.NoError(t, send(ctx, "a", "a1"))
	page := filepath.Join(c.Root(), "incidents", "a.html")
	generated, err := os.ReadFile(page)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(page, []byte("HAND EDIT"), 0o644))

	failing, cancel := context.WithCancel(ctx)
	c.hook = func(step string) {
		if step == "staged" {
			cancel()
		}
	}
	require.ErrorIs(t, send(failing, "b", "b1"), context.Canceled)
	c.hook = func(string) {}
	require.NoError(t, send(ctx, "b", "b1"))
	data, err := os.ReadFile(page)
	require.NoError(t, err)
	require.Equal(t, string(generated), string(data))
}
