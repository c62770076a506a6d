package statuspage

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// A random sequence of Send, Correct (Edit) and Retract over a few
// incidents, updates naming one or two of a dozen components or more
// than feedComponents, with feeds of two to four entries, and now and then
// Config.Components naming a component in another case (a rename): after
// every step, every feed is the whole feed marshalled at once (see
// requireFeedsMarshalled), and every feed the Channel wrote, with what it
// kept from the writes before (its memos), is the
// feed a Channel that never wrote renders from the same state (Rebuild
// on a copy of the directory); each feed's updated is at least every
// entry's there, and never goes back, nor does an entry's updated in a
// feed, even when the entry left the feed and came back.
func TestFeedsCachedMatchRebuiltRandom(t *testing.T) {
	forEachSeed(t, 2, randomFeedsCached)
}

func randomFeedsCached(t *testing.T, seed uint64) {
	ctx := context.Background()
	r := newFeedRun(t, seed, 69, Config{Dir: filepath.Join(t.TempDir(), "site"), BaseURL: "https://status.example.com/"}, 2, 3)
	names := r.names
	feedUpdated := map[string]string{}  // by feed path, as last read
	entryUpdated := map[string]string{} // by feed path and entry id, as last read
	for step := range 40 {
		r.tick(5)
		// Send, Edit and Retract, or a component configured in another
		// case: a rename.
		if s := r.next(step, 12, 6, 3, 2); s.op != opOther {
			r.do(step, s)
		} else {
			k := r.rng.IntN(len(names))
			if names[k] == strings.ToLower(names[k]) {
				names[k] = strings.ToUpper(names[k])
			} else {
				names[k] = strings.ToLower(names[k])
			}
			r.cfg.Components = []ComponentInfo{{Name: names[k]}}
			r.c = r.open(r.cfg)
			require.NoError(t, r.c.Rebuild(ctx), "step %d: rename to %s", step, names[k])
		}

		// Within a version: each feed as rendered with the entries the
		// others rendered, and each alone.
		c := r.c
		requireFeedsMarshalled(t, c, r.now, fmt.Sprint("step ", step))
		warm := feedFiles(t, c.Root())
		cold := filepath.Join(t.TempDir(), "cold")
		copySite(t, r.cfg.Dir, cold)
		coldCfg := r.cfg
		coldCfg.Dir = cold
		cc := r.open(coldCfg)
		require.NoError(t, cc.Rebuild(ctx), "step %d: cold Rebuild", step)
		rebuilt := feedFiles(t, cc.Root())
		require.Equal(t, slices.Sorted(mapKeys(rebuilt)), slices.Sorted(mapKeys(warm)), "step %d: the feeds", step)
		for path, b := range rebuilt {
			require.Equal(t, string(b), string(warm[path]), "step %d: %s as written and as rebuilt", step, path)
		}

		for path, f := range readFeeds(t, c.Root()) {
			if was, ok := feedUpdated[path]; ok {
				require.GreaterOrEqual(t, f.Updated, was, "step %d: %s: the feed's updated went back", step, path)
			}
			feedUpdated[path] = f.Updated
			for _, e := range f.Entries {
				require.GreaterOrEqual(t, f.Updated, e.Updated, "step %d: %s: entry %s later than the feed", step, path, e.ID)
				key := path + " " + e.ID
				if was, ok := entryUpdated[key]; ok {
					require.GreaterOrEqual(t, e.Updated, was, "step %d: %s: entry %s: updated went back", step, path, e.ID)
				}
				entryUpdated[key] = e.Updated
			}
		}
	}
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// feedFiles returns the bytes of every feed under root, by path.
func feedFiles(t *testing.T, root string) map[string][]byte {
	t.Helper()
	root, err := filepath.EvalSymlinks(root)
	require.NoError(t, err)
	out := map[string][]byte{}
	require.NoError(t, filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".atom") {
			return err
		}
		b, err := os.ReadFile(path)
		rel, _ := filepath.Rel(root, path)
		out[filepath.ToSlash(rel)] = b
		return err
	}))
	return out
}

// copySite copies the directory from, symbolic links as links, to to.
func copySite(t *testing.T, from, to string) {
	t.Helper()
	require.NoError(t, filepath.WalkDir(from, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, path)
		dst := filepath.Join(to, rel)
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(path)
			if err != nil {
				return err
			}
			return os.Symlink(target, dst)
		case d.IsDir():
			return os.MkdirAll(dst, 0o755)
		case d.Name() == lockName:
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o644)
	}))
}
