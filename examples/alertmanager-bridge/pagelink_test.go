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

// pageConfig writes, in dir, a configuration of a status page (serving
// dir/site, its "when:" when, if not empty) and a webhook channel, and
// returns its path and what gives the link of the last update the webhook
// was sent.
func pageConfig(t *testing.T, dir, when string) (cfg string, last func() string) {
	t.Helper()
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
	t.Cleanup(hook.Close)
	if when != "" {
		when = "    when: " + when + "\n"
	}
	cfg = filepath.Join(dir, "outagecast.yaml")
	require.NoError(t, os.WriteFile(cfg, []byte("stages:\n  - [page]\nchannels:\n"+
		"  - kind: statuspage\n    name: page\n    dir: "+filepath.Join(dir, "site")+"\n    base_url: https://status.example.com/\n"+when+
		"  - kind: webhook\n    name: hook\n    url: "+hook.URL+"\n    allow_unsigned: true\n"), 0o600))
	return cfg, func() string {
		mu.Lock()
		defer mu.Unlock()
		require.NotEmpty(t, links)
		return links[len(links)-1]
	}
}

// Without -url, a configuration with a status page links every update to
// the incident's page there, as the announce program does with the same
// file. Before, the updates linked Alertmanager's externalURL, an address
// inside the network ("http://alertmanager.internal:9093"), on every
// channel and on the status page itself.
func TestLinksTheStatusPagesIncidentPage(t *testing.T) {
	cfg, last := pageConfig(t, t.TempDir(), "")
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
		got := last()
		if o.url == "" {
			assert.Equal(t, page, got, "the update's link, without -url")
		} else {
			assert.Equal(t, o.url, got, "-url, given, is the link")
		}
	}
}

// Without -url, an update links the incident's page on the status page
// only where the page has it or the update makes it: a page whose "when:"
// leaves out the incident's first update has no page of it, and every
// other channel posted a link to a page that does not exist. Such an
// update links as without a status page (externalURL); once the page has
// the incident, its page is the link.
func TestNoLinkToAPageTheStatusPageDoesNotHave(t *testing.T) {
	dir := t.TempDir()
	site := filepath.Join(dir, "site")
	cfg, last := pageConfig(t, dir, "{statuses: [resolved]}")
	h, closeAll, err := setup(&options{config: cfg, state: filepath.Join(dir, "state.db")}, io.Discard, io.Discard, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	defer closeAll()
	srv := httptest.NewServer(h.routes())
	defer srv.Close()

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
