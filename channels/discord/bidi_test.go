package discord

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/templates"
)

// A component name that opens a right-to-left override (U+202E) and
// leaves it open reverses nothing after it in the status card: the card's
// component list closes it at the end of the name, as the message's list
// does. Before, the override ran on to the end of the line, so the
// component's status read right to left, reversed ("egatuo laitraP :").
func TestCardClosesBidiOfEachComponent(t *testing.T) {
	u := fullUpdate
	u.Components = []broadcast.Component{{Name: "\u202eCDN", Status: broadcast.ComponentPartialOutage},
		{Name: "API", Status: broadcast.ComponentDegraded}}
	card := statusEmbed(u.WithDefaults(u.Time), false)
	i := fieldIndex(card, "Affected components")
	require.GreaterOrEqual(t, i, 0, "components field in %+v", card.Fields)
	assert.Equal(t, "\u202eCDN\u202c: Partial outage\nAPI: Degraded performance", card.Fields[i].Value)
}

// Advice whose first line leaves a right-to-left override open does not
// reverse its next lines in the card: each line's override is closed
// before its line break, as the message's text closes it.
func TestCardClosesBidiOfEachAdviceLine(t *testing.T) {
	u := fullUpdate
	u.Advice = "\u202eUse eu2\nRetry failed requests."
	card := statusEmbed(u.WithDefaults(u.Time), false)
	i := fieldIndex(card, templates.AdviceLabel)
	require.GreaterOrEqual(t, i, 0, "advice field in %+v", card.Fields)
	assert.Equal(t, "\u202eUse eu2\u202c\nRetry failed requests.", card.Fields[i].Value)
}
