package slack

import (
	"context"
	"github.com/outagecast/outagecast/redact"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
)

// byTarget returns the messages of target, in order.
func byTarget(msgs []fakeMsg, target string) []fakeMsg {
	var out []fakeMsg
	for _, m := range msgs {
		if m.target == target {
			out = append(out, m)
		}
	}
	return out
}

// Each conversation threads under its own first post; the resolved update
// is also shown in the conversation; the first post shows the latest
// status.
func TestThreadInEveryConversation(t *testing.T) {
	targets := []string{"#ops", "C0STATUS02"}
	ch, f := newTestChannel(t, Config{Channels: targets})
	r1 := send(t, ch, update(1, broadcast.StatusInvestigating), broadcast.Thread{})
	r2 := send(t, ch, update(2, broadcast.StatusIdentified), broadcast.Thread{Root: r1, Last: r1})
	r3 := send(t, ch, update(3, broadcast.StatusResolved), broadcast.Thread{Root: r1, Last: r2})

	msgs := f.messages()
	for _, target := range targets {
		got := byTarget(msgs, target)
		require.Len(t, got, 3, target)
		root := got[0]
		assert.Empty(t, root.threadTS, "%s: the first update starts the thread", target)
		for i, m := range got[1:] {
			assert.Equal(t, root.ts, m.threadTS, "%s: update %d replies to the first post", target, i+2)
		}
		assert.False(t, got[1].broadcast, "%s: an update in between stays in the thread", target)
		assert.True(t, got[2].broadcast, "%s: the resolved update is shown in the conversation too", target)
		require.Len(t, root.attachments, 1, "%s: the first post's status bar", target)
		assert.Contains(t, root.attachments[0], "*Current status: Resolved*", target)
		assert.Contains(t, shown(root.sections[0]), "Investigating: ", "%s: the first post keeps its text", target)

		p, ok := postOf(r3, target)
		require.True(t, ok, "%s: the receipt names the post", target)
		assert.Equal(t, post{channel: got[2].channel, ts: got[2].ts, thread: root.ts}, p, target)
	}
	assert.Equal(t, byTarget(msgs, "#ops")[0].ts, r1.ID, "Receipt.ID: the ts in the first conversation")
	assert.Equal(t, "C0OPS00001", r1.Meta[MetaChannel+"#ops"], "the conversation's ID, as Slack answered it")
	for _, c := range f.requests("chat.postMessage")[2:] {
		assert.Equal(t, `"`+f.resolve(str(c.body["channel"]))+`"`, string(c.body["channel"]),
			"a reply goes to the conversation's ID")
	}
}

// A failed status bar does not fail the delivery; the receipt says why,
// and the next reply sets it.
func TestStatusBarFailureIsReported(t *testing.T) {
	ch, f := newTestChannel(t, Config{Channels: []string{"#ops"}})
	r1 := send(t, ch, update(1, broadcast.StatusInvestigating), broadcast.Thread{})
	f.failMethod("chat.update", "cant_update_message")
	r2 := send(t, ch, update(2, broadcast.StatusIdentified), broadcast.Thread{Root: r1, Last: r1})
	assert.Equal(t, "chat.update: cant_update_message", r2.Meta[MetaRootError+"#ops"])
	assert.Len(t, f.messages(), 2, "the reply was posted")
	assert.Empty(t, f.messages()[0].attachments)

	f.failMethod("chat.update", "")
	r3 := send(t, ch, update(3, broadcast.StatusMonitoring), broadcast.Thread{Root: r1, Last: r2})
	assert.NotContains(t, r3.Meta, MetaRootError+"#ops")
	require.Len(t, f.messages()[0].attachments, 1)
	assert.Contains(t, f.messages()[0].attachments[0], "Current status: Monitoring")
}

// A conversation the first update did not reach starts its own thread,
// and later updates reply there.
func TestNewConversationThreadsUnderItsFirstPost(t *testing.T) {
	two, f, r1 := engAddedAfterTheFirstUpdate(t)
	r2 := send(t, two, update(2, broadcast.StatusIdentified), broadcast.Thread{Root: r1, Last: r1})
	send(t, two, update(3, broadcast.StatusMonitoring), broadcast.Thread{Root: r1, Last: r2})

	eng := byTarget(f.messages(), "eng")
	require.Len(t, eng, 2)
	assert.Empty(t, eng[0].threadTS, "eng's first post starts a thread")
	assert.Equal(t, eng[0].ts, eng[1].threadTS, "and the next update replies in it")
	ops := byTarget(f.messages(), "#ops")
	assert.Equal(t, ops[0].ts, ops[2].threadTS, "#ops keeps its thread")
}

