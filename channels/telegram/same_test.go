package telegram

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
)

// inChat returns the messages the fake holds in chat.
func (f *fakeBot) inChat(chat int64) []fakeMessage {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []fakeMessage
	for _, m := range f.messages {
		if m.chat == chat {
			out = append(out, *m)
		}
	}
	return out
}

// sendThread sends u as the next update of the thread t.
func sendThread(t *testing.T, ch *Channel, u broadcast.Update, thread broadcast.Thread) broadcast.Receipt {
	t.Helper()
	m := broadcast.NewMessage(u)
	m.Thread = thread
	r, err := ch.Send(context.Background(), m)
	require.NoError(t, err)
	return r
}

// A chat named by its "@username" and by its id gets each update once,
// from the first update on, and both entries name that one message.
func TestUsernameAndIDOfOneChatPostOnce(t *testing.T) {
	for _, chats := range [][]string{{"@examplestatus", "-1001111111111", "-1002222222222/42"},
		{"-1001111111111", "-1002222222222/42", "@examplestatus"}} {
		t.Run(chats[0], func(t *testing.T) {
			f := newFakeBot(t)
			ch := newTestChannel(t, f, chats)
			u := testUpdate()
			r1 := sendThread(t, ch, u, broadcast.Thread{})
			u.ID, u.Status = "u2", broadcast.StatusIdentified
			r2 := sendThread(t, ch, u, broadcast.Thread{Root: r1, Last: r1})

			got := f.inChat(channelID)
			require.Len(t, got, 2, "one message per update in the channel")
			assert.Equal(t, got[0].id, got[1].replyTo, "the second update replies to the first")
			assert.Len(t, f.inChat(forumID), 2)
			for _, r := range []broadcast.Receipt{r1, r2} {
				a, okA := postedIn(r, "@examplestatus")
				b, okB := postedIn(r, "-1001111111111")
				require.True(t, okA && okB, "both entries are delivered")
				assert.Equal(t, a, b, "both entries name the one message")
			}
		})
	}
}

// A chat's entries restarted with the thread's receipt know the chat from
// it: the update goes there once.
func TestUsernameAndIDKnownFromTheThread(t *testing.T) {
	f := newFakeBot(t)
	chats := []string{"@examplestatus", "-1001111111111"}
	r1 := sendThread(t, newTestChannel(t, f, chats), testUpdate(), broadcast.Thread{})
	u := testUpdate()
	u.ID = "u2"
	sendThread(t, newTestChannel(t, f, chats), u, broadcast.Thread{Root: r1, Last: r1})
	assert.Len(t, f.inChat(channelID), 2)
}

// A message that failed transiently in a chat, perhaps posted, leaves the
// chat's other entry pending without a message of its own: the retry
// posts once there.
func TestUsernameAndIDAfterTransientFailure(t *testing.T) {
	f := newFakeBot(t)
	ch := newTestChannel(t, f, []string{"@examplestatus", "-1001111111111"})
	r1 := sendThread(t, ch, testUpdate(), broadcast.Thread{})
	before := len(f.received("sendMessage"))

	f.FailTarget("@examplestatus", channeltest.FailTransient) // the fake names the chat so
	u := testUpdate()
	u.ID = "u2"
	m := broadcast.NewMessage(u)
	m.Thread = broadcast.Thread{Root: r1, Last: r1}
	_, err := ch.Send(context.Background(), m)
	require.Error(t, err)
	assert.False(t, broadcast.IsPermanent(err))
	assert.Len(t, f.received("sendMessage"), before+1, "one message to the chat, not one per entry")
	for _, target := range []string{"@examplestatus", "-1001111111111"} {
		done, _ := m.Ledger.Done(target)
		assert.False(t, done, "%s stays pending", target)
	}

	f.FailTarget("@examplestatus", channeltest.FailNone)
	m.Attempt = 2
	_, err = ch.Send(context.Background(), m)
	require.NoError(t, err)
	assert.Len(t, f.inChat(channelID), 2, "the retry posts the update once")
}

// An entry whose chat got the update from the other entry in an earlier
// attempt records that message, without posting again.
func TestChatPostedInAnEarlierAttempt(t *testing.T) {
	f := newFakeBot(t)
	ch := newTestChannel(t, f, []string{"-1001111111111", "@examplestatus"})
	m := broadcast.NewMessage(testUpdate())
	require.NoError(t, m.Ledger.MarkPosted("@examplestatus", posted{chatID: channelID, messageID: 7}.receipt("@examplestatus")))
	r, err := ch.Send(context.Background(), m)
	require.NoError(t, err)
	assert.Empty(t, f.received("sendMessage"), "no message: the chat has the update")
	p, ok := postedIn(r, "-1001111111111")
	require.True(t, ok)
	assert.Equal(t, posted{chatID: channelID, messageID: 7}, p)
}

// Two topics of one forum are two places: each gets its message.
func TestTopicsOfOneChatPostEach(t *testing.T) {
	f := newFakeBot(t)
	ch := newTestChannel(t, f, []string{"-1002222222222/42", "-1002222222222"})
	sendThread(t, ch, testUpdate(), broadcast.Thread{})
	assert.Len(t, f.inChat(forumID), 2)
}

