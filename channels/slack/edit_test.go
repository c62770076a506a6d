package slack

import (
	"context"
	"errors"
	"github.com/outagecast/outagecast/redact"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
)

// correction returns the Message of a correction of u, as
// Broadcaster.Correct makes it, within thread.
func correction(u broadcast.Update, status broadcast.Status, thread broadcast.Thread) broadcast.Message {
	c := u
	c.ID, c.Corrects, c.Status = u.ID+"-corrected", u.ID, status
	c.Body = "Correction: the errors came from one CDN region."
	m := broadcast.NewMessage(c)
	m.Thread = thread
	return m
}

// Edit changes the message in every conversation in place and keeps the
// first post's status bar.
func TestEditEveryConversation(t *testing.T) {
	targets := []string{"#ops", "eng"}
	ch, f := newTestChannel(t, Config{Channels: targets})
	u1 := update(1, broadcast.StatusInvestigating)
	r1 := send(t, ch, u1, broadcast.Thread{})
	r2 := send(t, ch, update(2, broadcast.StatusIdentified), broadcast.Thread{Root: r1, Last: r1})
	r, err := ch.Edit(context.Background(), correction(u1, broadcast.StatusInvestigating, broadcast.Thread{Root: r1, Last: r2}), r1)
	require.NoError(t, err)
	assert.Equal(t, r1.ID, r.ID, "the same message")
	for _, target := range targets {
		got := byTarget(f.messages(), target)
		require.Len(t, got, 2, "%s: no new message", target)
		assert.Contains(t, shown(got[0].sections[0]), "Correction: the errors came from one CDN region.", target)
		assert.Contains(t, shown(got[0].sections[0]), "*Correction: ", target)
		require.Len(t, got[0].attachments, 1, "%s: the status bar is kept", target)
		assert.Contains(t, got[0].attachments[0], "Current status: Identified", "%s: not moved by a correction of the first post", target)
		p, ok := postOf(r, target)
		assert.True(t, ok && p.ts == got[0].ts, "%s: the receipt names the message", target)
	}
}

// A correction of the thread's latest update moves the status bar.
func TestEditLatestMovesStatusBar(t *testing.T) {
	ch, f := newTestChannel(t, Config{Channels: []string{"#ops"}})
	r1 := send(t, ch, update(1, broadcast.StatusInvestigating), broadcast.Thread{})
	u2 := update(2, broadcast.StatusResolved)
	r2 := send(t, ch, u2, broadcast.Thread{Root: r1, Last: r1})
	require.Contains(t, f.messages()[0].attachments[0], "Current status: Resolved")
	_, err := ch.Edit(context.Background(), correction(u2, broadcast.StatusMonitoring, broadcast.Thread{Root: r1, Last: r2}), r2)
	require.NoError(t, err)
	assert.Contains(t, f.messages()[0].attachments[0], "Current status: Monitoring")
	assert.Contains(t, shown(f.messages()[1].sections[0]), "Monitoring: ")
}

func TestEditErrors(t *testing.T) {
	ch, f := newTestChannel(t, Config{Channels: []string{"#ops"}})
	r1 := send(t, ch, update(1, broadcast.StatusInvestigating), broadcast.Thread{})

	_, err := ch.Edit(context.Background(), correction(update(1, broadcast.StatusInvestigating), broadcast.StatusIdentified,
		broadcast.Thread{}), broadcast.Receipt{Channel: ch.Name(), ID: r1.ID})
	assert.ErrorIs(t, err, errNoPost, "a receipt without the message's place")
	assert.True(t, broadcast.IsPermanent(err))

	f.failMethod("chat.update", "edit_window_closed")
	_, err = ch.Edit(context.Background(), correction(update(1, broadcast.StatusInvestigating), broadcast.StatusIdentified,
		broadcast.Thread{Root: r1, Last: r1}), r1)
	assert.Contains(t, err.Error(), "edit_window_closed")
	assert.NotErrorIs(t, err, broadcast.ErrPostGone)
	assert.ErrorIs(t, err, broadcast.ErrNotEditable, "too old to edit: the Broadcaster posts the correction anew")

	// Slack's refusals of an edit of a message that is there but that
	// this token may not change, or that cannot take the correction's
	// blocks: the Broadcaster posts the correction anew, as after
	// edit_window_closed.
	for _, code := range []string{"cant_update_message", "block_mismatch"} {
		f.failMethod("chat.update", code)
		_, err = ch.Edit(context.Background(), correction(update(1, broadcast.StatusInvestigating), broadcast.StatusIdentified,
			broadcast.Thread{Root: r1, Last: r1}), r1)
		assert.Contains(t, err.Error(), code)
		assert.NotErrorIs(t, err, broadcast.ErrPostGone, code)
		assert.ErrorIs(t, err, broadcast.ErrNotEditable, "%s: the Broadcaster posts the correction anew", code)
	}

	// A message in an archived conversation: a name entry's correction
	// is posted anew to the name, which may mean another conversation
	// now, as Send posts a later update (see deliver); an ID entry's
	// cannot be posted anew there either: a failure for good, not a
	// correction to repeat.
	f.failMethod("chat.update", "is_inactive")
	_, err = ch.Edit(context.Background(), correction(update(1, broadcast.StatusInvestigating), broadcast.StatusIdentified,
		broadcast.Thread{Root: r1, Last: r1}), r1)
	assert.Contains(t, err.Error(), "is_inactive")
	assert.ErrorIs(t, err, broadcast.ErrNotEditable, "a name: the Broadcaster posts the correction anew to it")
	byID, fid := newTestChannel(t, Config{Channels: []string{"C0OPS00001"}})
	rid := send(t, byID, update(1, broadcast.StatusInvestigating), broadcast.Thread{})
	fid.failMethod("chat.update", "is_inactive")
	_, err = byID.Edit(context.Background(), correction(update(1, broadcast.StatusInvestigating), broadcast.StatusIdentified,
		broadcast.Thread{Root: rid, Last: rid}), rid)
	assert.True(t, broadcast.IsPermanent(err), "%v", err)
	assert.NotErrorIs(t, err, broadcast.ErrNotEditable)
	assert.NotErrorIs(t, err, broadcast.ErrPostGone)

	f.failMethod("chat.update", "message_not_found")
	_, err = ch.Edit(context.Background(), correction(update(1, broadcast.StatusInvestigating), broadcast.StatusIdentified,
		broadcast.Thread{Root: r1, Last: r1}), r1)
	assert.ErrorIs(t, err, broadcast.ErrPostGone, "deleted by hand: the Broadcaster posts the correction anew")
}

