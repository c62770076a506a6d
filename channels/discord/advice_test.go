package discord

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/templates"
)

// The status card shows the update's advice, escaped, right after the
// status row, so the first post's card, kept current by later updates,
// tells readers what they can do now, and drops advice that no longer
// holds.
func TestCardShowsAdvice(t *testing.T) {
	f := newFake(t, fakeOptions{})
	ch := newChannel(t, f, nil)
	first := fullUpdate
	first.Advice = "Retry with *backoff*; use <@123> the EU endpoint"
	root := send(t, ch, first, broadcast.Thread{})

	card := f.message(0).embeds[0]
	i := fieldIndex(card, templates.AdviceLabel)
	require.GreaterOrEqual(t, i, 0, "advice field in %+v", card.Fields)
	assert.Equal(t, first.Advice, unescape(card.Fields[i].Value), "the advice, as readers see it")
	assert.False(t, unescapedMarkup(card.Fields[i].Value, "<@"), "the advice cannot mention")
	assert.False(t, card.Fields[i].Inline, "the advice has a row of its own")
	for _, f := range card.Fields[:i] {
		assert.True(t, f.Inline, "only the status row comes before the advice: %q", f.Name)
	}
	assert.Equal(t, "Affected components", card.Fields[i+1].Name, "the components follow")

	next := resolvedUpdate
	next.Advice = "Nothing: no action needed"
	last := send(t, ch, next, broadcast.Thread{Root: root, Last: root})
	card = f.message(0).embeds[0]
	require.GreaterOrEqual(t, fieldIndex(card, templates.AdviceLabel), 0)
	assert.Equal(t, next.Advice, unescape(card.Fields[fieldIndex(card, templates.AdviceLabel)].Value),
		"the first post's card shows the current advice")

	none := resolvedUpdate
	none.ID = "u_none"
	send(t, ch, none, broadcast.Thread{Root: root, Last: last})
	assert.Equal(t, -1, fieldIndex(f.message(0).embeds[0], templates.AdviceLabel),
		"advice that no longer holds leaves the first post's card")
}

func fieldIndex(e embed, name string) int {
	for i, f := range e.Fields {
		if f.Name == name {
			return i
		}
	}
	return -1
}

// A URL in the advice or a component's name is written as it is: Discord
// links a URL in a card's field as far as it runs, so a backslash escape
// inside it would break the link (and a browser reads "\" as "/").
func TestCardKeepsURLsWhole(t *testing.T) {
	const (
		login = "https://backup.example/log_in-now?next=/a*b*#top_1"
		docs  = "https://docs.example/~ops/[eu]-fallback"
	)
	f := newFake(t, fakeOptions{})
	ch := newChannel(t, f, nil)
	u := fullUpdate
	u.Advice = "Sign in at " + login + " (see " + docs + "). *Not* <@123>"
	u.Components = []broadcast.Component{{Name: "Portal " + docs, Status: broadcast.ComponentMajorOutage}}
	send(t, ch, u, broadcast.Thread{})

	card := f.message(0).embeds[0]
	advice := card.Fields[fieldIndex(card, templates.AdviceLabel)].Value
	assert.Contains(t, advice, " "+login+" ", "the advice's first link, whole")
	assert.Contains(t, advice, " "+docs+")", "the advice's second link, whole")
	assert.Equal(t, u.Advice, unescape(advice), "the advice, as readers see it")
	assert.False(t, unescapedMarkup(advice, "<@"), "the advice cannot mention")
	assert.False(t, unescapedMarkup(advice, "*Not"), "the advice cannot format")
	components := card.Fields[fieldIndex(card, "Affected components")].Value
	assert.Contains(t, components, " "+docs+":", "the component's link, whole")
}
