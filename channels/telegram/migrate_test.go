package telegram

import (
	"context"
	"errors"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// migrateGroup upgrades the fake's basic group to the supergroup super.
func migrateGroup(f *fakeBot, super int64) {
	f.set(func(f *fakeBot) {
		f.chats[groupID].migrateTo = super
		f.chats[super] = &fakeChat{id: super, typ: "supergroup"}
	})
}

// A correction of a message of a basic group since upgraded to a
// supergroup cannot edit it: the group answers every method with
// migrate_to_chat_id, and the message stays behind in it (the supergroup
// numbers its messages anew). The correction is posted anew, in the
// supergroup, straight away; the update after it goes there too.
func TestCorrectMigratedGroup(t *testing.T) {
	f := newFakeBot(t)
	const super = int64(-1004444444444)
	ch := newTestChannel(t, f, []string{"@examplestatus", "-333333333"})
	b, err := broadcast.New([]broadcast.Channel{ch}, broadcast.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })
	ctx := context.Background()
	u := testUpdate()
	_, err = b.Send(ctx, u)
	require.NoError(t, err)
	migrateGroup(f, super)

	fixed := testUpdate()
	fixed.ID, fixed.Body = "fixed", "Only the Paris region is affected."
	rep, err := b.Correct(ctx, u.ID, fixed)
	require.NoError(t, err)
	r := rep.Results[0]
	assert.True(t, r.Edited, "the public channel's message is edited in place")
	assert.Equal(t, strconv.FormatInt(super, 10), r.Receipt.Meta["chat_id:-333333333"], "posted anew in the supergroup")
	sends := f.received("sendMessage")
	require.Len(t, sends, 3, "the two first posts, and the correction straight to the supergroup")
	assert.Contains(t, sends[2].Body, `"chat_id":-1004444444444`)
	assert.NotContains(t, sends[2].Body, `"reply_parameters"`, "the group's message is not in the supergroup")

	next := testUpdate()
	next.ID, next.Status = "next", broadcast.StatusResolved
	rep, err = b.Send(ctx, next)
	require.NoError(t, err)
	sends = f.received("sendMessage")
	require.Len(t, sends, 5)
	assert.Contains(t, sends[4].Body, `"chat_id":-1004444444444`, "no detour through the old group")
	assert.NotContains(t, sends[4].Body, `"reply_parameters"`, "the thread's latest post there is the old group's")
	assert.Equal(t, "-1004444444444", rep.Results[0].Receipt.Meta["chat_id:-333333333"])
}

// A correction posted anew in the supergroup replies to the incident's
// latest message there when there is one.
func TestCorrectMigratedGroupThreaded(t *testing.T) {
	f := newFakeBot(t)
	const super = int64(-1004444444444)
	store := broadcast.NewMemoryStore()
	newBroadcaster := func() *broadcast.Broadcaster {
		b, err := broadcast.New([]broadcast.Channel{newTestChannel(t, f, []string{"-333333333"})}, broadcast.Options{Store: store})
		require.NoError(t, err)
		t.Cleanup(func() { _ = b.Close() })
		return b
	}
	ctx := context.Background()
	u := testUpdate()
	_, err := newBroadcaster().Send(ctx, u)
	require.NoError(t, err)
	migrateGroup(f, super)
	second := testUpdate()
	second.ID, second.Status = "second", broadcast.StatusIdentified
	_, err = newBroadcaster().Send(ctx, second)
	require.NoError(t, err)

	fixed := testUpdate()
	fixed.ID, fixed.Body = "fixed", "Only the Paris region is affected."
	rep, err := newBroadcaster().Correct(ctx, u.ID, fixed)
	require.NoError(t, err)
	assert.False(t, rep.Results[0].Edited)
	sends := f.received("sendMessage")
	require.Len(t, sends, 4)
	assert.Contains(t, sends[3].Body, `"chat_id":-1004444444444`)
	assert.Contains(t, sends[3].Body, `"reply_parameters":{"message_id":1,`, "under the second update's message")
	assert.Len(t, f.received("editMessageText"), 1)
}

// An Edit of a group's message after the group's upgrade fails that chat
// with broadcast.ErrNotEditable, naming the supergroup, so that the
// Broadcaster posts the correction anew; the message is still there, in
// the old group's history.
func TestEditMigratedGroup(t *testing.T) {
	f := newFakeBot(t)
	const super = int64(-1004444444444)
	ch := newTestChannel(t, f, []string{"-333333333"})
	prev, err := ch.Send(context.Background(), broadcast.NewMessage(testUpdate()))
	require.NoError(t, err)
	migrateGroup(f, super)
	u := testUpdate()
	u.ID, u.Body = "", "Only the Paris region is affected."
	_, err = ch.Edit(context.Background(), broadcast.NewMessage(u), prev)
	require.Error(t, err)
	assert.ErrorIs(t, err, broadcast.ErrNotEditable)
	assert.Contains(t, err.Error(), "-333333333: broadcast: the platform no longer lets this post be edited: "+
		"the group -333333333 is now the supergroup -1004444444444, and its messages stay behind in the group")
	var te *broadcast.TargetsError
	require.ErrorAs(t, err, &te)
	assert.Len(t, te.Pending, 1, "left for the Broadcaster to post anew")
}

