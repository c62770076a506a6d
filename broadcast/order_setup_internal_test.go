package broadcast

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// orderBroadcaster returns a Broadcaster on ch alone made with opts,
// closed when the test ends: the set-up of the internal tests of the
// order of updates.
func orderBroadcaster(t *testing.T, ch Channel, opts Options) *Broadcaster {
	t.Helper()
	b, err := New([]Channel{ch}, opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })
	return b
}

// tieBroadcaster returns an orderBroadcaster on ch that makes one attempt
// per Send and keeps its records in store.
func tieBroadcaster(t *testing.T, store Store, ch Channel) *Broadcaster {
	t.Helper()
	return orderBroadcaster(t, ch, Options{Store: store, Retry: RetryPolicy{MaxAttempts: 1}})
}

// sharingBroadcasters returns instances orderBroadcasters on ch that make
// one attempt per Send and share store, read through yieldingStore, and,
// when there is more than one, its Lock.
func sharingBroadcasters(t *testing.T, ch Channel, store *MemoryStore, instances int) []*Broadcaster {
	t.Helper()
	opts := Options{Store: yieldingStore{store}, Retry: RetryPolicy{MaxAttempts: 1}}
	if instances > 1 {
		opts.Lock = store.Lock
	}
	var bs []*Broadcaster
	for range instances {
		bs = append(bs, orderBroadcaster(t, ch, opts))
	}
	return bs
}

// tieT0 is the Time the updates of these tests are sent at, or after.
var tieT0 = time.Date(2025, 1, 1, 10, 0, 0, 0, time.UTC)

// incUpdate returns update id of incident "inc", investigating CDN
// errors, of Time at.
func incUpdate(id string, at time.Time) Update {
	return Update{ID: id, IncidentID: "inc", Title: "CDN errors", Status: StatusInvestigating, Time: at}
}

// tieUpdates returns updates u1, investigating, and u2, identified, of
// one Time.
func tieUpdates() (u1, u2 Update) {
	u1 = incUpdate("u1", tieT0)
	u2 = u1
	u2.ID, u2.Status = "u2", StatusIdentified
	return u1, u2
}
