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
