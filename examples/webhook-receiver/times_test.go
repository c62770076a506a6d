package main

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// A time that is not an RFC 3339 date-time, or not a string, is named by
// its field like any other value of the wrong type: encoding/json reports
// it without the field ("parsing time …", "Time.UnmarshalJSON: input is
// not a JSON string"), which leaves the sender to guess which of the
// payload's three times is wrong.
func TestRejectsBadTimesNamingTheField(t *testing.T) {
	srv, out, log := newLoggingReceiver(t)

	event := func(ts, time, next string) string {
		return `{"type":"incident.updated","timestamp":` + ts + `,"data":{"id":"u_1","incident_id":"cdn-42","title":"T",` +
			`"status":"resolved","components":[],"time":` + time + `,"next_update":` + next + `}}`
	}
	const ok = `"2026-11-24T14:02:00Z"`
	long := `"` + strings.Repeat("9", 500) + `"`
	for i, tt := range []struct{ body, want string }{
		{event(`"yesterday"`, ok, ok), `timestamp: want an RFC 3339 date-time, got "yesterday"`},
		{event(ok, `5`, ok), "data.time: want a string, got a number"},
		{event(ok, `{}`, ok), "data.time: want a string, got an object"},
		{event(ok, ok, `"2026-13-01T00:00:00Z"`), `data.next_update: want an RFC 3339 date-time, got "2026-13-01T00:00:00Z"`},
		{event(ok, ok, `true`), "data.next_update: want a string, got true or false"},
		{event(ok, ok, long), `data.next_update: want an RFC 3339 date-time, got "` + strings.Repeat("9", 61) + `…"`},
	} {
		code, text := signedPost(t, srv, "id-"+strconv.Itoa(i), []byte(tt.body))
		assert.Equal(t, http.StatusBadRequest, code, tt.body)
		assert.Equal(t, "malformed payload: "+tt.want+"\n", text, tt.body)
		assert.Contains(t, log.String(), "400 Bad Request: malformed payload: "+tt.want+"\n", tt.body)
	}
	assert.Empty(t, out.String())
}
