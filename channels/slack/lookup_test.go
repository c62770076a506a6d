package slack

import (
	"context"
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
)

// atFakeTime makes the fake post its messages at 09:30 UTC on 14 March
// 2025, after the times of the tests' updates, as messages are posted
// after an update is written, and sets the channel's clock ten minutes
// later, as a retry's is.
func atFakeTime(ch *Channel, f *fakeSlack) {
	f.mu.Lock()
	f.epoch = time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC).Unix()
	f.mu.Unlock()
	ch.s.now = func() time.Time { return time.Date(2025, 3, 14, 9, 40, 0, 0, time.UTC) }
}

// keyOf returns the key a post's metadata carries, and its event_type.
func keyOf(t *testing.T, c fakeCall) (eventType, key string) {
	t.Helper()
	var md struct {
		EventType    string `json:"event_type"`
		EventPayload struct {
			Key string `json:"key"`
		} `json:"event_payload"`
	}
	require.NoError(t, json.Unmarshal(c.body["metadata"], &md), "the post's metadata: %s", c.raw)
	return md.EventType, md.EventPayload.Key
}

// Slack's internal_error and fatal_error say part of the operation may
// have succeeded: here the message was posted. The retry finds it in the
// conversation's history, by the key in its metadata, and takes it as
// the post: the readers see the update once.
func TestErrorAfterPostFoundOnRetry(t *testing.T) {
	for _, code := range []string{"internal_error", "fatal_error"} {
		t.Run(code, func(t *testing.T) {
			ch, f := newTestChannel(t, Config{Channels: []string{"#ops", "C0ENG00003"}})
			atFakeTime(ch, f)
			f.failAfterPost("C0ENG00003", code)
			m := broadcast.NewMessage(update(1, broadcast.StatusInvestigating))
			_, err := ch.Send(context.Background(), m)
			require.Error(t, err)
			assert.False(t, broadcast.IsPermanent(err), "%s is retried: %v", code, err)
			assert.Empty(t, f.requests("conversations.history"), "a first attempt looks for nothing")
			f.failAfterPost("C0ENG00003", "")

			m.Attempt = 2
			r, err := ch.Send(context.Background(), m)
			require.NoError(t, err)
			eng := byTarget(f.messages(), "C0ENG00003")
			require.Len(t, eng, 1, "the update is in the conversation once")
			assert.Len(t, byTarget(f.messages(), "#ops"), 1)
			assert.Len(t, f.requests("chat.postMessage"), 2, "the retry posts nothing")
			p, ok := postOf(r, "C0ENG00003")
			require.True(t, ok, "the receipt names the post found")
			assert.Equal(t, post{channel: "C0ENG00003", ts: eng[0].ts, thread: eng[0].ts}, p)
			assert.NotContains(t, r.Meta, MetaLookupError+"C0ENG00003")

			looks := f.requests("conversations.history")
			require.Len(t, looks, 1)
			q := looks[0].body
			assert.Equal(t, "C0ENG00003", str(q["channel"]))
			assert.Equal(t, "true", str(q["include_all_metadata"]))
			limit, _ := strconv.Atoi(str(q["limit"]))
			assert.True(t, limit > 0 && limit <= maxReadLimit, "a small page: %d", limit)
			assert.Less(t, tsValue(str(q["oldest"])), tsValue(eng[0].ts), "oldest is before the post")
			assert.Greater(t, tsValue(str(q["oldest"])), float64(m.Update.Time.Add(-time.Hour).Unix()),
				"oldest is bounded: shortly before the update was written")
		})
	}
}

// An answer lost after Slack posted (the connection closed) is found by
// the retry likewise, also in a conversation named in Config.Channels
// once its ID is known from an earlier post.
func TestLostAnswerFoundOnRetry(t *testing.T) {
	ch, f := newTestChannel(t, Config{Channels: []string{"#ops", "C0ENG00003"}})
	atFakeTime(ch, f)
	send(t, ch, update(1, broadcast.StatusInvestigating), broadcast.Thread{}) // #ops's ID is now known
	f.loseAnswers("#ops", true)
	f.loseAnswers("C0ENG00003", true)
	m := broadcast.NewMessage(update(2, broadcast.StatusIdentified)) // a thread of its own: no Thread given
	_, err := ch.Send(context.Background(), m)
	require.Error(t, err)
	assert.False(t, broadcast.IsPermanent(err), "a lost answer is retried: %v", err)
	f.loseAnswers("#ops", false)
	f.loseAnswers("C0ENG00003", false)

	m.Attempt = 2
	r, err := ch.Send(context.Background(), m)
	require.NoError(t, err)
	for _, target := range []string{"#ops", "C0ENG00003"} {
		got := byTarget(f.messages(), target)
		require.Len(t, got, 2, "%s: each update once", target)
		p, ok := postOf(r, target)
		require.True(t, ok, target)
		assert.Equal(t, got[1].ts, p.ts, target)
	}
	assert.Len(t, f.requests("chat.postMessage"), 4, "the retry posts nothing")
}

