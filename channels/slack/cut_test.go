package slack

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/channels/internal/cutbody"
	"github.com/outagecast/outagecast/redact"
)

// A chat.postMessage answered 200 whose body breaks off posted the
// message, as every other channel takes a cut 2xx: Slack answers a post it
// made with {"ok": true, "channel": …, "ts": …}, "ok" first, and a refusal
// with a short {"ok": false, "error": "…"}, also with 200
// (https://api.slack.com/methods/chat.postMessage#examples, #errors). So a
// cut answer that does not start by refusing is a post made, without its
// ts: a retry would post the update twice, while a post missed shows
// nowhere. One whose start refuses posted nothing, and is retried. Before,
// every cut answer was retried, posting twice.
func TestCutPostAnswer(t *testing.T) {
	for _, tt := range []struct {
		name, partial string
		delivered     bool
	}{
		{"ok", `{"ok":true,"channel":"C0123456789","ts":"1700000000.0001`, true},
		{"ok with spaces", `{ "ok" : true, "chan`, true},
		{"nothing readable", `{"o`, true},
		{"refused", `{"ok":false,"error":"internal_err`, false},
		{"refused with spaces", "{\n  \"ok\": false,\n  \"err", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := cutbody.NewServer(t, http.StatusOK, tt.partial)
			ch, err := New(Config{Token: redact.NewSecret(testToken), Channels: []string{"C0123456789"}, BaseURL: srv.URL + "/api/"})
			require.NoError(t, err)
			t.Cleanup(func() { _ = ch.Close() })
			r, err := ch.Send(context.Background(), broadcast.NewMessage(update(1, broadcast.StatusInvestigating)))
			assert.Equal(t, 1, srv.Requests())
			if !tt.delivered {
				require.Error(t, err)
				assert.False(t, broadcast.IsPermanent(err), "retried: nothing was posted: %v", err)
				return
			}
			require.NoError(t, err)
			assert.Empty(t, r.ID, "no ts to name the message by")
		})
	}
}

// A correction of an update whose post in a conversation had its answer
// cut off (TestCutPostAnswer: posted, its ts unknown) cannot edit that
// post: that conversation fails with broadcast.ErrNotEditable, so that the
// Broadcaster posts the correction anew there, while the others are
// edited. Before, the conversation was left out, and its readers never saw
// the correction.
func TestEditOfACutPost(t *testing.T) {
	ch, f := newTestChannel(t, Config{Channels: []string{"#ops", "eng"}})
	prev := send(t, ch, update(1, broadcast.StatusInvestigating), broadcast.Thread{})
	for _, k := range []string{MetaChannel, MetaTS, MetaThreadTS} {
		prev.Meta[k+"eng"] = "" // as a cut answer leaves it
	}
	_, err := ch.Edit(context.Background(), correction(update(1, broadcast.StatusInvestigating), broadcast.StatusIdentified,
		broadcast.Thread{Root: prev, Last: prev}), prev)
	require.Error(t, err)
	var te *broadcast.TargetsError
	require.ErrorAs(t, err, &te)
	require.Len(t, te.Pending, 1, "%v", err)
	assert.Equal(t, "eng", te.Pending[0].Target)
	assert.ErrorIs(t, te.Pending[0].Err, broadcast.ErrNotEditable)
	assert.Empty(t, te.Failures)
	assert.Contains(t, shown(byTarget(f.messages(), "#ops")[0].sections[0]), "Identified")
}

// A retraction cannot delete a post whose answer was cut off (its ts
// unknown): that conversation fails for good, saying to delete it by hand,
// rather than counting as deleted; the others are deleted.
func TestRetractOfACutPost(t *testing.T) {
	ch, f := newTestChannel(t, Config{Channels: []string{"#ops", "eng"}})
	prev := send(t, ch, update(1, broadcast.StatusInvestigating), broadcast.Thread{})
	for _, k := range []string{MetaChannel, MetaTS, MetaThreadTS} {
		prev.Meta[k+"eng"] = ""
	}
	err := ch.Retract(context.Background(), prev)
	require.Error(t, err)
	var te *broadcast.TargetsError
	require.ErrorAs(t, err, &te)
	require.Len(t, te.Failures, 1, "%v", err)
	assert.Equal(t, "eng", te.Failures[0].Target)
	assert.Contains(t, te.Failures[0].Err.Error(), "delete it by hand")
	assert.True(t, byTarget(f.messages(), "#ops")[0].deleted)
}