// Retract deletes the message everywhere; a message already gone counts
// as deleted.
func TestRetract(t *testing.T) {
	ch, f := newTestChannel(t, Config{Channels: []string{"#ops", "eng"}})
	r1 := send(t, ch, update(1, broadcast.StatusInvestigating), broadcast.Thread{})
	require.NoError(t, ch.Retract(context.Background(), r1))
	for _, m := range f.messages() {
		assert.True(t, m.deleted, m.target)
	}
	require.NoError(t, ch.Retract(context.Background(), r1), "message_not_found: gone already")
	for _, c := range f.requests("chat.delete") {
		assert.Contains(t, []string{`"C0OPS00001"`, `"C0ENG00003"`}, string(c.body["channel"]), "by conversation ID")
	}
}

// A conversation that refuses the deletion for good still shows the
// message: Retract says so, even though the other one deleted it.
func TestRetractRefused(t *testing.T) {
	ch, f := newTestChannel(t, Config{Channels: []string{"#ops", "eng"}})
	r1 := send(t, ch, update(1, broadcast.StatusInvestigating), broadcast.Thread{})
	f.FailTarget("eng", channeltest.FailRejected)
	err := ch.Retract(context.Background(), r1)
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err))
	var te *broadcast.TargetsError
	require.True(t, errors.As(err, &te), "%v", err)
	require.Len(t, te.Failures, 1)
	assert.Equal(t, "eng", te.Failures[0].Target)
	var ae *APIError
	assert.True(t, errors.As(te.Failures[0].Err, &ae) && ae.Code == "cant_delete_message", "%v", te.Failures[0].Err)
	assert.True(t, byTarget(f.messages(), "#ops")[0].deleted)
}

// channel_not_found to chat.delete stays a permanent failure, neither a
// message gone nor ErrNotSupported. Slack documents it as "Value passed
// for channel was invalid."
// (https://docs.slack.dev/reference/methods/chat.delete/#errors): the
// conversation of a message this channel posted is deleted, or is private
// and the bot was removed from it, and Slack does not say which. In the
// second case the message is still there: counting it as deleted would
// report a retraction that did not happen. Deletion is supported, so it is
// not ErrNotSupported either.
func TestRetractChannelNotFound(t *testing.T) {
	ch, f := newTestChannel(t, Config{Channels: []string{"#ops"}})
	r1 := send(t, ch, update(1, broadcast.StatusInvestigating), broadcast.Thread{})
	f.failMethod("chat.delete", "channel_not_found")
	err := ch.Retract(context.Background(), r1)
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err), err)
	assert.NotErrorIs(t, err, broadcast.ErrPostGone)
	assert.NotErrorIs(t, err, broadcast.ErrNotSupported)
	assert.Contains(t, err.Error(), "channel_not_found")
}

func TestCheck(t *testing.T) {
	ch, f := newTestChannel(t, Config{Channels: []string{"#ops"}})
	require.NoError(t, ch.Check(context.Background()))
	calls := f.requests("auth.test")
	require.Len(t, calls, 1)
	assert.Equal(t, "Bearer "+testToken, calls[0].header.Get("Authorization"))
	assert.Empty(t, f.messages(), "Check posts nothing")

	bad, err := New(Config{Token: redact.NewSecret("xoxb-0000-0000-wrong"), Channels: []string{"#ops"}, BaseURL: f.srv.URL + "/api/"})
	require.NoError(t, err)
	t.Cleanup(func() { _ = bad.Close() })
	err = bad.Check(context.Background())
	assert.True(t, broadcast.IsPermanent(err), "%v", err)
	assert.EqualError(t, err, "slack: check: auth.test: invalid_auth")
}
