package main

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A right-to-left override, embedding or isolate that a payload's field
// opens is closed at the end of its line: before, a title holding U+202E
// reversed the rest of the printed line ("(incident …, update …)") in a
// terminal or viewer that shows bidirectional text, so that the line read
// otherwise than the delivery said.
func TestPrintsNoBidiControlLeftOpen(t *testing.T) {
	srv, out, _ := newLoggingReceiver(t)
	body := `{"type":"incident.updated","timestamp":"2026-11-24T14:02:00Z","data":{"id":"u_1\u2066","incident_id":"cdn\u2067-42",` +
		`"title":"\u202eCDN down","status":"resolved","components":[],"time":"2026-11-24T14:02:00Z",` +
		`"body":"\u202bLine one.\nLine two.","advice":"Retry\u202d later.","url":"https://s.example.com/\u202e"}}`
	code, _ := signedPost(t, srv, "id-bidi", []byte(body))
	require.Equal(t, http.StatusNoContent, code)
	assert.Equal(t, "2026-11-24T14:02:00Z incident.updated [resolved] \u202eCDN down\u202c (incident cdn\u2067-42\u2069, update u_1\u2066\u2069)\n"+
		"    Advice: Retry\u202d later.\u202c\n"+
		"    \u202bLine one.\u202c\n"+
		"    Line two.\n"+
		"    https://s.example.com/\u202e\u202c\n", out.String())
}
