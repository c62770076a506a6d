package main

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
)

// An event of a type the receiver does not know is acknowledged and
// ignored whatever its data holds: Standard Webhooks gives each event type
// a schema of its own, so a later sender's new type may use a field name of
// ours for a value of another shape. Decoded as an update, such an event
// was refused 400, which the sender takes for a permanent failure.
func TestUnknownEventTypeWithOtherDataIsAcknowledged(t *testing.T) {
	srv, out, log := newLoggingReceiver(t)
	const head = `{"type":"incident.merged","timestamp":"2026-11-24T14:02:00Z","data":`
	for i, data := range []string{
		`{"id":42}`,
		`{"components":{"api":"operational"}}`,
		`{"time":1764000000,"overrides":["a"]}`,
		`["u_1","u_2"]`,
	} {
		code, text := signedPost(t, srv, "id-"+strconv.Itoa(i), []byte(head+data+"}"))
		assert.Equal(t, http.StatusNoContent, code, "%s: %s", data, text)
	}
	assert.Empty(t, log.String())
	want := ""
	for range 4 {
		want += "2026-11-24T14:02:00Z incident.merged: unknown event type, ignored\n"
	}
	assert.Equal(t, want, out.String())

	// What it needs of every event is still checked.
	code, text := signedPost(t, srv, "id-bad-time", []byte(`{"type":"incident.merged","timestamp":"soon","data":{}}`))
	assert.Equal(t, http.StatusBadRequest, code)
	assert.Equal(t, "malformed payload: timestamp: want an RFC 3339 date-time, got \"soon\"\n", text)
	code, text = signedPost(t, srv, "id-bad-type", []byte(`{"type":7,"timestamp":"2026-11-24T14:02:00Z","data":{}}`))
	assert.Equal(t, http.StatusBadRequest, code)
	assert.Equal(t, "malformed payload: type: want a string, got a number\n", text)
}
