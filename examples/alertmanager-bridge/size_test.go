package main

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// bigGroup is a firing notification of n alerts, each with a description
// of about size bytes and labels the mapping does not read.
func bigGroup(t *testing.T, n, size int) []byte {
	t.Helper()
	var b bytes.Buffer
	b.WriteString(`{"version":"4","groupKey":"{}:{alertname=\"EdgeHighErrorRate\"}","status":"firing","receiver":"status",` +
		`"commonAnnotations":{"summary":"Elevated error rate on the CDN"},"truncatedAlerts":0,"alerts":[`)
	desc := strings.Repeat("d", size)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"status":"firing","labels":{"alertname":"EdgeHighErrorRate","component":"CDN","severity":"critical",`+
			`"instance":"edge-%d:9113","pod":"%s"},"annotations":{"description":"edge-%d: %s",`+
			`"runbook_url":"https://runbooks.example.com/edge-errors"},"startsAt":"2024-05-14T09:12:30Z",`+
			`"endsAt":"0001-01-01T00:00:00Z","fingerprint":"%016x"}`, i, strings.Repeat("p", 64), i, desc, i)
	}
	b.WriteString(`]}`)
	return b.Bytes()
}

// Alertmanager retries only a 5xx answer (notify/util.go: Retrier.Check;
// the webhook notifier sets no other retry codes), so a notification the
// bridge refuses as too large is not sent again until the group's next
// flush, as large as before. Groups of a large cluster exceed 1 MiB.
func TestLargeNotificationIsAccepted(t *testing.T) {
	body := bigGroup(t, 500, 2500)
	require.Greater(t, len(body), 1<<20)
	ch := &recorder{name: "status"}
	srv := bridge(t, mapping{}, ch)
	code, resp := post(t, srv, body)
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, "delivered", resp.Results[0].Outcome)
	require.Len(t, ch.sent(), 1)
	require.NoError(t, ch.sent()[0].Update.Validate())
}

// A notification over the limit is refused with 413 and a text saying
// what to change: Alertmanager logs it ("Notify for alerts failed" with
// "unexpected status code 413: " and the text, notify/util.go:
// Retrier.Check) and counts it in alertmanager_notifications_failed_total;
// the bridge logs it as an error.
func TestOversizedNotificationIsRefusedLoudly(t *testing.T) {
	store := broadcast.NewMemoryStore()
	b, err := broadcast.New([]broadcast.Channel{&recorder{name: "status"}}, broadcast.Options{Store: store})
	require.NoError(t, err)
	defer b.Close()
	var logs bytes.Buffer
	h := &handler{b: b, store: store, log: slog.New(slog.NewTextHandler(&logs, nil)), say: func(_, s string) string { return s },
		maxBody: 1 << 20}
	srv := httptest.NewServer(h.routes())
	defer srv.Close()

	resp, err := http.Post(srv.URL+"/alerts", "application/json", bytes.NewReader(bigGroup(t, 500, 2500)))
	require.NoError(t, err)
	defer resp.Body.Close()
	var text bytes.Buffer
	text.ReadFrom(resp.Body)
	assert.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)
	for _, want := range []string{"limit of 1 MiB", "-max-body", "max_alerts"} {
		assert.Contains(t, text.String(), want)
	}
	assert.Contains(t, logs.String(), "level=ERROR")
	assert.Contains(t, logs.String(), "-max-body")
}

// Decoding keeps of each alert only what the mapping reads, so that a
// large group takes no more memory than its update needs.
func TestDecodeKeepsWhatTheMappingReads(t *testing.T) {
	p, err := decodePayload(bytes.NewReader(bigGroup(t, 2, 10)))
	require.NoError(t, err)
	require.Len(t, p.Alerts, 2)
	assert.Equal(t, map[string]string{"alertname": "EdgeHighErrorRate", "component": "CDN", "severity": "critical"},
		p.Alerts[1].Labels)
	assert.Equal(t, map[string]string{"description": "edge-1: dddddddddd"}, p.Alerts[1].Annotations)
	assert.Equal(t, "0000000000000001", p.Alerts[1].Fingerprint)
	assert.Equal(t, "firing", p.Status)
	assert.Equal(t, "Elevated error rate on the CDN", p.CommonAnnotations["summary"])
}

// A body cut to the update's limit still ends with how many alerts it does
// not show: those max_alerts left out and those whose descriptions did not
// fit.
func TestLongBodyKeepsTheCountOfAlertsNotShown(t *testing.T) {
	p, err := decodePayload(bytes.NewReader(bigGroup(t, 1000, 400)))
	require.NoError(t, err)
	p.TruncatedAlerts = 100
	b := body(p, state(p))
	require.LessOrEqual(t, utf8.RuneCountInString(b), broadcast.MaxBodyLength)
	shown := strings.Count(b, "edge-")
	assert.Greater(t, shown, 50)
	assert.True(t, strings.HasSuffix(b, fmt.Sprintf("\n\n(%d more alerts not shown.)", 1000-shown+100)), b[len(b)-100:])
	assert.True(t, strings.HasSuffix(strings.Split(b, "\n\n")[shown-1], "ddd"), "descriptions shown are whole")

	p.Alerts = p.Alerts[:1]
	p.Alerts[0].Annotations["description"] = strings.Repeat("x", broadcast.MaxBodyLength+10)
	b = body(p, state(p))
	assert.LessOrEqual(t, utf8.RuneCountInString(b), broadcast.MaxBodyLength)
	assert.True(t, strings.HasSuffix(b, "…\n\n(100 more alerts not shown.)"), "one description too long is cut")
}
