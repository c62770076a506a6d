package irc_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/channels/irc"
)

// A correction whose override starts with a line that shows nothing (a
// zero-width space), posted in one line with the "text" template, says it
// is one and keeps its text: before, the line was "\u200b… " and the URL,
// which showed an ellipsis and the link alone.
func TestCorrectionOverrideInvisibleFirstLineOneLine(t *testing.T) {
	cfg := testConfig("127.0.0.1:1")
	cfg.MaxLines, cfg.Template = 1, "text"
	ch, err := irc.New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = ch.Close() })
	u := sampleUpdate()
	u.ID, u.Corrects = "u2", "u1"
	u.Overrides = map[string]string{"irc": "\u200b\nCDN errors in the EU, not in the US. https://status.example.com/i/1"}
	p, err := ch.Preview(u)
	require.NoError(t, err)
	assert.Equal(t, "Correction: CDN errors in the EU, not in the US. https://status.example.com/i/1", p.Text)
}
