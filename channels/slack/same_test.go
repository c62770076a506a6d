package slack

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
)

// inConversation returns the messages of the conversation id.
func inConversation(msgs []fakeMsg, id string) []fakeMsg {
	var out []fakeMsg
	for _, m := range msgs {
		if m.channel == id {
			out = append(out, m)
		}
	}
	return out
}

// A conversation named by its name and by its ID gets each update once,
// from the first update on, and both targets name that one message.
func TestNameAndIDOfOneConversationPostOnce(t *testing.T) {
	for _, targets := range [][]string{{"#ops", "C0OPS00001", "eng"}, {"C0OPS00001", "eng", "ops"}} {
		t.Run(targets[0], func(t *testing.T) {
			ch, f := newTestChannel(t, Config{Channels: targets})
			r1 := send(t, ch, update(1, broadcast.StatusInvestigating), broadcast.Thread{})
			r2 := send(t, ch, update(2, broadcast.StatusIdentified), broadcast.Thread{Root: r1, Last: r1})

			got := inConversation(f.messages(), "C0OPS00001")
			require.Len(t, got, 2, "one message per update in #ops")
			assert.Equal(t, got[0].ts, got[1].threadTS, "the second update replies to the first")
			assert.Len(t, inConversation(f.messages(), "C0ENG00003"), 2)
			for _, r := range []broadcast.Receipt{r1, r2} {
				a, okA := postOf(r, "#ops")
				if targets[0] != "#ops" {
					a, okA = postOf(r, "ops")
				}
				b, okB := postOf(r, "C0OPS00001")
				require.True(t, okA && okB, "both targets are delivered")
				assert.Equal(t, a, b, "both targets name the one message")
			}
		})
	}
}

// A post that failed transiently in a conversation, its message perhaps
// made, leaves the other target of that conversation pending without a
// post of its own: the retry posts once there.
func TestNameAndIDAfterTransientFailure(t *testing.T) {
	ch, f := newTestChannel(t, Config{Channels: []string{"#ops", "C0OPS00001"}})
	r1 := send(t, ch, update(1, broadcast.StatusInvestigating), broadcast.Thread{})
	before := len(f.requests("chat.postMessage"))

	f.FailTarget("C0OPS00001", channeltest.FailTransient)
	m := broadcast.NewMessage(update(2, broadcast.StatusIdentified))
	m.Thread = broadcast.Thread{Root: r1, Last: r1}
	_, err := ch.Send(context.Background(), m)
	require.Error(t, err)
	assert.False(t, broadcast.IsPermanent(err))
	assert.Equal(t, before+1, len(f.requests("chat.postMessage")), "one post to the conversation, not one per target")
	for _, target := range []string{"#ops", "C0OPS00001"} {
		done, _ := m.Ledger.Done(target)
		assert.False(t, done, "%s stays pending", target)
	}

	f.FailTarget("C0OPS00001", channeltest.FailNone)
	m.Attempt = 2
	_, err = ch.Send(context.Background(), m)
	require.NoError(t, err)
	assert.Len(t, inConversation(f.messages(), "C0OPS00001"), 2, "the retry posts the update once")
}

// A target whose conversation got the update from another target in an
// earlier attempt records that post, without posting again.
func TestConversationPostedInAnEarlierAttempt(t *testing.T) {
	ch, f := newTestChannel(t, Config{Channels: []string{"#ops", "eng"}})
	send(t, ch, update(1, broadcast.StatusInvestigating), broadcast.Thread{}) // learns the IDs

	ch2, err := New(Config{Token: ch.s.token, BaseURL: ch.s.base, Channels: []string{"#ops", "C0OPS00001"}})
	require.NoError(t, err)
	ch2.learn("#ops", "C0OPS00001")
	m := broadcast.NewMessage(update(2, broadcast.StatusIdentified))
	require.NoError(t, m.Ledger.MarkPosted("#ops", broadcast.Receipt{Meta: map[string]string{
		MetaChannel + "#ops": "C0OPS00001", MetaTS + "#ops": "1741944413.000001", MetaThreadTS + "#ops": "1741944413.000001"}}))
	before := len(f.requests("chat.postMessage"))
	r, err := ch2.Send(context.Background(), m)
	require.NoError(t, err)
	assert.Equal(t, before, len(f.requests("chat.postMessage")), "no post: #ops has the update")
	p, ok := postOf(r, "C0OPS00001")
	require.True(t, ok)
	assert.Equal(t, "1741944413.000001", p.ts)
}

