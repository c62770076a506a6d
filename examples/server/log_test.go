package main

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/dispatch"
)

// A correction or a retraction that waits for the delivery of its update
// to finish is put off without an error: nothing failed, so the log says
// it waits, at Info, not a warning of a retry with error=<nil> that an
// operator would look into.
func TestLogOfAJobWaitingForItsUpdate(t *testing.T) {
	var b strings.Builder
	e := dispatch.Event{Job: broadcast.JobRetract, Snoozed: true}
	e.Kind, e.Channel, e.UpdateID, e.Attempt, e.Delay = broadcast.EventRetry, "webhook", "cdn-42-1", 1, time.Second
	logEvent(newLogger(&b, 0, func(s string) string { return s }), e)
	assert.Contains(t, b.String(), "level=INFO")
	assert.NotContains(t, b.String(), "error=")
	assert.Contains(t, b.String(), "delay=1s")
	assert.Contains(t, b.String(), "wait")

	b.Reset()
	e.Err = broadcast.RetryAfter(errInTest, time.Second)
	logEvent(newLogger(&b, 0, func(s string) string { return s }), e)
	assert.Contains(t, b.String(), "level=WARN", "a retry after an error")
	assert.Contains(t, b.String(), "HTTP 429")
}

var errInTest = errorString("HTTP 429")

// A post's link is logged as the API answers it, without credentials of
// its own (see credvalue.Link), which hide, knowing only the
// configuration's secrets, let through.
func TestLogOfADeliveryHidesTheLinksCredentials(t *testing.T) {
	var b strings.Builder
	e := dispatch.Event{Job: broadcast.JobSend}
	e.Kind, e.Channel, e.UpdateID, e.Attempt = broadcast.EventDelivered, "hooks", "cdn-42-1", 1
	e.Receipt = broadcast.Receipt{URL: "https://bot:hunter22@chat.example.com/p/1?token=abcd1234"}
	logEvent(newLogger(&b, 0, func(s string) string { return s }), e)
	assert.NotContains(t, b.String(), "hunter22")
	assert.NotContains(t, b.String(), "abcd1234")
	assert.Contains(t, b.String(), `url="https://chat.example.com/p/1?token=REDACTED"`)
}
