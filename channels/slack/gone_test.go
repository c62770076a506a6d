package slack

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
)

// goneConversations are the ways the conversation of "#ops" (C0OPS00001)
// goes, "#ops" then naming a new one, C0OPSNEW05: deleted, archived, or
// the bot removed from it.
var goneConversations = []struct {
	name string
	gone func(f *fakeSlack)
}{
	{"deleted", func(f *fakeSlack) { f.recreate("ops", "C0OPSNEW05") }},
	{"archived", func(f *fakeSlack) {
		f.close("C0OPS00001", "is_archived")
		f.rename("ops", "ops-old")
		f.recreate("ops", "C0OPSNEW05")
	}},
	{"bot removed", func(f *fakeSlack) {
		f.close("C0OPS00001", "not_in_channel")
		f.rename("ops", "ops-old")
		f.recreate("ops", "C0OPSNEW05")
	}},
}

// A name whose thread is in a conversation that is gone (deleted,
// archived, or the bot removed from it) while the name means another
// conversation now gets the later updates there: the reply, refused,
// posted nothing, and the update starts a new thread where the name is,
// once, which the next update replies in. An entry that names the gone
// conversation by its ID fails for good, without another post. Before,
// every later update of the incident failed there for good with
// channel_not_found, is_archived or not_in_channel.
func TestThreadInGoneConversationPostsAnewToTheName(t *testing.T) {
	for _, tc := range goneConversations {
		t.Run(tc.name, func(t *testing.T) {
			ch, f := newTestChannel(t, Config{Channels: []string{"#ops", "C0STATUS02"}})
			r1 := send(t, ch, update(1, broadcast.StatusInvestigating), broadcast.Thread{})
			tc.gone(f)
			r2 := send(t, ch, update(2, broadcast.StatusIdentified), broadcast.Thread{Root: r1, Last: r1})
			fresh := inConversation(f.messages(), "C0OPSNEW05")
			require.Len(t, fresh, 1, "the update is posted once where the name is")
			assert.Empty(t, fresh[0].threadTS, "it starts a new thread")
			p, ok := postOf(r2, "#ops")
			require.True(t, ok)
			assert.Equal(t, post{channel: "C0OPSNEW05", ts: fresh[0].ts, thread: fresh[0].ts}, p)
			assert.Len(t, inConversation(f.messages(), "C0STATUS02"), 2, "the other conversation replies as before")

			send(t, ch, update(3, broadcast.StatusMonitoring), broadcast.Thread{Root: r1, Last: r2})
			fresh = inConversation(f.messages(), "C0OPSNEW05")
			require.Len(t, fresh, 2)
			assert.Equal(t, fresh[0].ts, fresh[1].threadTS, "the next update replies in the new thread")
		})
	}
}

// A name whose gone thread's conversation is still what the name means
// (archived, or the bot removed, under its name) fails for good with
// Slack's code after the post to the name, and nothing is posted.
func TestThreadInClosedConversationUnderItsName(t *testing.T) {
	for _, code := range []string{"is_archived", "not_in_channel"} {
		t.Run(code, func(t *testing.T) {
			ch, f := newTestChannel(t, Config{Channels: []string{"#ops"}})
			r1 := send(t, ch, update(1, broadcast.StatusInvestigating), broadcast.Thread{})
			f.close("#ops", code)
			posts := len(f.requests("chat.postMessage"))
			m := broadcast.NewMessage(update(2, broadcast.StatusIdentified))
			m.Thread = broadcast.Thread{Root: r1, Last: r1}
			_, err := ch.Send(context.Background(), m)
			require.Error(t, err)
			assert.True(t, broadcast.IsPermanent(err))
			assert.Contains(t, err.Error(), code)
			calls := f.requests("chat.postMessage")[posts:]
			require.Len(t, calls, 2, "the reply, then the post to the name")
			assert.Equal(t, `"C0OPS00001"`, string(calls[0].body["channel"]))
			assert.Equal(t, `"#ops"`, string(calls[1].body["channel"]))
			assert.NotContains(t, calls[1].body, "thread_ts")
			assert.Len(t, f.messages(), 1)
		})
	}
}

