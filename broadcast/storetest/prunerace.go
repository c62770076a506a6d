package storetest

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

// racingSenders is how many goroutines send at once in the rules where
// Prune races Sends, and racingSends how many updates each sends: enough
// for the race detector to see Prune and Sends meet, few enough for a
// Store that syncs every write to disk.
const racingSenders, racingSends = 4, 10

// pruneBacks are the cutoffs the racing rules prune with, counted back
// from the moment of each Prune: now (every delivery done so far), and
// one second back.
var pruneBacks = []time.Duration{0, time.Second}

// pruneWhile calls prune with cutoff() in a loop until send returns.
func pruneWhile(t *testing.T, prune Pruner, cutoff func() time.Time, send func()) {
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
			_, err := prune(context.Background(), cutoff())
			assert.NoError(t, err)
		}
	})
	defer pruner.Wait()
	defer close(stop)
	send()
}

// sendRacing sends racingSenders × racingSends updates from racingSenders
// goroutines at once, update(g, i) giving each, and returns the reports by
// update ID.
func sendRacing(t *testing.T, b *broadcast.Broadcaster, update func(g, i int) broadcast.Update) map[string]*broadcast.Report {
	t.Helper()
	var mu sync.Mutex
	reports := map[string]*broadcast.Report{}
	var wg sync.WaitGroup
	for g := range racingSenders {
		wg.Go(func() {
			for i := range racingSends {
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
	require.Len(t, reports, racingSenders*racingSends)
	return reports
}

// postsOf counts the posts p made of each update, by Update.ID.
func postsOf(p *poster) map[string]int {
	n := map[string]int{}
	for _, m := range p.calls() {
		n[m.Update.ID]++
	}
	return n
}

// racingUpdate returns update id, with no Time of its own (the time of its
// first Send), of incident inc ("": the one its Title names).
func racingUpdate(id, inc string, body string) broadcast.Update {
	return broadcast.Update{ID: id, IncidentID: inc, Title: "Elevated CDN error rates",
		Status: broadcast.StatusInvestigating, Body: body}
}

// sendRacingPrunes, for each cutoff of pruneBacks (back), sends
// racingSenders × racingSends updates, update(back, g, i) giving each,
// from racingSenders goroutines through one Broadcaster on s while prune
// runs with that cutoff in a loop. Each update's result must hold no error
// and not be Skipped; check is then given, update by update, its ID, its
// result and how many posts the channel made of it, and done (when not
// nil) is called once each cutoff's updates were checked.
func sendRacingPrunes(t *testing.T, s broadcast.Store, prune Pruner, update func(back time.Duration, g, i int) broadcast.Update,
	check func(back time.Duration, id string, r broadcast.Result, posts int), done func(back time.Duration, updates int)) {
	t.Helper()
	p := &poster{name: "chat"}
	b := newBroadcaster(t, s, p)
	for _, back := range pruneBacks {
		var reports map[string]*broadcast.Report
		pruneWhile(t, prune, func() time.Time { return time.Now().Add(-back) }, func() {
			reports = sendRacing(t, b, func(g, i int) broadcast.Update { return update(back, g, i) })
		})
		posts := postsOf(p)
		for id, rep := range reports {
			require.NotNil(t, rep, id)
			r := rep.Results[0]
			assert.NoError(t, r.Err, id)
			assert.False(t, r.Skipped, id)
			check(back, id, r, posts[id])
		}
		if done != nil {
			done(back, len(reports))
		}
	}
}

func checkPruneRacingSendsLosesNoUpdate(t *testing.T, s broadcast.Store, prune Pruner) {
	sendRacingPrunes(t, s, prune, func(back time.Duration, g, i int) broadcast.Update {
		id := fmt.Sprintf("u-%v-%d-%d", back, g, i)
		return racingUpdate(id, "inc-"+id, "We are investigating elevated error rates on the CDN.")
	}, func(back time.Duration, id string, r broadcast.Result, posts int) {
		assert.False(t, r.Superseded, id)
		assert.Equal(t, 1, posts, "channel calls for %s (cutoff now-%v)", id, back)
	}, nil)
}

func checkPruneRacingSendsOfOneIncident(t *testing.T, s broadcast.Store, prune Pruner) {
	superseded := 0
	sendRacingPrunes(t, s, prune, func(back time.Duration, g, i int) broadcast.Update {
		return racingUpdate(fmt.Sprintf("u-%v-%d-%d", back, g, i), "",
			fmt.Sprintf("Update %d of sender %d.", i, g))
	}, func(_ time.Duration, id string, r broadcast.Result, posts int) {
		if r.Superseded {
			superseded++
			assert.Zero(t, posts, "channel calls for %s, Superseded", id)
			return
		}
		assert.Equal(t, 1, posts, "channel calls for %s, delivered", id)
	}, func(back time.Duration, updates int) {
		t.Logf("cutoff now-%v: %d of %d Superseded", back, superseded, updates)
		superseded = 0
	})
}

// newerAndOlder returns an update of incident inc-1 at start and an older
// one of it, a minute before.
func newerAndOlder(start time.Time) (newer, older broadcast.Update) {
	newer = racingUpdate("newer", "inc-1", "We are investigating elevated error rates on the CDN.")
	older = racingUpdate("older", "inc-1", "An older update.")
	newer.Time, older.Time = start, start.Add(-time.Minute)
	return newer, older
}

func checkPruneKeepsNewerSuperseding(t *testing.T, s broadcast.Store, prune Pruner) {
	p := &poster{name: "chat"}
	b := newBroadcaster(t, s, p)
	start := time.Now()
	pruneWhile(t, prune, func() time.Time { return start.Add(-time.Second) }, func() {
		newer, older := newerAndOlder(start)
		rep, err := b.Send(context.Background(), newer)
		require.NoError(t, err)
		assert.False(t, rep.Results[0].Superseded)
		rep, err = b.Send(context.Background(), older)
		require.NoError(t, err)
		assert.True(t, rep.Results[0].Superseded, "older update sent after a newer one")
	})
	posts := postsOf(p)
	assert.Equal(t, 1, posts["newer"])
	assert.Zero(t, posts["older"])
}

func checkOlderUpdateAfterPrunedNewerIsPosted(t *testing.T, s broadcast.Store, prune Pruner) {
	p := &poster{name: "chat"}
	b := newBroadcaster(t, s, p)
	newer, older := newerAndOlder(time.Now())
	_, err := b.Send(context.Background(), newer)
	require.NoError(t, err)
	n, err := prune(context.Background(), cutoff())
	require.NoError(t, err)
	require.NotZero(t, n)
	rep, err := b.Send(context.Background(), older)
	require.NoError(t, err)
	assert.False(t, rep.Results[0].Superseded)
	assert.Equal(t, 1, postsOf(p)["older"])
}
