//go:build integration

package main

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// outcomesOf lists each channel's outcome, "channel:outcome".
func outcomesOf(cs []channelStatus) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Channel+":"+c.Outcome)
	}
	return out
}

// deliveries counts the events of type typ about update id per endpoint.
func deliveries(rc *receiver, id, typ string) map[string]int {
	n := map[string]int{}
	for _, e := range rc.received(id) {
		if e.Type == typ {
			n[e.Endpoint]++
		}
	}
	return n
}

func TestPostToOneReplicaReadFromTheOther(t *testing.T) {
	dep := newDeployment(t)
	a, b := dep.start(t), dep.start(t, "-poll-only") // b as behind a pooler in transaction mode

	acc := a.post(t, "/v1/updates", update)
	assert.Equal(t, "u-1", acc.ID)
	assert.Equal(t, "cdn", acc.IncidentID)
	st := b.await(t, acc.Links.Self)
	assert.Equal(t, []string{"status-hook:delivered", "subscribers:delivered"}, outcomesOf(st.Channels))
	assert.Equal(t, "cdn", st.IncidentID)
	require.NotNil(t, st.Channels[0].Receipt)
	assert.NotEmpty(t, st.Channels[0].Receipt.ID, "the webhook-id of the one endpoint")
	require.NotNil(t, st.Channels[1].Receipt)
	assert.Equal(t, "2", st.Channels[1].Receipt.Meta["endpoints"], "the receipt's meta")
	assert.Equal(t, 1, st.Channels[0].Attempts)
	assert.Equal(t, map[string]int{"/status": 1, "/a": 1, "/b": 1}, deliveries(dep.rc, "u-1", "incident.updated"))
	for _, e := range dep.rc.received("u-1") {
		if e.Endpoint == "/status" {
			assert.Equal(t, st.Channels[0].Receipt.ID, e.WebhookID, "the receipt is the delivery's webhook-id")
		}
	}

	// The same update again, to the other replica: the same answer, nothing
	// more queued or delivered.
	again := b.post(t, "/v1/updates", update)
	assert.Equal(t, acc, again)
	assert.Equal(t, 2, jobs(t, dep.dsn), "one job per channel")
	b.await(t, acc.Links.Self)
	assert.Equal(t, map[string]int{"/status": 1, "/a": 1, "/b": 1}, deliveries(dep.rc, "u-1", "incident.updated"))
}

func TestTheSamePostToBothReplicasAtOnce(t *testing.T) {
	dep := newDeployment(t)
	replicas := []*replica{dep.start(t), dep.start(t)}
	const updates = 10
	body := func(n int) string {
		return fmt.Sprintf(`{"title": "Incident %d", "status": "investigating", "body": "Derived id."}`, n)
	}
	ids := make([][2]string, updates)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for n := range updates {
		for i, r := range replicas {
			wg.Go(func() {
				<-start
				ids[n][i] = r.post(t, "/v1/updates", body(n)).ID
			})
		}
	}
	close(start)
	wg.Wait()
	for n := range updates {
		require.Equal(t, ids[n][0], ids[n][1], "update %d: the same id from both replicas", n)
		st := replicas[(n+1)%2].await(t, updatePath(ids[n][0]))
		assert.Equal(t, []string{"status-hook:delivered", "subscribers:delivered"}, outcomesOf(st.Channels))
		assert.Equal(t, map[string]int{"/status": 1, "/a": 1, "/b": 1}, deliveries(dep.rc, ids[n][0], "incident.updated"),
			"update %d: one delivery per endpoint", n)
	}
	assert.Equal(t, 2*updates, jobs(t, dep.dsn), "one job per update and channel")
}

