package console_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/console"
)

// A correction whose Overrides text starts with a line that shows nothing
// (zero-width spaces, a word joiner) is marked on its first line that
// shows something. Before, the console wrote "Correction: " alone on a
// line, the text's real first line after it.
func TestCorrectionMarkedOnFirstLineThatShowsSomething(t *testing.T) {
	var buf strings.Builder
	ch, err := console.New(console.Config{Writer: &buf})
	require.NoError(t, err)
	u := broadcast.Update{
		ID: "u_2", Title: "Elevated CDN error rates", Status: broadcast.StatusIdentified, Corrects: "u_1",
		Overrides: map[string]string{"console": "\u200b\u2060\nCDN errors in the EU\nWe found the cause."},
	}
	_, err = ch.Send(context.Background(), broadcast.NewMessage(u))
	require.NoError(t, err)
	assert.Equal(t, "\u200b\u2060\nCorrection: CDN errors in the EU\nWe found the cause.\n", buf.String())
}