// A conversation's name that Slack now gives another conversation posts
// there, and the ID entry of the conversation it named before posts its
// own message, in whichever order Config.Channels lists them: only the
// name's answer shows that it moved. Before, "#ops" listed after the ID
// recorded the ID's message as its own, and its new conversation never
// got the update.
func TestNameRenamedToAnotherConversation(t *testing.T) {
	for _, targets := range [][]string{{"C0OPS00001", "#ops"}, {"#ops", "C0OPS00001"}} {
		t.Run(targets[0], func(t *testing.T) {
			ch, f := newTestChannel(t, Config{Channels: targets})
			send(t, ch, update(1, broadcast.StatusInvestigating), broadcast.Thread{}) // learns #ops's ID
			require.Len(t, inConversation(f.messages(), "C0OPS00001"), 1)
			f.rename("ops", "ops-archive")
			f.rename("status", "ops")

			u := update(2, broadcast.StatusInvestigating)
			u.IncidentID = "another"
			r := send(t, ch, u, broadcast.Thread{})
			assert.Len(t, inConversation(f.messages(), "C0OPS00001"), 2, "the ID's conversation has both updates")
			assert.Len(t, inConversation(f.messages(), "C0STATUS02"), 1, "the name's new conversation has the second")
			p, ok := postOf(r, "#ops")
			require.True(t, ok)
			assert.Equal(t, "C0STATUS02", p.channel)
			p, ok = postOf(r, "C0OPS00001")
			require.True(t, ok)
			assert.Equal(t, "C0OPS00001", p.channel)
		})
	}
}

// A conversation's name that no conversation has now fails for good
// (channel_not_found), and the ID entry of the conversation it named
// before posts there all the same, whichever is listed first.
func TestNameRenamedAway(t *testing.T) {
	for _, targets := range [][]string{{"C0OPS00001", "#ops"}, {"#ops", "C0OPS00001"}} {
		t.Run(targets[0], func(t *testing.T) {
			ch, f := newTestChannel(t, Config{Channels: targets})
			send(t, ch, update(1, broadcast.StatusInvestigating), broadcast.Thread{})
			f.rename("ops", "ops-archive")

			u := update(2, broadcast.StatusInvestigating)
			u.IncidentID = "another"
			m := broadcast.NewMessage(u)
			r, err := ch.Send(context.Background(), m)
			require.NoError(t, err, "the refusal is in the Ledger")
			assert.Len(t, inConversation(f.messages(), "C0OPS00001"), 2, "the ID's conversation has both updates")
			done, failure := m.Ledger.Done("#ops")
			assert.True(t, done)
			assert.Contains(t, failure, "channel_not_found")
			_, ok := postOf(r, "#ops")
			assert.False(t, ok, "#ops names no post")
		})
	}
}

// A name Slack answered channel_not_found to forgets the conversation ID
// it had: when another name then comes to mean that conversation, the
// first neither records that name's post as its own nor is counted
// delivered, as it names no conversation. Before, "#ops" kept the ID of
// its last post and took "#x"'s message there for its own.
func TestNameNotFoundForgetsItsConversation(t *testing.T) {
	ch, f := newTestChannel(t, Config{Channels: []string{"#ops", "#x"}})
	incident := func(n int) broadcast.Message {
		u := update(n, broadcast.StatusInvestigating)
		u.IncidentID = fmt.Sprintf("incident-%d", n)
		return broadcast.NewMessage(u)
	}
	_, err := ch.Send(context.Background(), incident(1)) // learns #ops's ID; #x names none
	require.NoError(t, err)
	f.rename("ops", "ops-archive")
	_, err = ch.Send(context.Background(), incident(2)) // both refused
	require.Error(t, err)
	f.rename("ops-archive", "x")

	m := incident(3)
	r, err := ch.Send(context.Background(), m)
	require.NoError(t, err, "the refusal is in the Ledger")
	assert.Len(t, inConversation(f.messages(), "C0OPS00001"), 2, "one post per update that reached it")
	done, failure := m.Ledger.Done("#ops")
	assert.True(t, done)
	assert.Contains(t, failure, "channel_not_found", "#ops names no conversation now")
	_, ok := postOf(r, "#ops")
	assert.False(t, ok, "#ops names no post")
	p, ok := postOf(r, "#x")
	require.True(t, ok)
	assert.Equal(t, "C0OPS00001", p.channel)
}

// Two names that both came to mean one conversation, each known before
// as another's, post there both, as only Slack's answers show it; the
// second message is deleted at once, and both names record the first:
// the conversation shows the update once. Before, it showed it twice.
func TestTwoNamesMovedIntoOneConversation(t *testing.T) {
	r, shown := sendToTwoNamesMovedIntoOne(t, nil)
	require.Equal(t, 1, len(shown), "the conversation shows the update once")
	for _, target := range []string{"#ops", "#status"} {
		p, ok := postOf(r, target)
		require.True(t, ok, target)
		assert.Equal(t, post{channel: "C0ENG00003", ts: shown[0].ts, thread: shown[0].ts}, p, target)
	}
}

