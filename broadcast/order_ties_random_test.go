package broadcast_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// tiePost is a post of channel x in tieModel.
type tiePost struct {
	id         string
	correction bool
	time       time.Time // its receipt's UpdateTime (see Correct)
	followed   int       // the post latest still up when it was posted; -1 none
	retracted  bool
}

// tieModel says what a Send of an update of an incident does on x, a
// Retractor that cannot edit, from the posts made there: posted unless
// the latest post still up is newer (Time, then the order of first
// Sends). A correction's post takes its original's post's time and a
// nanosecond, or that of the post it followed when later; of one Time
// with the update sent, it comes after the post it followed while that is
// up, or after the one placeNow moved it back to, and before the update
// otherwise.
type tieModel struct {
	*tieOrder
	posts []tiePost
}

func (m *tieModel) last() int {
	for i := len(m.posts) - 1; i >= 0; i-- {
		if !m.posts[i].retracted {
			return i
		}
	}
	return -1
}

func (m *tieModel) postOf(id string) int {
	return slices.IndexFunc(m.posts, func(p tiePost) bool { return p.id == id })
}

func (m *tieModel) superseded(u string) bool {
	i, moved := m.last(), false
	for range len(m.posts) + 1 {
		if i < 0 {
			return false
		}
		p := m.posts[i]
		if i == m.last() && p.time.After(m.times[u]) || moved {
			p.time = m.placeNow(i) // a move past a post retracted since undone
		}
		if !p.correction {
			return p.time.After(m.times[u]) || p.time.Equal(m.times[u]) && m.place[p.id] > m.place[u]
		}
		if !p.time.Equal(m.times[u]) {
			return p.time.After(m.times[u])
		}
		if _, f := m.placeAfter(i); f >= 0 {
			// Moved to the place of a post still up it followed.
			if !m.placeNow(f).Equal(m.times[u]) {
				return false
			}
			i, moved = f, true
			continue
		}
		f := p.followed
		if f < 0 || m.posts[f].retracted || !m.posts[f].time.Equal(m.times[u]) {
			return false
		}
		i, moved = f, false
	}
	return false
}

func (m *tieModel) post(id string, correction bool, t time.Time) {
	m.posts = append(m.posts, tiePost{id: id, correction: correction, time: t, followed: m.last()})
}

// tieRun runs kind on x as Send, Correct and Retract do, or, with jobs,
// as package dispatch does: one RunJob of each Job that Jobs makes.
func tieRun(ctx context.Context, b *broadcast.Broadcaster, jobs bool, kind broadcast.JobKind, u broadcast.Update, original string) (broadcast.Result, error) {
	if jobs {
		js, err := b.Jobs(kind, u, original)
		if err != nil {
			return broadcast.Result{}, err
		}
		return b.RunJob(ctx, js[0], 1), nil
	}
	var rep *broadcast.Report
	var err error
	switch kind {
	case broadcast.JobSend:
		rep, err = b.Send(ctx, u)
	case broadcast.JobCorrect:
		rep, err = b.Correct(ctx, original, u)
	default:
		rep, err = b.Retract(ctx, original)
	}
	if rep == nil || len(rep.Results) == 0 {
		return broadcast.Result{}, err
	}
	return rep.Results[0], nil
}

// tieOrder is what a tieDriver's sequence told of its updates: each
// update's Time and the order of first Sends, and each correction's
// original.
type tieOrder struct {
	times    map[string]time.Time
	place    map[string]int
	corrects map[string]string // of each correction, its original
}

// tieDriver drives a random sequence of Sends, Corrects and Retracts of
// the updates of one incident, of two Times, on two Broadcasters sharing
// one Store, by their calls or, with jobs, by Jobs (see tieRun): the
// set-up and the steps the random equal-times tests share, each keeping
// its own model of the channel and its checks.
type tieDriver struct {
	*tieOrder
	t           *testing.T
	ctx         context.Context
	rng         *rand.Rand
	seed        uint64
	jobs        bool
	bs          []*broadcast.Broadcaster
	t0          time.Time
	incident    string
	corrections int
	log         []string // the steps taken, for fail
}

