package teams

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/redact"
)

// A correction's heading starts "Correction:" whatever text the card
// shows: an Overrides text, or a template of the user's that does not say
// it, is headed as one too, so that a correction posted anew reads as one.
// A text that says it already is not marked twice.
func TestCorrectionHeadingWithOwnText(t *testing.T) {
	ch, f := newTestChannel(t)
	u := update(broadcast.StatusIdentified)
	u.Corrects = "u0"
	for _, text := range []string{"CDN errors in the EU\nWe found the cause.", "Correction: CDN errors in the EU"} {
		u.Overrides = map[string]string{ch.Name(): text}
		_, err := send(t, ch, u)
		require.NoError(t, err)
	}
	cards, bodies := f.posted()
	assert.Equal(t, "Correction: CDN errors in the EU", cards[0].lines[0])
	assert.Equal(t, "We found the cause.", cards[0].lines[1])
	assert.Contains(t, string(bodies[0]), `"fallbackText":"Correction: CDN errors in the EU"`)
	assert.Equal(t, "Correction: CDN errors in the EU", cards[1].lines[0])

	f2 := newFakeWorkflow(t)
	own, err := New(Config{WebhookURL: redact.NewURL(f2.url()), Templates: teamsTemplate(t, "{{.Title}}\n{{.Body}}")})
	require.NoError(t, err)
	t.Cleanup(func() { _ = own.Close() })
	u.Overrides = nil
	_, err = send(t, own, u)
	require.NoError(t, err)
	cards, _ = f2.posted()
	assert.Equal(t, "Correction: Elevated error rates on the CDN", cards[0].lines[0])

	p, err := ch.Preview(u)
	require.NoError(t, err)
	assert.Contains(t, p.Text, `"fallbackText":"Correction: Identified: Elevated error rates on the CDN"`)
}

// A correction's Overrides text whose first line shows nothing is headed
// by its first line that shows something, marked: Set.Text marks the
// text's first line, and before, the card's heading read "Correction: "
// alone, the override's heading a line of the body.
func TestCorrectionHeadingAfterInvisibleLine(t *testing.T) {
	ch, f := newTestChannel(t)
	u := update(broadcast.StatusIdentified)
	u.Corrects = "u0"
	u.Overrides = map[string]string{ch.Name(): "\u200b\u2060\nCDN errors in the EU\nWe found the cause."}
	_, err := send(t, ch, u)
	require.NoError(t, err)
	cards, bodies := f.posted()
	assert.Equal(t, []string{"Correction: CDN errors in the EU", "We found the cause."}, cards[0].lines)
	assert.Contains(t, string(bodies[0]), `"fallbackText":"Correction: CDN errors in the EU"`)
}
