package googlechat

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// widgetLabels are the top labels of the card's text widgets, in order.
func widgetLabels(c cardV2) []string {
	var labels []string
	for _, w := range c.Card.Sections[0].Widgets {
		if w.DecoratedText != nil {
			labels = append(labels, w.DecoratedText.TopLabel)
		}
	}
	return labels
}

// widgetText is the text of the card's widget labelled label.
func widgetText(t *testing.T, c cardV2, label string) string {
	t.Helper()
	for _, w := range c.Card.Sections[0].Widgets {
		if w.DecoratedText != nil && w.DecoratedText.TopLabel == label {
			return w.DecoratedText.Text
		}
	}
	t.Fatalf("no widget %q in the card: %v", label, widgetLabels(c))
	return ""
}

// The status card shows the advice right after the status, as every
// default template does, HTML-escaped like the card's other text; a card
// without advice has no such field. Before, the card left it out: a
// reader of the card saw the status, then the impact, but not what to do.
func TestCardShowsAdvice(t *testing.T) {
	f := newFake(t, fakeOptions{})
	ch := newChannel(t, f, nil)
	u := fullUpdate
	u.Advice = "Use <b>eu2</b> & retry."
	send(t, ch, broadcast.NewMessage(u))
	var b body
	require.NoError(t, json.Unmarshal(f.sent()[0].raw, &b))
	require.Len(t, b.CardsV2, 1)
	assert.Equal(t, []string{"Status", "What you can do", "Impact", "Next update", "Affected components"},
		widgetLabels(b.CardsV2[0]))
	assert.Equal(t, "Use &lt;b&gt;eu2&lt;/b&gt; &amp; retry.", widgetText(t, b.CardsV2[0], "What you can do"))

	u.Advice = ""
	assert.NotContains(t, widgetLabels(statusCard(u.WithDefaults(u.Time))), "What you can do")
}

// A correction's card says it is one, as its text does ("Correction:"
// before the headline): before, the card of a correction read as the
// original's, so a reader of the cards saw two statuses and no sign of
// which one stood.
func TestCorrectionCardSaysSo(t *testing.T) {
	u := fullUpdate.WithDefaults(fullUpdate.Time)
	assert.Equal(t, "CDN errors in EU", statusCard(u).Card.Header.Title)
	u.Corrects = "u_wrong"
	assert.Equal(t, "Correction: CDN errors in EU", statusCard(u).Card.Header.Title)
}

// A component name that opens a right-to-left override (U+202E) and
// leaves it open reverses nothing after it in the card: the card's
// component list closes it at the end of the name, as the text's list
// does. Before, the card's list carried it open, so that the component's
// status and every component after it read right to left, reversed.
func TestCardClosesBidiOfEachComponent(t *testing.T) {
	u := fullUpdate
	u.Components = []broadcast.Component{{Name: "\u202eCDN", Status: broadcast.ComponentPartialOutage},
		{Name: "API", Status: broadcast.ComponentDegraded}}
	card := statusCard(u.WithDefaults(u.Time))
	assert.Equal(t, "\u202eCDN\u202c: Partial outage<br>API: Degraded performance", widgetText(t, card, "Affected components"))
}

// Advice whose first line leaves a right-to-left override open does not
// reverse its next lines in the card: each line's override is closed
// before the card's line break, as the text closes it. Before, the
// override ran on past "<br>", which ends no override.
func TestCardClosesBidiOfEachAdviceLine(t *testing.T) {
	u := fullUpdate
	u.Advice = "\u202eUse eu2\nRetry failed requests."
	card := statusCard(u.WithDefaults(u.Time))
	assert.Equal(t, "\u202eUse eu2\u202c<br>Retry failed requests.", widgetText(t, card, "What you can do"))
}
