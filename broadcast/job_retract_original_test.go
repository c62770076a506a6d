package broadcast_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A JobRetract whose Original names another update than its Update.ID (a
// Job built by hand, or decoded from another program's JSON, that took
// Original for the update to retract) is one Jobs never makes: RunJob
// fails it Permanent, naming Job.Original, and deletes nothing. Before,
// it deleted the post of Update.ID, which the caller may never have meant
// to retract, and ignored Original.
func TestJobRetractOriginalNotUpdateID(t *testing.T) {
	ctx := context.Background()
	chat := &deleter{script: script{name: "chat"}}
	b := newBroadcaster(t, broadcast.Options{}, chat)
	for _, id := range []string{"u1", "u2"} {
		u := validUpdate()
		u.ID, u.IncidentID = id, "i-"+id
		_, err := b.Send(ctx, u)
		require.NoError(t, err)
	}

	r := b.RunJob(ctx, broadcast.Job{Kind: broadcast.JobRetract, Original: "u1",
		Update: broadcast.Update{ID: "u2"}, Channel: "chat"}, 1)
	require.Error(t, r.Err)
	assert.True(t, broadcast.IsPermanent(r.Err))
	assert.ErrorIs(t, r.Err, broadcast.ErrInvalidUpdate)
	assert.ErrorContains(t, r.Err, `Job.Original: "u1", not Job.Update.ID "u2"`)
	chat.mu.Lock()
	assert.Empty(t, chat.retracts, "nothing deleted")
	chat.mu.Unlock()

	// As Jobs makes it, with Original, or without (an older Job), it
	// deletes the post of Update.ID.
	for _, original := range []string{"u2", ""} {
		r = b.RunJob(ctx, broadcast.Job{Kind: broadcast.JobRetract, Original: original,
			Update: broadcast.Update{ID: "u2"}, Channel: "chat"}, 1)
		require.NoError(t, r.Err)
	}
	chat.mu.Lock()
	defer chat.mu.Unlock()
	require.Len(t, chat.retracts, 1)
	assert.Equal(t, "u2", chat.retracts[0].UpdateID)
}
