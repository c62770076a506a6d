package email_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/templates"
)

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
			srv := startSMTP(t, serverOptions{user: testUser, pass: testPass})
			set, err := templates.Default().With("subject", tmpl)
			require.NoError(t, err)
			cfg := config(srv, "alice@example.net")
			cfg.Templates = set
			ch := newChannel(t, cfg)
			u := incident(1)
			u.Body, u.Advice = "", ""
			r := send(t, ch, broadcast.Message{Update: u})
			assert.Equal(t, "Incident: Elevated error rates on the CDN", parse(t, srv.messages()[0].data).subject)
			assert.Equal(t, "Incident: Elevated error rates on the CDN", r.Meta["subject"])
			p, err := ch.Preview(u)
			require.NoError(t, err)
			assert.Equal(t, "Incident: Elevated error rates on the CDN", p.Subject)
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
