package broadcast_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// blocker is a channel whose Send of update "slow" blocks until its
// context ends; other updates are posted at once.
type blocker struct {
	script
	started chan struct{}
}

func (c *blocker) Send(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	if m.Update.ID == "slow" {
		close(c.started)
		<-ctx.Done()
		return broadcast.Receipt{}, ctx.Err()
	}
	return c.script.Send(ctx, m)
}

// While Close waits for a Send under way (a shutdown: the Send ends when
// its context does), a call made meanwhile fails at once with ErrClosed:
// it does not wait, without regard to its own context, for that Send to
// end and Close to return. An HTTP handler calling Send during a graceful
// shutdown would otherwise hang past its request's deadline.
func TestCallsDuringCloseFailAtOnce(t *testing.T) {
	c := &blocker{script: script{name: "c"}, started: make(chan struct{})}
	b, err := broadcast.New([]broadcast.Channel{c}, broadcast.Options{})
	require.NoError(t, err)
	slow := validUpdate()
	slow.ID = "slow"
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sent := make(chan error, 1)
	go func() { _, err := b.Send(ctx, slow); sent <- err }()
	<-c.started
	closed := make(chan error, 1)
	go func() { closed <- b.Close() }()

	other := make(chan error, 1)
	go func() {
		for {
			u := validUpdate()
			u.ID, u.IncidentID = "other", "another-incident"
			_, err := b.Send(context.Background(), u)
			if errors.Is(err, broadcast.ErrClosed) {
				other <- err
				return
			}
		}
	}()
	select {
	case err := <-other:
		assert.ErrorIs(t, err, broadcast.ErrClosed)
	case <-time.After(10 * time.Second):
		t.Error("a Send made while Close waited blocked until Close returned")
	}
	select {
	case <-closed:
		t.Error("Close returned before the Send under way ended")
	default:
	}
	cancel()
	assert.ErrorIs(t, <-sent, context.Canceled)
	assert.NoError(t, <-closed)
}
