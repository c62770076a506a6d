package broadcast

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A retraction's record that it is under way counts until a time past
// now whatever the durations it adds up: a RetryPolicy.MaxElapsed of
// math.MaxInt64 ("no limit") plus AttemptTimeout, and an end given by
// WithJobEnd far ahead, once made a record that had ended before it was
// written (the sum wrapped negative; a year past 9999 does not parse),
// and an older update of the incident was Superseded, and left unposted,
// while the retraction was still retried.
func TestRetractionUnderWayWithFarTimes(t *testing.T) {
	for name, c := range map[string]struct {
		maxElapsed time.Duration
		end        time.Time
	}{
		"MaxElapsed math.MaxInt64": {maxElapsed: math.MaxInt64},
		"WithJobEnd year 9999":     {maxElapsed: time.Minute, end: time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)},
	} {
		t.Run(name, func(t *testing.T) {
			p := &platform{deleting: func(int) error { return errors.New("503 service unavailable") }}
			shared := NewMemoryStore()
			opts := Options{Store: shared, Lock: shared.Lock, AttemptTimeout: time.Minute,
				Retry: RetryPolicy{MaxAttempts: 1, MaxElapsed: c.maxElapsed}}
			b1, err := New([]Channel{view{p}}, opts)
			require.NoError(t, err)
			defer b1.Close()
			b2, err := New([]Channel{view{p}}, opts)
			require.NoError(t, err)
			defer b2.Close()
			ctx := context.Background()
			base := time.Now().Add(-time.Hour).UTC()
			newer, err := b1.Jobs(JobSend, Update{ID: "newer", IncidentID: "cdn", Title: "CDN errors",
				Status: StatusIdentified, Time: base.Add(time.Minute)}, "")
			require.NoError(t, err)
			require.NoError(t, b1.RunJob(ctx, newer[0], 1).Err)
			rs, err := b1.Jobs(JobRetract, Update{}, "newer")
			require.NoError(t, err)
			rctx := ctx
			if !c.end.IsZero() {
				rctx = WithJobEnd(ctx, c.end)
			}
			require.Error(t, b1.RunJob(rctx, rs[0], 1).Err, "the deletion is to be retried")

			under, err := b2.retractionUnderWay(ctx, "newer", "x")
			require.NoError(t, err)
			assert.True(t, under, "the record written counts")
			older, err := b2.Jobs(JobSend, Update{ID: "older", IncidentID: "cdn", Title: "CDN errors",
				Status: StatusInvestigating, Time: base}, "")
			require.NoError(t, err)
			waits(t, b2.RunJob(ctx, older[0], 1), "while the retraction is retried")
		})
	}
}
