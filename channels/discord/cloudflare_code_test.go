package discord

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// Discord's JSON error code 40333 comes with the message "internal
// network error", which reads as an outage of Discord's to wait out; its
// JSON error codes table says "Cloudflare is blocking your request" and
// that a proper User-Agent often resolves it, nothing of its passing with
// time. It stays permanent, and its error says what the code means.
// Before, the error said only "internal network error (code 40333)".
func TestCloudflareBlockCodeSaysSo(t *testing.T) {
	f := newFake(t, fakeOptions{})
	ch := newChannel(t, f, nil)
	f.answer(canned{status: 403, body: `{"message": "internal network error", "code": 40333}`})
	_, err := ch.Send(context.Background(), broadcast.NewMessage(fullUpdate))
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err), "%v", err)
	_, ok := broadcast.RetryDelay(err)
	assert.False(t, ok, "no wait: %v", err)
	assert.Contains(t, err.Error(), "internal network error (code 40333)")
	assert.Contains(t, err.Error(), "Discord's edge (Cloudflare) blocks the request")
	assert.Contains(t, err.Error(), "User-Agent")
	assert.NotContains(t, err.Error(), testToken)
}
