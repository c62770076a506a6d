package broadcast_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A Prune whose cutoff lies between two corrections of a chain, after a
// partial Retract of its first update, keeps what the chain's newest
// needs to refuse the targets where the Retract deleted the post: a
// Correct of it, three links down, still refuses them.
func TestPruneKeepsLongChainOfPartlyDeleted(t *testing.T) {
	for storeName, open := range partlyStores() {
		t.Run(storeName, func(t *testing.T) {
			ctx := context.Background()
			ch := usKeepsPosts()
			store := open(t).(pruner)
			b := newBroadcaster(t, broadcast.Options{Store: store, Retry: broadcast.RetryPolicy{MaxAttempts: 1}}, ch)
			u := sendAndRetractPartly(ctx, t, b)

			correct := func(original, id string) broadcast.Result {
				fix := u
				fix.ID, fix.Body = id, "We are investigating elevated error rates ("+id+")."
				rep, err := b.Correct(ctx, original, fix)
				require.NotNil(t, rep, "%v", err)
				return rep.Results[0]
			}
			require.ElementsMatch(t, []string{"eu", "ap"}, refusedTargets(t, correct("wrong", "fix")))
			cutoff := pastCutoff()
			require.ElementsMatch(t, []string{"eu", "ap"}, refusedTargets(t, correct("fix", "fix2")))
			_, err := store.Prune(ctx, cutoff)
			require.NoError(t, err)

			res := correct("fix2", "fix3")
			assert.ErrorIs(t, res.Err, broadcast.ErrRetracted, "eu and ap refuse it")
			assert.ElementsMatch(t, []string{"eu", "ap"}, refusedTargets(t, res))
			for _, r := range []string{"eu", "ap"} {
				assert.Equal(t, []string{"wrong"}, ch.postedTo(r), "%s: nothing posted where the post was deleted", r)
			}
			assert.Equal(t, []string{"wrong", "fix", "fix2", "fix3"}, ch.postedTo("us"))
		})
	}
}
