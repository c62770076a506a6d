package broadcast_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// cutting is a deleter whose Send takes the cutoff of a later Prune when
// it is called: the records a Send wrote before fall behind it, those
// written after (this channel's outcome) do not.
type cutting struct {
	deleter
	once   sync.Once
	cutoff time.Time
}

func (c *cutting) Send(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	c.once.Do(func() { c.cutoff = time.Now() })
	return c.deleter.Send(ctx, m)
}

// A Send whose channel x finished before y was called (x is the first
// stage), with a Prune's cutoff taken as y is called, and no later Send:
// a Prune removed x's records and kept y's. Where x posted the update, a
// Retract found no post to delete: refused as an update no channel
// posted, when y was refused, and x's post stayed up. Where x was
// refused, x failed, its records "may have been pruned". An update's
// records are kept on every channel while any is: x's post is deleted,
// and a refused x is Skipped.
func TestRetractAfterPruneWithCutoffWithinOneSend(t *testing.T) {
	for _, tc := range []struct {
		name         string
		xErr, yErr   error
		xDel, yDel   int
		xSkip, ySkip bool
	}{
		{name: "x posted, y refused", yErr: broadcast.Permanent(errFlaky), xDel: 1, ySkip: true},
		{name: "x refused, y posted", xErr: broadcast.Permanent(errFlaky), yDel: 1, xSkip: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			store := broadcast.NewMemoryStore()
			x := &deleter{script: script{name: "x", errs: []error{tc.xErr}}}
			y := &cutting{deleter: deleter{script: script{name: "y", errs: []error{tc.yErr}}}}
			opts := broadcast.Options{Store: store, Retry: broadcast.RetryPolicy{MaxAttempts: 1},
				Stages: [][]string{{"x"}, {"y"}}, StageWait: time.Hour}
			b := newBroadcaster(t, opts, x, y)
			a := validUpdate()
			a.ID, a.IncidentID = "a", "inc"
			rep, err := b.Send(ctx, a)
			require.Error(t, err)
			require.Equal(t, 1, y.count(), "y called")
			require.Equal(t, tc.xErr == nil, rep.Results[0].Err == nil, "x: %v", rep.Results[0].Err)
			_, err = store.Prune(ctx, y.cutoff)
			require.NoError(t, err)

			rep, err = b.Retract(ctx, "a")
			require.NoError(t, err)
			require.NotNil(t, rep)
			assert.Equal(t, tc.xSkip, rep.Results[0].Skipped, "x skipped")
			assert.Equal(t, tc.ySkip, rep.Results[1].Skipped, "y skipped")
			assert.Len(t, x.retracts, tc.xDel, "x's posts deleted")
			assert.Len(t, y.retracts, tc.yDel, "y's posts deleted")
		})
	}
}

// x posted update a at its first Send, and was removed from the
// Broadcaster before the second, which reached y; a Prune's cutoff lies
// between them. x, added back, had nothing to tell it from a channel
// added after the update was sent, which never had it: a Prune keeps x's
// records while it keeps y's, and x's post is deleted.
func TestRetractAfterPruneFindsPostOfChannelRemovedAndAddedBack(t *testing.T) {
	ctx := context.Background()
	store := broadcast.NewMemoryStore()
	x := &deleter{script: script{name: "x"}}
	y := &deleter{script: script{name: "y", errs: []error{broadcast.Permanent(errFlaky)}}}
	opts := broadcast.Options{Store: store, Retry: broadcast.RetryPolicy{MaxAttempts: 1}}
	b := newBroadcaster(t, opts, x, y)
	a := validUpdate()
	a.ID, a.IncidentID = "a", "inc"
	_, err := b.Send(ctx, a)
	require.Error(t, err) // y failed for good
	require.NoError(t, b.Close())
	cutoff := time.Now()
	b = newBroadcaster(t, opts, y) // x removed
	_, err = b.Send(ctx, a)
	require.NoError(t, err)
	require.NoError(t, b.Close())
	_, err = store.Prune(ctx, cutoff)
	require.NoError(t, err)

	b = newBroadcaster(t, opts, y, x) // x added back
	rep, err := b.Retract(ctx, "a")
	require.NoError(t, err)
	require.NotNil(t, rep)
	assert.NoError(t, rep.Results[1].Err, "x")
	assert.Len(t, x.retracts, 1, "x's post deleted")
	assert.Len(t, y.retracts, 1, "y's post deleted")
}

// halfRegions posts to region "eu", and is asked to wait in "us" (a rate
// limit: a definite answer, nothing posted there).
type halfRegions struct{ regions }

func (c *halfRegions) Send(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	f := broadcast.NewFanout(m, []string{"eu", "us"})
	for _, i := range f.Todo() {
		if i == 1 {
			f.Report(i, broadcast.RetryAfter(errFlaky, time.Hour))
			continue
		}
		f.Posted(i, broadcast.Receipt{ID: "eu-" + m.Update.ID, Meta: map[string]string{"post.eu": m.Update.ID}})
	}
	if err := f.Err(); err != nil {
		return broadcast.Receipt{}, err
	}
	return f.Receipt(), nil
}

// A fan-out channel reached one of its targets, and not the other; the record of the target it reached, which is kept under
// a key of its own, is older than a Prune's cutoff, and y's records, of a
// later Send, are not. The channel is not Skipped: its post in the
// target it reached may be up, and nothing says where.
func TestRetractAfterPruneOfTargetsReachedSaysPruned(t *testing.T) {
	ctx := context.Background()
	store := broadcast.NewMemoryStore()
	f := &halfRegions{regions{name: "f", regions: []string{"eu", "us"}}}
	y := &deleter{script: script{name: "y", errs: []error{broadcast.Permanent(errFlaky)}}}
	b := newBroadcaster(t, broadcast.Options{Store: store, Retry: broadcast.RetryPolicy{MaxAttempts: 1}}, f, y)
	a := validUpdate()
	a.ID, a.IncidentID = "a", "inc"
	rep, err := b.Send(ctx, a)
	require.Error(t, err)
	require.Equal(t, []string{"eu"}, rep.Results[0].Delivered, "f")
	cutoff := time.Now()
	rep, _ = b.Send(ctx, a) // y again
	require.NotNil(t, rep)
	require.NoError(t, rep.Results[1].Err, "y")
	_, err = store.Prune(ctx, cutoff)
	require.NoError(t, err)
	_, ok, err := store.Receipt(ctx, "\x00partial\x00a", "f")
	require.NoError(t, err)
	require.False(t, ok, "the record of the targets f reached, pruned")

	rep, err = b.Retract(ctx, "a")
	require.Error(t, err)
	require.NotNil(t, rep)
	assert.False(t, rep.Results[0].Skipped, "f")
	if assert.Error(t, rep.Results[0].Err, "f") {
		assert.Contains(t, rep.Results[0].Err.Error(), "Prune")
	}
	assert.Len(t, y.retracts, 1, "y's post deleted")
}
