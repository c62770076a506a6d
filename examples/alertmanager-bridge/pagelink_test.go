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

// Without -url, a configuration with a status page links every update to
// the incident's page there, as the announce program does with the same
// file. Before, the updates linked Alertmanager's externalURL, an address
// inside the network ("http://alertmanager.internal:9093"), on every
// channel and on the status page itself.
func TestLinksTheStatusPagesIncidentPage(t *testing.T) {
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
	cfg := filepath.Join(dir, "outagecast.yaml")
	require.NoError(t, os.WriteFile(cfg, []byte("stages:\n  - [page]\nchannels:\n"+
		"  - kind: statuspage\n    name: page\n    dir: "+filepath.Join(dir, "site")+"\n    base_url: https://status.example.com/\n"+
		"  - kind: webhook\n    name: hook\n    url: "+hook.URL+"\n    allow_unsigned: true\n"), 0o600))

	for _, o := range []options{{config: cfg}, {config: cfg, url: "https://status.example.com/"}} {
		h, closeAll, err := setup(&o, io.Discard, io.Discard, slog.New(slog.DiscardHandler))
		require.NoError(t, err)
		srv := httptest.NewServer(h.routes())
		code, resp := post(t, srv, sample(t, "firing.json"))
		srv.Close()
		closeAll()
		require.Equal(t, http.StatusOK, code)
		require.Len(t, resp.Results, 2)
		page := "https://status.example.com/incidents/" + resp.IncidentID + ".html"
		assert.Equal(t, page, resp.Results[0].URL, "the page's receipt")
		mu.Lock()
		got := links[len(links)-1]
		mu.Unlock()
		if o.url == "" {
			assert.Equal(t, page, got, "the update's link, without -url")
		} else {
			assert.Equal(t, o.url, got, "-url, given, is the link")
		}
	}
}
