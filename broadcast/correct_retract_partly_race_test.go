package broadcast_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// liveRegions is a channel that fans out to regions and keeps the posts
// still up in each: Send adds one per region, Edit changes what the post
// shows where it is up (ErrPostGone where it is not), Retract deletes it
// where it may (undeletable: a region's error). Each goes through a
// Fanout, as the adapters that fan out do.
type liveRegions struct {
	name        string
	regions     []string
	undeletable map[string]error

	mu   sync.Mutex
	n    int
	live map[string]string // post ID: the update it shows
}

func (c *liveRegions) Name() string { return c.name }

func (c *liveRegions) Send(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	f := broadcast.NewFanout(m, c.regions)
	for _, i := range f.Todo() {
		c.mu.Lock()
		c.n++
		id := c.regions[i] + "-" + string(rune('a'+c.n))
		c.live[id] = m.Update.ID
		c.mu.Unlock()
		f.Posted(i, broadcast.Receipt{ID: id, Meta: map[string]string{"post." + c.regions[i]: id}})
	}
	if err := f.Err(); err != nil {
		return broadcast.Receipt{}, err
	}
	return f.Receipt(), nil
}

// posts returns the regions prev names and their posts there.
func (c *liveRegions) posts(prev broadcast.Receipt) (regions, ids []string) {
	for _, r := range c.regions {
		if id, ok := prev.Meta["post."+r]; ok {
			regions, ids = append(regions, r), append(ids, id)
		}
	}
	return regions, ids
}

func (c *liveRegions) Edit(_ context.Context, m broadcast.Message, prev broadcast.Receipt) (broadcast.Receipt, error) {
	regions, ids := c.posts(prev)
	f := broadcast.NewFanout(m, regions)
	for _, i := range f.Todo() {
		c.mu.Lock()
		_, up := c.live[ids[i]]
		if up {
			c.live[ids[i]] = m.Update.ID
		}
		c.mu.Unlock()
		if !up {
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

func (c *liveRegions) Retract(_ context.Context, prev broadcast.Receipt) error {
	regions, ids := c.posts(prev)
	f := broadcast.NewFanout(broadcast.Message{}, regions)
	for _, i := range f.Todo() {
		c.mu.Lock()
		_, up := c.live[ids[i]]
		err := c.undeletable[regions[i]]
		if up && err == nil {
			delete(c.live, ids[i])
		}
		c.mu.Unlock()
		if !up {
			err = broadcast.ErrPostGone
		}
		f.Report(i, err)
	}
	return f.Err()
}

// up returns, per region, the updates its posts still up show.
func (c *liveRegions) up() map[string][]string {
	c.mu.Lock()
	defer c.mu.Unlock()
	up := map[string][]string{}
	for id, u := range c.live {
		for _, r := range c.regions {
			if len(id) > len(r) && id[:len(r)+1] == r+"-" {
				up[r] = append(up[r], u)
			}
		}
	}
	return up
}

// A Correct and a Retract of one update (or of an in-place correction
// sharing its post) at once, from two Broadcasters on one Store and Lock,
// where the Retract deletes the post on some regions of a channel that
// fans out and fails on one: once both ended, no post is up where the
// Retract could delete, whichever went first; the correction shows
// nowhere but where the post could not be deleted. Run with -count to
// see many interleavings.
func TestCorrectAndPartialRetractAtOnceOnTwoInstances(t *testing.T) {
	for storeName, open := range partlyStores() {
		for _, tc := range []struct {
			name             string
			correct, retract string
			correctedInPlace bool
		}{
			{"same-update", "wrong", "wrong", false},
			{"retract-in-place-correction", "wrong", "fix-1", true},
			{"correct-in-place-correction", "fix-1", "wrong", true},
		} {
			t.Run(storeName+"/"+tc.name, func(t *testing.T) {
				ctx := context.Background()
				store := open(t).(interface {
					broadcast.Store
					Lock(context.Context, broadcast.LockKey) (func(), error)
				})
				ch := &liveRegions{name: "chat", regions: []string{"eu", "us", "ap"}, live: map[string]string{},
					undeletable: map[string]error{"us": broadcast.Permanent(errors.New("403 Forbidden"))}}
				opts := broadcast.Options{Store: store, Lock: store.Lock, Retry: broadcast.RetryPolicy{MaxAttempts: 1}}
				a, b := newBroadcaster(t, opts, ch), newBroadcaster(t, opts, ch)
				u := validUpdate()
				u.ID, u.IncidentID = "wrong", "inc"
				_, err := a.Send(ctx, u)
				require.NoError(t, err)
				if tc.correctedInPlace {
					c1 := u
					c1.ID, c1.Body = "fix-1", "We are investigating elevated error rates on the EU CDN."
					rep, err := a.Correct(ctx, "wrong", c1)
					require.NoError(t, err)
					require.True(t, rep.Results[0].Edited)
				}

				fix := u
				fix.ID, fix.Body = "fix-2", "We are investigating elevated error rates on the US CDN."
				var wg sync.WaitGroup
				start := make(chan struct{})
				wg.Add(2)
				go func() {
					defer wg.Done()
					<-start
					_, _ = a.Correct(ctx, tc.correct, fix)
				}()
				go func() {
					defer wg.Done()
					<-start
					_, _ = b.Retract(ctx, tc.retract)
				}()
				close(start)
				wg.Wait()

				up := ch.up()
				assert.Empty(t, up["eu"], "eu: a post is up where the Retract deleted")
				assert.Empty(t, up["ap"], "ap: a post is up where the Retract deleted")
				assert.Len(t, up["us"], 1, "us: the post the Retract could not delete, and no other")
			})
		}
	}
}
