package statuspage

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// forEachSeed runs run as subtest "seed-N" for each seed below n, or for
// the one seed RANDSEED names alone.
func forEachSeed(t *testing.T, n uint64, run func(t *testing.T, seed uint64)) {
	for seed := range n {
		if s := os.Getenv("RANDSEED"); s != "" && s != fmt.Sprint(seed) {
			continue
		}
		t.Run(fmt.Sprint("seed-", seed), func(t *testing.T) { run(t, seed) })
	}
}

// feedRun is a seeded random run of Send, Correct (Edit) and Retract on a
// Channel that reads the run's clock: the page set-up and the step
// generator the random feed tests share, each keeping its own model and
// checks. The incidents it keeps are its own record of the updates on the
// page, for next to draw from; a test that draws its steps itself (with
// draw) keeps its own.
type feedRun struct {
	t   *testing.T
	ctx context.Context
	rng *rand.Rand
	now time.Time
	cfg Config
	c   *Channel

	names     []string            // the components updates name, C0 up
	incidents map[string][]string // update IDs on the page by incident, in the order sent
}

// newFeedRun starts a run seeded with seed and stream: the clock at
// 2025-03-14 12:00 UTC, cfg's FeedEntries at least entries and fewer than
// entries+spread (the run's first draw), and a Channel on cfg.
func newFeedRun(t *testing.T, seed, stream uint64, cfg Config, entries, spread int) *feedRun {
	r := &feedRun{t: t, ctx: context.Background(), rng: rand.New(rand.NewPCG(seed, stream)),
		now: time.Date(2025, 3, 14, 12, 0, 0, 0, time.UTC), incidents: map[string][]string{}}
	cfg.FeedEntries = entries + r.rng.IntN(spread)
	r.cfg = cfg
	r.c = r.open(cfg)
	r.names = make([]string, feedComponents+2)
	for i := range r.names {
		r.names[i] = fmt.Sprint("C", i)
	}
	return r
}

// open returns a Channel on cfg that reads the run's clock.
func (r *feedRun) open(cfg Config) *Channel {
	c, err := New(cfg)
	require.NoError(r.t, err)
	c.now = func() time.Time { return r.now }
	return c
}

// tick moves the clock on by 1 to most minutes.
func (r *feedRun) tick(most int) {
	r.now = r.now.Add(time.Duration(1+r.rng.IntN(most)) * time.Minute)
}

// feedOp is the kind of a step.
type feedOp int

const (
	opSend feedOp = iota
	opEdit
	opRetract
	opOther // past the weights given: the test's own step
)

// draw draws a step's kind: of n, the first sends are opSend, the next
// edits opEdit, the next retracts opRetract, the rest opOther.
func (r *feedRun) draw(n, sends, edits, retracts int) feedOp {
	switch op := r.rng.IntN(n); {
	case op < sends:
		return opSend
	case op < sends+edits:
		return opEdit
	case op < sends+edits+retracts:
		return opRetract
	}
	return opOther
}

// feedStep is a step next drew.
type feedStep struct {
	op      feedOp
	inc, id string
	at      int // the update's place among its incident's (opEdit, opRetract)
	status  broadcast.Status
	comps   []string                    // opSend, opEdit
	stats   []broadcast.ComponentStatus // of comps
}

var (
	runStatuses = []broadcast.Status{broadcast.StatusInvestigating, broadcast.StatusIdentified,
		broadcast.StatusMonitoring, broadcast.StatusResolved, broadcast.StatusScheduled,
		broadcast.StatusInProgress, broadcast.StatusCompleted}
	runCompStatuses = []broadcast.ComponentStatus{broadcast.ComponentOperational,
		broadcast.ComponentDegraded, broadcast.ComponentMajorOutage}
)

