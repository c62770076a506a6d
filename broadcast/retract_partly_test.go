package broadcast_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// regions posts to several regions through a Fanout, naming each region's
// post in its receipt's Meta, and deletes the posts a receipt names
// through a Fanout without a Ledger, as the adapters that fan out do.
// Deleting fails in the regions listed in undeletable, with their error.
type regions struct {
	name    string
	regions []string

	mu          sync.Mutex
	undeletable map[string]error
	posted      map[string][]string // region: the updates posted there
	deleted     map[string][]string // region: the posts deleted there, named by the update that posted them
}

func (c *regions) Name() string { return c.name }

func (c *regions) Send(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	f := broadcast.NewFanout(m, c.regions)
	for _, i := range f.Todo() {
		r := c.regions[i]
		c.mu.Lock()
		if c.posted == nil {
			c.posted = map[string][]string{}
		}
		c.posted[r] = append(c.posted[r], m.Update.ID)
		c.mu.Unlock()
		f.Posted(i, broadcast.Receipt{ID: r + "-" + m.Update.ID, Meta: map[string]string{"post." + r: m.Update.ID}})
	}
	if err := f.Err(); err != nil {
		return broadcast.Receipt{}, err
	}
	return f.Receipt(), nil
}

func (c *regions) Retract(_ context.Context, prev broadcast.Receipt) error {
	var targets []string
	for _, r := range c.regions {
		if _, ok := prev.Meta["post."+r]; ok {
			targets = append(targets, r)
		}
	}
	f := broadcast.NewFanout(broadcast.Message{}, targets)
	for _, i := range f.Todo() {
		r := targets[i]
		c.mu.Lock()
		err := c.undeletable[r]
		if err == nil {
			if c.deleted == nil {
				c.deleted = map[string][]string{}
			}
			c.deleted[r] = append(c.deleted[r], prev.Meta["post."+r])
		}
		c.mu.Unlock()
		f.Report(i, err)
	}
	return f.Err()
}

func (c *regions) postedTo(region string) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.posted[region]...)
}

// A Retract that deleted the post on some targets and not on others says
// so once, in the words of a deletion: the post was not deleted there,
// rather than an update not delivered.
func TestRetractPartlyFailedSaysWhatWasNotDeleted(t *testing.T) {
	for _, tt := range []struct {
		name string
		err  error
		want string
	}{
		{"transient", errors.New("503 Service Unavailable"),
			"post not deleted on 1 of 2 targets (1 pending, 0 failed permanently): us: 503 Service Unavailable"},
		{"permanent", broadcast.Permanent(errors.New("403 Forbidden")),
			"post not deleted on 1 of 2 targets (0 pending, 1 failed permanently): us: 403 Forbidden"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ch := &regions{name: "chat", regions: []string{"eu", "us"}, undeletable: map[string]error{"us": tt.err}}
			b := newBroadcaster(t, broadcast.Options{Retry: broadcast.RetryPolicy{MaxAttempts: 1}}, ch)
			u := validUpdate()
			u.ID = "wrong"
			ctx := context.Background()
			_, err := b.Send(ctx, u)
			require.NoError(t, err)

			rep, err := b.Retract(ctx, "wrong")
			require.Error(t, err)
			assert.EqualError(t, rep.Results[0].Err, tt.want)
			assert.EqualError(t, err, "broadcast: channel chat failed after 1 attempt: "+tt.want)
			var te *broadcast.TargetsError
			require.ErrorAs(t, rep.Results[0].Err, &te)
			assert.Equal(t, 2, te.Total)
		})
	}
}

// After a Retract that deleted the newer update's post on some targets
// of a channel that fans out and failed on others, a Send of an older
// update of the incident is superseded only where the newer post is still
// up: where it was deleted, the older update has no newer post, and is
// posted. So it is for a Broadcaster started afresh on the same Store.
func TestOlderUpdateAfterAPartlyFailedRetract(t *testing.T) {
	for _, restart := range []bool{false, true} {
		name := "same broadcaster"
		if restart {
			name = "restarted"
		}
		t.Run(name, func(t *testing.T) {
			ch := &regions{name: "chat", regions: []string{"eu", "us", "ap"},
				undeletable: map[string]error{"us": broadcast.Permanent(errors.New("403 Forbidden"))}}
			store := broadcast.NewMemoryStore()
			opts := broadcast.Options{Store: store, Retry: broadcast.RetryPolicy{MaxAttempts: 1}}
			b := newBroadcaster(t, opts, ch)
			ctx := context.Background()
			older, newer := olderAndNewer("newer")
			older.ID = "older"

			_, err := b.Send(ctx, newer)
			require.NoError(t, err)
			_, err = b.Retract(ctx, "newer")
			require.Error(t, err, "us kept the post")
			if restart {
				require.NoError(t, b.Close())
				b = newBroadcaster(t, opts, ch)
			}

			rep, err := b.Send(ctx, older)
			require.NoError(t, err)
			res := rep.Results[0]
			assert.False(t, res.Superseded, "the newer post is gone from eu and ap")
			assert.ElementsMatch(t, []string{"eu", "ap"}, res.Delivered)
			assert.Equal(t, []string{"us"}, res.SupersededTargets, "the newer post is still up on us")
			assert.Equal(t, []string{"newer", "older"}, ch.postedTo("eu"))
			assert.Equal(t, []string{"newer", "older"}, ch.postedTo("ap"))
			assert.Equal(t, []string{"newer"}, ch.postedTo("us"))

			// An update between the two is superseded on us still, and
			// follows the older one elsewhere.
			between := older
			between.ID = "between"
			between.Time = older.Time.Add(30 * time.Second)
			rep, err = b.Send(ctx, between)
			require.NoError(t, err)
			assert.ElementsMatch(t, []string{"eu", "ap"}, rep.Results[0].Delivered)
			assert.Equal(t, []string{"us"}, rep.Results[0].SupersededTargets)

			// One older than both is superseded everywhere.
			oldest := older
			oldest.ID = "oldest"
			oldest.Time = older.Time.Add(-time.Minute)
			rep, err = b.Send(ctx, oldest)
			require.NoError(t, err)
			assert.True(t, rep.Results[0].Superseded)
			assert.Equal(t, []string{"newer", "older", "between"}, ch.postedTo("eu"))
		})
	}
}

// A Retract that failed on every target deleted nothing: an older update
// is superseded on the whole channel, as before the Retract.
func TestOlderUpdateAfterAWhollyFailedRetract(t *testing.T) {
	down := broadcast.Permanent(errors.New("403 Forbidden"))
	ch := &regions{name: "chat", regions: []string{"eu", "us"}, undeletable: map[string]error{"eu": down, "us": down}}
	b := newBroadcaster(t, broadcast.Options{Retry: broadcast.RetryPolicy{MaxAttempts: 1}}, ch)
	ctx := context.Background()
	older, newer := olderAndNewer("newer")
	older.ID = "older"
	_, err := b.Send(ctx, newer)
	require.NoError(t, err)
	_, err = b.Retract(ctx, "newer")
	require.Error(t, err)

	rep, err := b.Send(ctx, older)
	require.NoError(t, err)
	assert.True(t, rep.Results[0].Superseded)
	assert.Equal(t, []string{"newer"}, ch.postedTo("eu"))
}
