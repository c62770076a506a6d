package slack

import (
	"context"
	"net/http"
	"testing"

	"github.com/outagecast/outagecast/broadcast"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A retraction of the latest update whose deletion's answer was lost
// (Slack deleted it) sets the status bar back all the same: the retry
// finds the message gone and can no longer tell that the bar showed its
// status, so a "Resolved" retracted so kept showing as the current status.
func TestRetractWithLostAnswerRestoresStatusBar(t *testing.T) {
	ch, f := newTestChannel(t, Config{Channels: []string{"#ops"}})
	_, _, r3 := threeUpdates(t, ch)
	ctx := context.Background()

	f.loseAnswersOf("chat.delete", true)
	require.Error(t, ch.Retract(ctx, r3), "the answer lost")
	f.loseAnswersOf("chat.delete", false)
	require.NoError(t, ch.Retract(ctx, r3), "the retry: the message is gone")
	assert.True(t, byTarget(f.messages(), "#ops")[2].deleted)
	assert.Contains(t, rootBar(t, f, "#ops"), "*Current status: Identified*")
}

// A deletion that failed without an answer and did not take effect
// leaves the message, and its retry sets the bar back once it deletes.
func TestRetractRetriedAfterFailedDeletionRestoresStatusBar(t *testing.T) {
	ch, f := newTestChannel(t, Config{Channels: []string{"#ops"}})
	_, _, r3 := threeUpdates(t, ch)
	ctx := context.Background()

	f.failMethod("chat.delete", "internal_error")
	require.Error(t, ch.Retract(ctx, r3))
	assert.False(t, byTarget(f.messages(), "#ops")[2].deleted)
	f.failMethod("chat.delete", "")
	require.NoError(t, ch.Retract(ctx, r3))
	assert.True(t, byTarget(f.messages(), "#ops")[2].deleted)
	assert.Contains(t, rootBar(t, f, "#ops"), "*Current status: Identified*")
}

// A deletion that did not take effect leaves the message up, and the
// status bar showing its status: one Slack refuses for good
// (cant_delete_message), and one that failed without taking effect
// (internal_error), where the bar was set back at once, and when every
// retry failed the thread showed "Resolved" under a bar saying "Current
// status: Identified".
func TestRetractNotDoneLeavesStatusBar(t *testing.T) {
	for _, code := range []string{"cant_delete_message", "internal_error"} {
		t.Run(code, func(t *testing.T) {
			ch, f := newTestChannel(t, Config{Channels: []string{"#ops"}})
			_, _, r3 := threeUpdates(t, ch)
			f.failMethod("chat.delete", code)
			require.Error(t, ch.Retract(context.Background(), r3))
			assert.False(t, byTarget(f.messages(), "#ops")[2].deleted)
			assert.Contains(t, rootBar(t, f, "#ops"), "*Current status: Resolved*", "the message is still up")
		})
	}
}

// A deletion a proxy in front of Slack refused for its rate limit (429
// with its own page, not Slack's JSON) did not take effect: the message
// is up, and the status bar keeps showing its status. It was taken for a
// deletion whose outcome is unknown, and a read of the thread rate
// limited too (Slack allows an app outside its Marketplace one read a
// minute) counted the message as gone: the bar was set back under a
// "Resolved" still up.
func TestRetractProxyRateLimitedLeavesStatusBar(t *testing.T) {
	ch, f := newTestChannel(t, Config{Channels: []string{"#ops"}})
	_, _, r3 := threeUpdates(t, ch)
	f.mu.Lock()
	f.oneRead = true
	f.mu.Unlock()
	f.proxyAnswers("chat.delete", &fakeAnswer{status: http.StatusTooManyRequests,
		body: "<html><body>429 Too Many Requests</body></html>", header: map[string]string{"Retry-After": "20"}})

	err := ch.Retract(context.Background(), r3)
	require.Error(t, err)
	assert.False(t, broadcast.IsPermanent(err), "a rate limit passes: %v", err)
	assert.False(t, byTarget(f.messages(), "#ops")[2].deleted)
	assert.Contains(t, rootBar(t, f, "#ops"), "*Current status: Resolved*", "the message is still up")
}
