package telegram

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// movedID is the chat an "@username" moves to in these tests.
const movedID = -1009999999999

// An "@username" that moved to another chat after the Channel learned its
// id gets the update in that chat, and the id entry of the old chat gets
// its own: the id learned is the chat's of the username's last answer,
// not the first's. Before, the username's message counted for the old
// chat too, which never got the update.
func TestUsernameMovedToAnotherChat(t *testing.T) {
	f, r := sendAfterUsernameMoved(t, []string{"@examplestatus", "-1001111111111"})
	assert.Len(t, f.inChat(channelID), 2, "the id's chat has both updates")
	assert.Len(t, f.inChat(movedID), 1, "the username's new chat has the second")
	p, ok := postedIn(r, "-1001111111111")
	require.True(t, ok)
	assert.Equal(t, int64(channelID), p.chatID)
	p, ok = postedIn(r, "@examplestatus")
	require.True(t, ok)
	assert.Equal(t, int64(movedID), p.chatID)
}

// An "@username" listed after the id entry of the chat it named posts
// first all the same: its answer alone shows that it moved. Before, the
// id entry's message there counted for the username, whose new chat
// never got the update.
func TestUsernameMovedAfterItsOldChatsID(t *testing.T) {
	f, r := sendAfterUsernameMoved(t, []string{"-1001111111111", "@examplestatus"})
	assert.Len(t, f.inChat(channelID), 2, "the id's chat has both updates")
	assert.Len(t, f.inChat(movedID), 1, "the username's new chat has the second")
	p, ok := postedIn(r, "@examplestatus")
	require.True(t, ok)
	assert.Equal(t, int64(movedID), p.chatID)
}

// sendAfterUsernameMoved sends an update to chats (an "@examplestatus"
// entry and the id entry of its chat, in that order or the other), then
// moves the username to the chat movedID and sends another, whose
// receipt it returns. The first update makes one message in the chat.
func sendAfterUsernameMoved(t *testing.T, chats []string) (*fakeBot, broadcast.Receipt) {
	t.Helper()
	f := newFakeBot(t)
	ch := newTestChannel(t, f, chats)
	u := testUpdate()
	sendThread(t, ch, u, broadcast.Thread{})
	require.Len(t, f.inChat(channelID), 1, "one chat, one message")
	f.set(func(f *fakeBot) {
		f.chats[channelID].username = ""
		f.chats[movedID] = &fakeChat{id: movedID, username: "examplestatus", typ: "channel"}
	})
	u.ID, u.IncidentID = "u2", "another"
	return f, sendThread(t, ch, u, broadcast.Thread{})
}

// A username whose chat is gone ("chat not found") is not taken for the
// chat it named before: the id entry of that chat gets the update.
func TestUsernameGoneForgetsItsChat(t *testing.T) {
	f := newFakeBot(t)
	ch := newTestChannel(t, f, []string{"@examplestatus", "-1001111111111"})
	u := testUpdate()
	sendThread(t, ch, u, broadcast.Thread{})
	f.set(func(f *fakeBot) { f.chats[channelID].username = "" })
	u.ID, u.IncidentID = "u2", "another"
	m := broadcast.NewMessage(u)
	_, err := ch.Send(context.Background(), m)
	require.NoError(t, err, "the refusal is in the Ledger")
	assert.Len(t, f.inChat(channelID), 2, "the id's chat has both updates")
	done, failure := m.Ledger.Done("@examplestatus")
	assert.True(t, done)
	assert.Contains(t, failure, "chat not found")
	_, ok := ch.s.learned.Load("@examplestatus")
	assert.False(t, ok, "forgotten")
}

// Each entry's receipt links a message as Telegram does for its kind of
// chat: t.me/<username>/<id> for a public channel or supergroup, whichever
// entry posted it and in whichever attempt; t.me/c/<id>/<id> for one
// without a username; t.me/c/<id>/<topic>/<id> for a message in a forum
// topic (core.telegram.org/api/links#message-links); none for a private
// chat or a basic group, whose messages have no link, even when the chat
// (a user) has a username.
func TestReceiptLinkByKindOfChat(t *testing.T) {
	f := newFakeBot(t)
	const userID = 123456789
	f.set(func(f *fakeBot) {
		f.chats[userID] = &fakeChat{id: userID, username: "alice_example", typ: "private"}
		f.targets["123456789"] = chatTopic{userID, 0}
		f.chats[-1005555555555] = &fakeChat{id: -1005555555555, username: "exampleforum", typ: "supergroup", forum: true}
		f.targets["@exampleforum/42"] = chatTopic{-1005555555555, 42}
		f.targets["@exampleforum"] = chatTopic{-1005555555555, 0}
	})
	u := testUpdate()
	for target, want := range map[string]string{"@examplestatus": "https://t.me/examplestatus/",
		"-1001111111111": "https://t.me/examplestatus/", "-1002222222222/42": "https://t.me/c/2222222222/42/",
		"@exampleforum/42": "https://t.me/exampleforum/42/", "@exampleforum": "https://t.me/exampleforum/",
		"-333333333": "", "123456789": ""} {
		ch := newTestChannel(t, f, []string{target})
		r := sendThread(t, ch, u, broadcast.Thread{})
		if want == "" {
			assert.Empty(t, r.URL, target)
			continue
		}
		assert.Equal(t, want+r.ID, r.URL, target)
	}

	// The id entry records the username's message of an earlier
	// attempt: its link is the public one still.
	u.ID = "u3"
	m := broadcast.NewMessage(u)
	byName := newTestChannel(t, f, []string{"@examplestatus"})
	_, err := byName.Send(context.Background(), m)
	require.NoError(t, err)
	m.Attempt = 2
	both := newTestChannel(t, f, []string{"-1001111111111", "@examplestatus"})
	r, err := both.Send(context.Background(), m)
	require.NoError(t, err)
	assert.Equal(t, "https://t.me/examplestatus/"+r.ID, r.URL)
}

// An "@username" that moved into a chat that Config.Chats also names by
// its id posts once there, in whichever order the entries are listed:
// the id entry records the username's message, and the username's old
// chat gets a message of its own from its id entry. Before, the id entry
// of the new chat posted too: two messages there in one attempt.
func TestUsernameMovedIntoAnotherEntrysChat(t *testing.T) {
	for _, chats := range [][]string{{"-1009999999999", "@examplestatus", "-1001111111111"},
		{"@examplestatus", "-1001111111111", "-1009999999999"}} {
		t.Run(chats[0], func(t *testing.T) {
			f := newFakeBot(t)
			f.set(func(f *fakeBot) {
				f.chats[movedID] = &fakeChat{id: movedID, typ: "channel"}
				f.targets["-1009999999999"] = chatTopic{movedID, 0}
			})
			ch := newTestChannel(t, f, chats)
			u := testUpdate()
			sendThread(t, ch, u, broadcast.Thread{})
			require.Len(t, f.inChat(channelID), 1, "one chat, one message")
			f.set(func(f *fakeBot) {
				f.chats[channelID].username = ""
				f.chats[movedID].username = "examplestatus"
			})
			u.ID, u.IncidentID = "u2", "another"
			r := sendThread(t, ch, u, broadcast.Thread{})
			assert.Len(t, f.inChat(movedID), 2, "one message per update in the username's new chat")
			assert.Len(t, f.inChat(channelID), 2, "the old chat's id entry posts the second update")
			a, okA := postedIn(r, "@examplestatus")
			b, okB := postedIn(r, "-1009999999999")
			require.True(t, okA && okB, "both entries are delivered")
			assert.Equal(t, a, b, "both entries name the one message")
		})
	}
}
