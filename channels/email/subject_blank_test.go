package email_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/templates"
)

// subjectsOf sends u through an e-mail channel whose subject template is
// tmpl, and returns the Subject the message went out with, the one its
// receipt keeps, and the one Preview shows.
func subjectsOf(t *testing.T, tmpl string, u broadcast.Update) (sent, meta, preview string) {
	t.Helper()
	srv := startSMTP(t, serverOptions{user: testUser, pass: testPass})
	set, err := templates.Default().With("subject", tmpl)
	require.NoError(t, err)
	cfg := config(srv, "alice@example.net")
	cfg.Templates = set
	ch := newChannel(t, cfg)
	r := send(t, ch, broadcast.Message{Update: u})
	p, err := ch.Preview(u)
	require.NoError(t, err)
	return parse(t, srv.messages()[0].data).subject, r.Meta["subject"], p.Subject
}

// TestBlankSubjectFallsBack: a subject template that shows nothing for an
// update (white space, an invisible character, or nothing because of the
// update's fields) gives the subject the default template makes, not an
// empty Subject header, which mail clients show as "(no subject)"; so
// does a thread's stored subject that shows nothing. Preview shows it too.
func TestBlankSubjectFallsBack(t *testing.T) {
	for _, tmpl := range []string{
		" \t ",
		"\u200b",
		"{{if .Advice}}{{.Advice}}{{end}}",
		"{{.Body}}",
	} {
		t.Run(tmpl, func(t *testing.T) {
			u := incident(1)
			u.Body, u.Advice = "", ""
			sent, meta, preview := subjectsOf(t, tmpl, u)
			assert.Equal(t, "Incident: Elevated error rates on the CDN", sent)
			assert.Equal(t, "Incident: Elevated error rates on the CDN", meta)
			assert.Equal(t, "Incident: Elevated error rates on the CDN", preview)
		})
	}
	t.Run("stored subject", func(t *testing.T) {
		srv := startSMTP(t, serverOptions{user: testUser, pass: testPass})
		ch := newChannel(t, config(srv, "alice@example.net"))
		root := broadcast.Receipt{ID: "<root.cdn@example.com>", Meta: map[string]string{"subject": " \u200b "}}
		send(t, ch, broadcast.Message{Update: incident(2), Thread: broadcast.Thread{Root: root, Last: root}})
		assert.Equal(t, "Incident: Elevated error rates on the CDN", parse(t, srv.messages()[0].data).subject)
	})
}