// A conversation whose thread is not the first post's (the first update
// did not reach it, and a later one started a thread there) keeps that
// thread after an update that did not reach it (refused there, delivered
// elsewhere): the next update replies in it. Before, the receipt of the
// update that missed it named no post there, so the next one fell back to
// Root, which has none, and started yet another thread.
func TestThreadKeptAcrossAnUpdateThatMissedTheConversation(t *testing.T) {
	two, f, r1 := engAddedAfterTheFirstUpdate(t)
	r2 := send(t, two, update(2, broadcast.StatusIdentified), broadcast.Thread{Root: r1, Last: r1})
	f.FailTarget("eng", channeltest.FailRejected)
	r3 := send(t, two, update(3, broadcast.StatusMonitoring), broadcast.Thread{Root: r1, Last: r2})
	_, ok := postOf(r3, "eng")
	require.False(t, ok, "update 3 did not reach eng")
	assert.Empty(t, targetsOf(r3, []string{"#ops", "eng"})[1:], "nor does a retraction take it for a post there")
	f.FailTarget("eng", channeltest.FailNone)
	send(t, two, update(4, broadcast.StatusResolved), broadcast.Thread{Root: r1, Last: r3})

	eng := byTarget(f.messages(), "eng")
	require.Len(t, eng, 2)
	assert.Empty(t, eng[0].threadTS, "eng's first post starts a thread")
	assert.Equal(t, eng[0].ts, eng[1].threadTS, "update 4 replies in it, not in a thread of its own")
}

// A retry after some conversations got the update posts to the others
// only, and its receipt names every post, the earlier ones included: also
// when the retry is made by another Channel (after a restart, or on
// another instance), since the posts are kept in the Ledger.
func TestRetryReceiptNamesEarlierPosts(t *testing.T) {
	ch, f := newTestChannel(t, Config{Channels: []string{"#ops", "eng"}})
	f.FailTarget("eng", channeltest.FailTransient)
	m := broadcast.NewMessage(update(1, broadcast.StatusInvestigating))
	_, err := ch.Send(context.Background(), m)
	require.Error(t, err)
	f.FailTarget("eng", channeltest.FailNone)

	restarted, err := New(Config{Token: redact.NewSecret(testToken), Channels: []string{"#ops", "eng"}, BaseURL: f.srv.URL + "/api/"})
	require.NoError(t, err)
	t.Cleanup(func() { _ = restarted.Close() })
	m.Attempt = 2
	r, err := restarted.Send(context.Background(), m)
	require.NoError(t, err)
	for _, target := range []string{"#ops", "eng"} {
		got := byTarget(f.messages(), target)
		require.Len(t, got, 1, "%s: one post", target)
		p, ok := postOf(r, target)
		assert.True(t, ok, "%s: in the receipt", target)
		assert.Equal(t, got[0].ts, p.ts, target)
	}
	assert.Equal(t, byTarget(f.messages(), "#ops")[0].ts, r.ID, "the receipt's ID is the first conversation's post")
}

// An answer lost after Slack posted, to the first post to a conversation
// named in Config.Channels, makes the retry post that conversation's
// message again: its ID is not known, so its history cannot be read
// (TestLostAnswerFoundOnRetry finds the message where it is). The
// documented duplicate, and the only one.
func TestLostAnswerDuplicatesOnlyThatConversation(t *testing.T) {
	ch, f := newTestChannel(t, Config{Channels: []string{"#ops", "eng"}})
	f.loseAnswers("eng", true)
	m := broadcast.NewMessage(update(1, broadcast.StatusInvestigating))
	_, err := ch.Send(context.Background(), m)
	require.Error(t, err)
	assert.False(t, broadcast.IsPermanent(err), "a lost answer is retried: %v", err)
	f.loseAnswers("eng", false)
	m.Attempt = 2
	r, err := ch.Send(context.Background(), m)
	require.NoError(t, err)
	assert.Len(t, byTarget(f.messages(), "#ops"), 1, "#ops, marked delivered, is not posted again")
	assert.Len(t, byTarget(f.messages(), "eng"), 2, "eng got the update twice: Slack takes no idempotency key")
	assert.Contains(t, r.Meta[MetaLookupError+"eng"], "ID is not known", "the receipt says why it posted again")
}

