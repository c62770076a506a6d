package email_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/channels/email"
	"github.com/outagecast/outagecast/templates"
)

// TestCorrectionOverrideMarkedWithOwnStatusLine: a correction's override
// text reads as a correction, in the text part, the HTML part and its
// preheader, also after a status line of the user's ("email-status") that
// does not say so, as every channel marks a correction's override
// (templates.MarkCorrection); a status line that says so is left as it is.
func TestCorrectionOverrideMarkedWithOwnStatusLine(t *testing.T) {
	set, err := templates.Default().With("email-status", "{{.Headline}} — {{.Title}}")
	require.NoError(t, err)
	srv := startSMTP(t, serverOptions{user: testUser, pass: testPass})
	cfg := config(srv, "alice@example.net")
	cfg.Templates = set
	ch := newChannel(t, cfg)
	u := corrected(1)
	u.Corrects = incident(1).ID
	u.Overrides = map[string]string{"email": "We wrote Europe; it was North America."}
	u = u.WithDefaults(fixed)

	const want = "Correction: Investigating — Elevated error rates on the CDN\n\nWe wrote Europe; it was North America."
	p, err := ch.Preview(u)
	require.NoError(t, err)
	assert.Equal(t, want, p.Text)
	send(t, ch, broadcast.Message{Update: u, Ledger: channeltest.NewLedger()})
	msgs := srv.messages()
	require.Len(t, msgs, 1)
	got := parse(t, msgs[0].data)
	assert.Equal(t, want, got.text)
	assert.Contains(t, got.html, "Correction: Investigating — Elevated error rates on the CDN — We wrote Europe")
	assert.Contains(t, got.html, "<pre style=\"white-space: pre-wrap; font-family: inherit\">Correction: Investigating")

	// A status line that says so already gets no second marker.
	set, err = templates.Default().With("email-status", "CORRECTION - {{.Headline}} — {{.Title}}")
	require.NoError(t, err)
	cfg2 := valid()
	cfg2.Templates = set
	ch2, err := email.New(cfg2)
	require.NoError(t, err)
	p, err = ch2.Preview(u)
	require.NoError(t, err)
	assert.Equal(t, "CORRECTION - Investigating — Elevated error rates on the CDN\n\nWe wrote Europe; it was North America.", p.Text)

	// Not a correction: unmarked.
	u.Corrects = ""
	p, err = ch.Preview(u)
	require.NoError(t, err)
	assert.Equal(t, "Investigating — Elevated error rates on the CDN\n\nWe wrote Europe; it was North America.", p.Text)
}
