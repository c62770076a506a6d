//go:build integration

package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// An update posted without url links the incident's page on the status
// page only where the page has it or the update makes it, as the page's
// thread of the incident in PostgreSQL says: the page's "when:" leaves out
// the incident's first update, which made no page of it, and the webhooks
// got a link to a page that did not exist. The same update posted again,
// once the page has the incident, is the one queued before, not refused.
func TestNoLinkToAPageTheStatusPageDoesNotHaveInPostgres(t *testing.T) {
	dep := newDeployment(t)
	site := filepath.Join(t.TempDir(), "site")
	f, err := os.OpenFile(dep.config, os.O_APPEND|os.O_WRONLY, 0)
	require.NoError(t, err)
	_, err = f.WriteString("  - kind: statuspage\n    name: status-page\n    dir: " + site +
		"\n    base_url: https://status.example.com/\n    when: {statuses: [identified, resolved]}\n")
	require.NoError(t, err)
	require.NoError(t, f.Close())
	r := dep.start(t)
	const link = "https://status.example.com/incidents/cdn-errors.html"
	links := func(id string) []string {
		var out []string
		for _, e := range dep.rc.received(id) {
			out = append(out, e.Data.URL)
		}
		return out
	}

	const first = `{"title":"CDN errors","status":"investigating"}`
	acc := r.post(t, "/v1/updates", first)
	st := r.await(t, acc.Links.Self)
	assert.Equal(t, []string{"status-hook:delivered", "subscribers:delivered", "status-page:not_selected"}, outcomesOf(st.Channels))
	assert.Equal(t, []string{"", "", ""}, links(acc.ID), "no page of the incident: no link")

	made := r.post(t, "/v1/updates", `{"title":"CDN errors","status":"identified"}`)
	r.await(t, made.Links.Self)
	assert.Equal(t, []string{link, link, link}, links(made.ID), "the update makes the page")
	require.FileExists(t, filepath.Join(site, "current", "incidents", "cdn-errors.html"))

	later := r.post(t, "/v1/updates", `{"title":"CDN errors","status":"monitoring"}`)
	r.await(t, later.Links.Self)
	assert.Equal(t, []string{link, link, link}, links(later.ID), "the page has the incident")

	assert.Equal(t, acc, r.post(t, "/v1/updates", first), "the same update again")
}
