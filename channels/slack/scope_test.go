package slack

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
)

// Slack's missing_scope names, beside the code, the scopes the method
// needs ("needed") and those the token has ("provided"): the error says
// them, so that the operator knows which scope to add to the app, and
// it stays permanent.
func TestMissingScopeNamesTheScope(t *testing.T) {
	ch, f := newTestChannel(t, Config{Channels: []string{"C0OPS00001"}})
	f.failMethod("chat.postMessage", "missing_scope")
	_, err := ch.Send(context.Background(), broadcast.NewMessage(update(1, broadcast.StatusInvestigating)))
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err), "a missing scope is the app's to fix: %v", err)
	assert.Contains(t, err.Error(), "chat.postMessage: missing_scope (scope needed: chat:write; the token has: chat:write)")
	var te *broadcast.TargetsError
	require.True(t, errors.As(err, &te), "%v", err)
	require.Len(t, te.Failures, 1)
	var ae *APIError
	require.True(t, errors.As(te.Failures[0].Err, &ae), "%v", te.Failures[0].Err)
	assert.Equal(t, "missing_scope", ae.Code)
	assert.Equal(t, "chat:write", ae.Needed)
	channeltest.AssertNoSecret(t, err.Error(), testToken)

	// A retry's look-up refused for its scope says which, in the receipt.
	atFakeTime(ch, f)
	f.failMethod("chat.postMessage", "")
	f.failMethod("conversations.history", "missing_scope")
	m := broadcast.NewMessage(update(2, broadcast.StatusInvestigating))
	m.Attempt = 2
	r, err := ch.Send(context.Background(), m)
	require.NoError(t, err)
	assert.Contains(t, r.Meta[MetaLookupError+"C0OPS00001"],
		"conversations.history: missing_scope (scope needed: channels:history,groups:history,mpim:history,im:history")
}