// A conversation named in Config.Channels whose ID the channel has not
// learnt cannot be looked up (conversations.history takes IDs only): the
// retry posts, as before, and the receipt says why it did not look.
func TestUnknownConversationIDPosts(t *testing.T) {
	ch, f := newTestChannel(t, Config{Channels: []string{"#ops"}})
	atFakeTime(ch, f)
	f.FailTarget("#ops", channeltest.FailTransient)
	m := broadcast.NewMessage(update(1, broadcast.StatusInvestigating))
	_, err := ch.Send(context.Background(), m)
	require.Error(t, err)
	f.FailTarget("#ops", channeltest.FailNone)
	m.Attempt = 2
	r, err := ch.Send(context.Background(), m)
	require.NoError(t, err)
	assert.Len(t, byTarget(f.messages(), "#ops"), 1)
	assert.Empty(t, f.requests("conversations.history"))
	assert.Contains(t, r.Meta[MetaLookupError+"#ops"], "ID")
}

// The look-up refused (missing_scope: the app has no channels:history or
// groups:history; not_in_channel; anything else): the retry posts, a
// possible duplicate rather than a missing update, and the receipt says
// why it could not look, without the token.
func TestLookupRefusedPosts(t *testing.T) {
	for _, code := range []string{"missing_scope", "not_in_channel", "internal_error", "ratelimited"} {
		t.Run(code, func(t *testing.T) {
			ch, f := newTestChannel(t, Config{Channels: []string{"C0OPS00001"}})
			atFakeTime(ch, f)
			f.failMethod("chat.postMessage", "internal_error")
			m := broadcast.NewMessage(update(1, broadcast.StatusInvestigating))
			_, err := ch.Send(context.Background(), m)
			require.Error(t, err)
			f.failMethod("chat.postMessage", "")
			f.failMethod("conversations.history", code)

			m.Attempt = 2
			r, err := ch.Send(context.Background(), m)
			require.NoError(t, err)
			require.Len(t, f.requests("conversations.history"), 1)
			assert.Len(t, byTarget(f.messages(), "C0OPS00001"), 1, "the retry posts")
			why := r.Meta[MetaLookupError+"C0OPS00001"]
			assert.Contains(t, why, "conversations.history: "+code)
			assert.NotContains(t, why, testToken)
		})
	}
}

// The look-up's failure changes neither way the post's own refusal is
// marked: permanent stays permanent, transient stays transient.
func TestLookupFailureKeepsPostsClass(t *testing.T) {
	for _, c := range []struct {
		look, post string
		permanent  bool
	}{
		{"missing_scope", "internal_error", false},
		{"internal_error", "not_in_channel", true},
		{"ratelimited", "is_archived", true},
	} {
		ch, f := newTestChannel(t, Config{Channels: []string{"C0OPS00001"}})
		atFakeTime(ch, f)
		f.failMethod("conversations.history", c.look)
		f.failMethod("chat.postMessage", c.post)
		m := broadcast.NewMessage(update(1, broadcast.StatusInvestigating))
		m.Attempt = 2
		_, err := ch.Send(context.Background(), m)
		require.Error(t, err)
		assert.Equalf(t, c.permanent, broadcast.IsPermanent(err), "look-up %s, post %s: %v", c.look, c.post, err)
		_, waits := broadcast.RetryDelay(err)
		assert.Falsef(t, waits, "look-up %s, post %s: the post's refusal waits for no rate limit: %v", c.look, c.post, err)
		assert.Contains(t, err.Error(), "chat.postMessage: "+c.post)
		assert.NotContains(t, err.Error(), testToken)
	}
}

