package main

import (
	"net/http"
	"strings"
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

// A body in UTF-16 or UTF-32, with a byte order mark or without, is
// refused naming its encoding, not as "invalid character 'ÿ'" or
// "invalid character '\x00'": JSON sent over a network is UTF-8 (RFC 8259,
// 8.1), and the server example refuses such a body the same way.
func TestWideEncodingIsNamed(t *testing.T) {
	const payload = `{"type":"incident.updated","timestamp":"2026-11-24T14:02:00Z","data":{"id":"u_1",` +
		`"incident_id":"cdn-42","title":"T","status":"resolved","components":[],"time":"2026-11-24T14:02:00Z"}}`
	wide := func(s string, width int, bigEndian bool) string {
		var b strings.Builder
		for _, c := range []byte(s) {
			pad := strings.Repeat("\x00", width-1)
			if bigEndian {
				b.WriteString(pad + string(c))
			} else {
				b.WriteString(string(c) + pad)
			}
		}
		return b.String()
	}
	for _, c := range []struct{ body, encoding string }{
		{"\xFF\xFE" + wide(payload, 2, false), "UTF-16 (little-endian, with a byte order mark)"},
		{"\xFE\xFF" + wide(payload, 2, true), "UTF-16 (big-endian, with a byte order mark)"},
		{wide(payload, 2, false), "UTF-16 (little-endian)"},
		{"\x00\x00\xFE\xFF" + wide(payload, 4, true), "UTF-32 (big-endian, with a byte order mark)"},
		{wide(payload, 4, false), "UTF-32 (little-endian)"},
	} {
		t.Run(c.encoding, func(t *testing.T) {
			srv, out, log := newLoggingReceiver(t)
			code, text := signedPost(t, srv, "id-wide", []byte(c.body))
			want := "malformed payload: the body looks like " + c.encoding + ", not UTF-8: send JSON in UTF-8 (RFC 8259, 8.1)"
			assert.Equal(t, http.StatusBadRequest, code)
			assert.Equal(t, want+"\n", text)
			assert.Contains(t, log.String(), "400 Bad Request: "+want+"\n")
			assert.Empty(t, out.String())
		})
	}
}
