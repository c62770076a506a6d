package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/outagecast/outagecast/broadcast"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// recorder is a fake channel that records what it is asked to send.
type recorder struct {
	name  string
	mu    sync.Mutex
	msgs  []broadcast.Message
	fail  error         // returned instead of delivering, while set
	delay time.Duration // a slow platform
}

func (r *recorder) Name() string { return r.name }

func (r *recorder) Send(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	time.Sleep(r.delay)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		return broadcast.Receipt{}, r.fail
	}
	r.msgs = append(r.msgs, m)
	return broadcast.Receipt{ID: fmt.Sprintf("%s-post-%d", r.name, len(r.msgs))}, nil
}

func (r *recorder) sent() []broadcast.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]broadcast.Message(nil), r.msgs...)
}

func (r *recorder) setFail(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.fail = err
}

// bridge serves the handler over channels on an httptest server.
func bridge(t *testing.T, m mapping, chans ...broadcast.Channel) *httptest.Server {
	store := broadcast.NewMemoryStore()
	b, err := broadcast.New(chans, broadcast.Options{Retry: broadcast.RetryPolicy{MaxAttempts: 1}, Store: store})
	require.NoError(t, err)
	h := &handler{b: b, store: store, m: m, log: slog.New(slog.DiscardHandler), say: func(_, s string) string { return s }}
	srv := httptest.NewServer(h.routes())
	t.Cleanup(func() { srv.Close(); b.Close() })
	return srv
}

func post(t *testing.T, srv *httptest.Server, body []byte) (int, response) {
	t.Helper()
	resp, err := http.Post(srv.URL+"/alerts", "application/json", bytes.NewReader(body))
	require.NoError(t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var r response
	if resp.Header.Get("Content-Type") == "application/json" {
		require.NoError(t, json.Unmarshal(data, &r), string(data))
	}
	return resp.StatusCode, r
}

func sample(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return data
}

func TestFiringThenResolved(t *testing.T) {
	ch := &recorder{name: "status"}
	srv := bridge(t, mapping{}, ch)

	code, resp := post(t, srv, sample(t, "firing.json"))
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, "delivered", resp.Results[0].Outcome)
	require.Len(t, ch.sent(), 1)
	fired := ch.sent()[0]
	assert.Equal(t, broadcast.Update{
		ID:         fired.Update.ID,
		IncidentID: incidentID(`{}/{severity="critical"}:{alertname="EdgeHighErrorRate"}`),
		Title:      "Elevated error rate on the CDN",
		Status:     broadcast.StatusInvestigating,
		Impact:     broadcast.ImpactCritical,
		Body: "5.2% of requests to edge-fra-1 fail with a 5xx status.\n\n" +
			"3.8% of requests to edge-ams-2 fail with a 5xx status.",
		Components: []broadcast.Component{{Name: "CDN", Status: broadcast.ComponentMajorOutage}},
		URL:        "http://alertmanager.internal:9093",
		Time:       fired.Update.Time,
	}, fired.Update)
	assert.True(t, fired.Thread.IsZero(), "the first update of an incident threads under nothing")

	code, resp = post(t, srv, sample(t, "resolved.json"))
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, "resolved", resp.Status)
	require.Len(t, ch.sent(), 2)
	resolved := ch.sent()[1]
	assert.Equal(t, broadcast.StatusResolved, resolved.Update.Status)
	assert.Equal(t, fired.Update.IncidentID, resolved.Update.IncidentID, "one incident per alert group")
	assert.Equal(t, "status-post-1", resolved.Thread.Last.ID, "the resolved update threads under the firing one")
	assert.Equal(t, resolvedBody, resolved.Update.Body)
	assert.Equal(t, []broadcast.Component{{Name: "CDN", Status: broadcast.ComponentOperational}}, resolved.Update.Components)
}

func TestRetriedNotificationSendsNothingTwice(t *testing.T) {
	ch := &recorder{name: "status"}
	srv := bridge(t, mapping{}, ch)
	code, first := post(t, srv, sample(t, "firing.json"))
	require.Equal(t, http.StatusOK, code)
	code, again := post(t, srv, sample(t, "firing.json"))
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, first.UpdateID, again.UpdateID)
	assert.Equal(t, "skipped", again.Results[0].Outcome)
	assert.Len(t, ch.sent(), 1)
}

func TestConcurrentDuplicatesDeliverOnce(t *testing.T) {
	ch := &recorder{name: "status", delay: 20 * time.Millisecond} // slow enough for the posts to overlap
	srv := bridge(t, mapping{}, ch)
	body := sample(t, "firing.json")
	var wg sync.WaitGroup
	for range 8 { // as from both Alertmanagers of an HA pair, and their retries
		wg.Go(func() {
			resp, err := http.Post(srv.URL+"/alerts", "application/json", bytes.NewReader(body))
			if assert.NoError(t, err) {
				resp.Body.Close()
				assert.Equal(t, http.StatusOK, resp.StatusCode)
			}
		})
	}
	wg.Wait()
	assert.Equal(t, 1, len(ch.sent()), "deliveries")
}