// newTieDriver returns a driver seeded with seed and stream, on two
// Broadcasters on ch made with opts, which names the Store they share.
func newTieDriver(t *testing.T, seed, stream uint64, jobs bool, opts broadcast.Options, ch broadcast.Channel) *tieDriver {
	return &tieDriver{
		tieOrder: &tieOrder{times: map[string]time.Time{}, place: map[string]int{}, corrects: map[string]string{}},
		t:        t, ctx: context.Background(), rng: rand.New(rand.NewPCG(seed, stream)), seed: seed, jobs: jobs,
		bs:       []*broadcast.Broadcaster{newBroadcaster(t, opts, ch), newBroadcaster(t, opts, ch)},
		t0:       time.Now().Add(-time.Hour).UTC().Round(0),
		incident: fmt.Sprintf("inc-%d", seed),
	}
}

// tieSeeds returns the number of runs on the memory Store: TIE_SEEDS, or
// memory when it is not set.
func tieSeeds(memory int) int {
	if n, err := strconv.Atoi(os.Getenv("TIE_SEEDS")); err == nil && n > 0 {
		return n // more seeds, run by hand: TIE_SEEDS=3000
	}
	return memory
}

// fail ends the test, naming the seed and the steps taken.
func (d *tieDriver) fail(msg string, args ...any) {
	d.t.Helper()
	d.t.Fatalf("seed %d: %s\nsteps:\n%s", d.seed, fmt.Sprintf(msg, args...), joinLines(d.log))
}

// logf records a step.
func (d *tieDriver) logf(format string, args ...any) {
	d.log = append(d.log, fmt.Sprintf(format, args...))
}

// broadcaster draws the Broadcaster of a step.
func (d *tieDriver) broadcaster() *broadcast.Broadcaster {
	return d.bs[d.rng.IntN(len(d.bs))]
}

// sendID draws the update of a Send, "a" to "e".
func (d *tieDriver) sendID() string {
	return string(rune('a' + d.rng.IntN(5)))
}

// drawTime draws update id's Time, t0 or a minute later, and gives it its
// place among first Sends, when it has none yet.
func (d *tieDriver) drawTime(id string) {
	if _, ok := d.times[id]; !ok {
		d.times[id] = d.t0.Add(time.Duration(d.rng.IntN(2)) * time.Minute)
		d.place[id] = len(d.place)
	}
}

// correction names a correction not made yet.
func (d *tieDriver) correction() string {
	d.corrections++
	return fmt.Sprintf("c%d", d.corrections)
}

// send sends update id, at its Time, through b.
func (d *tieDriver) send(b *broadcast.Broadcaster, id string) (broadcast.Result, error) {
	u := validUpdate()
	u.ID, u.IncidentID, u.Time = id, d.incident, d.times[id]
	return tieRun(d.ctx, b, d.jobs, broadcast.JobSend, u, "")
}

// correct corrects orig with update id through b, and records it.
func (d *tieDriver) correct(b *broadcast.Broadcaster, id, orig string) (broadcast.Result, error) {
	u := validUpdate()
	u.ID, u.IncidentID, u.Body = id, d.incident, "Corrected."
	r, err := tieRun(d.ctx, b, d.jobs, broadcast.JobCorrect, u, orig)
	d.corrects[id] = orig
	return r, err
}

// retract retracts update id through b.
func (d *tieDriver) retract(b *broadcast.Broadcaster, id string) (broadcast.Result, error) {
	return tieRun(d.ctx, b, d.jobs, broadcast.JobRetract, broadcast.Update{}, id)
}

// close closes the Broadcasters.
func (d *tieDriver) close() {
	for _, b := range d.bs {
		require.NoError(d.t, b.Close())
	}
}

// randomX is channel x of the random sequences: tieChannel, recording
// each post's Message.Current too, a Retractor when retract is set.
type randomX struct {
	*tieChannel
	current map[string]bool
}

