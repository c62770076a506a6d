package broadcast_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A Prune after a later delivery of the incident that keeps its thread
// (an in-place correction, of the update itself or of a later one) keeps
// the record of the targets where a Retract of an in-place correction
// deleted the post it shares with its original, as it keeps the
// original's receipt: a Correct of the original after the Prune still
// finds its post, and must still refuse the targets where it was
// deleted, rather than post the retracted update anew there.
func TestPruneKeepsPartlyDeletedMarksOfSharedPost(t *testing.T) {
	for storeName, open := range partlyStores() {
		for _, later := range []bool{false, true} {
			name := storeName + "/" + map[bool]string{false: "correct-again", true: "later-update"}[later]
			t.Run(name, func(t *testing.T) {
				ctx := context.Background()
				ch := &goneRegions{regions{name: "chat", regions: []string{"eu", "us", "ap"}}}
				store := open(t).(pruner)
				b := newBroadcaster(t, broadcast.Options{Store: store, Retry: broadcast.RetryPolicy{MaxAttempts: 1}}, ch)
				u := validUpdate()
				u.ID, u.IncidentID = "wrong", "inc"
				u.Time = time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)
				retractInPlaceCorrectionPartly(t, b, ch, u)

				cutoff := pastCutoff()
				if later {
					next := u
					next.ID, next.Time = "next", u.Time.Add(time.Minute)
					_, err := b.Send(ctx, next)
					require.NoError(t, err)
					nextFix := next
					nextFix.ID, nextFix.Body = "next-fix", "Fixed."
					rep, err := b.Correct(ctx, "next", nextFix)
					require.NoError(t, err)
					require.True(t, rep.Results[0].Edited)
				} else {
					again := u
					again.ID, again.Body = "fix-again", "We are investigating elevated error rates on the EU and US CDN."
					rep, _ := b.Correct(ctx, "wrong", again)
					require.True(t, rep.Results[0].Edited, "us's post edited")
				}
				_, err := store.Prune(ctx, cutoff)
				require.NoError(t, err)

				last := u
				last.ID, last.Body = "fix-last", "We are investigating elevated error rates on the US CDN."
				rep, _ := b.Correct(ctx, "wrong", last)
				res := rep.Results[0]
				assert.ErrorIs(t, res.Err, broadcast.ErrRetracted, "eu and ap refuse it")
				assert.ElementsMatch(t, []string{"eu", "ap"}, refusedTargets(t, res))
				assert.True(t, res.Edited, "us's post edited")
				for _, r := range []string{"eu", "ap"} {
					assert.NotContains(t, ch.postedTo(r), "fix-last", "%s: nothing posted anew where the post was deleted", r)
				}
			})
		}
	}
}
