package statuspage

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A random sequence of Send, Correct (Edit) and Retract over a few
// incidents, with updates naming one or two of a dozen components or
// more than feedComponents of them, each operational, degraded or out:
// each component's feed holds what a model of the page that knows
// nothing of how feeds are made says, in its order, with its updated
// times. Its updates are those of the incidents naming the component, and
// the retractions of updates of those it named, the most recently changed
// first; an update is in full iff it names feedComponents components or
// fewer and concerns the component: names it, begins or stops its
// incident's giving statuses (its first, or one whose status gives where
// the one before gave none, or the reverse), or a correction of it took
// the component out, changing the status the incident's updates up to it
// give the component; a short entry else, the latest wideEntries of those
// kept; a change of another update (a Send, an Edit, a Retract) that
// changes whether an update turns its incident changes the update's entry
// then in the feeds where that makes it full or short, and only there.
// An entry's updated, in each feed and in the feed of all updates, moves
// on iff its content changed. (The model's rule for a correction taking
// a component out is new: the feeds had a short entry there before. So
// is the "only there": a turn moved the entry's updated in every feed.)
func TestComponentFeedsMatchModelRandom(t *testing.T) {
	forEachSeed(t, 3, randomComponentFeeds)
}

// The model's update and retraction.
type modelUpdate struct {
	id     string
	status broadcast.Status
	comps  []string
	stats  []broadcast.ComponentStatus // of comps
	back   []string                    // components a correction took out, changing their status
	seq    int64
	said   time.Time // when sent or last edited
	turned time.Time // when another update's change last changed whether it turns its incident
}

type modelRetraction struct {
	id       string
	comps    []string
	seq      int64
	at       time.Time
	incident string
}

func modelTurns(ups []*modelUpdate) map[string]bool {
	out := map[string]bool{}
	first, gave := true, false
	for _, u := range ups {
		gives := givesStatus(phaseOf(u.status))
		if first || gives != gave {
			out[u.id] = true
		}
		first, gave = false, gives
	}
	return out
}

