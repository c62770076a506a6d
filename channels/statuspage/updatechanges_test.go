package statuspage_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"golang.org/x/net/html"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/statuspage"
)

// changedLines returns, by update ID, the text of each update's list of
// components on the page ("" for an update that shows none).
func changedLines(doc *html.Node) map[string]string {
	out := map[string]string{}
	for _, a := range statuspage.FindClass(doc, "update") {
		line := ""
		if found := statuspage.FindClass(a, "affects"); len(found) > 0 {
			line = statuspage.Text(found[0])
		}
		out[statuspage.Attr(a, "data-update-id")] = line
	}
	return out
}

// Each update on the pages shows only the components whose status it
// changed, not every component it names again (an outage of a whole
// region repeated the hundreds it names in every update); the incident's
// components are shown once, on its page and on its card on the front
// page.
func TestUpdateShowsOnlyComponentsItChanged(t *testing.T) {
	p := newPage(t, statuspage.Config{})
	p.send(update("a", "a1", 0, broadcast.StatusInvestigating, comp("API", broadcast.ComponentMajorOutage),
		comp("CDN", broadcast.ComponentDegraded), comp("DB", broadcast.ComponentOperational)))
	p.send(update("a", "a2", 10, broadcast.StatusIdentified, comp("API", broadcast.ComponentMajorOutage),
		comp("CDN", broadcast.ComponentPartialOutage), comp("DB", broadcast.ComponentOperational)))
	p.send(update("a", "a3", 20, broadcast.StatusMonitoring, comp("API", broadcast.ComponentMajorOutage)))
	want := map[string]string{
		"a1": "Changed: API (Major outage), CDN (Degraded performance)",
		"a2": "Changed: CDN (Partial outage)",
		"a3": "",
	}
	site := p.site()
	assert.Equal(t, want, changedLines(site.Pages["incidents/a.html"]), "the incident page")
	assert.Equal(t, want, changedLines(site.Pages["index.html"]), "the front page")

	incidentLine := func(doc *html.Node) string {
		for _, n := range statuspage.FindClass(doc, "affects") {
			if !inUpdate(n) {
				return statuspage.Text(n)
			}
		}
		return ""
	}
	const all = "Components: API (Major outage), CDN (Partial outage), DB (Operational)"
	assert.Equal(t, all, incidentLine(site.Pages["incidents/a.html"]), "the incident page names its components once")
	assert.Equal(t, all, incidentLine(site.Pages["index.html"]), "the front page's card names them once")
}

// inUpdate says n is inside an update's article.
func inUpdate(n *html.Node) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		if p.Type == html.ElementNode && statuspage.Attr(p, "data-update-id") != "" {
			return true
		}
	}
	return false
}
