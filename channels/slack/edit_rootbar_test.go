package slack

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A correction of the first post when it is the incident's latest again
// (its replies retracted, the status bar set back to its own status)
// moves the bar with the text: the first post read "Correction:
// Monitoring" above a bar saying "Current status: Investigating".
func TestCorrectionOfFirstPostMovesItsStatusBar(t *testing.T) {
	b, f, u1, u2 := sentTwo(t)
	ctx := context.Background()
	_, err := b.Retract(ctx, u2.ID)
	require.NoError(t, err)
	require.Contains(t, rootBar(t, f, "#ops"), "*Current status: Investigating*", "set back to the first post's")

	fix := u1
	fix.ID, fix.Status, fix.Body = "", broadcast.StatusMonitoring, "Correction: the errors came from one CDN region."
	rep, err := b.Correct(ctx, u1.ID, fix)
	require.NoError(t, err)
	require.True(t, rep.Results[0].Edited)
	root := byTarget(f.messages(), "#ops")[0]
	assert.Contains(t, shown(root.sections[0]), "Correction: Monitoring: ")
	assert.Contains(t, rootBar(t, f, "#ops"), "*Current status: Monitoring*", "the bar follows the correction")
}

// A first post without a status bar (no reply was ever posted) gets none
// from its correction: the bar says that every update is in the thread.
func TestCorrectionOfLoneFirstPostAddsNoStatusBar(t *testing.T) {
	ch, f := newTestChannel(t, Config{Channels: []string{"#ops"}})
	b, u1, fix := firstUpdateSent(t, ch)
	rep, err := b.Correct(context.Background(), u1.ID, fix)
	require.NoError(t, err)
	require.True(t, rep.Results[0].Edited)
	root := byTarget(f.messages(), "#ops")[0]
	assert.Contains(t, shown(root.sections[0]), "Correction: ")
	assert.Empty(t, root.attachments)
	assert.Len(t, f.requests("chat.update"), 1, "the edit alone")
}