// A Retract of a group's message after the group's upgrade cannot delete
// it any more: that chat fails for good, wrapping
// broadcast.ErrNotSupported, and the error names the group and the
// supergroup. The next update goes to the supergroup at once.
func TestRetractMigratedGroup(t *testing.T) {
	f := newFakeBot(t)
	const super = int64(-1004444444444)
	ch := newTestChannel(t, f, []string{"@examplestatus", "-333333333"})
	prev, err := ch.Send(context.Background(), broadcast.NewMessage(testUpdate()))
	require.NoError(t, err)
	migrateGroup(f, super)
	err = ch.Retract(context.Background(), prev)
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err))
	assert.True(t, errors.Is(err, broadcast.ErrNotSupported), "%v", err)
	assert.Equal(t, "telegram: delete: post not deleted on 1 of 2 targets (0 pending, 1 failed permanently): -333333333: "+
		"broadcast: not supported by this channel: message 1 cannot be deleted any more: the group -333333333 is now "+
		"the supergroup -1004444444444, and its messages stay behind in the group: deleteMessage: Bot API answered 400: "+
		"Bad Request: group chat was upgraded to a supergroup chat", err.Error())
	got := f.Received()
	assert.True(t, got[0].Deleted)
	assert.False(t, got[1].Deleted)

	u := testUpdate()
	u.ID = "next"
	_, err = ch.Send(context.Background(), broadcast.NewMessage(u))
	require.NoError(t, err)
	sends := f.received("sendMessage")
	require.Len(t, sends, 4)
	assert.Contains(t, sends[3].Body, `"chat_id":-1004444444444`, "no detour through the old group")
}

// Once the channel knows a chat's supergroup, it does not reply there to
// a message whose chat the receipt does not name: its id is most likely
// the old group's.
func TestSendMigratedGroupDropsReplyOfUnknownChat(t *testing.T) {
	f := newFakeBot(t)
	const super = int64(-1004444444444)
	ch := newTestChannel(t, f, []string{"-333333333"})
	first, err := ch.Send(context.Background(), broadcast.NewMessage(testUpdate()))
	require.NoError(t, err)
	migrateGroup(f, super)
	u := testUpdate()
	u.ID = "second"
	_, err = ch.Send(context.Background(), broadcast.NewMessage(u))
	require.NoError(t, err)

	u.ID, u.Status = "third", broadcast.StatusResolved
	m := broadcast.NewMessage(u)
	legacy := broadcast.Receipt{Channel: first.Channel, ID: first.ID} // no Meta: chat unknown
	m.Thread = broadcast.Thread{Root: legacy, Last: legacy}
	_, err = ch.Send(context.Background(), m)
	require.NoError(t, err)
	sends := f.received("sendMessage")
	require.Len(t, sends, 4)
	assert.Contains(t, sends[3].Body, `"chat_id":-1004444444444`)
	assert.NotContains(t, sends[3].Body, `"reply_parameters"`)
}

// Check names a group upgraded to a supergroup even after the channel
// followed the upgrade: the channel posts to the supergroup only until the
// process ends, so Config.Chats must be updated.
func TestCheckAfterFollowingMigration(t *testing.T) {
	f := newFakeBot(t)
	const super = int64(-1004444444444)
	migrateGroup(f, super)
	ch := newTestChannel(t, f, []string{"-333333333"})
	_, err := ch.Send(context.Background(), broadcast.NewMessage(testUpdate()))
	require.NoError(t, err)
	err = ch.Check(context.Background())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "-333333333: getChatMemberCount: Bot API answered 400: Bad Request: group chat was upgraded "+
		"to a supergroup chat (now -1004444444444: update Config.Chats)")
}

// A chat entry with a forum topic whose group was upgraded to a
// supergroup posts to the supergroup without the topic: the supergroup
// numbers its topics anew, and the Bot API refuses the old one for good
// ("message thread not found"). The message goes to its General topic,
// the receipt names the supergroup and links no topic, and the update
// after it goes there at once, without the topic too.
func TestSendMigratedGroupDropsTopic(t *testing.T) {
	f := newFakeBot(t)
	const super = int64(-1004444444444)
	f.set(func(f *fakeBot) {
		f.chats[groupID].migrateTo = super
		f.chats[super] = &fakeChat{id: super, typ: "supergroup", forum: true}
	})
	ch := newTestChannel(t, f, []string{"-333333333/7"})
	r, err := ch.Send(context.Background(), broadcast.NewMessage(testUpdate()))
	require.NoError(t, err)
	sends := f.received("sendMessage")
	require.Len(t, sends, 2, "to the group, then to the supergroup")
	assert.Contains(t, sends[0].Body, `"message_thread_id":7`)
	assert.Contains(t, sends[1].Body, `"chat_id":-1004444444444`)
	assert.NotContains(t, sends[1].Body, `"message_thread_id"`, "the group's topic is not the supergroup's")
	assert.Equal(t, "-1004444444444", r.Meta["chat_id:-333333333/7"])
	assert.Equal(t, "https://t.me/c/4444444444/1", r.URL, "in the General topic")

	u := testUpdate()
	u.ID = "next"
	_, err = ch.Send(context.Background(), broadcast.NewMessage(u))
	require.NoError(t, err)
	sends = f.received("sendMessage")
	require.Len(t, sends, 3)
	assert.Contains(t, sends[2].Body, `"chat_id":-1004444444444`, "no detour through the old group")
	assert.NotContains(t, sends[2].Body, `"message_thread_id"`)
}
