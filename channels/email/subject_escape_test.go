package email_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/broadcast"
)

// TestSubjectLosesEscapeSequences: a subject template that writes a
// terminal escape sequence (a colour, an OSC title) gives a Subject
// without the whole sequence, as the update's fields lose theirs (see
// broadcast.Update.Clean), not one that shows "[1mDown[0m"; so does a
// thread's stored subject, which comes from a Store. Preview shows it too.
func TestSubjectLosesEscapeSequences(t *testing.T) {
	const want = "Down: Elevated error rates on the CDN"
	for name, tmpl := range map[string]string{
		"CSI":      "\x1b[1mDown\x1b[0m: {{.Title}}",
		"8-bit":    "\u009b1mDown\u009b0m: {{.Title}}",
		"OSC":      "\x1b]0;title\x07Down: {{.Title}}",
		"printf":   `{{printf "%c[1mDown%c[0m" 27 27}}: {{.Title}}`,
		"IRC code": "\x0304,01Down\x03: {{.Title}}",
	} {
		t.Run(name, func(t *testing.T) {
			sent, meta, preview := subjectsOf(t, tmpl, incident(1))
			assert.Equal(t, want, sent)
			assert.Equal(t, want, meta)
			assert.Equal(t, want, preview)
		})
	}
	t.Run("stored subject", func(t *testing.T) {
		srv := startSMTP(t, serverOptions{user: testUser, pass: testPass})
		ch := newChannel(t, config(srv, "alice@example.net"))
		root := broadcast.Receipt{ID: "<root.cdn@example.com>", Meta: map[string]string{"subject": "\x1b[1mDown\x1b[0m: Elevated error rates on the CDN"}}
		send(t, ch, broadcast.Message{Update: incident(2), Thread: broadcast.Thread{Root: root, Last: root}})
		assert.Equal(t, want, parse(t, srv.messages()[0].data).subject)
	})
}
