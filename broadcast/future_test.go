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

// A NextUpdate more than MaxNextUpdateAhead after the update (a date or a
// duration mistyped: +1000000h, in 2140) would be posted as a promise on
// every channel: Validate refuses it after a Time given, and Send and
// Preview ahead of the clock when Time is zero. Up to the bound passes,
// and an update that closes the incident promises none (Clean drops it).
func TestNextUpdateFarAheadRefused(t *testing.T) {
	u := validUpdate()
	u.Time = time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)
	u.NextUpdate = u.Time.Add(broadcast.MaxNextUpdateAhead)
	require.NoError(t, u.Validate(), "at the bound")
	u.NextUpdate = u.Time.Add(1000000 * time.Hour)
	assert.EqualError(t, u.Validate(), "broadcast: invalid update: NextUpdate: 2140-12-29T02:00:00Z, more than 90 days "+
		"after the update's Time (2026-11-30T10:00:00Z), the furthest a next update may be promised: a date or a duration mistyped?")
	u.Status = broadcast.StatusResolved
	assert.NoError(t, u.Validate(), "a resolved update promises none")

	var calls atomic.Int32
	ch := broadcast.ChannelFunc("x", func(context.Context, broadcast.Message) (broadcast.Receipt, error) {
		calls.Add(1)
		return broadcast.Receipt{ID: "1"}, nil
	})
	b, err := broadcast.New([]broadcast.Channel{ch}, broadcast.Options{})
	require.NoError(t, err)
	defer b.Close()
	u = validUpdate()
	u.Time, u.NextUpdate = time.Time{}, time.Now().Add(broadcast.MaxNextUpdateAhead+time.Hour)
	require.NoError(t, u.Validate(), "no Time to measure from")
	rep, err := b.Send(context.Background(), u)
	require.ErrorIs(t, err, broadcast.ErrInvalidUpdate)
	assert.Nil(t, rep)
	assert.Contains(t, err.Error(), "NextUpdate: ")
	assert.Contains(t, err.Error(), "more than 90 days ahead of this machine's clock")
	_, err = b.Preview(u)
	require.ErrorIs(t, err, broadcast.ErrInvalidUpdate)
	assert.Zero(t, calls.Load(), "nothing sent")

	u.NextUpdate = time.Now().Add(broadcast.MaxNextUpdateAhead - time.Hour)
	_, err = b.Send(context.Background(), u)
	require.NoError(t, err)
}

// A Time or NextUpdate too far ahead of the clock is named with the
// update's other faults, in one error, not only once they are mended:
// a caller (an HTTP API's client) learns every field to fix at once.
func TestClockFaultsNamedWithTheOthers(t *testing.T) {
	b, err := broadcast.New([]broadcast.Channel{broadcast.ChannelFunc("x",
		func(context.Context, broadcast.Message) (broadcast.Receipt, error) { return broadcast.Receipt{}, nil })},
		broadcast.Options{})
	require.NoError(t, err)
	defer b.Close()

	u := validUpdate()
	u.Status, u.Time = "investgating", time.Now().Add(time.Hour)
	_, err = b.Send(context.Background(), u)
	require.ErrorIs(t, err, broadcast.ErrInvalidUpdate)
	assert.Contains(t, err.Error(), "Status: unknown value")
	assert.Contains(t, err.Error(), "Time: ")
	assert.Contains(t, err.Error(), "ahead of this machine's clock")

	u = validUpdate()
	u.Title, u.Time, u.NextUpdate = "", time.Time{}, time.Now().Add(broadcast.MaxNextUpdateAhead+time.Hour)
	_, err = b.Preview(u)
	require.ErrorIs(t, err, broadcast.ErrInvalidUpdate)
	var fe *broadcast.FieldError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "Title", fe.Field)
	assert.Contains(t, err.Error(), "NextUpdate: ")
	assert.Contains(t, err.Error(), "more than 90 days ahead of this machine's clock")
}
