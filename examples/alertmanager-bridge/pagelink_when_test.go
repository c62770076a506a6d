package main

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Without -url, an update links the incident's page on the status page
// only where the page has it or the update makes it: a page whose "when:"
// leaves out the incident's first update has no page of it, and every
// other channel posted a link to a page that does not exist. Such an
// update links as without a status page (externalURL); once the page has
// the incident, its page is the link.
func TestNoLinkToAPageTheStatusPageDoesNotHave(t *testing.T) {
	var mu sync.Mutex
	var links []string
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var p struct {
			Data struct {
				URL string `json:"url"`
			} `json:"data"`
		}
		body, _ := io.ReadAll(r.Body)
		if json.Unmarshal(body, &p) == nil {
			mu.Lock()
			links = append(links, p.Data.URL)
			mu.Unlock()
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer hook.Close()
	dir := t.TempDir()
	site := filepath.Join(dir, "site")
	cfg := filepath.Join(dir, "outagecast.yaml")
	require.NoError(t, os.WriteFile(cfg, []byte("stages:\n  - [page]\nchannels:\n"+
		"  - kind: statuspage\n    name: page\n    dir: "+site+"\n    base_url: https://status.example.com/\n"+
		"    when: {statuses: [resolved]}\n"+
		"  - kind: webhook\n    name: hook\n    url: "+hook.URL+"\n    allow_unsigned: true\n"), 0o600))
	h, closeAll, err := setup(&options{config: cfg, state: filepath.Join(dir, "state.db")}, io.Discard, io.Discard, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	defer closeAll()
	srv := httptest.NewServer(h.routes())
	defer srv.Close()
	last := func() string {
		mu.Lock()
		defer mu.Unlock()
		require.NotEmpty(t, links)
		return links[len(links)-1]
	}

	code, resp := post(t, srv, sample(t, "firing.json"))
	require.Equal(t, http.StatusOK, code)
	require.Len(t, resp.Results, 2)
	page := "https://status.example.com/incidents/" + resp.IncidentID + ".html"
	assert.Equal(t, "not selected", resp.Results[0].Outcome, "the page's when: leaves the update out")
	assert.Equal(t, "http://alertmanager.internal:9093", last(), "no page of the incident: not linked")
	_, err = os.Stat(filepath.Join(site, "current", "incidents", resp.IncidentID+".html"))
	require.ErrorIs(t, err, os.ErrNotExist)

	code, resp = post(t, srv, sample(t, "resolved.json"))
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, page, resp.Results[0].URL, "the update makes the page")
	assert.Equal(t, page, last(), "the update makes the page: linked")
}
