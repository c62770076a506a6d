package slack

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A valid URL too long for the fallback's FallbackLength (one of 2,048
// bytes may be) is kept whole there, with the rest of the fallback
// shortened to FallbackLength: before, the fallback could not be
// rendered, and Send refused the update for good.
func TestLongURLKeptWholeInFallback(t *testing.T) {
	ch, f := newTestChannel(t, Config{Channels: []string{"#ops"}})
	u := fullUpdate(1, broadcast.StatusInvestigating)
	u.URL = "https://status.example.com/incidents/42?from=slack&ref=" + strings.Repeat("Zx9", 600)
	require.LessOrEqual(t, len(u.URL), broadcast.MaxURLLength)
	u.Body = strings.Repeat("Errors and timeouts in eu-west. ", 100)
	require.NoError(t, (broadcast.Message{Update: u}).Validate())

	send(t, ch, u, broadcast.Thread{})
	m := f.messages()[0]
	escaped := strings.ReplaceAll(u.URL, "&", "&amp;")
	assert.Contains(t, m.text, escaped, "the fallback's URL, whole")
	assert.Contains(t, m.text, "Elevated error rates", "the fallback's title")
	assert.LessOrEqual(t, utf16Len(m.text), FallbackLength+utf16Len(escaped), "the fallback, but its URL, within FallbackLength")
	assert.Contains(t, m.sections[0], "<"+escaped+">", "the section's link, whole")
	assert.LessOrEqual(t, utf16Len(m.sections[0]), MaxSectionText)

	_, err := ch.Preview(u)
	require.NoError(t, err)

	// A correction's fallback is marked, its URL whole too.
	c := u
	c.ID, c.Corrects = "u1-fix", u.ID
	msg, err := ch.render(c)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(msg.text, "Correction"), "%q", msg.text[:40])
	assert.Contains(t, msg.text, escaped)
}
