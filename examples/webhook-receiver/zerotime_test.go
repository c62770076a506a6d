package main

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// A time that is there but is the zero time, year 1, which Go writes for
// a time.Time never set, is refused saying so: "missing" would send its
// sender looking for a field its payload holds. Absent or null, it is
// missing.
func TestZeroTimeIsNotCalledMissing(t *testing.T) {
	srv, out, log := newLoggingReceiver(t)

	event := func(ts, time string) string {
		return `{"type":"incident.updated","timestamp":` + ts + `,"data":{"id":"u_1","incident_id":"cdn-42","title":"T",` +
			`"status":"resolved","components":[],"time":` + time + `}}`
	}
	const ok = `"2026-11-24T14:02:00Z"`
	for i, tt := range []struct{ body, want string }{
		{event(`"0001-01-01T00:00:00Z"`, ok), `timestamp: "0001-01-01T00:00:00Z", the zero time: a time never set`},
		{event(`"0001-01-01T01:00:00+01:00"`, ok), `timestamp: "0001-01-01T01:00:00+01:00", the zero time: a time never set`},
		{event(ok, `"0001-01-01T00:00:00Z"`), `data.time: "0001-01-01T00:00:00Z", the zero time: a time never set`},
		{`{"type":"something.new","timestamp":"0001-01-01T00:00:00Z"}`, `timestamp: "0001-01-01T00:00:00Z", the zero time: a time never set`},
		{event(`null`, ok), "timestamp: missing"},
		{strings.Replace(event(ok, ok), `,"time":"2026-11-24T14:02:00Z"`, "", 1), "data.time: missing"},
	} {
		code, text := signedPost(t, srv, "id-"+strconv.Itoa(i), []byte(tt.body))
		assert.Equal(t, http.StatusBadRequest, code, tt.body)
		assert.Equal(t, "incomplete payload: "+tt.want+"\n", text, tt.body)
		assert.Contains(t, log.String(), "400 Bad Request: incomplete payload: "+tt.want+"\n", tt.body)
	}
	assert.Empty(t, out.String())
}
