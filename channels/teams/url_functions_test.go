package teams

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/textsafe"
	"github.com/outagecast/outagecast/redact"
)

// A date or time function in a URL, the Update's (which the text shows)
// or one in the title, body, advice or a component's name, shows as
// written: its first "{" is written "%7B", which names the same page, so
// the link stays one a reader can copy. Before, Teams showed a date in the
// URL's place. The button opens the Update's URL as it is.
func TestDateFunctionsInURLsShownAsWritten(t *testing.T) {
	const (
		page   = "https://status.example/i/{{DATE(2026-01-01T00:00:00Z)}}"
		query  = "https://status.example/a?at={{TIME(2026-01-01T09:00:00Z)}}#{{DATE(2026-01-01T00:00:00Z, SHORT)}}"
		quoted = "https://status.example/i/%7B{DATE(2026-01-01T00:00:00Z)}}"
	)
	ch, f := newTestChannel(t)
	u := update(broadcast.StatusInvestigating)
	u.URL = page
	u.Title = "See " + page
	u.Body = "Details at " + query + " now."
	u.Advice = "Retry at " + page
	u.Components = []broadcast.Component{{Name: "CDN " + page, Status: broadcast.ComponentMajorOutage}}
	_, err := send(t, ch, u)
	require.NoError(t, err)
	cards, bodies := f.posted()
	require.Len(t, cards, 1)
	text := strings.Join(cards[0].lines, "\n")
	assert.NotContains(t, text, "Jan 1, 2026", "no date in a URL's place")
	assert.NotContains(t, text, "at=09:00", "no time in a URL's place")
	assert.Equal(t, 1, strings.Count(string(bodies[0]), "{{"),
		"no date function in the card's text, its fallback text included: the button's URL only, which shows no text")
	assert.Contains(t, cards[0].lines, "Investigating: See "+quoted, "the heading's URL")
	assert.Contains(t, cards[0].lines, "Details at https://status.example/a?at=%7B{TIME(2026-01-01T09:00:00Z)}}#%7B{DATE(2026-01-01T00:00:00Z, SHORT)}} now.", "the body's URL")
	assert.Contains(t, text, "Retry at "+quoted, "the advice's URL")
	assert.Contains(t, text, "• CDN "+quoted+": Major outage", "the component's URL")
	assert.Equal(t, quoted, cards[0].lines[len(cards[0].lines)-1], "the Update's URL, as the text shows it")
	assert.Equal(t, []string{page}, cards[0].actions, "the button opens the Update's URL")
}

// In a URL's host, where "%7B" would name another host, the word joiner
// breaks a function, as in text; so it does outside URLs.
func TestQuietFunctionsInHost(t *testing.T) {
	wj := textsafe.WordJoiner
	assert.Equal(t, "https://{"+wj+"{DATE(2026-01-01T00:00:00Z)}}.example/%7B{TIME(2026-01-01T09:00:00Z)}} and {"+wj+"{y}}",
		quietFunctions("https://{{DATE(2026-01-01T00:00:00Z)}}.example/{{TIME(2026-01-01T09:00:00Z)}} and {{y}}"))
	assert.Equal(t, "no braces", quietFunctions("no braces"))
}

// The update's IDs are the author's text too: a template that shows them
// shows a date function in one as written. Before, Teams showed a date.
func TestDateFunctionsInIDsShownAsWritten(t *testing.T) {
	f := newFakeWorkflow(t)
	ch, err := New(Config{WebhookURL: redact.NewURL(f.url()),
		Templates: teamsTemplate(t, "{{.Title}}\n{{.IncidentID}} {{.ID}} {{.Corrects}}")})
	require.NoError(t, err)
	t.Cleanup(func() { _ = ch.Close() })
	u := update(broadcast.StatusInvestigating)
	u.IncidentID = "INC {{DATE(2026-01-01T00:00:00Z)}}"
	u.ID = "u {{TIME(2026-01-01T09:00:00Z)}}"
	u.Corrects = "u0 {{DATE(2026-01-02T00:00:00Z)}}"
	_, err = send(t, ch, u)
	require.NoError(t, err)
	cards, _ := f.posted()
	require.Len(t, cards, 1)
	wj := textsafe.WordJoiner
	assert.Equal(t, "INC {"+wj+"{DATE(2026-01-01T00:00:00Z)}} u {"+wj+"{TIME(2026-01-01T09:00:00Z)}} u0 {"+wj+"{DATE(2026-01-02T00:00:00Z)}}",
		cards[0].lines[1], "the IDs, as written")
}

// Teams reads "{{" as a function only when DATE( or TIME( follows it, in
// capitals: any other "{{" in a URL it shows as written, so the URL does
// too, as the button opens it, with no "%7B" in its place.
func TestURLBracesOfNoFunctionShownAsWritten(t *testing.T) {
	const page = "https://status.example/i/{{id}}?at={{date(2026-01-01T00:00:00Z)}}#{{TIMES(2026-01-01T00:00:00Z)}}"
	ch, f := newTestChannel(t)
	u := update(broadcast.StatusInvestigating)
	u.URL = page
	u.Body = "See " + page + " and {{{DATE(2026-01-01T00:00:00Z)}}"
	_, err := send(t, ch, u)
	require.NoError(t, err)
	cards, _ := f.posted()
	require.Len(t, cards, 1)
	text := strings.Join(cards[0].lines, "\n")
	assert.NotContains(t, text, "%7B", "no function to quiet in the URLs")
	assert.Contains(t, cards[0].lines, "See "+page+" and {"+textsafe.WordJoiner+"{"+textsafe.WordJoiner+"{DATE(2026-01-01T00:00:00Z)}}", "the body's URL as written")
	assert.Equal(t, page, cards[0].lines[len(cards[0].lines)-1], "the Update's URL, as the button opens it")
	assert.Equal(t, "https://status.example/a%7B{DATE(2026-01-01T00:00:00Z)}}{%7B{TIME(2026-01-01T09:00:00Z)}}",
		quietFunctions("https://status.example/a{{DATE(2026-01-01T00:00:00Z)}}{{{TIME(2026-01-01T09:00:00Z)}}"))
}
