package broadcast_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// lostMarks is a Store that, while failing is set, cannot write the marks
// that say a channel delivered an update.
type lostMarks struct {
	*broadcast.MemoryStore
	failing atomic.Bool
}

func (s *lostMarks) Mark(ctx context.Context, u, ch, target string, f error) error {
	if s.failing.Load() && target == "" && f == nil {
		return errors.New("disk full")
	}
	return s.MemoryStore.Mark(ctx, u, ch, target, f)
}

// An update whose receipt was saved but whose delivery mark was lost
// (ErrNotRecorded) is retracted from its receipt; a Send of it afterwards
// must not post it again.
func TestRetractedUpdateWithLostMarkIsNotSentAgain(t *testing.T) {
	s := &lostMarks{MemoryStore: broadcast.NewMemoryStore()}
	chat := &editable{script: script{name: "chat"}}
	b := newBroadcaster(t, broadcast.Options{Store: s}, chat)
	u := validUpdate()
	u.ID = "lost-mark"

	s.failing.Store(true)
	_, err := b.Send(context.Background(), u)
	require.ErrorIs(t, err, broadcast.ErrNotRecorded)
	s.failing.Store(false)

	_, err = b.Retract(context.Background(), "lost-mark")
	require.NoError(t, err)
	require.Len(t, chat.retracts, 1, "the post is deleted")

	rep, err := b.Send(context.Background(), u)
	require.Error(t, err, "the update was retracted")
	assert.ErrorContains(t, rep.Results[0].Err, "retracted")
	assert.Equal(t, 1, chat.count(), "the retracted update is not posted again")
}
