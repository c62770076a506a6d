package statuspage

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A random run of Send, Edit and Retract on one Channel, which keeps the
// feed entries it rendered from write to write (see feedCache), where now
// and then a write is abandoned after the site was rendered (its context
// ends before the version is made current) with another update or
// correction than the step then taken: after every step, the feeds and
// the JSON files of the current version are those a Channel that never
// wrote renders of the same state.
func TestFeedCacheAfterAbandonedWritesRandom(t *testing.T) {
	forEachSeed(t, 2, randomFeedCacheAbandoned)
}

func randomFeedCacheAbandoned(t *testing.T, seed uint64) {
	dir := filepath.Join(t.TempDir(), "site")
	r := newFeedRun(t, seed, 71, Config{Dir: dir, BaseURL: "https://status.example.com/"}, 2, 3)
	for step := range 30 {
		r.tick(5)
		if r.rng.IntN(3) == 0 && len(r.incidents) > 0 {
			// An update or a correction whose write is abandoned once
			// the site is rendered.
			s := r.next(step, 2, 1, 1, 0)
			ctx, cancel := context.WithCancel(context.Background())
			r.c.hook = func(step string) {
				if step == "staged" {
					cancel()
				}
			}
			m := r.message(s)
			var err error
			if s.op == opSend {
				_, err = r.c.Send(ctx, m)
			} else {
				_, err = r.c.Edit(ctx, m, broadcast.Receipt{ID: s.id})
			}
			r.c.hook = func(string) {}
			cancel()
			require.Error(t, err, "step %d: the write abandoned", step)
			r.tick(5)
		}
		r.do(step, r.next(step, 12, 6, 4, 2))
		sameAsFresh(t, r.c, dir, r.cfg, fmt.Sprint("step ", step))
	}
}

// sameAsFresh checks that the feeds and JSON files of c's current version
// are those a Channel on cfg that never wrote renders of c's state.
func sameAsFresh(t *testing.T, c *Channel, dir string, cfg Config, msg string) {
	t.Helper()
	cfg.Dir = t.TempDir()
	fresh, err := New(cfg)
	require.NoError(t, err)
	files, err := fresh.siteFiles(newModel(&fresh.s, c.cache, c.cache.Updated))
	require.NoError(t, err)
	n := 0
	for _, path := range slices.Sorted(mapKeys(files)) {
		if !strings.HasSuffix(path, ".atom") && !strings.HasPrefix(path, "api/") {
			continue
		}
		got, err := os.ReadFile(filepath.Join(dir, currentName, filepath.FromSlash(path)))
		require.NoError(t, err, "%s: %s", msg, path)
		require.Equal(t, string(files[path]), string(got), "%s: %s", msg, path)
		n++
	}
	require.Positive(t, n, msg)
}
