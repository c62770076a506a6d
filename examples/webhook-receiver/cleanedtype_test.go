package main

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
)

// An event whose type differs from one the receiver knows only in what
// cleaning a line removes (white space at its ends, an invisible
// character) is of a type it does not know: it was decoded, and checked,
// as one, but printed by its cleaned type, as an update or correction with
// nothing in it ("incident.updated []  (incident , update )", "CORRECTION
// of update :"), and remembered as an update with an empty id. It is
// acknowledged and said to be ignored, its type quoted as received.
func TestTypeKnownOnceCleanedIsUnknown(t *testing.T) {
	srv, out, log := newLoggingReceiver(t)
	for _, tc := range []struct{ id, typ string }{
		{"id-space", `incident.updated `},
		{"id-lead", ` incident.corrected`},
		{"id-zwsp", `incident.retracted\u200b`},
	} {
		code, text := signedPost(t, srv, tc.id, []byte(`{"type":"`+tc.typ+`","timestamp":"2026-11-24T14:02:00Z","data":{"x":1}}`))
		assert.Equal(t, http.StatusNoContent, code, "%s: %s", tc.typ, text)
	}
	assert.Empty(t, log.String())
	assert.Equal(t, "2026-11-24T14:02:00Z \"incident.updated \": unknown event type, ignored\n"+
		"2026-11-24T14:02:00Z \" incident.corrected\": unknown event type, ignored\n"+
		"2026-11-24T14:02:00Z \"incident.retracted\\u200b\": unknown event type, ignored\n", out.String())
}