func TestChannelFailureAsksForRetry(t *testing.T) {
	good, flaky := &recorder{name: "good"}, &recorder{name: "flaky"}
	flaky.setFail(errors.New("503 upstream down"))
	srv := bridge(t, mapping{}, good, flaky)

	code, resp := post(t, srv, sample(t, "firing.json"))
	require.Equal(t, http.StatusInternalServerError, code, "a 5xx makes Alertmanager retry")
	assert.Equal(t, []string{"delivered", "failed"}, []string{resp.Results[0].Outcome, resp.Results[1].Outcome})
	assert.Contains(t, resp.Results[1].Error, "503 upstream down")

	flaky.setFail(nil)
	code, resp = post(t, srv, sample(t, "firing.json")) // Alertmanager's retry
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, []string{"skipped", "delivered"}, []string{resp.Results[0].Outcome, resp.Results[1].Outcome})
	assert.Len(t, good.sent(), 1, "the channel that delivered is not sent to again")
	assert.Len(t, flaky.sent(), 1)
}

func TestURLFlagWins(t *testing.T) {
	ch := &recorder{name: "status"}
	srv := bridge(t, mapping{url: "https://status.example.com"}, ch)
	code, _ := post(t, srv, sample(t, "firing.json"))
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, "https://status.example.com", ch.sent()[0].Update.URL)
}

func TestBadRequests(t *testing.T) {
	ch := &recorder{name: "status"}
	srv := bridge(t, mapping{}, ch)
	firing := string(sample(t, "firing.json"))
	tests := []struct {
		name, body string
		code       int
		want       string
	}{
		{"not JSON", "hello", http.StatusBadRequest, "bad payload: decode JSON"},
		{"two objects", firing + firing, http.StatusBadRequest, "data after the object"},
		{"old version", strings.Replace(firing, `"version": "4"`, `"version": "3"`, 1), http.StatusBadRequest, `version: "3" not supported`},
		{"no group key", strings.Replace(firing, `"groupKey"`, `"groupkey_"`, 1), http.StatusBadRequest, "groupKey: missing"},
		{"unknown status", strings.Replace(firing, `"status": "firing",
  "alerts"`, `"status": "pending",
  "alerts"`, 1), http.StatusBadRequest, `status: unknown value "pending"`},
		{"no alerts", `{"version":"4","groupKey":"g","status":"firing","alerts":[]}`, http.StatusBadRequest, "alerts: none"},
		{"bad alert status", `{"version":"4","groupKey":"g","status":"firing","alerts":[{"status":"x"}]}`, http.StatusBadRequest, "alerts[0].status"},
		{"not an object", `[]`, http.StatusBadRequest, "bad payload: decode JSON"},
		{"alerts not a list", `{"version":"4","groupKey":"g","status":"firing","alerts":{}}`, http.StatusBadRequest, "alerts: want a list of alerts, got an object"},
		{"bad alert", `{"version":"4","groupKey":"g","status":"firing","alerts":[{"status":1}]}`, http.StatusBadRequest, "alerts[0]"},
		{"cut short", firing[:len(firing)/2], http.StatusBadRequest, "bad payload: decode JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := http.Post(srv.URL+"/alerts", "application/json", strings.NewReader(tt.body))
			require.NoError(t, err)
			defer resp.Body.Close()
			data, _ := io.ReadAll(resp.Body)
			assert.Equal(t, tt.code, resp.StatusCode)
			assert.Contains(t, string(data), tt.want)
		})
	}
	resp, err := http.Get(srv.URL + "/alerts")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
	assert.Empty(t, ch.sent())
}

func TestHealthz(t *testing.T) {
	srv := bridge(t, mapping{}, &recorder{name: "status"})
	resp, err := http.Get(srv.URL + "/healthz")
	require.NoError(t, err)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "ok\n", string(body))
}

