package broadcast_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/broadcast/boltstore"
)

// recordingEditRegions is regions whose posts are edited in place,
// region by region, each edit recorded as a post of the correction; an
// edit of a post deleted there reports ErrPostGone.
type recordingEditRegions struct{ regions }

func (c *recordingEditRegions) Edit(_ context.Context, m broadcast.Message, prev broadcast.Receipt) (broadcast.Receipt, error) {
	var targets []string
	for _, r := range c.regions.regions {
		if _, ok := prev.Meta["post."+r]; ok {
			targets = append(targets, r)
		}
	}
	f := broadcast.NewFanout(m, targets)
	for _, i := range f.Todo() {
		r := targets[i]
		c.mu.Lock()
		gone := slices.Contains(c.deleted[r], prev.Meta["post."+r])
		if !gone {
			if c.posted == nil {
				c.posted = map[string][]string{}
			}
			c.posted[r] = append(c.posted[r], m.Update.ID)
		}
		c.mu.Unlock()
		if gone {
			f.Report(i, broadcast.ErrPostGone)
			continue
		}
		f.Report(i, nil)
	}
	if err := f.Err(); err != nil {
		return broadcast.Receipt{}, err
	}
	return prev, nil
}

// Seeded random runs over a chain of corrections of an update, in the
// thread and in place: partial Retracts of any link (the original, a
// middle correction, the newest), Prunes whose cutoff lies anywhere
// before the newest correction's Correct, and restarts (a new
// Broadcaster on the same Store, a bolt file opened again). The oracle
// is the set of regions where a Retract deleted the post of some link:
// a Correct of the newest posts on every region outside it and on none
// inside, which it refuses with ErrRetracted. At the end, a Prune past
// everything leaves nothing for one centuries ahead: no record is kept
// for ever.
func TestPruneChainPartlyDeletedRandom(t *testing.T) {
	seeds := map[string]int{"memory": 40, "bolt": 8}
	for storeName := range seeds {
		for _, inPlace := range []bool{false, true} {
			for seed := range seeds[storeName] {
				name := fmt.Sprintf("%s/%s/%d", storeName, map[bool]string{false: "thread", true: "in-place"}[inPlace], seed)
				t.Run(name, func(t *testing.T) { runPruneChainRandom(t, storeName, inPlace, uint64(seed)) })
			}
		}
	}
}

func runPruneChainRandom(t *testing.T, storeName string, inPlace bool, seed uint64) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(seed, 7))
	all := []string{"eu", "us", "ap", "sa"}
	ed := &recordingEditRegions{regions{name: "chat", regions: all}}
	var ch broadcast.Channel = &ed.regions
	if inPlace {
		ch = ed
	}
	path := t.TempDir() + "/outagecast.db"
	var store pruner
	open := func() {
		if storeName == "memory" {
			if store == nil {
				store = broadcast.NewMemoryStore()
			}
			return
		}
		s, err := boltstore.Open(path, nil)
		require.NoError(t, err)
		store = s
	}
	open()
	var b *broadcast.Broadcaster
	start := func() {
		var err error
		b, err = broadcast.New([]broadcast.Channel{ch}, broadcast.Options{Store: store, Retry: broadcast.RetryPolicy{MaxAttempts: 1}})
		require.NoError(t, err)
	}
	start()
	t.Cleanup(func() {
		_ = b.Close()
		if s, ok := store.(*boltstore.Store); ok {
			_ = s.Close()
		}
	})

	var log []string // the operations so far, for a failure's message
	u := validUpdate()
	u.ID, u.IncidentID = "u0", "inc"
	cutoffs := []time.Time{pastCutoff()}
	_, err := b.Send(ctx, u)
	require.NoError(t, err)
	chain := []string{"u0"}
	tipCutoffs := 1 // cutoffs[:tipCutoffs] lie before the newest link's delivery
	deleted := map[string]bool{}
	retracted := map[string]bool{}

	for step := range 12 {
		cutoffs = append(cutoffs, pastCutoff())
		switch op := rng.IntN(5); op {
		case 0, 1: // Correct the newest link
			tip, id := chain[len(chain)-1], fmt.Sprintf("c%d", step)
			log = append(log, "correct "+tip+" by "+id)
			before := map[string]int{}
			for _, r := range all {
				before[r] = len(ed.postedTo(r))
			}
			fix := u
			fix.ID, fix.Body = id, "We are investigating elevated error rates ("+id+")."
			rep, err := b.Correct(ctx, tip, fix)
			require.NotNil(t, rep, "%v: %v", log, err)
			res := rep.Results[0]
			var refused []string
			for _, f := range res.Failures {
				require.ErrorIs(t, f.Err, broadcast.ErrRetracted, "%v: %s", log, f.Target)
				refused = append(refused, f.Target)
			}
			var want []string
			for _, r := range all {
				posted := ed.postedTo(r)[before[r]:]
				if deleted[r] {
					want = append(want, r)
					require.Empty(t, posted, "%v: %s: posted where a Retract deleted a post of the chain", log, r)
				} else {
					require.Equal(t, []string{id}, posted, "%v: %s, never deleted", log, r)
				}
			}
			require.ElementsMatch(t, want, refused, "%v: refused", log)
			if len(want) == 0 {
				require.NoError(t, res.Err, "%v", log)
			}
			chain = append(chain, id)
			tipCutoffs = len(cutoffs)
		case 2: // a Retract of a link not retracted, failing on some regions
			var up []string // regions where no post was deleted
			for _, r := range all {
				if !deleted[r] {
					up = append(up, r)
				}
			}
			var links []string
			for _, id := range chain {
				if !retracted[id] {
					links = append(links, id)
				}
			}
			if len(up) < 2 || len(links) == 0 {
				continue
			}
			id := links[rng.IntN(len(links))]
			keep := map[string]bool{up[rng.IntN(len(up))]: true} // one region always keeps its post
			for _, r := range up {
				if rng.IntN(3) == 0 {
					keep[r] = true
				}
			}
			ed.mu.Lock()
			ed.undeletable = map[string]error{}
			for _, r := range all {
				if keep[r] || deleted[r] && rng.IntN(2) == 0 {
					ed.undeletable[r] = broadcast.Permanent(errors.New("403 Forbidden"))
				}
			}
			ed.mu.Unlock()
			log = append(log, fmt.Sprintf("retract %s keeping %v", id, keep))
			_, _ = b.Retract(ctx, id)
			retracted[id] = true
			ed.mu.Lock()
			for _, r := range all {
				if len(ed.deleted[r]) > 0 { // as the platform has it
					deleted[r] = true
				}
			}
			ed.mu.Unlock()
		case 3: // Prune at a cutoff before the newest link's delivery
			c := cutoffs[rng.IntN(tipCutoffs)]
			log = append(log, fmt.Sprintf("prune at cutoff %d", slices.Index(cutoffs, c)))
			_, err := store.Prune(ctx, c)
			require.NoError(t, err)
		case 4: // restart
			log = append(log, "restart")
			require.NoError(t, b.Close())
			if s, ok := store.(*boltstore.Store); ok {
				require.NoError(t, s.Close())
			}
			open()
			start()
		}
	}
	_, err = store.Prune(ctx, pastCutoff())
	require.NoError(t, err)
	n, err := store.Prune(ctx, time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	require.Zero(t, n, "%v: records written after the last operation", log)
}
