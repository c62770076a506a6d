package broadcast_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// seenChannel records every update it is asked to send, by Update.ID.
type seenChannel struct {
	mu   sync.Mutex
	seen map[string]int
}

func (c *seenChannel) Name() string { return "rec" }

func (c *seenChannel) Send(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.seen == nil {
		c.seen = map[string]int{}
	}
	c.seen[m.Update.ID]++
	return broadcast.Receipt{ID: "post-" + m.Update.ID}, nil
}

func (c *seenChannel) count(id string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.seen[id]
}

// pruneWhile calls s.Prune with cutoff() in a loop until send returns.
func pruneWhile(t *testing.T, s *broadcast.MemoryStore, cutoff func() time.Time, send func()) {
	t.Helper()
	stop := make(chan struct{})
	var pruner sync.WaitGroup
	pruner.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			_, err := s.Prune(context.Background(), cutoff())
			assert.NoError(t, err)
		}
	})
	defer pruner.Wait()
	defer close(stop)
	send()
}

// sendFromFour sends updates from 4 goroutines, n each, update(g, i) giving
// each, and returns the reports by update ID.
func sendFromFour(t *testing.T, b *broadcast.Broadcaster, n int, update func(g, i int) broadcast.Update) map[string]*broadcast.Report {
	t.Helper()
	var mu sync.Mutex
	reports := map[string]*broadcast.Report{}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range n {
				u := update(g, i)
				rep, err := b.Send(context.Background(), u)
				assert.NoError(t, err, u.ID)
				mu.Lock()
				reports[u.ID] = rep
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	require.Len(t, reports, 4*n)
	return reports
}

// TestPruneRacingSendsLosesNoUpdate: while Prune loops with a cutoff of
// now (or of one second back), every update of an incident of its own is
// delivered by its one Send, the channel called once for it: Prune
// removes only records of deliveries done, so none is Skipped, Superseded
// or lost.
func TestPruneRacingSendsLosesNoUpdate(t *testing.T) {
	for _, back := range []time.Duration{0, time.Second} {
		t.Run(fmt.Sprint("cutoff now-", back), func(t *testing.T) {
			s := broadcast.NewMemoryStore()
			ch := &seenChannel{}
			b := newBroadcaster(t, broadcast.Options{Store: s}, ch)
			var reports map[string]*broadcast.Report
			pruneWhile(t, s, func() time.Time { return time.Now().Add(-back) }, func() {
				reports = sendFromFour(t, b, 200, func(g, i int) broadcast.Update {
					u := validUpdate()
					u.ID = fmt.Sprintf("u-%d-%d", g, i)
					u.IncidentID = fmt.Sprintf("inc-%d-%d", g, i)
					return u
				})
			})
			for id, rep := range reports {
				require.NotNil(t, rep, id)
				r := rep.Results[0]
				assert.NoError(t, r.Err, id)
				assert.False(t, r.Skipped, id)
				assert.False(t, r.Superseded, id)
				assert.Equal(t, 1, ch.count(id), "channel calls for %s", id)
			}
		})
	}
}

// TestPruneRacingSendsOfOneIncident: updates of one incident sent at once
// from several goroutines, with Prune looping, are each either delivered
// (the channel called once for it) or reported Superseded (the channel
// never called for it): an update whose Time (that of its first Send)
// is older than one the channel posted first is not posted, which is why
// fewer updates than were sent reach the channel. An update older than a
// newer one whose records Prune keeps is Superseded.
func TestPruneRacingSendsOfOneIncident(t *testing.T) {
	for _, back := range []time.Duration{0, time.Second} {
		t.Run(fmt.Sprint("cutoff now-", back), func(t *testing.T) {
			s := broadcast.NewMemoryStore()
			ch := &seenChannel{}
			b := newBroadcaster(t, broadcast.Options{Store: s}, ch)
			var reports map[string]*broadcast.Report
			pruneWhile(t, s, func() time.Time { return time.Now().Add(-back) }, func() {
				reports = sendFromFour(t, b, 100, func(g, i int) broadcast.Update {
					u := validUpdate() // one Title: one incident
					u.ID = fmt.Sprintf("u-%d-%d", g, i)
					u.Body = fmt.Sprintf("Update %d of sender %d.", i, g)
					return u
				})
			})
			superseded := 0
			for id, rep := range reports {
				require.NotNil(t, rep, id)
				r := rep.Results[0]
				assert.NoError(t, r.Err, id)
				assert.False(t, r.Skipped, id)
				if r.Superseded {
					superseded++
					assert.Zero(t, ch.count(id), "channel calls for %s, Superseded", id)
					continue
				}
				assert.Equal(t, 1, ch.count(id), "channel calls for %s, delivered", id)
			}
			t.Logf("%d of %d Superseded", superseded, len(reports))
		})
	}
	t.Run("older after newer", func(t *testing.T) {
		s := broadcast.NewMemoryStore()
		ch := &seenChannel{}
		b := newBroadcaster(t, broadcast.Options{Store: s}, ch)
		start := time.Now()
		pruneWhile(t, s, func() time.Time { return start.Add(-time.Second) }, func() {
			newer, older := validUpdate(), validUpdate()
			newer.ID, newer.Time = "newer", start
			older.ID, older.Time = "older", start.Add(-time.Minute)
			older.Body = "An older update."
			rep, err := b.Send(context.Background(), newer)
			require.NoError(t, err)
			assert.False(t, rep.Results[0].Superseded)
			rep, err = b.Send(context.Background(), older)
			require.NoError(t, err)
			assert.True(t, rep.Results[0].Superseded, "older update sent after a newer one")
		})
		assert.Equal(t, 1, ch.count("newer"))
		assert.Zero(t, ch.count("older"))
	})
}

// TestOlderUpdateAfterPrunedNewerIsPosted: once Prune removed the records
// of an incident's newer update, an older update of the incident is
// posted, not Superseded, as Prune's doc says: nothing is left to
// supersede it. (So are older updates in TestPruneRacingSendsOfOneIncident
// when the newer one's records were pruned first.)
func TestOlderUpdateAfterPrunedNewerIsPosted(t *testing.T) {
	s := broadcast.NewMemoryStore()
	ch := &seenChannel{}
	b := newBroadcaster(t, broadcast.Options{Store: s}, ch)
	start := time.Now()
	newer, older := validUpdate(), validUpdate()
	newer.ID, newer.Time = "newer", start
	older.ID, older.Time = "older", start.Add(-time.Minute)
	older.Body = "An older update."
	_, err := b.Send(context.Background(), newer)
	require.NoError(t, err)
	n, err := s.Prune(context.Background(), time.Now().Add(time.Millisecond))
	require.NoError(t, err)
	require.NotZero(t, n)
	rep, err := b.Send(context.Background(), older)
	require.NoError(t, err)
	assert.False(t, rep.Results[0].Superseded)
	assert.Equal(t, 1, ch.count("older"))
}
