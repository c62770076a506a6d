package broadcast_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// goneRooms is a channel of two rooms on which every post of the original
// is gone, but the edit in "eu" first fails transiently (503) before it
// says so.
type goneRooms struct {
	mu     sync.Mutex
	posted []string
}

func (r *goneRooms) Name() string { return "chat" }

func (r *goneRooms) Send(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	f := broadcast.NewFanout(m, []string{"us", "eu"})
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, i := range f.Todo() {
		r.posted = append(r.posted, fmt.Sprint(i))
		f.Posted(i, broadcast.Receipt{ID: fmt.Sprint("p", len(r.posted)), Meta: map[string]string{fmt.Sprint(i): fmt.Sprint(len(r.posted))}})
	}
	return f.Receipt(), f.Err()
}

func (r *goneRooms) Edit(_ context.Context, m broadcast.Message, prev broadcast.Receipt) (broadcast.Receipt, error) {
	f := broadcast.NewFanout(m, []string{"us", "eu"})
	for _, i := range f.Todo() {
		if i == 1 && m.Attempt == 1 {
			f.Report(i, fmt.Errorf("503"))
			continue
		}
		f.Report(i, broadcast.Permanent(fmt.Errorf("404: %w", broadcast.ErrPostGone)))
	}
	return prev, f.Err()
}

// Result.Edited says a correction edited a post in place only when it did:
// a room posted anew in an earlier attempt (its post gone) is done, not
// edited. It read true when the other room said its post was gone on a
// retry, and the correction's receipt was then the original's deleted post.
func TestCorrectEditedOnlyWhereAPostWasEdited(t *testing.T) {
	ch := &goneRooms{}
	b := newBroadcaster(t, quickRetry(3), ch)
	ctx := context.Background()
	rep, err := b.Send(ctx, validUpdate())
	require.NoError(t, err)
	fixed := validUpdate()
	fixed.Body = "Fixed."
	corr, err := b.Correct(ctx, rep.UpdateID, fixed)
	require.NoError(t, err)
	assert.False(t, corr.Results[0].Edited, "no post was edited: every room got the correction anew")
	assert.Equal(t, []string{"0", "1", "0", "1"}, ch.posted, "the update, then the correction once in each room")
	assert.NotEqual(t, "p1", corr.Results[0].Receipt.ID, "the correction's own post, not the deleted original")
}
