package email_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/email"
)

// TestUpdateSentAgainAfterLaterReply: an update sent again once a later
// update replied to it (Thread.Last is that later update, whose References
// hold the update's Message-ID) replies to what it replied to the first
// time, with the same References, not to the later update, which replies
// to it: its References never name its own Message-ID, and its receipt's
// chain is the one its first sending recorded.
func TestUpdateSentAgainAfterLaterReply(t *testing.T) {
	srv := startSMTP(t, serverOptions{user: testUser, pass: testPass})
	ch := newChannel(t, config(srv, "alice@example.net"))
	r1 := send(t, ch, broadcast.Message{Update: incident(1)})
	r2 := send(t, ch, broadcast.Message{Update: incident(2), Thread: broadcast.Thread{Root: r1, Last: r1}})
	r3 := send(t, ch, broadcast.Message{Update: incident(3), Thread: broadcast.Thread{Root: r1, Last: r2}})
	r4 := send(t, ch, broadcast.Message{Update: incident(4), Thread: broadcast.Thread{Root: r1, Last: r3}})
	again := send(t, ch, broadcast.Message{Update: incident(2), Thread: broadcast.Thread{Root: r1, Last: r4}})

	msgs := srv.messages()
	require.Len(t, msgs, 5)
	first, second := parse(t, msgs[1].data).header, parse(t, msgs[4].data).header
	assert.Equal(t, r2.ID, second.Get("Message-ID"))
	assert.Equal(t, r1.ID, second.Get("In-Reply-To"), "not a reply to a reply to itself")
	assert.Equal(t, first.Get("References"), second.Get("References"))
	assert.NotContains(t, second.Get("References"), r2.ID)
	assert.Equal(t, r2.Meta["references"], again.Meta["references"])
	assert.Equal(t, 1, strings.Count(again.Meta["references"], r2.ID))

	// The first update sent again, after the others, has nothing to reply to.
	send(t, ch, broadcast.Message{Update: incident(1), Thread: broadcast.Thread{Root: r1, Last: r4}})
	h := parse(t, srv.messages()[5].data).header
	assert.Empty(t, h.Get("In-Reply-To"))
	assert.Empty(t, h.Get("References"))
}

// TestUpdateSentAgainInLongThread: in a thread longer than MaxReferences,
// whose References are capped, an update sent again once its receipt is
// the thread's latest goes out with the References it went out with the
// first time, all of them, and the next update's References are capped
// again.
func TestUpdateSentAgainInLongThread(t *testing.T) {
	srv, ch, root, last, n := longThread(t)
	again := send(t, ch, broadcast.Message{Update: incident(n), Thread: broadcast.Thread{Root: root, Last: last}})
	send(t, ch, broadcast.Message{Update: incident(n + 1), Thread: broadcast.Thread{Root: root, Last: again}})

	msgs := srv.messages()
	require.Len(t, msgs, n+2)
	first, second := parse(t, msgs[n-1].data).header, parse(t, msgs[n].data).header
	assert.Equal(t, first.Get("Message-ID"), second.Get("Message-ID"))
	assert.Equal(t, first.Get("In-Reply-To"), second.Get("In-Reply-To"))
	assert.Equal(t, first.Get("References"), second.Get("References"))
	assert.Len(t, strings.Fields(second.Get("References")), email.MaxReferences)
	assert.Equal(t, last.Meta["references"], again.Meta["references"])

	next := parse(t, msgs[n+1].data).header
	refs := strings.Fields(next.Get("References"))
	require.Len(t, refs, email.MaxReferences, "capped")
	assert.Equal(t, root.ID, refs[0], "the first kept")
	assert.Equal(t, last.ID, refs[len(refs)-1])
	assert.Equal(t, last.ID, next.Get("In-Reply-To"))
}

// TestUpdateSentAgainAfterLaterReplyInLongThread: in a thread longer than
// MaxReferences, an update sent again once a later update replied to it
// replies to what it replied to the first time, with the References it
// went out with: the first, and the latest ones, ending with what it
// replied to. (Before, the ID capping dropped from the later update's
// References was missing: receipts kept the capped chain.)
func TestUpdateSentAgainAfterLaterReplyInLongThread(t *testing.T) {
	srv, ch, root, last, n := longThread(t)
	later := send(t, ch, broadcast.Message{Update: incident(n + 1), Thread: broadcast.Thread{Root: root, Last: last}})
	send(t, ch, broadcast.Message{Update: incident(n), Thread: broadcast.Thread{Root: root, Last: later}})

	msgs := srv.messages()
	require.Len(t, msgs, n+2)
	first, again := parse(t, msgs[n-1].data).header, parse(t, msgs[n+1].data).header
	assert.Equal(t, first.Get("In-Reply-To"), again.Get("In-Reply-To"))
	was, is := strings.Fields(first.Get("References")), strings.Fields(again.Get("References"))
	require.Len(t, was, email.MaxReferences)
	assert.Equal(t, was, is, "the References it went out with")
	assert.Equal(t, root.ID, is[0], "the first kept")
	assert.NotContains(t, is, last.ID)
}

// longThread sends n updates of one incident, MaxReferences+5 of them,
// each replying to the one before, to a channel of its own: a thread whose
// References are capped.
func longThread(t *testing.T) (srv *fakeSMTP, ch *email.Channel, root, last broadcast.Receipt, n int) {
	t.Helper()
	srv = startSMTP(t, serverOptions{user: testUser, pass: testPass})
	ch = newChannel(t, config(srv, "alice@example.net"))
	root = send(t, ch, broadcast.Message{Update: incident(1)})
	last = root
	n = email.MaxReferences + 5
	for i := 2; i <= n; i++ {
		last = send(t, ch, broadcast.Message{Update: incident(i), Thread: broadcast.Thread{Root: root, Last: last}})
	}
	return srv, ch, root, last, n
}

// TestOldUpdateSentAgainInLongThread: in a thread longer than
// MaxReferences, an update sent again whose Message-ID the References of
// Thread.Last no longer hold (capping dropped it) replies to what it
// replied to the first time, with the same References, the first kept:
// before, it replied to Thread.Last, a newer message, and listed the
// messages after it in its References.
func TestOldUpdateSentAgainInLongThread(t *testing.T) {
	srv, ch, root, last, n := longThread(t)
	send(t, ch, broadcast.Message{Update: incident(3), Thread: broadcast.Thread{Root: root, Last: last}})

	msgs := srv.messages()
	require.Len(t, msgs, n+1)
	first, again := parse(t, msgs[2].data).header, parse(t, msgs[n].data).header
	assert.Equal(t, first.Get("Message-ID"), again.Get("Message-ID"))
	assert.Equal(t, first.Get("In-Reply-To"), again.Get("In-Reply-To"), "not a reply to a newer message")
	assert.Equal(t, first.Get("References"), again.Get("References"))
	assert.Equal(t, root.ID, strings.Fields(again.Get("References"))[0], "the first kept")
	assert.NotContains(t, again.Get("References"), last.ID)
}
