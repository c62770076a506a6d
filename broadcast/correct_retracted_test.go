package broadcast_test

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// deleter can delete its posts, not edit them.
type deleter struct {
	script
	mu       sync.Mutex
	retracts []broadcast.Receipt
}

func (d *deleter) Retract(_ context.Context, prev broadcast.Receipt) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.retracts = append(d.retracts, prev)
	return nil
}

// A correction of an update that was retracted is refused on the channels
// where the retraction deleted its post, or kept it from being posted:
// there is nothing to correct, and "Correction: …" of a post no reader can
// see any more would only confuse them. A channel that could not delete
// the post (IRC) still gets the correction: its post is still out there.
func TestCorrectAfterRetractIsRefusedWhereRetracted(t *testing.T) {
	slack := &editable{script: script{name: "slack"}}
	chat := &deleter{script: script{name: "chat"}}
	irc := &script{name: "irc"}
	later := &deleter{script: script{name: "later", errs: []error{broadcast.Permanent(errFlaky)}}}
	b := newBroadcaster(t, broadcast.Options{}, slack, chat, irc, later)
	ctx := context.Background()
	rep, err := b.Send(ctx, validUpdate())
	require.Error(t, err, "later failed for good: it never posted the update")
	original := rep.UpdateID
	_, err = b.Retract(ctx, original)
	require.ErrorIs(t, err, broadcast.ErrNotSupported, "irc cannot delete")

	fix := validUpdate()
	fix.Body = "The US region is down."
	rep, err = b.Correct(ctx, original, fix)
	require.Error(t, err)
	assert.ErrorIs(t, err, broadcast.ErrRetracted)
	for _, i := range []int{0, 1, 3} {
		r := rep.Results[i]
		assert.ErrorIs(t, r.Err, broadcast.ErrRetracted, r.Channel)
		assert.ErrorContains(t, r.Err, original, r.Channel)
		assert.True(t, broadcast.IsPermanent(r.Err), "%s: nothing to retry", r.Channel)
		assert.Zero(t, r.Attempts, r.Channel)
	}
	assert.Empty(t, slack.edits, "no edit of the deleted post")
	assert.Equal(t, 1, slack.count(), "no correction posted anew")
	assert.Equal(t, 1, chat.count(), "no correction of the deleted post")
	assert.Equal(t, 1, later.count(), "no correction of an update kept from being posted")
	assert.NoError(t, rep.Results[2].Err)
	assert.Equal(t, 2, irc.count(), "IRC's post is still there: it gets the correction")
}
