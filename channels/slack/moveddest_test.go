package slack

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// TestMovedDestinationIsOneLink: an override cut before a link moves the
// link's destination after the ellipsis within "<" and ">" where a bare
// URL would be linked short of its end (templates.Shorten: a final "."),
// and the section links that URL whole, once: Slack reads "<" and ">" as
// control characters ("Formatting text for app surfaces", Escaping), so
// a "<" left raw around the link Slack is given opens a sequence of its
// own. Before, the section held "<<https://x.example/a>.>": the link
// without its ".", in raw brackets.
func TestMovedDestinationIsOneLink(t *testing.T) {
	ch, _ := newTestChannel(t, Config{Channels: []string{"#ops"}})
	u := fullUpdate(1, broadcast.StatusInvestigating)
	u.Overrides = map[string]string{ch.Name(): strings.Repeat("word ", 700) + "See [the page](https://x.example/a.) and more words."}
	p, err := ch.Preview(u)
	require.NoError(t, err)
	assert.True(t, strings.HasSuffix(p.Text, "… <https://x.example/a.>"), "%q", p.Text[max(0, len(p.Text)-80):])
	for _, c := range controlRE.FindAllString(p.Text, -1) {
		assert.Regexp(t, `^<https://[^|<]+>$`, c, "the only control sequences are plain links")
	}
}