// next draws step number step over three incidents (with draw's n and
// weights; a Send when no update is on the page): a Send of update
// "u<step>", or an Edit in place or a Retract of an update on the page,
// a Send or an Edit with a status and components drawn; opOther is left
// to the test. It does not take it: see do.
func (r *feedRun) next(step, n, sends, edits, retracts int) feedStep {
	all := slices.Sorted(mapKeys(r.incidents))
	op := r.draw(n, sends, edits, retracts)
	if len(all) == 0 {
		op = opSend
	}
	s := feedStep{op: op}
	switch op {
	case opSend:
		s.inc, s.id = fmt.Sprint("inc", r.rng.IntN(3)), fmt.Sprint("u", step)
	case opEdit, opRetract:
		s.inc = all[r.rng.IntN(len(all))]
		s.at = r.rng.IntN(len(r.incidents[s.inc]))
		s.id = r.incidents[s.inc][s.at]
	default:
		return s
	}
	if op != opRetract {
		s.status = runStatuses[r.rng.IntN(len(runStatuses))]
		s.comps, s.stats = r.components()
	}
	return s
}

// components draws the components of an update: more than feedComponents
// of the names one time in six, else up to two, each with a status.
func (r *feedRun) components() ([]string, []broadcast.ComponentStatus) {
	var out []string
	if r.rng.IntN(6) == 0 {
		out = slices.Clone(r.names[:feedComponents+1+r.rng.IntN(2)])
	} else {
		for _, k := range r.rng.Perm(len(r.names))[:r.rng.IntN(3)] {
			out = append(out, r.names[k])
		}
	}
	stats := make([]broadcast.ComponentStatus, len(out))
	for i := range stats {
		stats[i] = runCompStatuses[r.rng.IntN(len(runCompStatuses))]
	}
	return out, stats
}

// message is the Message of a Send or an Edit s: titled and with a body
// naming its update, at the run's clock.
func (r *feedRun) message(s feedStep) broadcast.Message {
	u := broadcast.Update{ID: s.id, IncidentID: s.inc, Title: "T " + s.id, Status: s.status,
		Body: "Body of " + s.id + ".", Time: r.now}
	for i, n := range s.comps {
		u.Components = append(u.Components, broadcast.Component{Name: n, Status: s.stats[i]})
	}
	return broadcast.NewMessage(u)
}

// do takes step s (number step) on the Channel, failing the test if it
// fails, and records it in the run's incidents.
func (r *feedRun) do(step int, s feedStep) {
	switch s.op {
	case opSend:
		r.send(step, r.message(s))
		r.incidents[s.inc] = append(r.incidents[s.inc], s.id)
	case opEdit:
		r.edit(step, r.message(s), s.id)
	case opRetract:
		r.retract(step, s.id)
		r.incidents[s.inc] = slices.Delete(r.incidents[s.inc], s.at, s.at+1)
		if len(r.incidents[s.inc]) == 0 {
			delete(r.incidents, s.inc)
		}
	}
}

// send sends m on the Channel.
func (r *feedRun) send(step int, m broadcast.Message) {
	r.t.Helper()
	_, err := r.c.Send(r.ctx, m)
	require.NoError(r.t, err, "step %d: Send %s", step, m.Update.ID)
}

// edit edits the update of receipt prev into m on the Channel.
func (r *feedRun) edit(step int, m broadcast.Message, prev string) {
	r.t.Helper()
	_, err := r.c.Edit(r.ctx, m, broadcast.Receipt{ID: prev})
	if m.Update.ID == prev {
		require.NoError(r.t, err, "step %d: Edit %s", step, prev)
		return
	}
	require.NoError(r.t, err, "step %d: Edit %s as %s", step, prev, m.Update.ID)
}

// retract retracts the update of receipt id on the Channel.
func (r *feedRun) retract(step int, id string) {
	r.t.Helper()
	require.NoError(r.t, r.c.Retract(r.ctx, broadcast.Receipt{ID: id}), "step %d: Retract %s", step, id)
}