// Slack answers every post it made with its ts and the channel's ID,
// both strings (https://api.slack.com/methods/chat.postMessage#examples):
// an "ok": true whose ts or channel does not read so (a number, an
// array, a relay's echo of the request quoting the token after them) is
// another server's answer, as seven other channels and Slack's own
// incoming webhook take one: the conversation fails for good, after one
// post, naming Config.BaseURL, and no part of the answer is kept. Before,
// it was marked done as a post made without its ts.
func TestOKAnswerUnreadableIsNotSlacks(t *testing.T) {
	for _, tt := range []struct {
		body  string
		named bool // Slack's answer: the receipt names the post
	}{
		{`{"ok":true,"channel":"C0123456789","ts":1700000000.0001}`, false},
		{`{"ok":true,"channel":["C0123456789"],"ts":"1700000000.000100"}`, false},
		{`{"ok":true,"channel":"C0123456789"}`, false},
		{`{"ok":true,"channel":"C0123456789","ts":"1700000000.000100 Bearer ` + testToken + `"}`, false},
		{`{"ok":true,"channel":"C0123456789","ts":"1700000000.000100","message":{"text":"Bearer ` + testToken + `"}}`, false},
		{`{"ok":true,"channel":"C0123456789","ts":"1700000000.000100","message":"posted"}`, true},
	} {
		body := tt.body
		t.Run(body, func(t *testing.T) {
			var posts atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				posts.Add(1)
				w.Header().Set("Content-Type", "application/json; charset=utf-8")
				_, _ = io.WriteString(w, body)
			}))
			t.Cleanup(srv.Close)
			ch, err := New(Config{Token: redact.NewSecret(testToken), Channels: []string{"C0123456789"}, BaseURL: srv.URL + "/api/"})
			require.NoError(t, err)
			t.Cleanup(func() { _ = ch.Close() })
			m := broadcast.NewMessage(update(1, broadcast.StatusInvestigating))
			r, err := ch.Send(context.Background(), m)
			assert.Equal(t, int32(1), posts.Load())
			if tt.named {
				require.NoError(t, err)
				p, _ := postOf(r, "C0123456789")
				assert.Equal(t, post{channel: "C0123456789", ts: "1700000000.000100", thread: "1700000000.000100"}, p)
				return
			}
			require.Error(t, err)
			assert.True(t, broadcast.IsPermanent(err), "%v", err)
			assert.Contains(t, err.Error(), "Config.BaseURL")
			assert.NotContains(t, err.Error(), testToken)
			done, failure := m.Ledger.Done("C0123456789")
			assert.True(t, done)
			assert.Contains(t, failure, "not Slack's answer")
			assert.NotContains(t, failure, testToken)
		})
	}
}

// An "ok" answer to an edit, a deletion or a check that quotes the token
// (a relay's or a debugging proxy's echo of the request) is another
// server's answer, permanent and naming Config.BaseURL, as a post's is;
// before, the edit and the deletion counted as made and Check passed.
func TestOKAnswerQuotingTheTokenIsNotSlacks(t *testing.T) {
	ch, f := newTestChannel(t, Config{Channels: []string{"#ops"}})
	u1 := update(1, broadcast.StatusInvestigating)
	r1 := send(t, ch, u1, broadcast.Thread{})
	f.Fail(channeltest.FailEchoDelivered)
	_, editErr := ch.Edit(context.Background(), correction(u1, broadcast.StatusIdentified, broadcast.Thread{Root: r1, Last: r1}), r1)
	for what, err := range map[string]error{"edit": editErr, "retract": ch.Retract(context.Background(), r1),
		"check": ch.Check(context.Background())} {
		require.Error(t, err, what)
		assert.True(t, broadcast.IsPermanent(err), "%s: %v", what, err)
		assert.Contains(t, err.Error(), "not Slack's answer (check Config.BaseURL)", what)
		channeltest.AssertNoSecret(t, err.Error(), testToken)
	}
}
