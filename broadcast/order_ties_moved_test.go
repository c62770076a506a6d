package broadcast_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// d and a have one Time, and d was first sent first (x refused it): a is
// the newer. c2, a correction of the older c posted after c1 (of a), took
// c1's Time and a nanosecond; once c1 is retracted, c2 comes right after
// a, at a's Time, while a is up. d, sent again, is older than a and is
// Superseded, as it was before c1 went. The walk back from c2 that finds
// the update whose place it has stopped at the retracted c1, where c2's
// place now had passed over it to a: d was posted after a, still up (seed
// 1914 of TestEqualTimesRandomSequences).
func TestOlderNotPostedAfterNewerOnceACorrectionMovedBackToIt(t *testing.T) {
	for _, jobs := range []bool{false, true} {
		t.Run(map[bool]string{false: "calls", true: "jobs"}[jobs], func(t *testing.T) {
			ctx := context.Background()
			x := &tieChannel{}
			b := newBroadcaster(t, broadcast.Options{}, tieRetractor{x})
			t0 := time.Now().Add(-time.Hour).UTC().Round(0)
			at := func(id string, d time.Duration) broadcast.Update {
				u := validUpdate()
				u.ID, u.IncidentID, u.Time = id, "inc", t0.Add(d)
				return u
			}
			run := func(kind broadcast.JobKind, u broadcast.Update, original string) broadcast.Result {
				t.Helper()
				r, err := tieRun(ctx, b, jobs, kind, u, original)
				if kind != broadcast.JobSend || r.Channel == "" {
					require.NoError(t, err)
				}
				return r
			}
			correction := func(id string) broadcast.Update {
				u := validUpdate()
				u.ID, u.IncidentID, u.Body = id, "inc", "Corrected."
				return u
			}
			x.fail.Store("d", true)
			require.Error(t, run(broadcast.JobSend, at("d", time.Minute), "").Err, "x refuses d")
			x.fail.Delete("d")
			for _, u := range []broadcast.Update{at("c", 0), at("e", 0), at("a", time.Minute)} {
				r := run(broadcast.JobSend, u, "")
				require.NoError(t, r.Err, u.ID)
				require.False(t, r.Superseded, u.ID)
			}
			require.NoError(t, run(broadcast.JobCorrect, correction("c1"), "a").Err)
			require.NoError(t, run(broadcast.JobCorrect, correction("c2"), "c").Err)
			require.True(t, run(broadcast.JobSend, at("d", time.Minute), "").Superseded, "before c1 is retracted")
			require.NoError(t, run(broadcast.JobRetract, broadcast.Update{}, "c1").Err)
			require.True(t, run(broadcast.JobSend, at("d", time.Minute), "").Superseded, "a, newer than d, is up")
			x.mu.Lock()
			defer x.mu.Unlock()
			require.Equal(t, []string{"c", "e", "a", "c1", "c2"}, x.posted)
		})
	}
}
