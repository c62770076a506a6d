package discord

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// cloudflareBlock is the page Discord's edge (Cloudflare) answers with a
// 403 when it blocks the address a request came from: Discord restricts an
// IP address for a while after too many invalid requests (401, 403, 429)
// from it, "Temporary Cloudflare ban"
// (https://discord.com/developers/docs/topics/rate-limits#invalid-request-limit).
const cloudflareBlock = `<!DOCTYPE html><html><head><title>Access denied | discord.com used Cloudflare to restrict access</title></head>` +
	`<body><h1>Error 1015</h1><p>You are being rate limited</p></body></html>`

// A 403 without Discord's JSON error is its edge refusing the network the
// request came from, not the webhook: the error says so, and does not send
// the operator to Config.WebhookURL, which is right (Discord's own 403
// names its code), nor blame the token. Before, it said "not Discord's
// answer (check Config.WebhookURL)".
func TestEdgeBlockIsNotTheWebhookURL(t *testing.T) {
	f := newFake(t, fakeOptions{})
	ch := newChannel(t, f, nil)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ch.s.now = func() time.Time { return now }
	ch.s.sleep = func(_ context.Context, d time.Duration) error { now = now.Add(d); return nil } // the edge's wait (see TestEdgeRateLimitHoldsEveryRoute)
	f.answer(canned{status: 403, body: cloudflareBlock})
	_, err := ch.Send(context.Background(), broadcast.NewMessage(fullUpdate))
	require.Error(t, err)
	assert.False(t, broadcast.IsPermanent(err), err) // error 1015: a rate limit (see TestEdgeRateLimitIsTransient)
	msg := err.Error()
	assert.Contains(t, msg, "http status 403 Forbidden")
	assert.Contains(t, msg, "Discord's edge (Cloudflare) blocks the IP address")
	assert.Contains(t, msg, "too many invalid requests")
	assert.NotContains(t, msg, "Config.WebhookURL")
	assert.NotContains(t, msg, testToken)
	assert.NotContains(t, msg, testID)

	// Discord's own 403 names its refusal, with no hint about the network.
	f.answer(canned{status: 403, body: `{"message": "Missing Permissions", "code": 50013}`})
	_, err = ch.Send(context.Background(), broadcast.NewMessage(fullUpdate))
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "edge")
	assert.Contains(t, err.Error(), "Missing Permissions (code 50013)")
}
