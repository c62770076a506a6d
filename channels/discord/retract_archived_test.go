package discord

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// Discord refuses the deletion of a message in a thread that is archived
// and locked (a forum post a moderator closed), and a webhook cannot reopen
// a thread but by posting in it. The retraction fails for good, and its
// error says the message is still up, why, and what reopens the way.
func TestRetractInAnArchivedThread(t *testing.T) {
	for _, refusal := range []string{
		`{"message": "Thread is archived", "code": 50083}`,
		`{"message": "Thread is locked", "code": 160005}`,
	} {
		f := newFake(t, fakeOptions{forum: true})
		ch := newChannel(t, f, nil)
		r := send(t, ch, fullUpdate, broadcast.Thread{})
		f.answer(canned{status: 400, body: refusal}) // the deletion: the first post makes no card read
		err := ch.Retract(context.Background(), r)
		require.Error(t, err)
		assert.True(t, broadcast.IsPermanent(err), err)
		assert.Contains(t, err.Error(), "the message is still up")
		assert.Contains(t, err.Error(), "a webhook cannot reopen it without posting in it")
		assert.False(t, f.message(0).deleted)
	}
}

// Through a Broadcaster: the retraction refused in a closed thread can be
// sent again once a moderator reopened it, as its error says.
func TestBroadcasterRetractAgainAfterThreadReopened(t *testing.T) {
	f := newFake(t, fakeOptions{forum: true})
	ch := newChannel(t, f, nil)
	b, err := broadcast.New([]broadcast.Channel{ch}, broadcast.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })
	ctx := context.Background()
	u := fullUpdate
	u.NextUpdate = time.Time{}
	_, err = b.Send(ctx, u)
	require.NoError(t, err)

	f.answer(canned{status: 400, body: `{"message": "Thread is archived", "code": 50083}`})
	rep, err := b.Retract(ctx, u.ID)
	require.Error(t, err)
	assert.Equal(t, 1, rep.Results[0].Attempts, "not retried: only a moderator reopens the thread")
	assert.False(t, f.message(0).deleted)

	_, err = b.Retract(ctx, u.ID) // reopened
	require.NoError(t, err)
	assert.True(t, f.message(0).deleted)
}