func randomComponentFeeds(t *testing.T, seed uint64) {
	r := newFeedRun(t, seed, 61, Config{Dir: t.TempDir(), BaseURL: "https://status.example.com/"}, 4, 14)
	incidents := map[string][]*modelUpdate{} // oldest first
	var retractions []*modelRetraction
	var seq int64
	idOf := map[string]string{} // feed entry id by update ID, once seen
	type seenEntry struct{ body, updated string }
	seen := map[string]seenEntry{} // by feed path and entry id, as last read
	// turned moves on the updates of inc whose turning changed.
	turned := func(inc string, before map[string]bool, skip string) {
		after, all := modelTurns(incidents[inc]), modelNamed(incidents[inc])
		for _, u := range incidents[inc] {
			// Only where a feed of a component it does not name has it.
			if len(u.comps) > feedComponents || !slices.ContainsFunc(all, func(n string) bool {
				return !slices.Contains(u.comps, n) && !slices.Contains(u.back, n)
			}) {
				continue
			}
			if u.id != skip && before[u.id] != after[u.id] {
				u.turned = r.now
			}
		}
	}
	for step := range 50 {
		r.tick(5)
		s := r.next(step, 10, 6, 2, 2)
		r.do(step, s)
		inc, st, comps, stats := s.inc, s.status, s.comps, s.stats
		switch s.op {
		case opSend:
			before := modelTurns(incidents[inc])
			seq++
			incidents[inc] = append(incidents[inc], &modelUpdate{id: s.id, status: st, comps: comps, stats: stats,
				seq: seq, said: r.now})
			turned(inc, before, s.id)
		case opEdit: // in place: another status and components
			at := s.at
			u := incidents[inc][at]
			before := modelTurns(incidents[inc])
			was := modelStatuses(incidents[inc][:at+1])
			var back []string
			for _, n := range append(slices.Clone(u.back), u.comps...) {
				if !slices.Contains(comps, n) && !slices.Contains(back, n) &&
					(slices.Contains(u.back, n) || was[n] != statusAfterEdit(incidents[inc][:at], comps, stats, n)) {
					back = append(back, n)
				}
			}
			u.status, u.comps, u.stats, u.back, u.said = st, comps, stats, back, r.now
			turned(inc, before, u.id)
		default: // Retract
			ups := incidents[inc]
			i := s.at
			before := modelTurns(ups)
			seq++
			retractions = append(retractions, &modelRetraction{id: ups[i].id, comps: modelNamed(ups),
				seq: seq, at: r.now, incident: inc})
			incidents[inc] = slices.Delete(slices.Clone(ups), i, i+1)
			if len(incidents[inc]) == 0 {
				delete(incidents, inc)
			}
			turned(inc, before, "")
		}

		feeds := readFeeds(t, r.c.Root())
		require.Contains(t, feeds, "history.atom", "step %d", step)
		for _, e := range feeds["history.atom"].Entries {
			body := ""
			if e.Content != nil {
				body = e.Content.Body
			}
			key := "history.atom " + e.ID
			if was, ok := seen[key]; ok {
				require.Equal(t, was.body != body, was.updated != e.Updated,
					"step %d: history.atom: %s: updated %s, then %s; content %q, then %q",
					step, e.ID, was.updated, e.Updated, was.body, body)
			}
			seen[key] = seenEntry{body, e.Updated}
		}
		for _, name := range r.names {
			path := "components/" + strings.ToLower(name) + ".atom"
			f := feeds[path]
			// The model's feed: update ID, in full, updated.
			type item struct {
				id      string
				full    bool
				changed time.Time
				seq     int64
			}
			var items []item
			for inc, ups := range incidents {
				if !slices.Contains(modelNamed(ups), name) {
					continue
				}
				turns := modelTurns(ups)
				for _, u := range ups {
					full := len(u.comps) <= feedComponents &&
						(slices.Contains(u.comps, name) || turns[u.id] || slices.Contains(u.back, name))
					// Its turning changes its entry only where it makes it
					// full or short.
					changed := u.said
					if len(u.comps) <= feedComponents && !slices.Contains(u.comps, name) && !slices.Contains(u.back, name) {
						changed = maxTime(changed, u.turned)
					}
					items = append(items, item{u.id, full, changed, u.seq})
				}
				_ = inc
			}
			for _, rt := range retractions {
				if slices.Contains(rt.comps, name) {
					items = append(items, item{rt.id, true, rt.at, rt.seq})
				}
			}
			slices.SortFunc(items, func(a, b item) int {
				if c := b.changed.Compare(a.changed); c != 0 {
					return c
				}
				return cmp.Compare(b.seq, a.seq)
			})
			var want []string
			short := 0
			for _, it := range items {
				if len(want) >= r.cfg.FeedEntries || !it.full && short >= wideEntries {
					continue
				}
				if !it.full {
					short++
				}
				want = append(want, fmt.Sprint(it.id, " full=", it.full, " ", atomTime(it.changed)))
			}
			var got []string
			if f != nil {
				for _, e := range f.Entries {
					body := ""
					if e.Content != nil {
						body = e.Content.Body
					}
					key := path + " " + e.ID
					if was, ok := seen[key]; ok {
						require.Equal(t, was.body != body, was.updated != e.Updated,
							"step %d: %s: %s: updated %s, then %s; content %q, then %q",
							step, path, e.ID, was.updated, e.Updated, was.body, body)
					}
					seen[key] = seenEntry{body, e.Updated}
					u := updateOf(t, e.ID)
					if was, ok := idOf[u]; ok {
						require.Equal(t, was, e.ID, "step %d: %s: the id of %s changed", step, path, u)
					}
					idOf[u] = e.ID
					full := !strings.Contains(body, "Read the update in full on the incident page.")
					require.Equal(t, full, strings.Contains(body, "Body of "+u+".") || strings.Contains(body, "Retracted"),
						"step %d: %s: %s: neither full nor short: %s", step, path, u, body)
					got = append(got, fmt.Sprint(u, " full=", full, " ", e.Updated))
				}
			}
			require.Equal(t, want, got, "step %d: %s", step, path)
		}
	}
}

// modelNamed returns the components the updates name.
func modelNamed(ups []*modelUpdate) []string {
	var out []string
	for _, u := range ups {
		for _, n := range u.comps {
			if !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
	}
	return out
}

// modelStatuses returns the status the updates give each component they
// name: the latest's naming it.
func modelStatuses(ups []*modelUpdate) map[string]broadcast.ComponentStatus {
	out := map[string]broadcast.ComponentStatus{}
	for _, u := range ups {
		for i, n := range u.comps {
			out[n] = u.stats[i]
		}
	}
	return out
}

// statusAfterEdit returns the status of component name after the updates
// before and an update naming comps with stats: operational when none
// names it.
func statusAfterEdit(before []*modelUpdate, comps []string, stats []broadcast.ComponentStatus, name string) broadcast.ComponentStatus {
	st := modelStatuses(before)[name]
	for i, n := range comps {
		if n == name {
			st = stats[i]
		}
	}
	return cmp.Or(st, broadcast.ComponentOperational)
}
