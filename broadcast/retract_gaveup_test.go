package broadcast_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// stalling is a channel whose first Send blocks until release is closed
// and then fails with firstErr (nil: it posts); later Sends post.
type stalling struct {
	script
	calls       atomic.Int32
	in, release chan struct{}
	firstErr    error
}

func (s *stalling) Send(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	if s.calls.Add(1) == 1 {
		close(s.in)
		<-s.release
		if s.firstErr != nil {
			return broadcast.Receipt{}, s.firstErr
		}
	}
	return s.script.Send(ctx, m)
}

func (s *stalling) Retract(context.Context, broadcast.Receipt) error { return nil }

// A Retract whose context ends while it waits for the attempt under way
// of its update's delivery retracted nothing (ErrBusy: not tried): that
// delivery goes on, retries and posts, rather than stop as retracted
// (ErrRetracted) though nothing in the Store keeps a later Send from
// posting the update and RetractedOn names no channel. A Retract again
// once it is posted deletes it.
func TestRetractThatGaveUpStopsNothing(t *testing.T) {
	ch := &stalling{script: script{name: "x"}, in: make(chan struct{}), release: make(chan struct{}), firstErr: errFlaky}
	b := newBroadcaster(t, broadcast.Options{}, ch)
	u := validUpdate()
	u.ID = "stalled"
	type sent struct {
		rep *broadcast.Report
		err error
	}
	done := make(chan sent, 1)
	go func() { rep, err := b.Send(context.Background(), u); done <- sent{rep, err} }()
	<-ch.in
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err := b.Retract(ctx, "stalled")
	require.ErrorIs(t, err, broadcast.ErrBusy)
	close(ch.release)
	s := <-done
	require.NoError(t, s.err)
	assert.Equal(t, 2, s.rep.Results[0].Attempts)
	assert.NotZero(t, s.rep.Results[0].Receipt)

	rep, err := b.Retract(context.Background(), "stalled")
	require.NoError(t, err)
	assert.False(t, rep.Results[0].Skipped)
	on, err := b.RetractedOn(context.Background(), "stalled")
	require.NoError(t, err)
	assert.Equal(t, []string{"x"}, on)
}
