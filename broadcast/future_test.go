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

// An update whose Time is well ahead of the clock (a local time labelled
// UTC, a skewed clock) would be posted, and then every later update of its
// incident, older by its Time, would be Superseded on every channel with
// no error: Send, Correct, Jobs and Preview refuse it, naming Time. A few
// seconds ahead (another instance's clock) pass.
func TestTimeFarAheadRefused(t *testing.T) {
	var calls atomic.Int32
	ch := broadcast.ChannelFunc("x", func(context.Context, broadcast.Message) (broadcast.Receipt, error) {
		calls.Add(1)
		return broadcast.Receipt{ID: "1"}, nil
	})
	b, err := broadcast.New([]broadcast.Channel{ch}, broadcast.Options{})
	require.NoError(t, err)
	defer b.Close()
	ctx := context.Background()

	u := validUpdate()
	u.ID, u.Time = "soon", time.Now().Add(30*time.Second)
	_, err = b.Send(ctx, u)
	require.NoError(t, err, "within the tolerance")

	u.ID, u.Time = "later", time.Now().Add(time.Hour)
	rep, err := b.Send(ctx, u)
	require.ErrorIs(t, err, broadcast.ErrInvalidUpdate)
	assert.Nil(t, rep)
	assert.Contains(t, err.Error(), "Time: ")
	assert.Contains(t, err.Error(), "ahead of this machine's clock")

	_, err = b.Correct(ctx, "soon", u)
	require.ErrorIs(t, err, broadcast.ErrInvalidUpdate)
	assert.Contains(t, err.Error(), "Time: ")
	_, err = b.Jobs(broadcast.JobSend, u, "")
	require.ErrorIs(t, err, broadcast.ErrInvalidUpdate)
	_, err = b.Preview(u)
	require.ErrorIs(t, err, broadcast.ErrInvalidUpdate)
	assert.EqualValues(t, 1, calls.Load(), "only the first was sent")
}
