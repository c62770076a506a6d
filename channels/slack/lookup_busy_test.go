package slack

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// In a busy conversation people post after the attempt whose answer was
// lost: the earlier post is older than the newest page of the history.
// The retry reads on, page by page, and finds it there rather than
// posting the update twice; however busy the conversation, it reads at
// most lookPages pages, and then posts, saying why in the receipt.
func TestBusyConversationFoundOnRetry(t *testing.T) {
	for _, c := range []struct {
		name  string
		talk  int
		found bool
	}{
		{"a page of talk since", lookLimit, true},
		{"three pages of talk since", 3*lookLimit - 1, true},
		{"more talk than the reads reach", lookPages * lookLimit, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			ch, f := newTestChannel(t, Config{Channels: []string{"C0ENG00003"}})
			atFakeTime(ch, f)
			f.failAfterPost("C0ENG00003", "internal_error")
			m := broadcast.NewMessage(update(1, broadcast.StatusInvestigating))
			_, err := ch.Send(context.Background(), m)
			require.Error(t, err)
			f.failAfterPost("C0ENG00003", "")
			f.talk("C0ENG00003", "", c.talk)

			m.Attempt = 2
			r, err := ch.Send(context.Background(), m)
			require.NoError(t, err)
			posts := ours(f, "C0ENG00003")
			reads := len(f.requests("conversations.history"))
			assert.LessOrEqual(t, reads, lookPages, "the reads are bounded")
			if c.found {
				assert.Equal(t, 1, posts, "the update is in the conversation once")
				assert.NotContains(t, r.Meta, MetaLookupError+"C0ENG00003")
				return
			}
			assert.Equal(t, 2, posts, "beyond the reads' reach the update is posted again")
			assert.Contains(t, r.Meta[MetaLookupError+"C0ENG00003"], "not found")
		})
	}
}

// In a long thread, people's replies since the update was written come
// before the earlier attempt's reply: conversations.replies lists the
// earliest first. The retry follows Slack's cursor to it rather than
// posting the reply twice.
func TestLongThreadFoundOnRetry(t *testing.T) {
	ch, f := newTestChannel(t, Config{Channels: []string{"#ops"}})
	atFakeTime(ch, f)
	r1 := send(t, ch, update(1, broadcast.StatusInvestigating), broadcast.Thread{})
	f.talk("#ops", r1.Meta[MetaTS+"#ops"], 2*lookLimit)
	f.failAfterPost("#ops", "internal_error")
	m := broadcast.NewMessage(update(2, broadcast.StatusIdentified))
	m.Thread = broadcast.Thread{Root: r1, Last: r1}
	_, err := ch.Send(context.Background(), m)
	require.Error(t, err)
	f.failAfterPost("#ops", "")

	m.Attempt = 2
	r, err := ch.Send(context.Background(), m)
	require.NoError(t, err)
	posts := ours(f, "#ops")
	assert.Equal(t, 2, posts, "the first post and one reply")
	assert.Equal(t, 2, len(f.requests("chat.postMessage")), "the retry posts nothing")
	assert.NotContains(t, r.Meta, MetaLookupError+"#ops")
	assert.LessOrEqual(t, len(f.requests("conversations.replies")), lookPages)
}

// A reply to a locked thread was posted at the conversation's top level.
// When the thread is long, its replies read up to the bound without the
// earlier attempt's post, the retry still reads the conversation's
// history, and finds it there, rather than posting the update twice.
func TestLongLockedThreadReplyFoundAtTopLevel(t *testing.T) {
	ch, f := newTestChannel(t, Config{Channels: []string{"#ops"}})
	atFakeTime(ch, f)
	r1 := send(t, ch, update(1, broadcast.StatusInvestigating), broadcast.Thread{})
	root := r1.Meta[MetaTS+"#ops"]
	f.talk("#ops", root, lookPages*lookLimit)
	f.lockThread(root)
	f.loseAnswers("#ops", true)
	m := broadcast.NewMessage(update(2, broadcast.StatusIdentified))
	m.Thread = broadcast.Thread{Root: r1, Last: r1}
	_, err := ch.Send(context.Background(), m)
	require.Error(t, err)
	f.loseAnswers("#ops", false)

	m.Attempt = 2
	r, err := ch.Send(context.Background(), m)
	require.NoError(t, err)
	posts := ours(f, "#ops")
	assert.Equal(t, 2, posts, "the first post and the update once, at the top level")
	assert.LessOrEqual(t, len(f.requests("conversations.replies")), lookPages)
	assert.NotEmpty(t, f.requests("conversations.history"), "the conversation is read too")
	p, ok := postOf(r, "#ops")
	require.True(t, ok)
	assert.Equal(t, p.ts, p.thread, "the update's own post, at the top level")
}

// An app distributed outside Slack's Marketplace reads once a minute: the
// second page of a long thread's replies is refused as a rate limit. The
// retry still reads the conversation's history, another method, and finds
// there the reply an earlier attempt posted at the top level of a locked
// thread.
func TestLockedThreadReplyFoundPastARateLimit(t *testing.T) {
	ch, f := newTestChannel(t, Config{Channels: []string{"#ops"}})
	atFakeTime(ch, f)
	r1 := send(t, ch, update(1, broadcast.StatusInvestigating), broadcast.Thread{})
	root := r1.Meta[MetaTS+"#ops"]
	f.talk("#ops", root, 2*lookLimit)
	f.lockThread(root)
	f.loseAnswers("#ops", true)
	m := broadcast.NewMessage(update(2, broadcast.StatusIdentified))
	m.Thread = broadcast.Thread{Root: r1, Last: r1}
	_, err := ch.Send(context.Background(), m)
	require.Error(t, err)
	f.loseAnswers("#ops", false)
	f.mu.Lock()
	f.oneRead = true
	f.mu.Unlock()

	m.Attempt = 2
	_, err = ch.Send(context.Background(), m)
	require.NoError(t, err)
	posts := ours(f, "#ops")
	assert.Equal(t, 2, posts, "the first post and the update once, at the top level")
	assert.Len(t, f.requests("conversations.replies"), 2, "the second page refused")
}

// ours counts the channel's posts in target's conversation: the messages
// carrying its metadata, not people's talk.
func ours(f *fakeSlack, target string) int {
	n := 0
	for _, msg := range byTarget(f.messages(), target) {
		if msg.metadata != nil {
			n++
		}
	}
	return n
}
