package broadcast_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// downRegions is regions whose regions listed in down fail transiently.
type downRegions struct {
	regions
	down map[string]bool
}

func (c *downRegions) Send(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	f := broadcast.NewFanout(m, c.regions.regions)
	for _, i := range f.Todo() {
		r := c.regions.regions[i]
		c.mu.Lock()
		down := c.down[r]
		if !down {
			if c.posted == nil {
				c.posted = map[string][]string{}
			}
			c.posted[r] = append(c.posted[r], m.Update.ID)
		}
		c.mu.Unlock()
		if down {
			f.Report(i, errors.New("503 Service Unavailable"))
			continue
		}
		f.Posted(i, broadcast.Receipt{ID: r + "-" + m.Update.ID, Meta: map[string]string{"post." + r: m.Update.ID}})
	}
	if err := f.Err(); err != nil {
		return broadcast.Receipt{}, err
	}
	return f.Receipt(), nil
}

// A Job's later run of a correction that its first run's targets refused
// because a Retract deleted the post there (ErrRetracted) lists them as
// refused, from the text the Store kept, with an error that still
// matches ErrRetracted, as the first run's did, on every Store, for a
// Broadcaster started afresh too: a caller telling retracted targets
// from the others (to drop them from a queue) sees the same in either
// run. The later run's error matched no sentinel: it was made of the
// text alone.
func TestCorrectJobLaterRunKeepsRefusalSentinel(t *testing.T) {
	for storeName, open := range partlyStores() {
		for _, restart := range []bool{false, true} {
			t.Run(storeName+"/"+map[bool]string{true: "restarted", false: "same"}[restart], func(t *testing.T) {
				ctx := context.Background()
				ch := &downRegions{regions: regions{name: "chat", regions: []string{"eu", "us", "ap"},
					undeletable: map[string]error{"us": broadcast.Permanent(errors.New("403 Forbidden"))}}}
				opts := broadcast.Options{Store: open(t), Retry: broadcast.RetryPolicy{MaxAttempts: 1}}
				b := newBroadcaster(t, opts, ch)
				u := validUpdate()
				u.ID, u.IncidentID = "wrong", "inc"
				_, err := b.Send(ctx, u)
				require.NoError(t, err)
				_, err = b.Retract(ctx, "wrong")
				require.Error(t, err, "us kept the post")

				fix := u
				fix.ID, fix.Body = "fix", "We are investigating elevated error rates on the EU CDN."
				js, err := b.Jobs(broadcast.JobCorrect, fix, "wrong")
				require.NoError(t, err)
				ch.mu.Lock()
				ch.down = map[string]bool{"us": true}
				ch.mu.Unlock()
				first := b.RunJob(ctx, js[0], 1)
				require.Error(t, first.Err)
				require.False(t, broadcast.IsPermanent(first.Err), "us is to be tried again: %v", first.Err)
				assert.ElementsMatch(t, []string{"eu", "ap"}, refusedTargets(t, first))

				ch.mu.Lock()
				ch.down = nil
				ch.mu.Unlock()
				if restart {
					require.NoError(t, b.Close())
					b = newBroadcaster(t, opts, ch)
				}
				later := b.RunJob(ctx, js[0], 2)
				require.Error(t, later.Err, "eu and ap refused it")
				assert.ErrorIs(t, later.Err, broadcast.ErrRetracted)
				assert.True(t, broadcast.IsPermanent(later.Err), "not to be retried: %v", later.Err)
				assert.ElementsMatch(t, []string{"eu", "ap"}, refusedTargets(t, later))
				assert.Equal(t, []string{"us"}, later.Delivered)
				for _, r := range []string{"eu", "ap"} {
					assert.Equal(t, []string{"wrong"}, ch.postedTo(r), "%s: nothing posted where the post was deleted", r)
				}
			})
		}
	}
}
