package broadcast

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// An older update waiting for a retraction under way on another instance
// looks at the Store once more when RetryPolicy.MaxElapsed runs out. Before,
// it gave up as soon as the backoff's next wait would pass MaxElapsed: with
// waits longer than what was left, at once, though the retraction ended
// well within MaxElapsed.
func TestRetractionWaitLooksAgainAtMaxElapsed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := &platform{deleting: func(int) error { return nil }}
		shared := NewMemoryStore()
		opts := Options{Store: shared, Lock: shared.Lock,
			Retry: RetryPolicy{InitialInterval: time.Hour, MaxInterval: time.Hour, MaxElapsed: 3 * time.Second}}
		b1, err := New([]Channel{view{p}}, opts)
		require.NoError(t, err)
		defer b1.Close()
		b2, err := New([]Channel{view{p}}, opts)
		require.NoError(t, err)
		defer b2.Close()
		ctx := context.Background()
		base := time.Now().Add(-time.Hour).UTC()
		_, err = b1.Send(ctx, Update{ID: "newer", IncidentID: "cdn", Title: "CDN errors",
			Status: StatusIdentified, Time: base.Add(time.Minute)})
		require.NoError(t, err)
		// The Retract of "newer" under way elsewhere, for one second more.
		require.NoError(t, shared.Mark(ctx, opRetract.markID("newer"), "x", retractingTarget,
			underWay(time.Now().Add(time.Second))))

		start := time.Now()
		rep, _ := b2.Send(ctx, Update{ID: "older", IncidentID: "cdn", Title: "CDN errors",
			Status: StatusInvestigating, Time: base})
		res := rep.Results[0]
		assert.NoError(t, res.Err, "the retraction ended within MaxElapsed")
		assert.True(t, res.Superseded, "the newer post is still up")
		assert.Equal(t, 3*time.Second, time.Since(start), "the last look, at MaxElapsed")
		assert.Equal(t, []string{"newer"}, p.posts())
	})
}
