package main

import (
	"io"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/channels/webhook"
	"github.com/outagecast/outagecast/redact"
)

// testReceiver returns a receiver whose clock reads *clock.
func testReceiver(t *testing.T, clock *time.Time) *receiver {
	v, err := webhook.NewVerifier(redact.NewSecret(secret))
	require.NoError(t, err)
	rc := newHandler(v, io.Discard, io.Discard).(*receiver)
	rc.now = func() time.Time { return *clock }
	return rc
}

// A webhook-id is remembered for rememberIDs, well beyond the timestamp
// tolerance: a sender's retry is signed anew, with a fresh timestamp, so
// the tolerance does not stop a late retry of a delivery whose answer was
// lost. After that the id is forgotten, and the set stays bounded.
func TestSeenIDsAreForgottenAfterRetention(t *testing.T) {
	clock := time.Date(2026, 11, 24, 14, 0, 0, 0, time.UTC)
	rc := testReceiver(t, &clock)
	require.Greater(t, rememberIDs, webhook.DefaultTolerance)

	assert.False(t, rc.repeat("id-1"), "first delivery")
	clock = clock.Add(webhook.DefaultTolerance + time.Minute)
	assert.True(t, rc.repeat("id-1"), "a retry past the tolerance is still a repeat")
	clock = clock.Add(time.Hour)
	assert.False(t, rc.repeat("id-2"))

	clock = clock.Add(rememberIDs)
	assert.False(t, rc.repeat("id-3"))
	assert.Equal(t, 1, rc.seen.len(), "id-1 and id-2 forgotten, id-3 remembered")
	assert.False(t, rc.repeat("id-1"), "forgotten")
}

// However fast deliveries come, at most maxIDs ids are remembered: the
// oldest go first.
func TestSeenIDsAreBoundedInNumber(t *testing.T) {
	clock := time.Date(2026, 11, 24, 14, 0, 0, 0, time.UTC)
	rc := testReceiver(t, &clock)
	for i := range maxIDs + 10 {
		require.False(t, rc.repeat("id-"+strconv.Itoa(i)))
	}
	assert.Equal(t, maxIDs, rc.seen.len())
	assert.True(t, rc.repeat("id-"+strconv.Itoa(maxIDs+9)), "the newest is remembered")
	assert.False(t, rc.repeat("id-0"), "the oldest was forgotten")
}