// The one message of a chat named twice is edited and deleted once: the
// receipt names it under both entries.
func TestEditAndRetractSharedMessage(t *testing.T) {
	f := newFakeBot(t)
	ch := newTestChannel(t, f, []string{"@examplestatus", "-1001111111111"})
	prev := sendThread(t, ch, testUpdate(), broadcast.Thread{})
	require.Len(t, f.inChat(channelID), 1)
	assert.Equal(t, prev.Meta[metaMessage("@examplestatus")], prev.Meta[metaMessage("-1001111111111")])

	u := testUpdate()
	u.ID, u.Body = "", "Only the Paris region is affected."
	_, err := ch.Edit(context.Background(), broadcast.NewMessage(u), prev)
	require.NoError(t, err)
	assert.Len(t, f.received("editMessageText"), 1, "one edit of the one message")
	assert.Contains(t, f.inChat(channelID)[0].text, "Only the Paris region is affected.")

	require.NoError(t, ch.Retract(context.Background(), prev))
	assert.Len(t, f.received("deleteMessage"), 1, "one deletion of the one message")
	assert.True(t, f.inChat(channelID)[0].deleted)

	// Deleted: a second retraction finds it gone, for both entries.
	require.NoError(t, ch.Retract(context.Background(), prev))
	_, err = ch.Edit(context.Background(), broadcast.NewMessage(u), prev)
	require.ErrorIs(t, err, broadcast.ErrPostGone)
	var te *broadcast.TargetsError
	require.ErrorAs(t, err, &te)
	assert.Len(t, te.Pending, 2, "both entries post the correction anew")
}

// Two "@usernames" of one chat (a channel's active usernames) that the
// Channel never posted to get the first update once: with two entries
// whose chat is not known, it asks getChat for their ids before posting,
// once each, and both entries name the one message. A single such entry
// costs no request. Before, both posted.
func TestTwoUsernamesOfOneChatPostOnce(t *testing.T) {
	f := newFakeBot(t)
	f.chats[channelID].aliases = []string{"examplestatus_alt"}
	f.targets["@examplestatus_alt"] = chatTopic{channelID, 0}
	ch := newTestChannel(t, f, []string{"@examplestatus", "@examplestatus_alt", "-1002222222222/42"})
	r1 := sendThread(t, ch, testUpdate(), broadcast.Thread{})
	require.Equal(t, 1, len(f.inChat(channelID)), "one message in the chat")
	a, okA := postedIn(r1, "@examplestatus")
	b, okB := postedIn(r1, "@examplestatus_alt")
	require.True(t, okA && okB, "both entries are delivered")
	assert.Equal(t, a, b, "both entries name the one message")
	assert.Len(t, f.received("getChat"), 2)

	u := testUpdate()
	u.ID = "u2"
	sendThread(t, ch, u, broadcast.Thread{Root: r1, Last: r1})
	assert.Len(t, f.inChat(channelID), 2)
	assert.Len(t, f.received("getChat"), 2, "the ids are known now")

	one := newTestChannel(t, f, []string{"@examplestatus"})
	sendThread(t, one, testUpdate(), broadcast.Thread{})
	assert.Len(t, f.received("getChat"), 2, "a single entry asks nothing")
}

// otherStatusMoved is a channel of "@examplestatus" and "@otherstatus",
// two chats it has posted to (and so knows the ids of), after which
// "@otherstatus" moved to the chat of "@examplestatus".
func otherStatusMoved(t *testing.T) (*fakeBot, *Channel) {
	t.Helper()
	const otherID = int64(-1005555555555)
	f := newFakeBot(t)
	f.chats[otherID] = &fakeChat{id: otherID, username: "otherstatus", typ: "channel"}
	f.targets["@otherstatus"] = chatTopic{otherID, 0}
	ch := newTestChannel(t, f, []string{"@examplestatus", "@otherstatus"})
	sendThread(t, ch, testUpdate(), broadcast.Thread{}) // learns both ids
	require.Len(t, f.inChat(channelID), 1)
	require.Len(t, f.inChat(otherID), 1)

	f.mu.Lock()
	f.chats[otherID].username = ""
	f.chats[channelID].aliases = []string{"otherstatus"}
	f.mu.Unlock()
	return f, ch
}

// Two "@usernames" known as two chats that both came to name one chat
// (a username moved to a channel that has another already) both post
// there, as only the answers show it: the second message is deleted at
// once, and both entries name the first. Before, the chat showed the
// update twice.
func TestTwoUsernamesMovedIntoOneChat(t *testing.T) {
	f, ch := otherStatusMoved(t)
	u := testUpdate()
	u.ID, u.IncidentID = "u2", "another"
	r := sendThread(t, ch, u, broadcast.Thread{})
	var shown []fakeMessage
	for _, m := range f.inChat(channelID) {
		if !m.deleted {
			shown = append(shown, m)
		}
	}
	require.Equal(t, 2, len(shown), "the chat shows each update once")
	for _, target := range []string{"@examplestatus", "@otherstatus"} {
		p, ok := postedIn(r, target)
		require.True(t, ok, target)
		assert.Equal(t, shown[1].id, p.messageID, target)
	}
}