func TestCorrectAndRetractRoundTrip(t *testing.T) {
	dep := newDeployment(t)
	a, b := dep.start(t), dep.start(t)
	acc := a.post(t, "/v1/updates", update)
	a.await(t, acc.Links.Self)

	// Corrected on b, read on a: its own id, the incident of the update
	// corrected though the title changed.
	fixed := b.post(t, acc.Links.Correct, correction)
	assert.Equal(t, "u-1", fixed.Corrects)
	assert.Equal(t, "cdn", fixed.IncidentID)
	assert.NotEqual(t, "u-1", fixed.ID)
	st := a.await(t, fixed.Links.Self)
	assert.Equal(t, []string{"status-hook:delivered", "subscribers:delivered"}, outcomesOf(st.Channels))
	got := dep.rc.received(fixed.ID)
	require.Len(t, got, 3)
	for _, e := range got {
		assert.Equal(t, "incident.corrected", e.Type)
		assert.Equal(t, "u-1", e.Data.Corrects)
		assert.Equal(t, "cdn", e.Data.IncidentID)
		assert.Equal(t, "CDN errors in Europe", e.Data.Title)
	}
	jobsBefore := jobs(t, dep.dsn)
	assert.Equal(t, fixed, a.post(t, acc.Links.Correct, correction), "the same correction again")
	assert.Equal(t, jobsBefore, jobs(t, dep.dsn), "queued once")

	// Retracted on a, read on b; retracting again queues nothing.
	gone := a.post(t, acc.Links.Retract, "")
	assert.Equal(t, "u-1", gone.ID)
	assert.Equal(t, "cdn", gone.IncidentID)
	st = b.await(t, acc.Links.Self)
	require.NotNil(t, st.Retraction)
	assert.Equal(t, []string{"status-hook:delivered", "subscribers:delivered"}, outcomesOf(st.Retraction.Channels))
	assert.Equal(t, []string{"status-hook:delivered", "subscribers:delivered"}, outcomesOf(st.Channels), "the update's own outcome stays")
	assert.Equal(t, map[string]int{"/status": 1, "/a": 1, "/b": 1}, deliveries(dep.rc, "u-1", "incident.retracted"))
	jobsBefore = jobs(t, dep.dsn)
	b.post(t, acc.Links.Retract, "")
	assert.Equal(t, jobsBefore, jobs(t, dep.dsn), "queued once")
}

// Posting an update again queues anew the channels where it failed (out
// of attempts), which then reach the targets they had not: how a client
// retries them once the cause is fixed.
func TestPostAgainRetriesTheChannelsThatFailed(t *testing.T) {
	dep := newDeployment(t)
	config, err := os.ReadFile(dep.config)
	require.NoError(t, err)
	dep.config = filepath.Join(t.TempDir(), "one-attempt.yaml")
	require.NoError(t, os.WriteFile(dep.config, append([]byte("retry: {max_attempts: 1}\n"), config...), 0o600))
	r := dep.start(t)

	dep.rc.down.Store(true)
	acc := r.post(t, "/v1/updates", update)
	st := r.await(t, acc.Links.Self)
	assert.Equal(t, []string{"status-hook:failed", "subscribers:failed"}, outcomesOf(st.Channels))
	dep.rc.down.Store(false)

	assert.Equal(t, acc, r.post(t, "/v1/updates", update), "the same answer")
	assert.Equal(t, 4, jobs(t, dep.dsn), "each channel queued anew")
	st = r.await(t, acc.Links.Self)
	assert.Equal(t, []string{"status-hook:delivered", "subscribers:delivered"}, outcomesOf(st.Channels))
	assert.Equal(t, map[string]int{"/status": 1, "/a": 1, "/b": 1}, deliveries(dep.rc, "u-1", "incident.updated"))
}

