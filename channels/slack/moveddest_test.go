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

// TestMovedURLLeavesUsersBracketBehind: a bare URL that the user's ">"
// follows ("See https://x.example/a> and more"), moved after the
// ellipsis by the cut of an override, moves without that ">", as the
// section links it (the URL ends at the user's "<" or ">", which
// mrkdwn writes as "&gt;", "Formatting text for app surfaces",
// Escaping: https://api.slack.com/reference/surfaces/formatting#escaping),
// and so does one in brackets of the text that the ">" follows, without
// the ")" it did not open, as the templates move one. Before,
// the section ended "… <https://x.example/a>&gt;" and the notification
// text "… https://x.example/a&gt;": a stray "&gt;" after the link, the
// rest of the sentence it closed cut.
func TestMovedURLLeavesUsersBracketBehind(t *testing.T) {
	ch, _ := newTestChannel(t, Config{Channels: []string{"#ops"}})
	for _, s := range []string{"See https://x.example/a> and more words.", "See <https://x.example/a> and more words.",
		"See (https://x.example/a)> and more words.", "See https://x.example/a<b and more words."} {
		u := fullUpdate(1, broadcast.StatusInvestigating)
		u.Overrides = map[string]string{ch.Name(): strings.Repeat("word ", 700) + s}
		msg, err := ch.render(u.WithDefaults(ch.s.now().UTC()))
		require.NoError(t, err)
		assert.True(t, strings.HasSuffix(msg.section, "… <https://x.example/a>"), "%q: %q", s, msg.section[max(0, len(msg.section)-60):])
		assert.True(t, strings.HasSuffix(msg.text, "… https://x.example/a"), "%q: %q", s, msg.text[max(0, len(msg.text)-60):])
	}
}

// TestMovedUpdateURLKeepsItsBracket: the update's URL, whose final ")"
// is its own ("https://x.example/wiki/Outage_2026)", linked whole
// wherever the message shows it), moved after the ellipsis by the cut
// of an override with the user's ">" after it, keeps that ")" when the
// ">" is left behind: before, the brackets the URL did not open were
// dropped from it too, and the section linked
// <https://x.example/wiki/Outage_2026>, another page.
func TestMovedUpdateURLKeepsItsBracket(t *testing.T) {
	ch, _ := newTestChannel(t, Config{Channels: []string{"#ops"}})
	const url = "https://x.example/wiki/Outage_2026)"
	for _, s := range []string{"See " + url + "> and more words.", "See (" + url + "> and more words.",
		"See " + url + "<b and more words."} {
		u := fullUpdate(1, broadcast.StatusInvestigating)
		u.URL = url
		u.Overrides = map[string]string{ch.Name(): strings.Repeat("word ", 700) + s}
		msg, err := ch.render(u.WithDefaults(ch.s.now().UTC()))
		require.NoError(t, err)
		assert.True(t, strings.HasSuffix(msg.section, "… <"+url+">"), "%q: %q", s, msg.section[max(0, len(msg.section)-60):])
		assert.True(t, strings.HasSuffix(msg.text, "… "+url), "%q: %q", s, msg.text[max(0, len(msg.text)-60):])
	}
}
