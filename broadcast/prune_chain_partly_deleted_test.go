package broadcast_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A Prune whose cutoff lies after a partial Retract of an update and
// before a correction of it, on a channel that posts corrections in the
// thread, keeps the marks of the targets where the Retract deleted the
// post, as it keeps the correction: a Correct of that correction still
// refuses those targets, rather than post the retracted update's
// correction where the operator deleted it.
func TestPruneKeepsPartlyDeletedMarksOfCorrectionChain(t *testing.T) {
	for storeName, open := range partlyStores() {
		t.Run(storeName, func(t *testing.T) {
			ctx := context.Background()
			ch := usKeepsPosts()
			store := open(t).(pruner)
			b := newBroadcaster(t, broadcast.Options{Store: store, Retry: broadcast.RetryPolicy{MaxAttempts: 1}}, ch)
			u := sendAndRetractPartly(ctx, t, b)

			cutoff := pastCutoff()
			fix := u
			fix.ID, fix.Body = "fix", "We are investigating elevated error rates on the EU CDN."
			rep, _ := b.Correct(ctx, "wrong", fix)
			require.ElementsMatch(t, []string{"eu", "ap"}, refusedTargets(t, rep.Results[0]))
			_, err := store.Prune(ctx, cutoff)
			require.NoError(t, err)

			fix2 := u
			fix2.ID, fix2.Body = "fix2", "We are investigating elevated error rates on the US CDN."
			rep, _ = b.Correct(ctx, "fix", fix2)
			res := rep.Results[0]
			assert.ErrorIs(t, res.Err, broadcast.ErrRetracted, "eu and ap refuse it")
			assert.ElementsMatch(t, []string{"eu", "ap"}, refusedTargets(t, res))
			for _, r := range []string{"eu", "ap"} {
				assert.Equal(t, []string{"wrong"}, ch.postedTo(r), "%s: nothing posted where the post was deleted", r)
			}
			assert.Equal(t, []string{"wrong", "fix", "fix2"}, ch.postedTo("us"))
		})
	}
}
