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
	"github.com/outagecast/outagecast/config"
	"github.com/outagecast/outagecast/examples/internal/pagelink"
)

// An update posted without url links its incident's page on the
// configuration's status page, as the announce program and the bridge
// link it with the same file; its id stays the one derived from the
// content as posted. A url given wins, and a correction without one links
// the page too.
func TestUpdateWithoutURLLinksTheStatusPage(t *testing.T) {
	ta, _ := pageTestAPI(t, t.TempDir(), "  - kind: console\n")

	posted := broadcast.Update{Title: "CDN errors", Status: broadcast.StatusInvestigating}
	rec := ta.do("POST", "/v1/updates", `{"title":"CDN errors","status":"investigating"}`)
	require.Equal(t, 202, rec.Code, rec.Body.String())
	var got accepted
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &got))
	assert.Equal(t, posted.WithDefaults(time.Time{}).ID, got.ID, "the id derived from the content as posted")
	want := "https://status.example.com/incidents/cdn-errors.html"
	assert.Equal(t, want, ta.be.updates[got.ID].URL)

	rec = ta.do("POST", "/v1/updates", `{"title":"DNS errors","status":"investigating","url":"https://example.com/given"}`)
	require.Equal(t, 202, rec.Code, rec.Body.String())
	var given accepted
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &given))
	assert.Equal(t, "https://example.com/given", ta.be.updates[given.ID].URL)

	rec = ta.do("POST", "/v1/updates/"+got.ID+"/correct", `{"title":"CDN errors in EU","status":"investigating"}`)
	require.Equal(t, 202, rec.Code, rec.Body.String())
	var corr accepted
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &corr))
	assert.Equal(t, want, ta.be.updates[corr.ID].URL, "the incident's page, not one of the new title")
}

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
	ta, f := pageTestAPI(t, dir, "    when: {statuses: [identified, resolved]}\n")
	b, err := f.Open(f.Options())
	require.NoError(t, err)
	defer b.Close()
	ta.be.b, ta.be.channels = b.Broadcaster, b.Channels()
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

// pageTestAPI loads a configuration of a status page, status-page, serving
// dir/site, with the YAML more after its base_url line, and returns a test
// API that links that page, and the configuration.
func pageTestAPI(t *testing.T, dir, more string) (*testAPI, *config.File) {
	t.Helper()
	cfgPath := filepath.Join(dir, "outagecast.yaml")
	require.NoError(t, os.WriteFile(cfgPath, []byte("channels:\n  - kind: statuspage\n    name: status-page\n    dir: "+
		filepath.Join(dir, "site")+"\n    base_url: https://status.example.com/\n"+more), 0o600))
	env, _, _ := testEnv(nil)
	f, err := loadConfig(&options{config: cfgPath}, env)
	require.NoError(t, err)
	ta := newTestAPI()
	ta.page = pagelink.Find(f.Channels, f.Routes)
	require.NotNil(t, ta.page, "the configuration has a status page")
	return ta, f
}
