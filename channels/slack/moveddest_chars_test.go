package slack

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// TestMovedDestinationWithQuoteOrBracketIsOneLink: a link destination
// templates.Shorten moves after the ellipsis within "<" and ">" may hold
// a '"' (a CommonMark destination may; an autolink too) or the user's
// "<" or ">" (hidden): the section links it whole, the user's brackets as
// escapes, and leaves no raw "<" or ">" around it. Before, the link ended
// at the '"' or bracket and its raw "<" and ">" were left open around it:
// "<<https://x.example/a>\"b.>".
func TestMovedDestinationWithQuoteOrBracketIsOneLink(t *testing.T) {
	ch, _ := newTestChannel(t, Config{Channels: []string{"#ops"}})
	for dest, want := range map[string]string{
		`https://x.example/a"b.`: `… <https://x.example/a"b.>`,
		`https://x.example/a>b.`: `… <https://x.example/a&gt;b.>`,
		`https://x.example/a<b.`: `… <https://x.example/a&lt;b.>`,
	} {
		u := fullUpdate(1, broadcast.StatusInvestigating)
		u.Overrides = map[string]string{ch.Name(): strings.Repeat("word ", 700) + "See [the page](" + dest + ") and more words."}
		p, err := ch.Preview(u)
		require.NoError(t, err)
		assert.True(t, strings.HasSuffix(p.Text, want), "%s: %q", dest, p.Text[max(0, len(p.Text)-80):])
		for _, c := range controlRE.FindAllString(p.Text, -1) {
			assert.Regexp(t, `^<https://[^|<]+>$`, c, "%s: the only control sequences are plain links", dest)
		}
	}
}
