package discord

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/templates"
)

// listItem is a line Discord's markdown reads as an ordered list's item:
// digits and ". " at its start, after spaces or none ("1. Retry").
var listItem = regexp.MustCompile(`(?m)^ *[0-9]+\. `)

// A line of the card's title, advice or components that starts as an
// ordered list's item ("1. ") shows as written, its "." escaped: Discord
// read it as a list, renumbered and indented. "2) " and a number in a
// sentence ("version 1. Then") are no list's, and stay as they are.
func TestCardShowsOrderedListMarkersAsWritten(t *testing.T) {
	f := newFake(t, fakeOptions{})
	ch := newChannel(t, f, nil)
	u := fullUpdate
	u.Title = "2026. A year of outages"
	u.Advice = "Steps:\n1. Retry\n  7. Wait for version 1. Then\n2) Call us"
	u.Components = []broadcast.Component{{Name: "3. CDN", Status: broadcast.ComponentMajorOutage},
		{Name: "API", Status: broadcast.ComponentDegraded}}
	send(t, ch, u, broadcast.Thread{})

	card := f.message(0).embeds[0]
	advice := card.Fields[fieldIndex(card, templates.AdviceLabel)].Value
	components := card.Fields[fieldIndex(card, "Affected components")].Value
	for _, s := range []string{card.Title, advice, components} {
		assert.Falsef(t, listItem.MatchString(s), "a list's item in %q", s)
	}
	assert.Equal(t, u.Title, unescape(card.Title), "the title, as readers see it")
	assert.Equal(t, u.Advice, unescape(advice), "the advice, as readers see it")
	assert.Equal(t, "3. CDN: Major outage\nAPI: Degraded performance", unescape(components), "the components, as readers see them")
	assert.Contains(t, advice, "version 1. Then\n2) Call us", "no escape where Discord reads no list")
}
