package broadcast_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A fan-out to no target at all (a channel whose subscriber list is
// empty) reached nobody: its attempt fails for good, saying so, rather
// than report the channel delivered. Before, Err was nil, and the Result
// said delivered.
func TestFanoutWithNoTargetIsAnError(t *testing.T) {
	for name, targets := range map[string][]string{"nil": nil, "empty": {}} {
		t.Run(name, func(t *testing.T) {
			calls := 0
			ch := broadcast.ChannelFunc("subscribers", func(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
				calls++
				f := broadcast.NewFanout(m, targets)
				assert.Empty(t, f.Todo())
				assert.False(t, f.Reached())
				return broadcast.Receipt{}, f.Err()
			})
			b := newBroadcaster(t, broadcast.Options{}, ch)
			rep, err := b.Send(context.Background(), validUpdate())
			require.Error(t, err)
			r := rep.Results[0]
			require.Error(t, r.Err, "not delivered")
			assert.True(t, broadcast.IsPermanent(r.Err), "not retried: %v", r.Err)
			assert.Contains(t, r.Err.Error(), "no targets")
			assert.Equal(t, 1, calls)

			// Without a Ledger (a Retractor's fan-out) too.
			err = broadcast.NewFanout(broadcast.Message{}, targets).Err()
			assert.True(t, broadcast.IsPermanent(err), "%v", err)
		})
	}
}
