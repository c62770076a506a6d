package statuspage_test

import (
	"bytes"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/statuspage"
)

// The incident's components, on its page and its card, and an update's
// "Changed" list escape a component's name: one holding <, & and " is
// text, not markup, and the pages parse as they are written.
func TestChangedAndIncidentComponentsEscapeNames(t *testing.T) {
	const name = `<b>Q&A "api"</b>`
	p := newPage(t, statuspage.Config{})
	p.send(update("a", "a1", 0, broadcast.StatusInvestigating, comp(name, broadcast.ComponentMajorOutage)))
	s := p.site()
	for _, path := range []string{"index.html", "incidents/a.html"} {
		doc := s.Pages[path]
		assert.Empty(t, statuspage.Find(doc, "b"), "%s: the name made no element", path)
		var lines []string
		for _, n := range statuspage.FindClass(doc, "affects") {
			lines = append(lines, statuspage.Text(n))
		}
		assert.Contains(t, lines, "Components: "+name+" (Major outage)", path)
		assert.Contains(t, lines, "Changed: "+name+" (Major outage)", path)
		_, err := html.Parse(bytes.NewReader(s.Files[path]))
		require.NoError(t, err, path)
	}
}

// Templates written against the data before UpdateData.Changed (an
// update listing .Components, an incident card that does not call
// incident-components) still render what they did.
func TestOldTemplatesStillWork(t *testing.T) {
	const update = `{{define "update"}}<article class="update" data-update-id="{{.ID}}">` +
		`<p class="old-affects">{{range .Components}}{{.Name}}={{.Status.Label}};{{end}}</p></article>{{end}}`
	const card = `{{define "incident-card"}}<article class="card"><h3>{{.Title}}</h3>` +
		`<p class="old-card">{{range .Components}}{{.Name}};{{end}}</p>{{range .Updates}}{{template "update" .}}{{end}}</article>{{end}}`
	p := newPage(t, statuspage.Config{Templates: fstest.MapFS{
		"update.tmpl": {Data: []byte(update)}, "incident-card.tmpl": {Data: []byte(card)}}})
	p.send(updateOf("a", "a1", 0, comp("API", broadcast.ComponentMajorOutage), comp("DB", broadcast.ComponentOperational)))
	p.send(updateOf("a", "a2", 5, comp("API", broadcast.ComponentMajorOutage)))
	s := p.site()
	var got []string
	for _, n := range statuspage.FindClass(s.Pages["incidents/a.html"], "old-affects") {
		got = append(got, statuspage.Text(n))
	}
	assert.Equal(t, []string{"API=Major outage;", "API=Major outage;DB=Operational;"}, got)
	cards := statuspage.FindClass(s.Pages["index.html"], "old-card")
	require.Len(t, cards, 1)
	assert.Equal(t, "API;DB;", strings.TrimSpace(statuspage.Text(cards[0])))
}

func updateOf(incident, id string, n int, comps ...broadcast.Component) broadcast.Update {
	return update(incident, id, n, broadcast.StatusInvestigating, comps...)
}
