package main

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
)

// A body that starts with a UTF-8 byte order mark is refused saying so,
// not as "invalid character 'ï'": RFC 8259 (8.1) forbids it in a JSON text
// sent over a network, and parsers such as encoding/json refuse it, so a
// receiver built on this one should not hide it from the sender.
func TestByteOrderMarkIsNamed(t *testing.T) {
	srv, out, log := newLoggingReceiver(t)
	body := "\xEF\xBB\xBF" + `{"type":"incident.updated","timestamp":"2026-11-24T14:02:00Z","data":{"id":"u_1",` +
		`"incident_id":"cdn-42","title":"T","status":"resolved","components":[],"time":"2026-11-24T14:02:00Z"}}`
	code, text := signedPost(t, srv, "id-bom", []byte(body))
	const want = "malformed payload: the body starts with a UTF-8 byte order mark, which a JSON text sent over a network must not have (RFC 8259, 8.1)"
	assert.Equal(t, http.StatusBadRequest, code)
	assert.Equal(t, want+"\n", text)
	assert.Contains(t, log.String(), "400 Bad Request: "+want+"\n")
	assert.Empty(t, out.String())
}
