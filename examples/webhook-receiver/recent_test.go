package main

import (
	"bytes"
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

// A webhook-id is remembered for rememberFor, well beyond the timestamp
// tolerance: a sender's retry is signed anew, with a fresh timestamp, so
// the tolerance does not stop a late retry of a delivery whose answer was
// lost. After that the id is forgotten, and the set stays bounded.
func TestSeenIDsAreForgottenAfterRetention(t *testing.T) {
	clock := time.Date(2026, 11, 24, 14, 0, 0, 0, time.UTC)
	rc := testReceiver(t, &clock)
	require.Greater(t, rememberFor, webhook.DefaultTolerance)

	assert.False(t, repeat(rc, "id-1"), "first delivery")
	clock = clock.Add(webhook.DefaultTolerance + time.Minute)
	assert.True(t, repeat(rc, "id-1"), "a retry past the tolerance is still a repeat")
	clock = clock.Add(time.Hour)
	assert.False(t, repeat(rc, "id-2"))

	clock = clock.Add(rememberFor)
	assert.False(t, repeat(rc, "id-3"))
	assert.Equal(t, 1, rc.seen.len(), "id-1 and id-2 forgotten, id-3 remembered")
	assert.False(t, repeat(rc, "id-1"), "forgotten")
}

// However fast deliveries come, at most rememberMax ids are remembered:
// the oldest go first.
func TestSeenIDsAreBoundedInNumber(t *testing.T) {
	clock := time.Date(2026, 11, 24, 14, 0, 0, 0, time.UTC)
	rc := testReceiver(t, &clock)
	for i := range rememberMax + 10 {
		require.False(t, repeat(rc, "id-"+strconv.Itoa(i)))
	}
	assert.Equal(t, rememberMax, rc.seen.len())
	assert.True(t, repeat(rc, "id-"+strconv.Itoa(rememberMax+9)), "the newest is remembered")
	assert.False(t, repeat(rc, "id-0"), "the oldest was forgotten")
}

// Titles, kept to name the update a correction or retraction is about, are
// forgotten as ids are: a retraction after that names the update by ID only.
func TestTitlesAreForgottenAfterRetention(t *testing.T) {
	clock := time.Date(2026, 11, 24, 14, 0, 0, 0, time.UTC)
	rc := testReceiver(t, &clock)
	var out bytes.Buffer
	rc.out = &out
	update := webhook.Payload{Type: webhook.EventUpdated, Timestamp: clock,
		Data: webhook.Data{ID: "u_1", IncidentID: "cdn-42", Title: "Elevated CDN error rates", Status: "investigating"}}
	retraction := webhook.Payload{Type: webhook.EventRetracted, Timestamp: clock, Data: webhook.Data{ID: "u_1", IncidentID: "cdn-42"}}

	rc.print(update)
	rc.print(retraction)
	assert.Contains(t, out.String(), `RETRACTED update u_1 "Elevated CDN error rates" of incident cdn-42`)
	clock = clock.Add(rememberFor)
	out.Reset()
	rc.print(retraction)
	assert.Contains(t, out.String(), "RETRACTED update u_1 of incident cdn-42")
	assert.Zero(t, rc.updates.len())
	for i := range rememberMax + 1 {
		rc.remember(webhook.Data{ID: "u_" + strconv.Itoa(i), Title: "T"})
	}
	assert.Equal(t, rememberMax, rc.updates.len())
}

// repeat is what the receiver does with the webhook-id of a delivery it
// prints: reports whether it was seen, and records it.
func repeat(rc *receiver, id string) bool {
	if rc.seenID(id) {
		return true
	}
	rc.markSeen(id)
	return false
}
