package broadcast_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// handTargets is an Editor that builds its TargetsError by hand, as a
// channel not using a Fanout may: its room ap is pending with no error.
// Edit reaches us, finds eu's post gone, and leaves ap pending the first
// time; Send records the rooms it posts to.
type handTargets struct {
	edits  int
	posted []string
}

func (*handTargets) Name() string { return "chat" }

func (h *handTargets) Send(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	f := broadcast.NewFanout(m, []string{"us", "eu", "ap"})
	for _, i := range f.Todo() {
		h.posted = append(h.posted, []string{"us", "eu", "ap"}[i])
		f.Report(i, nil)
	}
	return broadcast.Receipt{ID: fmt.Sprint(len(h.posted))}, f.Err()
}

func (h *handTargets) Edit(_ context.Context, m broadcast.Message, prev broadcast.Receipt) (broadcast.Receipt, error) {
	h.edits++
	if h.edits > 1 {
		_ = m.Ledger.MarkDelivered("ap")
		return prev, nil
	}
	_ = m.Ledger.MarkDelivered("us")
	return prev, &broadcast.TargetsError{Total: 3, Pending: []broadcast.TargetFailure{
		{Target: "eu", Err: broadcast.Permanent(fmt.Errorf("404: %w", broadcast.ErrPostGone))},
		{Target: "ap"}, // pending, no error given
	}}
}

// A target an Edit leaves pending without an error is held back from the
// Send that posts the correction anew to the targets whose post is gone,
// as one with an error is: its edit is retried, and it does not get the
// correction twice.
func TestPostAnewHoldsBackAPendingTargetWithoutAnError(t *testing.T) {
	ch := &handTargets{}
	b := newBroadcaster(t, quickRetry(3), ch)
	ctx := context.Background()
	u := validUpdate()
	u.ID = "wrong"
	_, err := b.Send(ctx, u)
	require.NoError(t, err)

	fixed := validUpdate()
	fixed.ID, fixed.Body = "fixed", "The CDN in Europe is fine."
	_, err = b.Correct(ctx, "wrong", fixed)
	require.NoError(t, err)
	assert.Equal(t, []string{"us", "eu", "ap", "eu"}, ch.posted, "ap's edit is retried, not posted anew")
	assert.Equal(t, 2, ch.edits)
}
