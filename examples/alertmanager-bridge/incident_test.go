package main

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// amAlert is one alert of a notification built by notification.
type amAlert struct {
	name, severity, summary, status string
}

// notification is a version 4 notification of the group "by cluster" with
// alerts, and hidden more left out by max_alerts. Like Alertmanager
// (template/template.go: Data), it derives the status, common labels and
// common annotations from the alerts it sends.
func notification(t *testing.T, hidden int, alerts ...amAlert) []byte {
	t.Helper()
	common := func(key func(amAlert) string) string {
		v := key(alerts[0])
		for _, a := range alerts[1:] {
			if key(a) != v {
				return ""
			}
		}
		return v
	}
	status := statusResolved
	var list []map[string]any
	for _, a := range alerts {
		if a.status == statusFiring {
			status = statusFiring
		}
		al := map[string]any{
			"status":      a.status,
			"labels":      map[string]string{"alertname": a.name, "severity": a.severity, "cluster": "eu-1"},
			"annotations": map[string]string{"summary": a.summary, "description": a.summary + " on eu-1."},
			"startsAt":    "2024-05-14T09:12:30Z", "endsAt": "0001-01-01T00:00:00Z",
			"fingerprint": a.name,
		}
		if a.status == statusResolved {
			al["endsAt"] = "2024-05-14T09:40:00Z"
		}
		list = append(list, al)
	}
	labels := map[string]string{"cluster": "eu-1"}
	annotations := map[string]string{}
	if v := common(func(a amAlert) string { return a.name }); v != "" {
		labels["alertname"] = v
	}
	if v := common(func(a amAlert) string { return a.severity }); v != "" {
		labels["severity"] = v
	}
	if v := common(func(a amAlert) string { return a.summary }); v != "" {
		annotations["summary"] = v
	}
	data, err := json.Marshal(map[string]any{
		"version": "4", "groupKey": `{}:{cluster="eu-1"}`, "status": status, "receiver": "status",
		"groupLabels": map[string]string{"cluster": "eu-1"}, "commonLabels": labels,
		"commonAnnotations": annotations, "truncatedAlerts": hidden, "alerts": list,
	})
	require.NoError(t, err)
	return data
}

var (
	dbDown   = amAlert{"PostgresDown", "critical", "Database unavailable", statusFiring}
	slowAPI  = amAlert{"APILatencyHigh", "warning", "Slow API responses", statusFiring}
	dbBack   = amAlert{"PostgresDown", "critical", "Database unavailable", statusResolved}
	slowDone = amAlert{"APILatencyHigh", "warning", "Slow API responses", statusResolved}
)

// Each notification carries the group's alerts as they are at the flush
// (dispatch/dispatch.go: aggrGroup.flush): alerts join, resolve, and are
// dropped once their resolution was sent. The incident's title stays the
// one its first update had, and its impact is the highest severity among
// the alerts still firing, not among those that happen to be in the
// notification.
func TestIncidentTitleAndImpactFollowTheGroup(t *testing.T) {
	ch := &recorder{name: "status"}
	srv := bridge(t, mapping{}, ch)
	steps := []struct {
		name   string
		body   []byte
		status broadcast.Status
		impact broadcast.Impact
	}{
		{"the database fails", notification(t, 0, dbDown), broadcast.StatusInvestigating, broadcast.ImpactCritical},
		{"the API slows too", notification(t, 0, dbDown, slowAPI), broadcast.StatusInvestigating, broadcast.ImpactCritical},
		{"the database is back", notification(t, 0, dbBack, slowAPI), broadcast.StatusInvestigating, broadcast.ImpactMinor},
		{"an alert left out: the impact stays", notification(t, 1, slowAPI), broadcast.StatusInvestigating, broadcast.ImpactMinor},
		{"the API alone", notification(t, 0, slowAPI), broadcast.StatusInvestigating, broadcast.ImpactMinor},
		{"resolved", notification(t, 0, slowDone), broadcast.StatusResolved, broadcast.ImpactMinor},
	}
	for i, s := range steps {
		code, _ := post(t, srv, s.body)
		require.Equal(t, http.StatusOK, code, s.name)
		require.Len(t, ch.sent(), i+1, s.name)
		u := ch.sent()[i].Update
		assert.Equal(t, "Database unavailable", u.Title, "%s: the incident's title", s.name)
		assert.Equal(t, s.status, u.Status, s.name)
		assert.Equal(t, s.impact, u.Impact, s.name)
	}
}

// With max_alerts, Alertmanager does not send firing alerts first
// (notify/webhook/webhook.go: truncateAlerts keeps the first ones): a
// critical alert still firing may be among those left out, so the impact
// is not lowered by a notification that left alerts out.
func TestTruncatedNotificationDoesNotLowerTheImpact(t *testing.T) {
	ch := &recorder{name: "status"}
	srv := bridge(t, mapping{}, ch)
	for _, body := range [][]byte{notification(t, 0, dbDown, slowAPI), notification(t, 1, slowAPI)} {
		code, _ := post(t, srv, body)
		require.Equal(t, http.StatusOK, code)
	}
	require.Len(t, ch.sent(), 2)
	assert.Equal(t, broadcast.ImpactCritical, ch.sent()[1].Update.Impact, "the database alert may still fire, unseen")

	code, _ := post(t, srv, notification(t, 0, slowAPI)) // no alert left out: the database is back
	require.Equal(t, http.StatusOK, code)
	require.Len(t, ch.sent(), 3)
	assert.Equal(t, broadcast.ImpactMinor, ch.sent()[2].Update.Impact)
}

// With -state the incident's title outlives a restart of the bridge.
func TestIncidentTitleSurvivesRestart(t *testing.T) {
	state := filepath.Join(t.TempDir(), "state.db")
	for i, body := range [][]byte{notification(t, 0, dbDown), notification(t, 0, slowAPI)} {
		var out bytes.Buffer
		h, closeAll, err := setup(&options{state: state}, &out, io.Discard, slog.New(slog.DiscardHandler))
		require.NoError(t, err)
		srv := httptest.NewServer(h.routes())
		code, _ := post(t, srv, body)
		srv.Close()
		closeAll()
		require.Equal(t, http.StatusOK, code, i)
		assert.Contains(t, out.String(), "Database unavailable", i)
	}
}
