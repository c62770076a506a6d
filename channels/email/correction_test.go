package email_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/email"
	"github.com/outagecast/outagecast/templates"
)

// markCorrections returns the default templates with a "text" template
// that leads a correction with "Correction: ", so that these tests check
// what the channel does with a correction (pass Update.Corrects to the
// templates, thread it) whatever the default templates' wording.
func markCorrections(t testing.TB) *templates.Set {
	t.Helper()
	set, err := templates.Default().With("text",
		"{{if .Corrects}}Correction: {{end}}{{.Headline}}: {{.Title}}\n\n{{.Body}}\n\n{{.URL}}\n")
	require.NoError(t, err)
	return set
}

// corrected is update n of incident(), corrected: another body, and its
// ID left for the Broadcaster to derive.
func corrected(n int) broadcast.Update {
	u := incident(n)
	u.ID = ""
	u.Body = "The errors came from a faulty configuration push, now rolled back."
	return u
}

// TestCorrectionPostedInThread: e-mail cannot edit a sent message, so
// Broadcaster.Correct posts the correction as a new message in the
// incident's thread: the incident's subject, a reply to the latest message,
// References from the first to the latest, its text marked as a correction.
func TestCorrectionPostedInThread(t *testing.T) {
	srv := startSMTP(t, serverOptions{user: testUser, pass: testPass})
	cfg := config(srv, "alice@example.net")
	cfg.Templates = markCorrections(t)
	b, err := broadcast.New([]broadcast.Channel{newChannel(t, cfg)}, broadcast.Options{})
	require.NoError(t, err)
	defer b.Close()
	var ids []string
	for _, u := range []broadcast.Update{incident(1), incident(2)} {
		rep, err := b.Send(context.Background(), u)
		require.NoError(t, err)
		ids = append(ids, rep.Results[0].Receipt.ID)
	}
	rep, err := b.Correct(context.Background(), incident(2).ID, corrected(2))
	require.NoError(t, err)
	res := rep.Results[0]
	assert.NotContains(t, ids, res.Receipt.ID, "a correction is a message of its own")

	msgs := srv.messages()
	require.Len(t, msgs, 3)
	p := parse(t, msgs[2].data)
	assert.Equal(t, firstSubject, p.subject, "the incident's subject")
	assert.Equal(t, res.Receipt.ID, p.header.Get("Message-ID"))
	assert.Equal(t, ids[1], p.header.Get("In-Reply-To"), "a reply to the latest message, the one corrected")
	assert.Equal(t, strings.Join(ids, " "), p.header.Get("References"), "the chain from the first message")
	assert.Equal(t, "Correction: Investigating: Elevated error rates on the CDN", firstLine(p.text))
	assert.Contains(t, p.text, corrected(2).Body)
	assert.Contains(t, p.html, corrected(2).Body)
}

// TestCorrectionOverrideMarked: an override text of a correction follows
// the channel's own status line, which marks the correction.
func TestCorrectionOverrideMarked(t *testing.T) {
	ch, err := email.New(valid())
	require.NoError(t, err)
	u := corrected(1)
	u.Corrects = incident(1).ID
	u.Overrides = map[string]string{"email": "We wrote Europe; it was North America."}
	p, err := ch.Preview(u)
	require.NoError(t, err)
	assert.Equal(t, "Correction: Investigating: Elevated error rates on the CDN\n\n"+
		"We wrote Europe; it was North America.", p.Text)
	assert.Equal(t, firstSubject, p.Subject, "the subject stays the incident's")
}

// TestRetractNotSupported: a sent e-mail cannot be taken back. The channel
// is not a Retractor (nor an Editor), so Broadcaster.Retract reports
// ErrNotSupported for it, and nothing is sent.
func TestRetractNotSupported(t *testing.T) {
	srv := startSMTP(t, serverOptions{user: testUser, pass: testPass})
	ch := newChannel(t, config(srv, "alice@example.net"))
	var c broadcast.Channel = ch
	_, retractor := c.(broadcast.Retractor)
	_, editor := c.(broadcast.Editor)
	assert.False(t, retractor, "a Retractor")
	assert.False(t, editor, "an Editor")

	b, err := broadcast.New([]broadcast.Channel{ch}, broadcast.Options{})
	require.NoError(t, err)
	defer b.Close()
	_, err = b.Send(context.Background(), incident(1))
	require.NoError(t, err)
	rep, err := b.Retract(context.Background(), incident(1).ID)
	require.Error(t, err)
	assert.True(t, errors.Is(err, broadcast.ErrNotSupported), "%v", err)
	assert.True(t, errors.Is(rep.Results[0].Err, broadcast.ErrNotSupported), "%v", rep.Results[0].Err)
	assert.Len(t, srv.messages(), 1, "nothing sent")
}
