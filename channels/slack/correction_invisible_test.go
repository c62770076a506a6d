package slack

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A correction whose Overrides text starts with a line that shows nothing
// (zero-width spaces, a word joiner) is marked on its first line that
// shows something, in the section and in the notification's text, once.
// Before, the section read "Correction: " alone on its first line.
func TestCorrectionMarkedOnFirstLineThatShowsSomething(t *testing.T) {
	ch, _ := newTestChannel(t, Config{Channels: []string{"#ops"}})
	u := update(2, broadcast.StatusIdentified)
	u.Corrects = "u1"
	u.Overrides = map[string]string{ch.Name(): "\u200b\u2060\nCDN errors in the EU\nWe found the cause."}
	msg, err := ch.render(u)
	require.NoError(t, err)
	assert.Equal(t, "\u200b\u2060\nCorrection: CDN errors in the EU\nWe found the cause.", msg.section)
	assert.Equal(t, 1, strings.Count(msg.text, "Correction"), "%q", msg.text)
}
