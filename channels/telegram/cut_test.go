package telegram

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// cutAnswers makes the answers to the messages posted in target break off, and
// returns a function that makes them whole again.
func cutAnswers(f *fakeBot, target string) func() {
	f.set(func(f *fakeBot) { f.cut[target] = true })
	return func() { f.set(func(f *fakeBot) { delete(f.cut, target) }) }
}

// A chat whose answer broke off got the update, but its message id is not
// known: a correction cannot edit it there, so it is posted anew in that
// chat (the Broadcaster does so for broadcast.ErrNotEditable), rather than
// leaving the chat with the uncorrected text and failing the correction
// for good.
func TestCorrectAfterCutAnswerPostsAnew(t *testing.T) {
	for _, chats := range [][]string{{"-1002222222222/42"}, {"@examplestatus", "-1002222222222/42"}} {
		f := newFakeBot(t)
		ch := newTestChannel(t, f, chats)
		b, err := broadcast.New([]broadcast.Channel{ch}, broadcast.Options{Retry: broadcast.RetryPolicy{MaxAttempts: 1}})
		require.NoError(t, err)
		u := testUpdate()
		u.ID = "orig"
		whole := cutAnswers(f, "-1002222222222/42")
		_, err = b.Send(context.Background(), u)
		require.NoError(t, err, "posted in every chat")
		whole()

		fix := u
		fix.ID, fix.Body = "fix", "Only the Paris region is affected."
		rep, err := b.Correct(context.Background(), "orig", fix)
		require.NoError(t, err, "%v", chats)
		require.NoError(t, b.Close())
		var inForum []string
		for _, d := range f.Received() {
			if d.Target == "-1002222222222/42" {
				inForum = append(inForum, d.Text)
			} else {
				assert.Contains(t, d.Text, fix.Body, "edited in place in %s", d.Target)
			}
		}
		require.Len(t, inForum, 2, "%v: the original, then the correction posted anew", chats)
		assert.Contains(t, inForum[1], "Correction")
		assert.Contains(t, inForum[1], fix.Body)
		assert.False(t, rep.Results[0].Edited && len(chats) == 1)
	}
}

// A Retract cannot delete a message whose id is not known: that chat fails
// for good, saying to delete it by hand, and the other chats' messages are
// deleted.
func TestRetractAfterCutAnswer(t *testing.T) {
	f := newFakeBot(t)
	ch := newTestChannel(t, f, []string{"@examplestatus", "-1002222222222/42"})
	whole := cutAnswers(f, "-1002222222222/42")
	prev, err := ch.Send(context.Background(), broadcast.NewMessage(testUpdate()))
	require.NoError(t, err)
	whole()
	err = ch.Retract(context.Background(), prev)
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err))
	assert.Contains(t, err.Error(), "-1002222222222/42: its message id is not known (the answer was cut short): delete it by hand")
	got := f.Received()
	require.Len(t, got, 2)
	assert.True(t, got[0].Deleted)
	assert.False(t, got[1].Deleted)
}