func (c *randomX) Send(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	r, err := c.tieChannel.Send(ctx, m)
	if err == nil {
		c.mu.Lock()
		c.current[m.Update.ID] = m.Current()
		c.mu.Unlock()
	}
	return r, err
}

type randomRetractor struct{ *randomX }

func (randomRetractor) Retract(context.Context, broadcast.Receipt) error { return nil }

// root is the update the chain of corrections of id starts from.
func (m *tieModel) root(id string) string {
	for range len(m.posts) + 1 {
		o, ok := m.corrects[id]
		if !ok {
			return id
		}
		id = o
	}
	return id
}

// placeNow is the place of post i now: its time, but for a correction
// that took the time of a newer post it followed, which comes right after
// its original (at that one's place now) once the posts it followed are
// retracted or of its own chain, or after the latest other post still up
// (only a Retractor's posts are retracted).
func (m *tieModel) placeNow(i int) time.Time {
	t, _ := m.placeAfter(i)
	return t
}

// placeAfter is placeNow, and the post that post i, moved, now comes
// right after at that post's very place; -1 none.
func (m *tieModel) placeAfter(i int) (time.Time, int) {
	p := m.posts[i]
	if !p.correction {
		return p.time, -1
	}
	oi := m.postOf(m.corrects[p.id])
	o := m.posts[oi]
	oNow := m.placeNow(oi)
	if !p.time.After(o.time.Add(time.Nanosecond)) {
		return minTime(p.time, oNow.Add(max(p.time.Sub(o.time), 0))), -1
	}
	after := oNow.Add(time.Nanosecond)
	family := m.root(p.id)
	for f := p.followed; f >= 0; f = m.posts[f].followed {
		q := m.posts[f]
		if q.id == family {
			return minTime(p.time, after), -1
		}
		if !q.retracted && m.root(q.id) != family {
			fNow := m.placeNow(f)
			if now := minTime(p.time, maxTime(after, fNow)); !now.Equal(fNow) {
				return now, -1
			}
			return fNow, f
		}
	}
	return p.time, -1
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// newerUp returns a post still up, not of the chain of corrections
// starting from skip, that says a status newer than update's (that of the
// update its chain starts from, by Time, then by the order of first
// Sends); "" when there is none. Independent of placeNow's rules: what
// the channel shows, by the contract's order of updates.
func (m *tieModel) newerUp(update, skip string) string {
	for _, p := range m.posts {
		r := m.root(p.id)
		if p.retracted || r == skip {
			continue
		}
		if m.times[r].After(m.times[update]) || m.times[r].Equal(m.times[update]) && m.place[r] > m.place[update] {
			return p.id
		}
	}
	return ""
}

// Random sequences of Sends and Corrects (some refused by x, some tried
// again) and Retracts of updates of two Times, on two Broadcasters
// sharing one Store, by their calls or by Jobs (as package dispatch runs
// them): every Send of an update not yet posted is posted or Superseded
// as the model says, so none is held back while no newer post is up, and
// none is posted after a newer one; and, independently of the model's
// rules, no Send is posted while a post saying a newer update's status is
// up, and a correction is Current exactly when no such post is up, newer
// than the update its chain starts from (see newerUp).
// TIE_SEEDS sets the number of runs on the memory Store.
func TestEqualTimesRandomSequences(t *testing.T) {
	runs := map[string]int{"memory": tieSeeds(200), "bolt": 8}
	for name, open := range partlyStores() {
		for _, jobs := range []bool{false, true} {
			for _, retract := range []bool{false, true} {
				t.Run(fmt.Sprintf("%s/jobs=%v/retractor=%v", name, jobs, retract), func(t *testing.T) {
					for seed := range runs[name] {
						tieSequence(t, open(t), uint64(seed), jobs, retract)
					}
				})
			}
		}
	}
}

func tieSequence(t *testing.T, store broadcast.Store, seed uint64, jobs, retract bool) {
	x := &randomX{tieChannel: &tieChannel{}, current: map[string]bool{}}
	var ch broadcast.Channel = x
	if retract {
		ch = randomRetractor{x}
	}
	d := newTieDriver(t, seed, 37, jobs, broadcast.Options{Store: store}, ch)
	rng, fail := d.rng, d.fail
	m := &tieModel{tieOrder: d.tieOrder}
	var refused []string // corrections x refused
	for range 14 {
		b := d.broadcaster()
		var live []string
		for _, p := range m.posts {
			if !p.retracted {
				live = append(live, p.id)
			}
		}
		switch op := rng.IntN(10); {
		case op < 5 || len(live) == 0: // Send
			id := d.sendID()
			if i := m.postOf(id); i >= 0 {
				continue // posted (or retracted): nothing to tell
			}
			d.drawTime(id)
			refuse := rng.IntN(3) == 0
			d.logf("send %s (time +%v, refused %v)", id, m.times[id].Sub(d.t0), refuse)
			if refuse {
				x.fail.Store(id, true)
			}
			res, err := d.send(b, id)
			x.fail.Delete(id)
			if err != nil && res.Channel == "" {
				fail("send %s: %v", id, err)
			}
			want := m.superseded(id)
			if got := res.Superseded; got != want {
				fail("send %s: Superseded %v, the model says %v", id, got, want)
			}
			if !want && !refuse {
				if err := res.Err; err != nil {
					fail("send %s: %v", id, err)
				}
				if v := m.newerUp(id, id); v != "" {
					fail("send %s: posted after %s, of a newer update, still up", id, v)
				}
				m.post(id, false, m.times[id])
			}
		case op < 8: // Correct, or Correct again one x refused
			var id, orig string
			if len(refused) > 0 && rng.IntN(2) == 0 {
				id = refused[0]
				orig = m.corrects[id]
				if m.posts[m.postOf(orig)].retracted {
					continue
				}
				refused = refused[1:]
			} else {
				orig = live[rng.IntN(len(live))]
				id = d.correction()
			}
			refuse := rng.IntN(4) == 0
			d.logf("correct %s with %s (refused %v)", orig, id, refuse)
			if refuse {
				x.fail.Store(id, true)
			}
			o := m.posts[m.postOf(orig)]
			ct := o.time.Add(time.Nanosecond)
			if l := m.last(); m.posts[l].time.After(ct) {
				ct = m.posts[l].time
			}
			r, err := d.correct(b, id, orig)
			x.fail.Delete(id)
			if refuse {
				if r.Err == nil {
					fail("correct %s: refused, no error", orig)
				}
				refused = append(refused, id)
				continue
			}
			if err != nil || r.Err != nil || r.Superseded || r.Skipped {
				fail("correct %s: %v %+v", orig, err, r)
			}
			m.post(id, true, ct)
			x.mu.Lock()
			current := x.current[id]
			x.mu.Unlock()
			// Independent of placeNow's rules: current iff no post still up
			// says a status newer than that of the update id's chain
			// starts from (see newerUp and Message.Current).
			if r := m.root(id); current != (m.newerUp(r, r) == "") {
				fail("correct %s with %s: Current %v; a post still up of an update newer than %s: %q",
					orig, id, current, r, m.newerUp(r, r))
			}
		default: // Retract
			if !retract {
				continue
			}
			id := live[rng.IntN(len(live))]
			d.logf("retract %s", id)
			r, err := d.retract(b, id)
			if err != nil || r.Err != nil {
				fail("retract %s: %v %+v", id, err, r)
			}
			m.posts[m.postOf(id)].retracted = true
		}
		var want []string
		for _, p := range m.posts {
			want = append(want, p.id)
		}
		x.mu.Lock()
		got := slices.Clone(x.posted)
		x.mu.Unlock()
		if !slices.Equal(got, want) {
			fail("posted %v, the model %v", got, want)
		}
	}
	d.close()
}

func joinLines(lines []string) string {
	s := ""
	for _, l := range lines {
		s += "  " + l + "\n"
	}
	return s
}
