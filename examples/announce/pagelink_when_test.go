package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Without -url, the channels link to the incident's page on the status
// page only where that page is, or the update makes it: a status page
// whose "when:" leaves out the incident's first update has no page of it,
// and the other channels posted a link to a page that does not exist. An
// update of an incident the page has posted links to it, whatever the
// page's "when:" says of that update.
func TestNoLinkToAPageTheStatusPageDoesNotHave(t *testing.T) {
	h := newHookReceiver(t)
	site := filepath.Join(t.TempDir(), "site")
	page := "  - kind: statuspage\n    name: status-page\n    dir: " + site +
		"\n    base_url: https://status.example.com/\n    title: Example Status\n" +
		"    when: {statuses: [identified, resolved]}\n"
	cfg := writeConfig(t, fastRetry+"channels:\n"+page+hookConfig(t, h))
	state := filepath.Join(t.TempDir(), "state.db")
	send := func(status string, extra ...string) result {
		args := append([]string{"-config", cfg, "-state", state, "-incident", "cdn",
			"-title", "Elevated CDN errors", "-status", status}, extra...)
		return announce(t, context.Background(), "", args...)
	}
	const link = "https://status.example.com/incidents/cdn.html"

	dry := send("investigating", "-dry-run")
	require.Equal(t, exitOK, dry.code, dry.stderr)
	assert.Contains(t, dry.stdout, "--- status-page: not sent")
	assert.NotContains(t, dry.stdout, link, "the dry run agrees with the send")
	first := send("investigating")
	require.Equal(t, exitOK, first.code, first.stderr)
	assert.Regexp(t, `status-page +not selected`, first.stdout)
	require.Len(t, h.updates(), 1)
	assert.Empty(t, h.updates()[0].URL, "no page of the incident: no link to it")
	_, err := os.Stat(filepath.Join(site, "current", "incidents", "cdn.html"))
	require.ErrorIs(t, err, os.ErrNotExist)

	second := send("identified")
	require.Equal(t, exitOK, second.code, second.stderr)
	assert.Regexp(t, `status-page +delivered`, second.stdout)
	require.Len(t, h.updates(), 2)
	assert.Equal(t, link, h.updates()[1].URL, "the update makes the page")

	third := send("monitoring")
	require.Equal(t, exitOK, third.code, third.stderr)
	assert.Regexp(t, `status-page +not selected`, third.stdout)
	require.Len(t, h.updates(), 3)
	assert.Equal(t, link, h.updates()[2].URL, "the page has the incident")

	// A correction goes to the status page only where its original went.
	other := []string{"-config", cfg, "-state", state, "-incident", "api", "-title", "API errors", "-status", "investigating"}
	orig := announce(t, context.Background(), "", other...)
	require.Equal(t, exitOK, orig.code, orig.stderr)
	fix := announce(t, context.Background(), "", append(other, "-body", "Some calls fail.", "-correct", updateIDOf(t, orig.stdout))...)
	require.Equal(t, exitOK, fix.code, fix.stderr)
	assert.Regexp(t, `status-page +not selected`, fix.stdout)
	require.Len(t, h.updates(), 5)
	assert.Empty(t, h.updates()[4].URL, "the correction makes no page either")
	assert.Equal(t, h.updates()[4].Corrects, h.updates()[3].ID)

	given := send("investigating", "-url", "https://example.com/incident", "-id", "u_given")
	require.Equal(t, exitOK, given.code, given.stderr)
	require.Len(t, h.updates(), 6)
	assert.Equal(t, "https://example.com/incident", h.updates()[5].URL, "-url is kept")
}
