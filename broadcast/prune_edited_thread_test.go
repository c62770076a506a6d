package broadcast_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A Prune between an incident's latest update and an in-place correction
// of an earlier one, which the platform made a new version (X), keeps the
// incident's thread: the next update replies to the latest post. The
// original's receipt, saved again outside the thread with the new version,
// no longer kept the thread, and the latest update's marks were not made
// again, so the thread was pruned and the next update started a new one.
func TestPruneKeepsThreadOfEditedEarlierPost(t *testing.T) {
	ctx := context.Background()
	ch := &versioned{}
	store := broadcast.NewMemoryStore()
	b := newBroadcaster(t, broadcast.Options{Store: store}, ch)
	first := sendStatus(t, b, validUpdate().Status, validUpdate().Body)
	sendStatus(t, b, broadcast.StatusIdentified, "A bad deploy.")
	cutoff := pastCutoff()
	corr := correctBody(t, b, first.UpdateID, "Fixed: the EU region.")
	require.Equal(t, "v3", corr.Results[0].Receipt.ID)
	_, err := store.Prune(ctx, cutoff)
	require.NoError(t, err)
	sendStatus(t, b, broadcast.StatusMonitoring, "Rolled back.")

	ch.mu.Lock()
	defer ch.mu.Unlock()
	assert.Equal(t, []string{"", "v1", "v2"}, ch.replies, "the third update replies to the second")
}
