package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// newFakeStatuspage answers the Statuspage API v1 for page kctbh9vrtdwd,
// which has one component, CDN: its component list, and the creation of an
// incident.
func newFakeStatuspage(t *testing.T) *httptest.Server {
	mux := http.NewServeMux()
	const page = "/v1/pages/kctbh9vrtdwd"
	mux.HandleFunc("GET "+page+"/components", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `[{"id":"r8b1d8cdn001","name":"CDN","group":false,"group_id":null}]`)
	})
	mux.HandleFunc("POST "+page+"/incidents", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		fmt.Fprint(w, `{"id":"p31zjtct2jer","name":"T","status":"investigating","shortlink":"https://stspg.io/p31zjtct2jer",`+
			`"created_at":"2026-01-02T15:04:05.000Z","metadata":{},`+
			`"incident_updates":[{"id":"hm9k3bqsq1lb","status":"investigating","body":"x","created_at":"2026-01-02T15:04:05.000Z"}]}`)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// A component name the Statuspage page does not have (a typo) leaves that
// component's status unset while the incident is posted: the channel's
// receipt names it, and announce says so, in the table's run and in JSON,
// instead of reporting a plain "delivered".
func TestUnknownStatuspageComponentIsNamed(t *testing.T) {
	srv := newFakeStatuspage(t)
	t.Setenv("STATUSPAGE_API_KEY", "sp-7f3c9a41eZqd8b2e6c0")
	cfg := writeConfig(t, fastRetry+"channels:\n  - kind: statuspageio\n    name: page\n    api_key: ${STATUSPAGE_API_KEY}\n"+
		"    page_id: kctbh9vrtdwd\n    base_url: "+srv.URL+"/v1\n")
	args := []string{"-config", cfg, "-title", "T", "-status", "investigating", "-component", "CDNN=major_outage", "-quiet"}
	r := announce(t, context.Background(), "", args...)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stderr, `announce: page: component "CDNN" not set: the page has no such component`)

	r = announce(t, context.Background(), "", append(args, "-json")...)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, `"note": "component \"CDNN\" not set: the page has no such component`)
}