// Bad requests get a clear 4xx from either replica, and queue nothing.
func TestBadInputQueuesNothing(t *testing.T) {
	dep := newDeployment(t)
	replicas := []*replica{dep.start(t, "-max-body", "4096"), dep.start(t, "-max-body", "4096")}
	huge := `{"title": "` + strings.Repeat("a", 5000) + `", "status": "investigating"}`
	tests := []struct {
		name, method, path, body string
		header                   []string
		status                   int
		detail                   string
	}{
		{"malformed JSON", "POST", "/v1/updates", `{"title": "CDN errors", "status": }`, nil, 400, "status: malformed JSON at offset 30"},
		{"unknown field", "POST", "/v1/updates", `{"title": "CDN", "status": "resolved", "sevrity": "high"}`, nil, 400, "sevrity: unknown field"},
		{"wrong type", "POST", "/v1/updates", `{"title": "CDN", "status": "resolved", "time": 1714564800}`, nil, 400, "time: want a time"},
		{"trailing data", "POST", "/v1/updates", update + "\n" + update, nil, 400, "trailing data after the JSON object"},
		{"missing token", "POST", "/v1/updates", update, []string{"Authorization", ""}, 401, "missing bearer token"},
		{"wrong token", "POST", "/v1/updates", update, []string{"Authorization", "Bearer " + newToken + "x"}, 401, "invalid bearer token"},
		{"huge body", "POST", "/v1/updates", huge, nil, 413, "larger than the limit of 4096 bytes"},
		{"not JSON", "POST", "/v1/updates", update, []string{"Content-Type", "text/plain"}, 415, "want application/json"},
		{"invalid update", "POST", "/v1/updates", `{"title": "CDN errors", "status": "fixed"}`, nil, 422, `status: unknown value "fixed"`},
		{"time far ahead", "POST", "/v1/updates", `{"title": "CDN", "status": "resolved", "time": "` +
			time.Now().Add(time.Hour).UTC().Format(time.RFC3339) + `"}`, nil, 422, "time: "},
		{"correct unknown", "POST", "/v1/updates/u-9/correct", correction, nil, 404, "no update with this ID"},
		// An unknown update is 404 before its body is read: no change to
		// the body could make the request right.
		{"correct unknown, unknown field", "POST", "/v1/updates/u-9/correct", `{"titel": "x"}`, nil, 404, "no update with this ID"},
		{"retract unknown", "POST", "/v1/updates/u-9/retract", "", nil, 404, "no update with this ID"},
		{"get unknown", "GET", "/v1/updates/u-9", "", nil, 404, "no update with this ID"},
		{"get without a token", "GET", "/v1/updates/u-9", "", []string{"Authorization", ""}, 401, "missing bearer token"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, body := replicas[i%2].call(t, tt.method, tt.path, tt.body, tt.header...)
			assert.Equal(t, tt.status, code, string(body))
			var p problem
			require.NoError(t, json.Unmarshal(body, &p))
			assert.Contains(t, p.Detail, tt.detail)
			assert.Equal(t, 0, jobs(t, dep.dsn), "nothing queued")
		})
	}
}

// Probes and metrics need no token; /metrics has the dispatch collector's
// counts and the Go runtime's.
func TestProbesAndMetrics(t *testing.T) {
	dep := newDeployment(t)
	r := dep.start(t)
	for _, path := range []string{"/healthz", "/readyz", "/metrics", "/openapi.json", "/openapi.yaml"} {
		code, _, body := r.call(t, "GET", path, "", "Authorization", "")
		assert.Equal(t, http.StatusOK, code, "%s: %s", path, body)
	}
	acc := r.post(t, "/v1/updates", update)
	r.await(t, acc.Links.Self)
	_, _, body := r.call(t, "GET", "/metrics", "", "Authorization", "")
	assert.Contains(t, string(body), `outagecast_dispatch_deliveries_total{channel="subscribers",kind="send"} 1`)
	assert.Contains(t, string(body), "outagecast_dispatch_enqueue_to_delivery_seconds_bucket")
	assert.Contains(t, string(body), "go_goroutines")
	assert.Contains(t, string(body), "process_start_time_seconds")
	var doc map[string]any
	_, _, body = r.call(t, "GET", "/openapi.yaml", "", "Authorization", "")
	require.NoError(t, yaml.Unmarshal(body, &doc))
	assert.Equal(t, "3.1.0", doc["openapi"])
}

// A database that was never migrated: the server says what to do.
func TestNotMigrated(t *testing.T) {
	vars := map[string]string{dsnEnv: newSchema(t), tokensEnv: newToken}
	env, _, errs := testEnv(vars)
	assert.Equal(t, 1, run(t.Context(), []string{"-listen", "127.0.0.1:0"}, env))
	assert.Contains(t, errs.String(), "database schema not migrated")
	assert.Contains(t, errs.String(), "run the server once with -migrate")
}

// A replica that cannot listen stops at once, its workers never started.
func TestListenAddressInUse(t *testing.T) {
	dep := newDeployment(t)
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer taken.Close()
	env, _, errs := testEnv(dep.vars)
	assert.Equal(t, 1, run(t.Context(), []string{"-listen", taken.Addr().String(), "-config", dep.config}, env))
	assert.Contains(t, errs.String(), "address already in use")
}
