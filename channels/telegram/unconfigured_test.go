package telegram

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A chat removed from Config.Chats since the update was posted still
// shows the post: Retract deletes it there too, and Edit corrects it, as
// the receipt names the message. Left alone, a retraction would report
// success while the post stayed up.
func TestRetractAndEditInChatNoLongerConfigured(t *testing.T) {
	f := newFakeBot(t)
	before := newTestChannel(t, f, []string{"@examplestatus", "-1002222222222/42"})
	prev, err := before.Send(context.Background(), broadcast.NewMessage(testUpdate()))
	require.NoError(t, err)

	after := newTestChannel(t, f, []string{"@examplestatus"}) // the forum removed
	u := testUpdate()
	u.ID, u.Body = "", "Only the Paris region is affected."
	_, err = after.Edit(context.Background(), broadcast.NewMessage(u), prev)
	require.NoError(t, err)
	for _, d := range f.Received() {
		assert.Contains(t, d.Text, "Only the Paris region is affected.", "in %s", d.Target)
	}

	require.NoError(t, after.Retract(context.Background(), prev))
	for _, d := range f.Received() {
		assert.True(t, d.Deleted, "the message in %s is deleted", d.Target)
	}

	// A receipt naming only chats no longer configured is retracted too.
	f2 := newFakeBot(t)
	old := newTestChannel(t, f2, []string{"-1002222222222/42"})
	prev, err = old.Send(context.Background(), broadcast.NewMessage(testUpdate()))
	require.NoError(t, err)
	now := newTestChannel(t, f2, []string{"@examplestatus"})
	require.NoError(t, now.Retract(context.Background(), prev))
	got := f2.Received()
	require.Len(t, got, 1)
	assert.True(t, got[0].Deleted)
}
