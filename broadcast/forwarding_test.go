package broadcast_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// forwarding is a middleware written once for every channel: it
// intercepts Edit, Retract and Preview (to log them, say), calls the
// channel's own, and answers ErrNotSupported where the channel has none.
type forwarding struct{ broadcast.Channel }

func (f forwarding) Unwrap() broadcast.Channel { return f.Channel }

func (f forwarding) Edit(ctx context.Context, m broadcast.Message, prev broadcast.Receipt) (broadcast.Receipt, error) {
	if ed, ok := broadcast.As[broadcast.Editor](f.Channel); ok {
		return ed.Edit(ctx, m, prev)
	}
	return broadcast.Receipt{}, broadcast.ErrNotSupported
}

func (f forwarding) Retract(ctx context.Context, prev broadcast.Receipt) error {
	if rt, ok := broadcast.As[broadcast.Retractor](f.Channel); ok {
		return rt.Retract(ctx, prev)
	}
	return broadcast.ErrNotSupported
}

func (f forwarding) Preview(u broadcast.Update) (broadcast.Preview, error) {
	if p, ok := broadcast.As[broadcast.Previewer](f.Channel); ok {
		return p.Preview(u)
	}
	return broadcast.Preview{}, broadcast.ErrNotSupported
}

// A channel whose optional method answers ErrNotSupported (a middleware
// around a channel that lacks it, or a platform that cannot in the
// channel's configuration) is treated as one without the method: Correct
// posts the correction anew, Retract fails for good at once, and Preview
// leaves the channel out. Before, the correction was retried as a
// transient failure and never posted, the retraction retried to the end
// of the policy, and the preview named as a failure.
func TestErrNotSupportedFromOptionalMethodIsTheMethodMissing(t *testing.T) {
	inner := &script{name: "irc"}
	b := newBroadcaster(t, broadcast.Options{}, forwarding{inner})
	ctx := context.Background()
	rep, err := b.Send(ctx, validUpdate())
	require.NoError(t, err)

	fixed := validUpdate()
	fixed.ID, fixed.Body = "", "Fixed."
	corr, err := b.Correct(ctx, rep.UpdateID, fixed)
	require.NoError(t, err)
	res := corr.Results[0]
	assert.NoError(t, res.Err, "the correction is posted anew, as on a channel that cannot edit")
	assert.False(t, res.Edited)
	assert.Equal(t, 2, inner.count())
	assert.Equal(t, 1, res.Attempts)

	ret, err := b.Retract(ctx, rep.UpdateID)
	assert.ErrorIs(t, err, broadcast.ErrNotSupported, "the post is still out there")
	require.NotNil(t, ret)
	res = ret.Results[0]
	assert.ErrorIs(t, res.Err, broadcast.ErrNotSupported)
	assert.True(t, broadcast.IsPermanent(res.Err), "not retried: %v", res.Err)
	assert.Equal(t, 1, res.Attempts)

	pv, err := b.Preview(validUpdate())
	assert.NoError(t, err, "no preview failed")
	assert.Empty(t, pv)
}
