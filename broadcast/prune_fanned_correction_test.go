package broadcast_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A Prune keeps or removes the record of the updates that reached a
// channel's targets whole, a correction's entry with the others: a Prune
// whose cutoff falls between a newer update and its correction, partly
// deleted, keeps the record the correction saved again, and an older
// update is still superseded only where the correction is up; a Prune of
// everything leaves nothing of either, and the older update is posted
// everywhere.
func TestPruneKeepsCorrectionsInTheRecord(t *testing.T) {
	for _, tt := range []struct {
		name   string
		cutoff string // "between": after the Send of d, before its correction; "all": after everything
		want   map[string]bool
	}{
		{"between", "between", map[string]bool{"eu": false, "us": true, "ap": true}},
		{"all", "all", map[string]bool{"eu": true, "us": true, "ap": true}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			s := broadcast.NewMemoryStore()
			x := &regions{name: "x", regions: []string{"eu", "us", "ap"}, undeletable: map[string]error{}}
			b := newBroadcaster(t, broadcast.Options{Store: s, Retry: broadcast.RetryPolicy{MaxAttempts: 1}}, x)
			t0 := sendNewerD(t, b)
			between := time.Now()
			correctD(t, b)
			retractC1ButOnEU(t, b, x)
			_, err := b.Retract(ctx, "d")
			require.NoError(t, err)

			cutoff := between
			if tt.cutoff == "all" {
				cutoff = time.Now()
			}
			_, err = s.Prune(ctx, cutoff)
			require.NoError(t, err)
			_, kept, err := s.Receipt(ctx, "\x00fanned out\x00inc", "x")
			require.NoError(t, err)
			assert.Equal(t, tt.cutoff != "all", kept, "the record of the updates that reached targets of x kept")
			if tt.cutoff == "all" {
				n, err := s.Prune(ctx, time.Now())
				require.NoError(t, err)
				assert.Zero(t, n, "a second Prune of everything removes nothing: the first left nothing")
			}

			older := validUpdate()
			older.ID, older.IncidentID, older.Time = "b", "inc", t0
			rep, err := b.Send(ctx, older)
			require.NoError(t, err)
			for _, r := range x.regions {
				assert.Equal(t, tt.want[r], slices.Contains(x.postedTo(r), "b"), "b posted on %s: %+v", r, rep.Results[0])
			}
		})
	}
}