// A reply in the incident's thread is found through
// conversations.replies, and the thread's status bar is set as after a
// post.
func TestReplyFoundInThread(t *testing.T) {
	ch, f := newTestChannel(t, Config{Channels: []string{"#ops"}})
	atFakeTime(ch, f)
	r1 := send(t, ch, update(1, broadcast.StatusInvestigating), broadcast.Thread{})
	f.failAfterPost("#ops", "internal_error")
	m := broadcast.NewMessage(update(2, broadcast.StatusIdentified))
	m.Thread = broadcast.Thread{Root: r1, Last: r1}
	_, err := ch.Send(context.Background(), m)
	require.Error(t, err)
	f.failAfterPost("#ops", "")

	m.Attempt = 2
	r, err := ch.Send(context.Background(), m)
	require.NoError(t, err)
	ops := byTarget(f.messages(), "#ops")
	require.Len(t, ops, 2, "the first post and one reply")
	assert.Equal(t, ops[0].ts, ops[1].threadTS)
	p, ok := postOf(r, "#ops")
	require.True(t, ok)
	assert.Equal(t, post{channel: "C0OPS00001", ts: ops[1].ts, thread: ops[0].ts}, p)
	assert.Len(t, f.requests("chat.postMessage"), 2, "the retry posts nothing")
	looks := f.requests("conversations.replies")
	require.Len(t, looks, 1)
	assert.Equal(t, ops[0].ts, str(looks[0].body["ts"]))
	assert.Equal(t, "C0OPS00001", str(looks[0].body["channel"]))
	assert.Empty(t, f.requests("conversations.history"), "found in the thread: no need to read the conversation")
	require.NotEmpty(t, ops[0].attachments, "the thread's status bar")
	assert.Contains(t, ops[0].attachments[0], "Identified")
}

// A reply whose thread was gone (its first post deleted before any reply)
// was posted at the conversation's top level: the retry, refused the
// thread by conversations.replies, finds it in the conversation's history.
func TestReplyPostedAtTopLevelFound(t *testing.T) {
	ch, f := newTestChannel(t, Config{Channels: []string{"#ops"}})
	atFakeTime(ch, f)
	r1 := send(t, ch, update(1, broadcast.StatusInvestigating), broadcast.Thread{})
	require.NoError(t, ch.Retract(context.Background(), r1))
	f.loseAnswers("#ops", true)
	m := broadcast.NewMessage(update(2, broadcast.StatusIdentified))
	m.Thread = broadcast.Thread{Root: r1, Last: r1}
	_, err := ch.Send(context.Background(), m)
	require.Error(t, err)
	f.loseAnswers("#ops", false)

	m.Attempt = 2
	r, err := ch.Send(context.Background(), m)
	require.NoError(t, err)
	ops := byTarget(f.messages(), "#ops")
	require.Len(t, ops, 2, "the deleted first post and the update once")
	p, ok := postOf(r, "#ops")
	require.True(t, ok)
	assert.Equal(t, post{channel: "C0OPS00001", ts: ops[1].ts, thread: ops[1].ts}, p, "it starts a thread of its own")
}

// Each post carries, in its metadata, Message.Key of its conversation:
// the same on every attempt, another for another conversation or update.
func TestPostCarriesKey(t *testing.T) {
	ch, f := newTestChannel(t, Config{Channels: []string{"#ops", "C0ENG00003"}})
	atFakeTime(ch, f)
	f.FailTarget("C0ENG00003", channeltest.FailTransient)
	m := broadcast.NewMessage(update(1, broadcast.StatusInvestigating))
	_, err := ch.Send(context.Background(), m)
	require.Error(t, err)
	f.FailTarget("C0ENG00003", channeltest.FailNone)
	m.Attempt = 2
	_, err = ch.Send(context.Background(), m)
	require.NoError(t, err)
	other := broadcast.NewMessage(update(2, broadcast.StatusIdentified))
	_, err = ch.Send(context.Background(), other)
	require.NoError(t, err)

	posts := f.requests("chat.postMessage")
	require.Len(t, posts, 5)
	keys := map[string]bool{}
	for i, c := range posts {
		target := map[string]string{"#ops": "#ops", "C0ENG00003": "C0ENG00003"}[str(c.body["channel"])]
		want := m
		if i >= 3 {
			want = other
		}
		eventType, key := keyOf(t, c)
		assert.Equal(t, MetadataEventType, eventType)
		assert.Equalf(t, want.Key(target), key, "post %d to %s: Message.Key(%q)", i+1, target, target)
		keys[key] = true
	}
	assert.Len(t, keys, 4, "a key per update and conversation, the same on a retry")
}
