package broadcast_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A Store written by an earlier version, whose Prune removed an update's
// records channel by channel, holds a channel's mark of attempts of update
// a (answered), nothing of it on x, nor the record of
// its first Send. Sent again now, a finds no record of its first Send,
// and its first Send here writes one, but no sent mark: x's records may
// have been pruned, and nothing of them says x never posted a. Once a
// later Prune removed that record (y's marks, written again after the
// cutoff, keep the update's), a Retract fails on x, naming Prune, rather
// than Skip it with its post, if any, up. The channel with the marks is y,
// whose delivery attempts a again, or v, whose Route leaves a out now.
func TestRetractAfterPruneOfEarlierVersionResentSaysPruned(t *testing.T) {
	for _, marked := range []string{"y", "v"} {
		t.Run(marked, func(t *testing.T) {
			ctx := context.Background()
			store := broadcast.NewMemoryStore()
			require.NoError(t, store.Mark(ctx, "a", marked, "\x00attempted", errors.New("answered")))
			x := &deleter{script: script{name: "x"}}
			v := &deleter{script: script{name: "v"}}
			y := &deleter{script: script{name: "y", errs: []error{broadcast.Permanent(errFlaky), broadcast.Permanent(errFlaky)}}}
			w := &deleter{script: script{name: "w"}}
			major := broadcast.Route{Impacts: []broadcast.Impact{broadcast.ImpactMajor}}
			b := newBroadcaster(t, broadcast.Options{Store: store, Routes: map[string]broadcast.Route{"x": major, "v": major},
				Retry: broadcast.RetryPolicy{MaxAttempts: 1}}, x, v, y, w)
			a := validUpdate()
			a.ID, a.IncidentID, a.Impact = "a", "inc", broadcast.ImpactMinor
			rep, err := b.Send(ctx, a)
			require.Error(t, err) // y
			require.True(t, rep.Results[0].NotSelected, "x")
			require.True(t, rep.Results[1].NotSelected, "v")
			require.NoError(t, rep.Results[3].Err, "w")
			cutoff := time.Now()
			rep, err = b.Send(ctx, a) // y again
			require.Error(t, err)
			require.True(t, rep.Results[3].Skipped, "w")
			_, err = store.Prune(ctx, cutoff)
			require.NoError(t, err)

			rep, err = b.Retract(ctx, "a")
			require.Error(t, err)
			require.NotNil(t, rep)
			assert.False(t, rep.Results[0].Skipped, "x")
			if assert.Error(t, rep.Results[0].Err, "x") {
				assert.Contains(t, rep.Results[0].Err.Error(), "Prune")
				assert.True(t, broadcast.IsPermanent(rep.Results[0].Err))
			}
			assert.Len(t, w.retracts, 1, "w's post deleted")
		})
	}
}
