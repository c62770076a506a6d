package slack

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// An Update.URL that ends in what ends a sentence (".", "!", a ")" it did
// not open), or holds what ends a link in one ("«"), which Validate
// takes, is linked whole, in the section's last line and in the body that
// shows it: before, its <url> link ended where a sentence's rule ends a
// link, and pointed to another page (".../incidents/42." to
// ".../incidents/42"). A URL in the body keeps that rule.
func TestUpdateURLEndingInPunctuationLinksWhole(t *testing.T) {
	for _, raw := range []string{
		"https://status.example.com/incidents/42.",
		"https://status.example.com/wiki/Outage_2026)",
		"https://status.example.com/incidents/42!",
		"https://status.example.com/«42»",
		"https://status.example.com/incidents/42?a=1&b=2.",
	} {
		t.Run(raw, func(t *testing.T) {
			ch, f := newTestChannel(t, Config{Channels: []string{"#ops"}})
			u := fullUpdate(1, broadcast.StatusInvestigating)
			u.URL = raw
			u.Body = "See https://status.example.com/b. Or " + raw + " now."
			require.NoError(t, u.Validate())
			send(t, ch, u, broadcast.Thread{})
			section := f.messages()[0].sections[0]
			link := "<" + strings.ReplaceAll(raw, "&", "&amp;") + ">"
			assert.Equal(t, 2, strings.Count(section, link), "the URL linked whole twice: %s", section)
			assert.Contains(t, section, "See <https://status.example.com/b>. Or ")
		})
	}
}

// Update.URL ending in "*" inside a template's bold keeps its "*": the
// formatting's "*" after it is trimmed, not the URL's.
func TestFinishKeepsUpdateURLWhole(t *testing.T) {
	const url = "https://x.example/b*"
	assert.Equal(t, "*see <https://x.example/b*>*", finish(hider.Replace("*see "+url+"*"), url))
	assert.Equal(t, "*see <https://x.example/b>**", finish(hider.Replace("*see "+url+"*"), ""))
}
