package broadcast_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// fickleName is a channel whose Name answers once, for New, and panics
// after (a name read from a configuration reloaded since, a field of a
// pointer since set to nil), or, with rename, answers another name.
type fickleName struct {
	script
	rename string
	calls  atomic.Int64
}

func (f *fickleName) Name() string {
	if f.calls.Add(1) == 1 {
		return f.name
	}
	if f.rename != "" {
		return f.rename
	}
	panic("config reloaded: nil")
}

// The Broadcaster calls a channel's Name once, in New, which checks it:
// a Name that panics later does not panic every later call out of the
// caller's Send (nor RunJob, Jobs, Channels, ReachedOn, …), and one that
// changes does not move the channel's marks and receipts to another name,
// where a resend would not find them and would post again.
func TestChannelNameReadOnce(t *testing.T) {
	ctx := context.Background()
	t.Run("panics later", func(t *testing.T) {
		f := &fickleName{script: script{name: "f"}}
		b := newBroadcaster(t, broadcast.Options{}, &script{name: "a"}, f)
		assert.Equal(t, []string{"a", "f"}, b.Channels())
		u := validUpdate()
		rep, err := b.Send(ctx, u)
		require.NoError(t, err)
		assert.Equal(t, "f", rep.Results[1].Channel)
		assert.Equal(t, 1, f.count())
		reached, err := b.ReachedOn(ctx, rep.UpdateID)
		require.NoError(t, err)
		assert.Equal(t, []string{"a", "f"}, reached)
		jobs, err := b.Jobs(broadcast.JobSend, u, "")
		require.NoError(t, err)
		assert.Equal(t, "f", jobs[1].Channel)
		assert.NoError(t, b.RunJob(ctx, jobs[1], 1).Err)
		_, err = b.Retract(ctx, rep.UpdateID)
		assert.ErrorIs(t, err, broadcast.ErrNotSupported)
	})
	t.Run("renamed later", func(t *testing.T) {
		f := &fickleName{script: script{name: "f"}, rename: "g"}
		b := newBroadcaster(t, broadcast.Options{}, f)
		u := validUpdate()
		u.ID = "once"
		_, err := b.Send(ctx, u)
		require.NoError(t, err)
		rep, err := b.Send(ctx, u)
		require.NoError(t, err)
		assert.True(t, rep.Results[0].Skipped)
		assert.Equal(t, "f", rep.Results[0].Channel)
		assert.Equal(t, 1, f.count())
	})
}