// An entry that names the gone conversation by its ID is not posted to
// anew: the ID means that conversation only.
func TestThreadInDeletedConversationOfAnID(t *testing.T) {
	ch, f := newTestChannel(t, Config{Channels: []string{"C0OPS00001"}})
	r1 := send(t, ch, update(1, broadcast.StatusInvestigating), broadcast.Thread{})
	f.recreate("ops", "C0OPSNEW05")
	m := broadcast.NewMessage(update(2, broadcast.StatusIdentified))
	m.Thread = broadcast.Thread{Root: r1, Last: r1}
	_, err := ch.Send(context.Background(), m)
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err))
	assert.Contains(t, err.Error(), "channel_not_found")
	assert.Len(t, f.requests("chat.postMessage"), 2, "the first update, and the refused reply")
}

// A correction of an update whose message is in a conversation that is
// gone (deleted, archived, or the bot removed from it) is posted anew to
// a name entry, as Send posts a later update there: in the conversation
// that has the name now, once. Before, Edit failed it for good with
// Slack's code (channel_not_found, is_inactive, not_in_channel), and the
// correction reached no one there. An entry that is the gone
// conversation's ID still fails for good, without a post.
func TestCorrectionInGoneConversationPostsAnewToTheName(t *testing.T) {
	for _, tc := range goneConversations {
		t.Run(tc.name, func(t *testing.T) {
			ch, f := newTestChannel(t, Config{Channels: []string{"#ops", "C0STATUS02"}})
			b, u1, fix := firstUpdateSent(t, ch)
			tc.gone(f)

			rep, err := b.Correct(context.Background(), u1.ID, fix)
			require.NoError(t, err)
			require.NoError(t, rep.Results[0].Err)
			fresh := inConversation(f.messages(), "C0OPSNEW05")
			require.Len(t, fresh, 1, "the correction is posted once where the name is")
			assert.Contains(t, shown(fresh[0].sections[0]), "Correction: the errors came from one CDN region.")
			assert.Len(t, inConversation(f.messages(), "C0STATUS02"), 1, "the other conversation's message is edited")
			assert.Contains(t, shown(inConversation(f.messages(), "C0STATUS02")[0].sections[0]), "Correction: ")
		})
	}
}

// An ID entry of a deleted conversation: the correction fails for good
// there, and nothing is posted.
func TestCorrectionInDeletedConversationOfAnID(t *testing.T) {
	ch, f := newTestChannel(t, Config{Channels: []string{"C0OPS00001"}})
	b, u1, fix := firstUpdateSent(t, ch)
	f.recreate("ops", "C0OPSNEW05")

	_, err := b.Correct(context.Background(), u1.ID, fix)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "channel_not_found")
	assert.Len(t, f.requests("chat.postMessage"), 1, "the first update only")
}

// A name whose thread moved to the name's new conversation keeps that
// thread after an update refused there (and delivered elsewhere): the
// next update replies in it. Before, it fell back to the first post's
// thread, in the gone conversation, and started yet another thread.
func TestThreadInNewConversationKeptAcrossAMiss(t *testing.T) {
	ch, f := newTestChannel(t, Config{Channels: []string{"#ops", "C0STATUS02"}})
	r1 := send(t, ch, update(1, broadcast.StatusInvestigating), broadcast.Thread{})
	f.recreate("ops", "C0OPSNEW05")
	r2 := send(t, ch, update(2, broadcast.StatusIdentified), broadcast.Thread{Root: r1, Last: r1})
	f.FailTarget("#ops", channeltest.FailRejected)
	r3 := send(t, ch, update(3, broadcast.StatusMonitoring), broadcast.Thread{Root: r1, Last: r2})
	f.FailTarget("#ops", channeltest.FailNone)
	send(t, ch, update(4, broadcast.StatusResolved), broadcast.Thread{Root: r1, Last: r3})

	fresh := inConversation(f.messages(), "C0OPSNEW05")
	require.Len(t, fresh, 2, "updates 2 and 4")
	assert.Empty(t, fresh[0].threadTS, "update 2 starts a new thread")
	assert.Equal(t, fresh[0].ts, fresh[1].threadTS, "update 4 replies in it")
}

// firstUpdateSent is a Broadcaster of ch alone, closed when the test
// ends, that sent u1, update 1, and fix, a correction of its body.
func firstUpdateSent(t *testing.T, ch *Channel) (b *broadcast.Broadcaster, u1, fix broadcast.Update) {
	t.Helper()
	b, err := broadcast.New([]broadcast.Channel{ch}, broadcast.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })
	u1 = update(1, broadcast.StatusInvestigating)
	_, err = b.Send(context.Background(), u1)
	require.NoError(t, err)
	fix = u1
	fix.ID, fix.Body = "", "Correction: the errors came from one CDN region."
	return b, u1, fix
}
