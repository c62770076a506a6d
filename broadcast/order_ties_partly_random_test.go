package broadcast_test

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/outagecast/outagecast/broadcast"
)

// partlyModel is what the regions channel of the random sequences holds:
// on each region, the posts made there (by the update that made each)
// and those deleted, as the channel recorded them.
type partlyModel struct {
	*tieOrder
}

// chain is id and the updates up its chain of corrections.
func (m *partlyModel) chain(id string) []string {
	ids := []string{id}
	for range len(m.corrects) + 1 {
		o, ok := m.corrects[id]
		if !ok {
			break
		}
		ids, id = append(ids, o), o
	}
	return ids
}

func (m *partlyModel) root(id string) string { c := m.chain(id); return c[len(c)-1] }

// up reports whether update id's post is up on region r of c.
func up(c *regions, r, id string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Contains(c.posted[r], id) && !slices.Contains(c.deleted[r], id)
}

func deletedOn(c *regions, r, id string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Contains(c.deleted[r], id)
}

// newerUpOn returns a post up on region r, not of skip's chain, of an
// update whose chain starts from an update newer than update's.
func (m *partlyModel) newerUpOn(c *regions, r, update, skip string) string {
	c.mu.Lock()
	posted := slices.Clone(c.posted[r])
	deleted := slices.Clone(c.deleted[r])
	c.mu.Unlock()
	for _, id := range posted {
		root := m.root(id)
		if slices.Contains(deleted, id) || root == skip {
			continue
		}
		if m.times[root].After(m.times[update]) || m.times[root].Equal(m.times[update]) && m.place[root] > m.place[update] {
			return id
		}
	}
	return ""
}

// The random sequences of TestEqualTimesRandomSequences (updates of two
// Times, two Broadcasters sharing one Store, by their calls or by Jobs)
// on a channel of three regions whose Retracts fail for good on some of
// them (partial deletion). Against what the channel holds on each
// region: no Send is posted on a region while a post of a newer update's
// chain is up there; a Correct never posts on a region where a Retract
// deleted the post of the update it corrects, or of one up its chain
// while it is up on another region, and posts where that post is still
// up and no post of its chain was deleted, failing only where one was,
// with ErrRetracted; a Retract deletes the post wherever it is up but
// where it failed, and names as failed those targets alone (a Retract
// again tries every target: a post already gone counts as deleted).
// TIE_SEEDS sets the number of runs on the memory Store.
func TestEqualTimesRandomSequencesPartlyRetracted(t *testing.T) {
	runs := tieSeeds(100)
	for name, open := range partlyStores() {
		for _, jobs := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/jobs=%v", name, jobs), func(t *testing.T) {
				n := runs
				if name != "memory" {
					n = min(runs, 8)
				}
				for seed := range n {
					partlySequence(t, open(t), uint64(seed), jobs)
				}
			})
		}
	}
}

func partlySequence(t *testing.T, store broadcast.Store, seed uint64, jobs bool) {
	x := &regions{name: "x", regions: []string{"eu", "us", "ap"}, undeletable: map[string]error{}}
	opts := broadcast.Options{Store: store, Retry: broadcast.RetryPolicy{MaxAttempts: 1}}
	d := newTieDriver(t, seed, 41, jobs, opts, x)
	rng, fail := d.rng, d.fail
	m := &partlyModel{tieOrder: d.tieOrder}
	var updates []string // every update posted somewhere
	for range 16 {
		b := d.broadcaster()
		switch op := rng.IntN(10); {
		case op < 4 || len(updates) == 0: // Send
			id := d.sendID()
			if slices.Contains(updates, id) {
				continue
			}
			d.drawTime(id)
			d.logf("send %s (time +%v)", id, m.times[id].Sub(d.t0))
			before := map[string]string{}
			for _, r := range x.regions {
				before[r] = m.newerUpOn(x, r, id, id)
			}
			res, err := d.send(b, id)
			if err != nil && res.Channel == "" {
				fail("send %s: %v", id, err)
			}
			if res.Err != nil {
				fail("send %s: %v", id, res.Err)
			}
			for _, r := range x.regions {
				if v := before[r]; v != "" && up(x, r, id) {
					fail("send %s: posted on %s after %s, of a newer update, still up", id, r, v)
				}
				if up(x, r, id) && !slices.Contains(updates, id) {
					updates = append(updates, id)
				}
			}
		case op < 7: // Correct
			orig := updates[rng.IntN(len(updates))]
			id := d.correction()
			d.logf("correct %s with %s", orig, id)
			deleted, mayRefuse, held := map[string]bool{}, map[string]bool{}, map[string]bool{}
			for _, r := range x.regions {
				for i, a := range m.chain(orig) {
					mayRefuse[r] = mayRefuse[r] || deletedOn(x, r, a)
					// Up the chain, a Retract that deleted the post on
					// some targets only (see Correct).
					partly := i == 0 || slices.ContainsFunc(x.regions, func(o string) bool { return up(x, o, a) })
					deleted[r] = deleted[r] || partly && deletedOn(x, r, a)
				}
				held[r] = up(x, r, orig)
			}
			res, err := d.correct(b, id, orig)
			if err != nil && res.Channel == "" {
				fail("correct %s: %v", orig, err)
			}
			for _, r := range x.regions {
				if deleted[r] && up(x, r, id) {
					fail("correct %s with %s: posted on %s, where a Retract deleted the post of %v", orig, id, r, m.chain(orig))
				}
				if held[r] && !mayRefuse[r] && !up(x, r, id) {
					fail("correct %s with %s: not posted on %s, where %s is up: %+v", orig, id, r, orig, res)
				}
				if up(x, r, id) && !slices.Contains(updates, id) {
					updates = append(updates, id)
				}
			}
			for _, f := range res.Failures {
				if !mayRefuse[f.Target] || !errors.Is(f.Err, broadcast.ErrRetracted) {
					fail("correct %s with %s: failed on %s: %v", orig, id, f.Target, f.Err)
				}
			}
		default: // Retract, failing for good on some regions
			id := updates[rng.IntN(len(updates))]
			wasUp := map[string]bool{}
			clear(x.undeletable)
			for _, r := range x.regions {
				wasUp[r] = up(x, r, id)
				// A post already gone counts as deleted (see Retractor):
				// only one still up can refuse.
				if rng.IntN(3) == 0 && wasUp[r] {
					x.undeletable[r] = broadcast.Permanent(errors.New("403 Forbidden"))
				}
			}
			d.logf("retract %s (undeletable %v)", id, slices.Sorted(maps.Keys(x.undeletable)))
			res, err := d.retract(b, id)
			if err != nil && res.Channel == "" {
				fail("retract %s: %v", id, err)
			}
			var te *broadcast.TargetsError
			errors.As(res.Err, &te)
			for _, r := range x.regions {
				if wasUp[r] && x.undeletable[r] == nil && up(x, r, id) {
					fail("retract %s: still up on %s: %+v", id, r, res)
				}
				named := func(f broadcast.TargetFailure) bool { return f.Target == r }
				if failed := te != nil && slices.ContainsFunc(te.Failures, named); failed != (wasUp[r] && x.undeletable[r] != nil) {
					fail("retract %s: failed on %s %v, up there %v, undeletable %v: %v", id, r, failed, wasUp[r], x.undeletable[r] != nil, res.Err)
				}
			}
			clear(x.undeletable)
		}
	}
	d.close()
}
