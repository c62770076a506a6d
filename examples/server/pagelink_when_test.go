package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/examples/internal/pagelink"
)

// An update posted without url links the incident's page on the status
// page only where the page has it or the update makes it: a page whose
// "when:" leaves out the incident's first update has no page of it, and
// every channel posted a link to a page that does not exist. A correction
// goes to the page as its original did. Once the page has the incident,
// every update links to it; the same update posted again is queued as it
// was, without the link, not refused as other content under its ID.
func TestNoLinkToAPageTheStatusPageDoesNotHave(t *testing.T) {
	dir := t.TempDir()
	site := filepath.Join(dir, "site")
	cfgPath := filepath.Join(dir, "outagecast.yaml")
	require.NoError(t, os.WriteFile(cfgPath, []byte("channels:\n  - kind: statuspage\n    name: status-page\n    dir: "+site+
		"\n    base_url: https://status.example.com/\n    when: {statuses: [identified, resolved]}\n"), 0o600))
	env, _, _ := testEnv(nil)
	f, err := loadConfig(&options{config: cfgPath}, env)
	require.NoError(t, err)
	b, err := f.Open(f.Options())
	require.NoError(t, err)
	defer b.Close()
	ta := newTestAPI()
	ta.be.b, ta.be.channels = b.Broadcaster, b.Channels()
	ta.page = pagelink.Find(f.Channels, f.Routes)
	const link = "https://status.example.com/incidents/cdn-errors.html"
	post := func(path, body string) accepted {
		t.Helper()
		rec := ta.do("POST", path, body)
		require.Equal(t, 202, rec.Code, rec.Body.String())
		var got accepted
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &got))
		return got
	}

	const first = `{"title":"CDN errors","status":"investigating"}`
	got := post("/v1/updates", first)
	posted := broadcast.Update{Title: "CDN errors", Status: broadcast.StatusInvestigating}
	assert.Equal(t, posted.WithDefaults(time.Time{}).ID, got.ID)
	assert.Empty(t, ta.be.updates[got.ID].URL, "no page of the incident, and the page leaves the update out")

	corr := post("/v1/updates/"+got.ID+"/correct", `{"title":"CDN errors","status":"investigating","body":"In the EU."}`)
	assert.Empty(t, ta.be.updates[corr.ID].URL, "the correction goes where its original went: not to the page")

	rep, err := b.Send(context.Background(), broadcast.Update{Title: "CDN errors", Status: broadcast.StatusIdentified})
	require.NoError(t, err)
	require.NoError(t, rep.Results[0].Err)
	require.FileExists(t, filepath.Join(site, "current", "incidents", "cdn-errors.html"))

	later := post("/v1/updates", `{"title":"CDN errors","status":"monitoring"}`)
	assert.Equal(t, link, ta.be.updates[later.ID].URL, "the page has the incident")

	again := post("/v1/updates", first)
	assert.Equal(t, got.ID, again.ID)
	assert.Empty(t, ta.be.updates[again.ID].URL, "queued as it was")
}
