package broadcast_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/broadcast/boltstore"
)

// editableRegions is regions whose posts can be edited, region by region,
// through a Fanout: a correction is an edit in place, whose receipt is
// saved outside the incident's thread.
type editableRegions struct{ regions }

func (c *editableRegions) Edit(_ context.Context, m broadcast.Message, prev broadcast.Receipt) (broadcast.Receipt, error) {
	f := broadcast.NewFanout(m, c.regions.regions)
	for _, i := range f.Todo() {
		f.Posted(i, broadcast.Receipt{ID: prev.ID, Meta: prev.Meta})
	}
	if err := f.Err(); err != nil {
		return broadcast.Receipt{}, err
	}
	return prev, nil
}

// pruner is a Store that Prune can be called on.
type pruner interface {
	broadcast.Store
	Prune(ctx context.Context, cutoff time.Time) (int64, error)
}

// A Prune between a Retract that deleted the incident's latest post on
// some targets only and an in-place correction of an earlier update keeps
// the record of the targets where the post was deleted, as it keeps the
// thread: an update older than the retracted one is posted there, and
// superseded only where the post is still up. The correction marked the
// thread's updates again, but not those records, so the Prune removed
// them, and the update was superseded on the whole channel.
func TestPruneKeepsPartlyDeletedMarksOfKeptUpdate(t *testing.T) {
	for name, open := range map[string]func(t *testing.T) pruner{
		"memory": func(*testing.T) pruner { return broadcast.NewMemoryStore() },
		"bolt": func(t *testing.T) pruner {
			s, err := boltstore.Open(t.TempDir()+"/outagecast.db", nil)
			require.NoError(t, err)
			t.Cleanup(func() { _ = s.Close() })
			return s
		},
	} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			ch := &editableRegions{regions{name: "chat", regions: []string{"eu", "us", "ap"},
				undeletable: map[string]error{"us": broadcast.Permanent(errors.New("403 Forbidden"))}}}
			store := open(t)
			b := newBroadcaster(t, broadcast.Options{Store: store, Retry: broadcast.RetryPolicy{MaxAttempts: 1}}, ch)
			older := validUpdate()
			older.ID, older.IncidentID = "older", "inc"
			older.Time = time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)
			newer := older
			newer.ID, newer.Time = "newer", older.Time.Add(time.Minute)
			between := older
			between.ID, between.Time = "between", older.Time.Add(30*time.Second)

			_, err := b.Send(ctx, older)
			require.NoError(t, err)
			_, err = b.Send(ctx, newer)
			require.NoError(t, err)
			_, err = b.Retract(ctx, "newer")
			require.Error(t, err, "us kept the post")

			cutoff := pastCutoff()
			fix := older
			fix.ID, fix.Time, fix.Body = "fix", time.Time{}, "We are investigating elevated error rates on the EU CDN."
			rep, err := b.Correct(ctx, "older", fix)
			require.NoError(t, err)
			require.True(t, rep.Results[0].Edited)
			_, err = store.Prune(ctx, cutoff)
			require.NoError(t, err)

			rep, err = b.Send(ctx, between)
			require.NoError(t, err)
			res := rep.Results[0]
			assert.False(t, res.Superseded, "the newer post is gone from eu and ap")
			assert.ElementsMatch(t, []string{"eu", "ap"}, res.Delivered)
			assert.Equal(t, []string{"us"}, res.SupersededTargets, "the newer post is still up on us")
		})
	}
}
