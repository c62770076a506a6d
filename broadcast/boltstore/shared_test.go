package boltstore_test

import (
	"context"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/broadcast/boltstore"
)

// Two Broadcasters of one process sharing a Store, each given its Lock,
// deliver an update sent by both at once exactly once per channel. Before,
// the Store had no Lock to give: each Broadcaster kept only its own Sends
// apart, and both posted the update on every channel.
func TestBroadcastersSharingAStoreDeliverOnce(t *testing.T) {
	store, err := boltstore.Open(filepath.Join(t.TempDir(), "outagecast.db"), nil)
	require.NoError(t, err)
	t.Cleanup(func() { _ = store.Close() })
	names := []string{"x", "email", "slack"}
	var sent [3]atomic.Int32
	channels := func() []broadcast.Channel {
		chs := make([]broadcast.Channel, len(names))
		for i, name := range names {
			chs[i] = broadcast.ChannelFunc(name, func(ctx context.Context, _ broadcast.Message) (broadcast.Receipt, error) {
				sent[i].Add(1)
				// Long enough for the other Broadcaster's attempt to
				// start meanwhile; the outcome does not depend on it.
				select {
				case <-time.After(2 * time.Millisecond):
				case <-ctx.Done():
					return broadcast.Receipt{}, ctx.Err()
				}
				return broadcast.Receipt{ID: name + "-1"}, nil
			})
		}
		return chs
	}
	var bs []*broadcast.Broadcaster
	for range 2 {
		b, err := broadcast.New(channels(), broadcast.Options{Store: store, Lock: store.Lock})
		require.NoError(t, err)
		t.Cleanup(func() { _ = b.Close() })
		bs = append(bs, b)
	}
	u := broadcast.Update{ID: "cdn-42-1", IncidentID: "cdn-42", Title: "Elevated CDN errors", Status: broadcast.StatusInvestigating}
	var wg sync.WaitGroup
	for range 10 {
		for _, b := range bs {
			wg.Go(func() {
				_, err := b.Send(context.Background(), u)
				assert.NoError(t, err)
			})
		}
	}
	wg.Wait()
	for i, name := range names {
		assert.Equal(t, int32(1), sent[i].Load(), "deliveries on %s", name)
	}
}