// An incident's first post deleted (retracted, or by hand) before anyone
// replied takes its thread with it: Slack posts a reply to it at the
// conversation's top level, or refuses it with thread_not_found (or
// cannot_reply_to_message, which Slack documents for a message that
// cannot have thread replies). The
// update then starts a new thread, and the later ones reply in it and set
// its status bar, rather than each landing alone or failing. A first post
// deleted after replies stays as "This message was deleted", and the
// thread goes on under it.
func TestDeletedRootStartsNewThread(t *testing.T) {
	for _, c := range []struct {
		name, code string
		replied    bool // the first post had a reply when it was deleted
	}{
		{name: "posted at top level"},
		{name: "thread_not_found", code: "thread_not_found"},
		{name: "cannot_reply_to_message", code: "cannot_reply_to_message"},
		{name: "deleted after a reply", replied: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			ch, f := newTestChannel(t, Config{Channels: []string{"#ops"}})
			f.answerGone(c.code)
			r1 := send(t, ch, update(1, broadcast.StatusInvestigating), broadcast.Thread{})
			last := r1
			if c.replied {
				last = send(t, ch, update(2, broadcast.StatusIdentified), broadcast.Thread{Root: r1, Last: r1})
			}
			require.NoError(t, ch.Retract(context.Background(), r1))
			r3 := send(t, ch, update(3, broadcast.StatusIdentified), broadcast.Thread{Root: r1, Last: last})
			send(t, ch, update(4, broadcast.StatusMonitoring), broadcast.Thread{Root: r1, Last: r3})

			var live []fakeMsg
			for _, m := range byTarget(f.messages(), "#ops") {
				if !m.deleted {
					live = append(live, m)
				}
			}
			if c.replied {
				require.Len(t, live, 3)
				for _, m := range live {
					assert.Equal(t, r1.ID, m.threadTS, "the thread goes on under the deleted first post")
				}
				return
			}
			require.Len(t, live, 2)
			assert.Empty(t, live[0].threadTS, "update 3 starts a new thread")
			p, ok := postOf(r3, "#ops")
			require.True(t, ok)
			assert.Equal(t, post{channel: "C0OPS00001", ts: live[0].ts, thread: live[0].ts}, p,
				"the receipt says update 3 is the thread's first post")
			assert.NotContains(t, r3.Meta, MetaRootError+"#ops", "no status bar for a post gone")
			assert.Equal(t, live[0].ts, live[1].threadTS, "update 4 replies in the new thread")
			require.Len(t, live[0].attachments, 1, "the new first post's status bar")
			assert.Contains(t, live[0].attachments[0], "Current status: Monitoring")
		})
	}
}

// A conversation that takes no thread replies (Slack refuses a reply there
// with restricted_action_non_threadable_channel) gets every update of an
// incident as a message of its own, while the others thread as before.
// Before, every update after the first failed there for good, so its
// readers never learnt that the incident was resolved.
func TestNonThreadableConversationGetsEveryUpdate(t *testing.T) {
	ch, f := newTestChannel(t, Config{Channels: []string{"#ops", "eng"}})
	f.noThreads("eng")
	r1 := send(t, ch, update(1, broadcast.StatusInvestigating), broadcast.Thread{})
	r2 := send(t, ch, update(2, broadcast.StatusIdentified), broadcast.Thread{Root: r1, Last: r1})
	send(t, ch, update(3, broadcast.StatusResolved), broadcast.Thread{Root: r1, Last: r2})

	eng := byTarget(f.messages(), "eng")
	require.Len(t, eng, 3, "eng gets every update")
	for i, m := range eng {
		assert.Empty(t, m.threadTS, "update %d: at the top level", i+1)
		assert.False(t, m.broadcast, "update %d", i+1)
	}
	assert.Empty(t, eng[0].attachments, "no status bar: the first post has no thread")
	ops := byTarget(f.messages(), "#ops")
	require.Len(t, ops, 3)
	assert.Equal(t, ops[0].ts, ops[2].threadTS, "#ops threads as before")
}

// A thread an admin locked takes no replies (Slack answers
// restricted_action_thread_locked): the update starts a new thread in
// that conversation, which the next updates reply in, rather than being
// refused for good there: during an outage, readers must get it.
func TestLockedThreadGetsTheUpdate(t *testing.T) {
	ch, f := newTestChannel(t, Config{Channels: []string{"#ops", "eng"}})
	r1 := send(t, ch, update(1, broadcast.StatusInvestigating), broadcast.Thread{})
	first, ok := postOf(r1, "eng")
	require.True(t, ok)
	f.lockThread(first.ts)
	r2 := send(t, ch, update(2, broadcast.StatusIdentified), broadcast.Thread{Root: r1, Last: r1})
	send(t, ch, update(3, broadcast.StatusResolved), broadcast.Thread{Root: r1, Last: r2})

	eng := byTarget(f.messages(), "eng")
	require.Len(t, eng, 3, "eng gets every update")
	assert.Empty(t, eng[1].threadTS, "a new thread")
	assert.Equal(t, eng[1].ts, eng[2].threadTS, "the next update replies in the new thread")
	ops := byTarget(f.messages(), "#ops")
	require.Len(t, ops, 3)
	assert.Equal(t, ops[0].ts, ops[2].threadTS, "#ops threads as before")
}

// engAddedAfterTheFirstUpdate is a channel of "#ops" and "eng", two, made
// after a channel of "#ops" alone sent update 1 (r1, its receipt): eng has
// no post of the incident.
func engAddedAfterTheFirstUpdate(t *testing.T) (two *Channel, f *fakeSlack, r1 broadcast.Receipt) {
	t.Helper()
	one, f := newTestChannel(t, Config{Channels: []string{"#ops"}})
	r1 = send(t, one, update(1, broadcast.StatusInvestigating), broadcast.Thread{})
	two, err := New(Config{Token: redact.NewSecret(testToken), Channels: []string{"#ops", "eng"}, BaseURL: f.srv.URL + "/api/"})
	require.NoError(t, err)
	t.Cleanup(func() { _ = two.Close() })
	f.addTarget("eng")
	return two, f, r1
}
