package broadcast_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// sharedTargetsError is a channel that returns one *TargetsError value,
// made once, from every failed Retract and every failed Send.
type sharedTargetsError struct {
	te   *broadcast.TargetsError
	fail bool // Send fails too
}

func (c *sharedTargetsError) Name() string { return "shared" }

func (c *sharedTargetsError) Send(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	if c.fail {
		return broadcast.Receipt{}, c.te
	}
	return broadcast.Receipt{ID: "post-" + m.Update.ID}, nil
}

func (c *sharedTargetsError) Retract(context.Context, broadcast.Receipt) error { return c.te }

// A Retract's error counts the posts not deleted, without writing to the
// *TargetsError the channel returned: a channel may return one value from
// several calls, and its Send's error then said "post not deleted" of an
// update not delivered (and two calls at once raced on it).
func TestRetractLeavesTheChannelsTargetsErrorAlone(t *testing.T) {
	ctx := context.Background()
	ch := &sharedTargetsError{te: &broadcast.TargetsError{Total: 2,
		Pending: []broadcast.TargetFailure{{Target: "us", Err: errors.New("503 Service Unavailable")}}}}
	b, rep, err := sendThenRetract(t, ch)
	require.Error(t, err)
	const notDeleted = "post not deleted on 1 of 2 targets (1 pending, 0 failed permanently): us: 503 Service Unavailable"
	assert.EqualError(t, rep.Results[0].Err, notDeleted)
	var te *broadcast.TargetsError
	require.ErrorAs(t, rep.Results[0].Err, &te)
	assert.EqualError(t, te, notDeleted, "errors.As finds the count of posts not deleted")

	const notDelivered = "1 of 2 targets not delivered (1 pending, 0 failed permanently): us: 503 Service Unavailable"
	assert.EqualError(t, ch.te, notDelivered, "the channel's own error is left as it was")
	ch.fail = true
	next := validUpdate()
	next.ID = "next"
	rep, err = b.Send(ctx, next)
	require.Error(t, err)
	assert.EqualError(t, rep.Results[0].Err, notDelivered)
}

// A channel that wraps its *TargetsError keeps its words around it: only
// the count is of posts not deleted.
func TestRetractOfWrappedTargetsErrorKeepsTheChannelsWords(t *testing.T) {
	te := &broadcast.TargetsError{Total: 2,
		Failures: []broadcast.TargetFailure{{Target: "us", Err: broadcast.Permanent(errors.New("403 Forbidden"))}}}
	ch := &wrappedRetractError{sharedTargetsError{te: te}}
	_, rep, err := sendThenRetract(t, ch)
	require.Error(t, err)
	assert.EqualError(t, rep.Results[0].Err,
		"shared: delete: post not deleted on 1 of 2 targets (0 pending, 1 failed permanently): us: 403 Forbidden")
	assert.True(t, broadcast.IsPermanent(rep.Results[0].Err))
	assert.EqualError(t, te, "1 of 2 targets not delivered (0 pending, 1 failed permanently): us: 403 Forbidden")
}

type wrappedRetractError struct{ sharedTargetsError }

func (c *wrappedRetractError) Retract(context.Context, broadcast.Receipt) error {
	return broadcast.Permanent(fmt.Errorf("shared: delete: %w", c.te))
}

// sendThenRetract sends an update, "wrong", to ch, a Broadcaster's one
// channel, with one attempt each, and retracts it.
func sendThenRetract(t *testing.T, ch broadcast.Channel) (*broadcast.Broadcaster, *broadcast.Report, error) {
	t.Helper()
	ctx := context.Background()
	b := newBroadcaster(t, broadcast.Options{Retry: broadcast.RetryPolicy{MaxAttempts: 1}}, ch)
	u := validUpdate()
	u.ID = "wrong"
	_, err := b.Send(ctx, u)
	require.NoError(t, err)
	rep, err := b.Retract(ctx, "wrong")
	return b, rep, err
}