// A username that moved to another chat, known so from an answer, does
// not reply there to the incident's message in its old chat: that id
// names another message in the new chat, or none. Before, the update
// replied to an unrelated message of the new chat.
func TestUsernameMovedDoesNotReplyToTheOldChatsMessage(t *testing.T) {
	const otherID = int64(-1005555555555)
	f := newFakeBot(t)
	f.chats[otherID] = &fakeChat{id: otherID, typ: "channel"}
	sendThread(t, newTestChannel(t, f, []string{"-1005555555555"}), testUpdate(), broadcast.Thread{}) // the new chat's message 1
	ch := newTestChannel(t, f, []string{"@examplestatus"})
	r1 := sendThread(t, ch, testUpdate(), broadcast.Thread{}) // message 1 of the old chat
	require.Len(t, f.inChat(channelID), 1)

	f.mu.Lock()
	f.chats[channelID].username, f.chats[otherID].username = "", "examplestatus"
	f.mu.Unlock()
	u := testUpdate()
	u.ID, u.IncidentID = "other", "other"
	sendThread(t, ch, u, broadcast.Thread{}) // learns that the username moved
	u = testUpdate()
	u.ID = "u2"
	sendThread(t, ch, u, broadcast.Thread{Root: r1, Last: r1})
	got := f.inChat(otherID)
	require.Len(t, got, 3)
	assert.Zero(t, got[2].replyTo, "no reply to the new chat's message 1")
}

// A getChat refused for flood control (429 with retry_after) asks no
// more getChat in the attempt: every request before the wait ends would
// be refused too. The entries post as without it, and the second message
// in their chat is deleted. Before, each entry's getChat was sent all the
// same.
func TestGetChatFloodControlAsksNoMore(t *testing.T) {
	f := newFakeBot(t)
	f.chats[channelID].aliases = []string{"examplestatus_alt", "examplestatus_3"}
	f.targets["@examplestatus_alt"] = chatTopic{channelID, 0}
	f.targets["@examplestatus_3"] = chatTopic{channelID, 0}
	f.set(func(f *fakeBot) { f.methods["getchat"] = channeltest.FailRateLimited })
	ch := newTestChannel(t, f, []string{"@examplestatus", "@examplestatus_alt", "@examplestatus_3"})
	r := sendThread(t, ch, testUpdate(), broadcast.Thread{})
	assert.Len(t, f.received("getChat"), 1, "no getChat after flood control")
	var shown []fakeMessage
	for _, m := range f.inChat(channelID) {
		if !m.deleted {
			shown = append(shown, m)
		}
	}
	require.Len(t, shown, 1, "the chat shows the update once")
	for _, target := range []string{"@examplestatus", "@examplestatus_alt", "@examplestatus_3"} {
		p, ok := postedIn(r, target)
		require.True(t, ok, target)
		assert.Equal(t, shown[0].id, p.messageID, target)
	}
}

// Entries of one "@username" in different forum topics (its case aside)
// ask getChat once: the answer is the username's, whatever the topic.
// Each topic gets its message. Before, each entry asked.
func TestGetChatOncePerUsername(t *testing.T) {
	f := newFakeBot(t)
	f.chats[forumID].username = "exampleforum"
	ch := newTestChannel(t, f, []string{"@exampleforum/42", "@ExampleForum"})
	r := sendThread(t, ch, testUpdate(), broadcast.Thread{})
	assert.Len(t, f.received("getChat"), 1, "one getChat for the username")
	assert.Len(t, f.inChat(forumID), 2, "a message in each topic")
	for _, target := range []string{"@exampleforum/42", "@ExampleForum"} {
		_, ok := postedIn(r, target)
		assert.True(t, ok, target)
	}
}

// A second message whose deletion fails stays, and its entry records it,
// so that Edit and Retract reach it too; the other entry records the
// first.
func TestSecondMessageNotDeletedIsRecorded(t *testing.T) {
	f, ch := otherStatusMoved(t)
	f.set(func(f *fakeBot) { f.methods["deletemessage"] = channeltest.FailRejected })

	u := testUpdate()
	u.ID, u.IncidentID = "u2", "another"
	r := sendThread(t, ch, u, broadcast.Thread{})
	got := f.inChat(channelID)
	require.Len(t, got, 3)
	assert.False(t, got[2].deleted)
	a, _ := postedIn(r, "@examplestatus")
	b, _ := postedIn(r, "@otherstatus")
	assert.Equal(t, got[1].id, a.messageID)
	assert.Equal(t, got[2].id, b.messageID, "the entry records the message that stays")

	f.set(func(f *fakeBot) { f.methods["deletemessage"] = channeltest.FailNone })
	require.NoError(t, ch.Retract(context.Background(), r))
	for _, m := range f.inChat(channelID)[1:] {
		assert.True(t, m.deleted, "Retract reaches both messages")
	}
}
