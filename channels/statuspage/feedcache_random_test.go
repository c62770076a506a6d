package statuspage

import (
	"context"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
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
	for seed := range uint64(2) {
		if s := os.Getenv("RANDSEED"); s != "" && s != fmt.Sprint(seed) {
			continue
		}
		t.Run(fmt.Sprint("seed-", seed), func(t *testing.T) { randomFeedsCached(t, seed) })
	}
}

func randomFeedsCached(t *testing.T, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 69))
	ctx := context.Background()
	now := time.Date(2025, 3, 14, 12, 0, 0, 0, time.UTC)
	cfg := Config{Dir: filepath.Join(t.TempDir(), "site"), BaseURL: "https://status.example.com/",
		FeedEntries: 2 + rng.IntN(3)}
	open := func(cfg Config) *Channel {
		c, err := New(cfg)
		require.NoError(t, err)
		c.now = func() time.Time { return now }
		return c
	}
	c := open(cfg)

	names := make([]string, feedComponents+2)
	for i := range names {
		names[i] = fmt.Sprint("C", i)
	}
	statuses := []broadcast.Status{broadcast.StatusInvestigating, broadcast.StatusIdentified,
		broadcast.StatusMonitoring, broadcast.StatusResolved, broadcast.StatusScheduled,
		broadcast.StatusInProgress, broadcast.StatusCompleted}
	compStatuses := []broadcast.ComponentStatus{broadcast.ComponentOperational,
		broadcast.ComponentDegraded, broadcast.ComponentMajorOutage}
	message := func(inc, id string) broadcast.Message {
		u := broadcast.Update{ID: id, IncidentID: inc, Title: "T " + id, Status: statuses[rng.IntN(len(statuses))],
			Body: "Body of " + id + ".", Time: now}
		var comps []string
		if rng.IntN(6) == 0 {
			comps = slices.Clone(names[:feedComponents+1+rng.IntN(2)])
		} else {
			for _, k := range rng.Perm(len(names))[:rng.IntN(3)] {
				comps = append(comps, names[k])
			}
		}
		for _, n := range comps {
			u.Components = append(u.Components, broadcast.Component{Name: n,
				Status: compStatuses[rng.IntN(len(compStatuses))]})
		}
		return broadcast.NewMessage(u)
	}

	incidents := map[string][]string{}  // update IDs by incident
	feedUpdated := map[string]string{}  // by feed path, as last read
	entryUpdated := map[string]string{} // by feed path and entry id, as last read
	for step := range 40 {
		now = now.Add(time.Duration(1+rng.IntN(5)) * time.Minute)
		var all []string
		for inc := range incidents {
			all = append(all, inc)
		}
		slices.Sort(all)
		switch op := rng.IntN(12); {
		case op < 6 || len(all) == 0:
			inc, id := fmt.Sprint("inc", rng.IntN(3)), fmt.Sprint("u", step)
			_, err := c.Send(ctx, message(inc, id))
			require.NoError(t, err, "step %d: Send %s", step, id)
			incidents[inc] = append(incidents[inc], id)
		case op < 9:
			inc := all[rng.IntN(len(all))]
			id := incidents[inc][rng.IntN(len(incidents[inc]))]
			_, err := c.Edit(ctx, message(inc, id), broadcast.Receipt{ID: id})
			require.NoError(t, err, "step %d: Edit %s", step, id)
		case op < 11:
			inc := all[rng.IntN(len(all))]
			i := rng.IntN(len(incidents[inc]))
			require.NoError(t, c.Retract(ctx, broadcast.Receipt{ID: incidents[inc][i]}),
				"step %d: Retract %s", step, incidents[inc][i])
			incidents[inc] = slices.Delete(incidents[inc], i, i+1)
			if len(incidents[inc]) == 0 {
				delete(incidents, inc)
			}
		default: // a component configured in another case: a rename
			k := rng.IntN(len(names))
			if names[k] == strings.ToLower(names[k]) {
				names[k] = strings.ToUpper(names[k])
			} else {
				names[k] = strings.ToLower(names[k])
			}
			cfg.Components = []ComponentInfo{{Name: names[k]}}
			c = open(cfg)
			require.NoError(t, c.Rebuild(ctx), "step %d: rename to %s", step, names[k])
		}

		// Within a version: each feed as rendered with the entries the
		// others rendered, and each alone.
		requireFeedsMarshalled(t, c, now, fmt.Sprint("step ", step))
		warm := feedFiles(t, c.Root())
		cold := filepath.Join(t.TempDir(), "cold")
		copySite(t, cfg.Dir, cold)
		coldCfg := cfg
		coldCfg.Dir = cold
		cc := open(coldCfg)
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
