package twitter

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// X refuses an update as a duplicate of another update's post made an
// hour before (not found among the update's posts): run 1 fails with
// ErrDuplicate, for good, nothing posted. A resend of the update (run 2)
// is a first attempt again, since run 1's was answered: the same refusal
// fails it again, rather than being taken for the lost answer of a post
// run 1 made, which would record a post that does not exist.
func TestResendAfterDuplicateRefusalIsNoDelivery(t *testing.T) {
	f := newFakeX(t, false)
	f.clock = func() time.Time { return fixedNow.Add(-time.Hour) }
	ch := newTestChannel(t, f)
	ch.now = func() time.Time { return fixedNow }
	old := testUpdate()
	old.ID = "old"
	_, err := ch.Send(context.Background(), broadcast.Message{Update: old, Attempt: 1})
	require.NoError(t, err)

	store := broadcast.NewMemoryStore()
	u := testUpdate()
	u.ID = "new"
	for run := 1; run <= 2; run++ {
		b, err := broadcast.New([]broadcast.Channel{ch}, broadcast.Options{Store: store,
			Retry: broadcast.RetryPolicy{InitialInterval: time.Millisecond, MaxInterval: time.Millisecond}})
		require.NoError(t, err)
		_, err = b.Send(context.Background(), u)
		_ = b.Close()
		assert.ErrorIs(t, err, ErrDuplicate, "run %d", run)
	}
	assert.Len(t, f.Received(), 1)
}