func TestSecretsHidden(t *testing.T) {
	const token = "tok-8c1d2e3f4a5b6c7d8e9f"
	t.Setenv("HOOK_TOKEN", token)
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "refused "+r.Header.Get("Authorization"), http.StatusBadRequest)
	}))
	defer echo.Close()
	cfg := filepath.Join(t.TempDir(), "outagecast.yaml")
	require.NoError(t, os.WriteFile(cfg, []byte("channels:\n  - type: webhook\n    url: "+echo.URL+
		"\n    allow_unsigned: true\n    headers:\n      Authorization: Bearer ${HOOK_TOKEN}\n"), 0o600))
	var logs bytes.Buffer
	h, closeAll, err := setup(&options{config: cfg}, io.Discard, io.Discard, slog.New(slog.NewTextHandler(&logs, nil)))
	require.NoError(t, err)
	defer closeAll()
	srv := httptest.NewServer(h.routes())
	defer srv.Close()

	code, resp := post(t, srv, sample(t, "firing.json"))
	assert.Equal(t, http.StatusFailedDependency, code, "refused for good")
	assert.Contains(t, resp.Results[0].Error, "refused REDACTED")
	assert.Contains(t, logs.String(), "refused REDACTED")
	assert.NotContains(t, logs.String(), token)
}

// Alertmanager does not retry a 4xx: an alert whose text an update cannot
// carry as is must still be accepted.
func TestNULInAlertTextIsAccepted(t *testing.T) {
	ch := &recorder{name: "status"}
	srv := bridge(t, mapping{}, ch)
	body := bytes.Replace(sample(t, "firing.json"), []byte(`"5.2% of requests`), []byte(`"5.2%\u0000 of requests`), 1)
	code, _ := post(t, srv, body)
	require.Equal(t, http.StatusOK, code)
	require.Len(t, ch.sent(), 1)
	assert.True(t, strings.HasPrefix(ch.sent()[0].Update.Body, "5.2% of requests to edge-fra-1"), ch.sent()[0].Update.Body)
}

// A notification that arrives after a newer one of its group went out (the
// other Alertmanager of an HA pair still retrying the firing one after the
// group resolved) is older: it is not posted after the newer one, and the
// answer is 200, so that Alertmanager stops retrying it.
func TestLateOlderNotificationIsNotPostedAfterANewer(t *testing.T) {
	good, flaky := &recorder{name: "good"}, &recorder{name: "flaky"}
	flaky.setFail(errors.New("503 upstream down"))
	srv := bridge(t, mapping{}, good, flaky)
	code, _ := post(t, srv, sample(t, "firing.json"))
	require.Equal(t, http.StatusInternalServerError, code)

	flaky.setFail(nil)
	code, _ = post(t, srv, sample(t, "resolved.json"))
	require.Equal(t, http.StatusOK, code)

	code, resp := post(t, srv, from(t, "firing.json", am2)) // the late retry, from the other Alertmanager
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, []string{"skipped", "superseded"}, []string{resp.Results[0].Outcome, resp.Results[1].Outcome})
	require.Len(t, flaky.sent(), 1, "only the resolved update")
	assert.Equal(t, broadcast.StatusResolved, flaky.sent()[0].Update.Status)
}

// A group that fires again after it resolved is posted after the
// resolution, even when the new alert's start, stamped by another
// Prometheus's clock or delivered late, is earlier than the resolution.
func TestFiringAgainAfterResolvedIsPosted(t *testing.T) {
	ch := &recorder{name: "status"}
	srv := bridge(t, mapping{}, ch)
	for _, name := range []string{"firing.json", "resolved.json"} {
		code, _ := post(t, srv, sample(t, name))
		require.Equal(t, http.StatusOK, code, name)
	}
	again := strings.Replace(string(sample(t, "firing.json")), "8b27d4e1c09f3a75", "c0ffee0000000001", 1)
	again = strings.Replace(again, "2024-05-14T09:13:00.5Z", "2024-05-14T09:40:00Z", 1) // before the resolution
	code, resp := post(t, srv, []byte(again))
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, "delivered", resp.Results[0].Outcome)
	var statuses []broadcast.Status
	for _, m := range ch.sent() {
		statuses = append(statuses, m.Update.Status)
	}
	assert.Equal(t, []broadcast.Status{broadcast.StatusInvestigating, broadcast.StatusResolved, broadcast.StatusInvestigating}, statuses)
}

// Alertmanager's retry of a notification is the same update, with the same
// Time: channels that derive their idempotency key from it (Bluesky's
// record key) then find the post of an attempt whose answer was lost,
// rather than post again.
func TestRetriedNotificationKeepsItsTime(t *testing.T) {
	flaky := &recorder{name: "flaky"}
	flaky.setFail(errors.New("503 upstream down"))
	var times []time.Time
	var mu sync.Mutex
	spy := broadcast.ChannelFunc("spy", func(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		mu.Lock()
		defer mu.Unlock()
		times = append(times, m.Update.Time)
		return broadcast.Receipt{}, errors.New("answer lost")
	})
	srv := bridge(t, mapping{}, flaky, spy)
	for range 2 { // the notification and Alertmanager's retry
		code, _ := post(t, srv, sample(t, "firing.json"))
		require.Equal(t, http.StatusInternalServerError, code)
	}
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, times, 2)
	assert.Equal(t, times[0], times[1])
}