// The deletion of the second message of two names moved into one
// conversation (see TestTwoNamesMovedIntoOneConversation) whose outcome
// is unknown (a proxy's 502 page in Slack's place after Slack deleted it,
// its answer lost) is judged as Retract judges one: a read of the thread
// that no longer lists the message counts it deleted, and both names
// record the message shown. Before, any error of the deletion kept the
// second message as its name's post, for good: a message Slack had
// deleted, whose thread the name's later updates then replied to. A
// deletion refused before it reached Slack (the proxy's 502 without
// passing it on) leaves the message up, and its name records it.
func TestUndoneSecondPostWithUnknownOutcome(t *testing.T) {
	for _, c := range []struct {
		name    string
		fail    func(f *fakeSlack)
		deleted bool // whether Slack deleted the second message
	}{
		{"proxy 502 after the deletion", func(f *fakeSlack) {
			f.proxyAnswers("chat.delete", &fakeAnswer{status: http.StatusBadGateway,
				body: "<html><body><h1>502 Bad Gateway</h1></body></html>", passed: true})
		}, true},
		{"answer lost", func(f *fakeSlack) { f.loseAnswersOf("chat.delete", true) }, true},
		{"proxy 502 before Slack", func(f *fakeSlack) {
			f.proxyAnswers("chat.delete", &fakeAnswer{status: http.StatusBadGateway,
				body: "<html><body><h1>502 Bad Gateway</h1></body></html>"})
		}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			r, shown := sendToTwoNamesMovedIntoOne(t, c.fail)
			if !c.deleted {
				assert.Len(t, shown, 2, "the deletion did not take effect")
				return
			}
			require.Len(t, shown, 1)
			for _, target := range []string{"#ops", "#status"} {
				p, ok := postOf(r, target)
				require.True(t, ok, target)
				assert.Equal(t, shown[0].ts, p.ts, "%s names the message shown, not the one deleted", target)
			}
		})
	}
}

// A deletion of the second message of two names moved into one
// conversation that a proxy refused with a 5xx before passing it on
// (its outcome unknown to the channel) leaves the message up, and a read
// of the conversation lists it: its name records it, so that Retract
// deletes it. Before, the read was taken to list only the replies to the
// message, never the message itself (the first post of an incident), and
// the message was judged deleted: both names recorded the other, and the
// second message stayed in the conversation, named by no entry, for no
// Retract to delete.
func TestUndoneSecondPostStillUpStaysRecorded(t *testing.T) {
	r, shown := sendToTwoNamesMovedIntoOne(t, func(f *fakeSlack) {
		f.proxyAnswers("chat.delete", &fakeAnswer{status: http.StatusBadGateway,
			body: "<html><body><h1>502 Bad Gateway</h1></body></html>"})
	})
	require.Len(t, shown, 2, "the deletion did not take effect")
	assertEachShownNamed(t, r, shown)
}

// Likewise when the read that is to tell fails too (here a proxy's 503):
// whether the deletion took effect is not known, and the message may be
// up. Its name records it (a thread whose first post is gone is one the
// channel's later updates cope with), rather than leave a message that
// may be up named by no entry, for no Retract to delete. A Retract, whose
// error is retried, takes a read that fails for the post gone (see
// retractPost); this post's removal is not retried.
func TestUndoneSecondPostUnreadStaysRecorded(t *testing.T) {
	page := func(status int) *fakeAnswer {
		return &fakeAnswer{status: status, body: fmt.Sprintf("<html><body><h1>%d</h1></body></html>", status)}
	}
	r, shown := sendToTwoNamesMovedIntoOne(t, func(f *fakeSlack) {
		f.proxyAnswers("chat.delete", page(http.StatusBadGateway))
		f.proxyAnswers("conversations.replies", page(http.StatusServiceUnavailable))
	})
	require.Len(t, shown, 2, "the deletion did not take effect")
	assertEachShownNamed(t, r, shown)
}

// sendToTwoNamesMovedIntoOne sends the first update of another incident
// through two names that both came to mean conversation C0ENG00003 since
// the channel learned them (each known before as another's), fail (if
// not nil) set up on the fake before it: the Receipt, and the messages the
// conversation shows after it.
func sendToTwoNamesMovedIntoOne(t *testing.T, fail func(f *fakeSlack)) (broadcast.Receipt, []fakeMsg) {
	t.Helper()
	ch, f := newTestChannel(t, Config{Channels: []string{"#ops", "#status"}})
	send(t, ch, update(1, broadcast.StatusInvestigating), broadcast.Thread{}) // learns both IDs
	f.wsMu.Lock()
	f.names = map[string]string{"ops": "C0ENG00003", "status": "C0ENG00003", "old-ops": "C0OPS00001", "old-status": "C0STATUS02"}
	f.wsMu.Unlock()
	if fail != nil {
		fail(f)
	}
	u := update(2, broadcast.StatusInvestigating)
	u.IncidentID = "another"
	r := send(t, ch, u, broadcast.Thread{})
	var shown []fakeMsg
	for _, m := range inConversation(f.messages(), "C0ENG00003") {
		if !m.deleted {
			shown = append(shown, m)
		}
	}
	return r, shown
}

// assertEachShownNamed asserts that the messages shown are those r names
// for #ops and #status, each by its entry.
func assertEachShownNamed(t *testing.T, r broadcast.Receipt, shown []fakeMsg) {
	t.Helper()
	want, named := map[string]bool{}, map[string]bool{}
	for _, m := range shown {
		want[m.ts] = true
	}
	for _, target := range []string{"#ops", "#status"} {
		p, ok := postOf(r, target)
		require.True(t, ok, target)
		named[p.ts] = true
	}
	assert.Equal(t, want, named, "each message shown is named by its entry")
}
