//go:build integration

package dispatch_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/dispatch"
)

// feed is a platform shared by the instances: it keeps its posts in
// order. The post of update slow waits until another post is made (or,
// at most, holdFor), as a post under way on one instance while another
// instance's job of a newer update of the incident runs.
type feed struct {
	slow    string
	holdFor time.Duration

	mu    sync.Mutex
	posts []string
}

func (f *feed) channel() broadcast.Channel {
	return broadcast.ChannelFunc("chat", func(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		if m.Update.ID == f.slow {
			deadline := time.Now().Add(f.holdFor)
			for time.Now().Before(deadline) && len(f.list()) == 0 && ctx.Err() == nil {
				time.Sleep(10 * time.Millisecond)
			}
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		f.posts = append(f.posts, m.Update.ID)
		return broadcast.Receipt{ID: "post-" + m.Update.ID}, nil
	})
}

func (f *feed) list() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.posts)
}

// Two updates of one incident, their jobs taken by two instances at
// once: the newer is never posted before the older, whose post would then
// be the incident's latest. The instances used to run both attempts at
// the same time: each read the thread before the other had posted, so the
// older update, slower to post, went up after the newer one.
func TestUpdatesOfAnIncidentAreNotPostedOutOfOrderAcrossInstances(t *testing.T) {
	ctx := waitCtx(t)
	dsn := newSchema(t)
	platform := &feed{slow: "u-1", holdFor: 2 * time.Second}
	a := newInstance(t, dsn, []broadcast.Channel{platform.channel()}, broadcast.Options{}, dispatch.Config{Workers: 1})
	b := newInstance(t, dsn, []broadcast.Channel{platform.channel()}, broadcast.Options{}, dispatch.Config{Workers: 1})
	a.start(t)
	b.start(t)

	older, newer := update(1), update(2)
	newer.IncidentID = older.IncidentID
	older.Time = time.Now().Add(-time.Minute)
	newer.Time = time.Now()
	_, err := a.d.Enqueue(ctx, nil, older)
	require.NoError(t, err)
	// The older update's post is under way on one instance; the newer
	// update's job goes to the other, whose only worker is free.
	require.True(t, waitFor(time.Minute, func() bool {
		var running int
		return a.pool.QueryRow(ctx, "SELECT count(*) FROM river_job WHERE state = 'running'").Scan(&running) == nil && running == 1
	}), "the older update's job runs")
	_, err = b.d.Enqueue(ctx, nil, newer)
	require.NoError(t, err)
	_, err = a.d.Wait(ctx, older.ID)
	require.NoError(t, err)
	_, err = b.d.Wait(ctx, newer.ID)
	require.NoError(t, err)

	posts := platform.list()
	require.NotEmpty(t, posts)
	assert.Equal(t, newer.ID, posts[len(posts)-1], "the newer update is the latest post: %v", posts)
	th, err := a.store.Thread(ctx, older.IncidentID, "chat")
	require.NoError(t, err)
	assert.Equal(t, newer.ID, th.Last.UpdateID, "and the thread's latest")
}

// An update enqueued again without a Time of its own, to retry the
// channels whose jobs gave up on it, keeps the Time of its first Enqueue:
// the newer update of the incident delivered in between supersedes it
// there, instead of being followed by it. The Time comes from its first
// jobs while River keeps them, and once River has deleted them from the
// record those jobs kept in the Store, although no channel delivered it.
func TestReenqueuedUpdateKeepsItsTime(t *testing.T) {
	for _, forget := range []bool{false, true} {
		t.Run(fmt.Sprintf("jobs deleted=%v", forget), func(t *testing.T) {
			ctx := waitCtx(t)
			p := &downPlatform{}
			in := newInstance(t, newSchema(t), []broadcast.Channel{p.channel("feed"), p.channel("chat")},
				broadcast.Options{}, dispatch.Config{Workers: 2, Retry: broadcast.RetryPolicy{MaxAttempts: 1}})
			in.start(t)
			investigating, resolved := update(1), update(2) // no Time: each takes its Enqueue's
			resolved.IncidentID, resolved.Status = investigating.IncidentID, broadcast.StatusResolved

			p.down.Store(true)
			_, err := in.d.Enqueue(ctx, nil, investigating)
			require.NoError(t, err)
			_, err = in.d.Wait(ctx, investigating.ID)
			require.Error(t, err, "both jobs give up")
			if forget {
				_, err = in.pool.Exec(ctx, "DELETE FROM river_job") // as River's retention does, in time
				require.NoError(t, err)
			}
			p.down.Store(false)
			_, err = in.d.Enqueue(ctx, nil, resolved)
			require.NoError(t, err)
			_, err = in.d.Wait(ctx, resolved.ID)
			require.NoError(t, err)

			_, err = in.d.Enqueue(ctx, nil, investigating) // to retry the channels that missed it
			require.NoError(t, err)
			rep, err := in.d.Wait(ctx, investigating.ID)
			require.NoError(t, err)
			assert.True(t, rep.Results[0].Superseded && rep.Results[1].Superseded, "the resolved update is newer")
			assert.ElementsMatch(t, []string{"feed:resolved", "chat:resolved"}, p.list())
		})
	}
}

// downPlatform is a platform that fails every post while down, and keeps
// the others as "<channel>:<status>".
type downPlatform struct {
	down  atomic.Bool
	mu    sync.Mutex
	posts []string
}

func (p *downPlatform) channel(name string) broadcast.Channel {
	return broadcast.ChannelFunc(name, func(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		if p.down.Load() {
			return broadcast.Receipt{}, errors.New("503 try later")
		}
		p.mu.Lock()
		defer p.mu.Unlock()
		p.posts = append(p.posts, name+":"+string(m.Update.Status))
		return broadcast.Receipt{ID: "post-" + m.Update.ID}, nil
	})
}

func (p *downPlatform) list() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.posts)
}

// An update enqueued without a Time takes the database's clock, which
// every instance shares, not the enqueueing instance's: on an instance
// whose clock lags, a newer update of an incident got an older Time than
// the update before it, and was then found superseded by it, never posted.
// Here both clocks are one machine's; what tells them apart is that
// PostgreSQL's counts microseconds, and that the Time is read within the
// enqueueing transaction.
func TestAnUntimedUpdateTakesTheDatabasesClock(t *testing.T) {
	ctx := waitCtx(t)
	in := newInstance(t, newSchema(t), []broadcast.Channel{(&feed{}).channel()}, broadcast.Options{}, dispatch.Config{Workers: 1})
	tx, err := in.pool.Begin(ctx)
	require.NoError(t, err)
	defer func() { assert.NoError(t, tx.Rollback(ctx)) }()
	for n := range 3 {
		var before, after time.Time
		require.NoError(t, tx.QueryRow(ctx, "SELECT clock_timestamp()").Scan(&before))
		id, err := in.d.Enqueue(ctx, tx, update(n))
		require.NoError(t, err)
		require.NoError(t, tx.QueryRow(ctx, "SELECT clock_timestamp()").Scan(&after))

		var raw string
		require.NoError(t, tx.QueryRow(ctx, "SELECT args->'job'->'update'->>'time' FROM river_job WHERE args->>'update_id' = $1",
			id).Scan(&raw))
		got, err := time.Parse(time.RFC3339Nano, raw)
		require.NoError(t, err)
		assert.True(t, got.Equal(got.Truncate(time.Microsecond)), "%s is not a time of the database's clock", raw)
		assert.False(t, got.Before(before) || got.After(after), "%s is not between %s and %s", raw, before, after)
	}
}
