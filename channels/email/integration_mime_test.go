//go:build integration

package email_test

import (
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/mail"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// raw returns the message as Mailpit stored it.
func (m *mailpit) raw(id string) string {
	m.t.Helper()
	resp, err := m.http.Get(m.api + "/api/v1/message/" + id + "/raw")
	require.NoError(m.t, err)
	defer resp.Body.Close()
	require.Equal(m.t, http.StatusOK, resp.StatusCode)
	b, err := io.ReadAll(resp.Body)
	require.NoError(m.t, err)
	return string(b)
}

// TestMailpitMessageWellFormed: an update whose title, body and names hold
// what a message's syntax is made of reaches a real server as a message
// that parses: every line within 998 octets, CRLF throughout, the
// header's lines within 78 (76 with encoded words), the Subject and the
// names decoded as written, a multipart/alternative body whose parts
// decode to the text, lone dots and all.
func TestMailpitMessageWellFormed(t *testing.T) {
	mp := newMailpit(t)
	cfg := mp.config(`"Zoë Ünal, \"the boss\"" <zoe@example.net>`)
	cfg.From = "Statüs Pägé <status@example.com>"
	ch := newChannel(t, cfg)
	u := incident(1)
	u.Title = strings.Repeat("Störung der Zahlungsabwicklung ", 6) + "\r\nBcc: evil@example.com"
	long := strings.Repeat("x", 1200)
	u.Body = "first line\n.\n..\n.x\nFrom here\n" + long + "\nä" + strings.Repeat("é", 700) + "\nlast"
	send(t, ch, broadcast.Message{Update: u})

	msg := mp.messages(1)[0]
	raw := mp.raw(msg.ID)
	head, _, _ := strings.Cut(raw, "\r\n\r\n")
	_, head, ok := strings.Cut(head, "\r\nTo:") // after the lines Mailpit adds
	require.True(t, ok, "a To field")
	head = "To:" + head
	for i, line := range strings.Split(strings.TrimSuffix(raw, "\r\n"), "\r\n") {
		assert.LessOrEqual(t, len(line), 998, "line %d", i)
		assert.NotContains(t, line, "\r", "line %d", i)
		assert.NotContains(t, line, "\n", "line %d", i)
	}
	for i, line := range strings.Split(head, "\r\n") {
		limit := 78
		if strings.Contains(line, "=?") {
			limit = 76
		}
		assert.LessOrEqual(t, len(line), limit, "header line %d: %q", i, line)
	}
	m, err := mail.ReadMessage(strings.NewReader(raw))
	require.NoError(t, err)
	var dec mime.WordDecoder
	subject, err := dec.DecodeHeader(m.Header.Get("Subject"))
	require.NoError(t, err)
	assert.Equal(t, "Incident: "+strings.Repeat("Störung der Zahlungsabwicklung ", 6)+"Bcc: evil@example.com", subject)
	assert.Empty(t, m.Header.Get("Bcc"))
	to, err := m.Header.AddressList("To")
	require.NoError(t, err)
	assert.Equal(t, []*mail.Address{{Name: "Zoë Ünal, \"the boss\"", Address: "zoe@example.net"}}, to)
	from, err := m.Header.AddressList("From")
	require.NoError(t, err)
	assert.Equal(t, []*mail.Address{{Name: "Statüs Pägé", Address: "status@example.com"}}, from)
	date, err := m.Header.Date()
	require.NoError(t, err)
	assert.True(t, date.Equal(u.Time), "Date %v", date)
	assert.Equal(t, "1.0", m.Header.Get("Mime-Version"))

	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	require.NoError(t, err)
	require.Equal(t, "multipart/alternative", mt)
	r := multipart.NewReader(m.Body, params["boundary"])
	var types []string
	for {
		part, err := r.NextPart()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		pt, _, err := mime.ParseMediaType(part.Header.Get("Content-Type"))
		require.NoError(t, err)
		types = append(types, pt)
		body, err := io.ReadAll(part) // quoted-printable decoded
		require.NoError(t, err)
		text := strings.ReplaceAll(string(body), "\r\n", "\n")
		if pt == "text/plain" {
			assert.Contains(t, text, u.Body)
		}
		if pt == "text/html" {
			assert.Contains(t, text, long)
		}
	}
	assert.Equal(t, []string{"text/plain", "text/html"}, types)
	assert.Contains(t, msg.Text, long, "Mailpit's own decoding")
}
