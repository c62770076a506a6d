package main

import (
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

// An update posted without url links its incident's page on the
// configuration's status page, as the announce program and the bridge
// link it with the same file; its id stays the one derived from the
// content as posted. A url given wins, and a correction without one links
// the page too.
func TestUpdateWithoutURLLinksTheStatusPage(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "outagecast.yaml")
	require.NoError(t, os.WriteFile(cfgPath, []byte("channels:\n  - kind: statuspage\n    name: status-page\n    dir: "+
		filepath.Join(dir, "site")+"\n    base_url: https://status.example.com/\n  - kind: console\n"), 0o600))
	env, _, _ := testEnv(nil)
	f, err := loadConfig(&options{config: cfgPath}, env)
	require.NoError(t, err)
	ta := newTestAPI()
	ta.page = pagelink.Find(f.Channels, f.Routes)
	require.NotNil(t, ta.page, "the configuration has a status page")

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
