package slack

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A correction of an earlier update that is posted anew (its message
// deleted by hand) is no newer status of the incident: the first post's
// status bar keeps showing the latest update's status. A correction of the
// latest update posted anew moves it, as an edit in place does.
func TestCorrectionPostedAnewKeepsStatusBar(t *testing.T) {
	cases := []struct {
		name      string
		corrected int    // the update corrected, 2 or 3
		want      string // the status bar after the correction
	}{
		{"an earlier update", 2, "Current status: Resolved"},
		{"the latest update", 3, "Current status: Monitoring"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ch, f := newTestChannel(t, Config{Channels: []string{"#ops"}})
			b, err := broadcast.New([]broadcast.Channel{ch}, broadcast.Options{})
			require.NoError(t, err)
			defer func() { _ = b.Close() }()
			ctx := context.Background()
			updates := []broadcast.Update{update(1, broadcast.StatusInvestigating),
				update(2, broadcast.StatusIdentified), update(3, broadcast.StatusResolved)}
			var receipts []broadcast.Receipt
			for _, u := range updates {
				rep, err := b.Send(ctx, u)
				require.NoError(t, err)
				receipts = append(receipts, rep.Results[0].Receipt)
			}
			require.Contains(t, f.messages()[0].attachments[0], "Current status: Resolved")
			// Deleted by hand: the correction is posted anew.
			require.NoError(t, ch.Retract(ctx, receipts[c.corrected-1]))

			fix := updates[c.corrected-1]
			fix.ID, fix.Status = "", broadcast.StatusMonitoring
			fix.Body = "Correction: the errors came from one CDN region."
			rep, err := b.Correct(ctx, updates[c.corrected-1].ID, fix)
			require.NoError(t, err)
			require.False(t, rep.Results[0].Edited, "posted anew")
			msgs := f.messages()
			require.Len(t, msgs, 4, "the correction posted in the thread")
			assert.Equal(t, msgs[0].ts, msgs[3].threadTS)
			require.Len(t, msgs[0].attachments, 1)
			assert.Contains(t, msgs[0].attachments[0], c.want)
		})
	}
}

// An incoming webhook cannot edit: Broadcaster.Correct posts the
// correction as a new message, and its Result says so (Edited false),
// rather than reporting an edit in place.
func TestWebhookCorrectionIsNotAnEdit(t *testing.T) {
	f := newFakeSlack(t, testToken)
	ch, err := New(hookConfig(f))
	require.NoError(t, err)
	b, u1, fix := firstUpdateSent(t, ch)
	rep, err := b.Correct(context.Background(), u1.ID, fix)
	require.NoError(t, err)
	assert.False(t, rep.Results[0].Edited, "posted as a new message, not edited in place")
	msgs := f.messages()
	require.Len(t, msgs, 2, "the correction is a new message")
	assert.Contains(t, shown(msgs[1].sections[0]), "*Correction: ")
	assert.Contains(t, msgs[1].text, "Correction: ")
}

// A correction of a message the token may not edit (cant_update_message:
// posted by another app or a user, as a receipt can name after a
// migration) is posted anew in the thread, as one too old to edit is,
// rather than failing the correction or retrying an edit that cannot
// pass.
func TestCorrectionOfUneditableMessageIsPostedAnew(t *testing.T) {
	for _, code := range []string{"cant_update_message", "edit_window_closed", "block_mismatch"} {
		t.Run(code, func(t *testing.T) {
			b, f, u1, _ := sentTwo(t)
			ctx := context.Background()
			f.failMethod("chat.update", code)
			updates := len(f.requests("chat.update")) // the status bar's, after u2

			fix := u1
			fix.ID, fix.Body = "", "Correction: the errors came from one CDN region."
			rep, err := b.Correct(ctx, u1.ID, fix)
			require.NoError(t, err)
			require.Len(t, rep.Results, 1)
			require.NoError(t, rep.Results[0].Err)
			assert.False(t, rep.Results[0].Edited, "posted anew, not edited in place")
			assert.Len(t, f.requests("chat.update"), updates+1, "one edit, not retried")
			msgs := f.messages()
			require.Len(t, msgs, 3, "the correction is a new message")
			assert.Equal(t, msgs[0].ts, msgs[2].threadTS, "in the incident's thread")
			assert.Contains(t, shown(msgs[2].sections[0]), "Correction: the errors came from one CDN region.")
			assert.NotContains(t, shown(msgs[0].sections[0]), "Correction: ", "the original stays as it was")
		})
	}
}

// sentTwo sends updates 1 (investigating) and 2 (identified) of the
// incident to "#ops" through a Broadcaster, which it returns with them
// and the fake.
func sentTwo(t *testing.T) (*broadcast.Broadcaster, *fakeSlack, broadcast.Update, broadcast.Update) {
	t.Helper()
	ch, f := newTestChannel(t, Config{Channels: []string{"#ops"}})
	b, err := broadcast.New([]broadcast.Channel{ch}, broadcast.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })
	u1, u2 := update(1, broadcast.StatusInvestigating), update(2, broadcast.StatusIdentified)
	for _, u := range []broadcast.Update{u1, u2} {
		_, err := b.Send(context.Background(), u)
		require.NoError(t, err)
	}
	return b, f, u1, u2
}
