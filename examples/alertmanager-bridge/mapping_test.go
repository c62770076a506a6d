package main

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/internal/syncbuf"
)

func firingPayload(t *testing.T) *payload {
	t.Helper()
	p, err := decodePayload(bytes.NewReader(sample(t, "firing.json")))
	require.NoError(t, err)
	return p
}

func TestImpact(t *testing.T) {
	tests := []struct {
		alerts    []string // each alert's severity, and "/r" when resolved
		truncated int
		prev      broadcast.Impact
		want      broadcast.Impact
	}{
		{[]string{"critical"}, 0, "", broadcast.ImpactCritical},
		{[]string{"Page"}, 0, "", broadcast.ImpactCritical},
		{[]string{"error"}, 0, "", broadcast.ImpactMajor},
		{[]string{"warning"}, 0, "", broadcast.ImpactMinor},
		{[]string{"info"}, 0, "", broadcast.ImpactNone},
		// A label templated in a YAML block scalar ("severity: |") ends in a
		// line break; one padded by a template, in spaces.
		{[]string{"critical\n"}, 0, "", broadcast.ImpactCritical},
		{[]string{" Major "}, 0, "", broadcast.ImpactMajor},
		{[]string{"whatever"}, 0, "", ""},
		{[]string{"warning", "critical", "info"}, 0, "", broadcast.ImpactCritical},
		{[]string{"warning", "odd"}, 0, "", broadcast.ImpactMinor},
		{[]string{""}, 0, "", ""},
		{[]string{"warning", "critical/r"}, 0, broadcast.ImpactCritical, broadcast.ImpactMinor},
		{[]string{"warning"}, 0, broadcast.ImpactCritical, broadcast.ImpactMinor},
		{[]string{"warning"}, 2, broadcast.ImpactCritical, broadcast.ImpactCritical},
		{[]string{"critical"}, 2, broadcast.ImpactMinor, broadcast.ImpactCritical},
		{[]string{"critical/r"}, 0, broadcast.ImpactMinor, broadcast.ImpactMinor},
		{[]string{"critical/r", "warning/r"}, 0, "", broadcast.ImpactCritical},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s,%d,%s", strings.Join(tt.alerts, ","), tt.truncated, tt.prev), func(t *testing.T) {
			p := &payload{TruncatedAlerts: tt.truncated}
			for _, s := range tt.alerts {
				sev, resolved := strings.CutSuffix(s, "/r")
				a := alert{Status: statusFiring, Labels: map[string]string{"severity": sev}}
				if resolved {
					a.Status = statusResolved
				}
				p.Alerts = append(p.Alerts, a)
			}
			assert.Equal(t, tt.want, impact(p, tt.prev))
		})
	}
}

func TestTitle(t *testing.T) {
	p := firingPayload(t)
	assert.Equal(t, "Elevated error rate on the CDN", title(p))
	delete(p.CommonAnnotations, "summary")
	assert.Equal(t, "EdgeHighErrorRate", title(p))
	p.CommonLabels, p.GroupLabels = nil, nil
	delete(p.Alerts[0].Annotations, "summary")
	p.TruncatedAlerts = 3
	assert.Equal(t, "EdgeHighErrorRate and 4 more", title(p))
	p.CommonAnnotations = map[string]string{"summary": strings.Repeat("long ", 100)}
	assert.Equal(t, broadcast.MaxTitleLength, len([]rune(title(p))))
}

func TestBody(t *testing.T) {
	p := firingPayload(t)
	p.Alerts[1].Annotations["description"] = p.Alerts[0].Annotations["description"]
	p.TruncatedAlerts = 7
	assert.Equal(t, "5.2% of requests to edge-fra-1 fail with a 5xx status.\n\n(7 more alerts not shown.)", body(p, state(p)),
		"descriptions appear once")
	p.Alerts[0].Status = statusResolved
	p.TruncatedAlerts = 0
	p.Alerts[1].Annotations["description"] = "still failing"
	assert.Equal(t, "still failing", body(p, state(p)), "a firing group's resolved alerts are left out")
}

func TestUpdateID(t *testing.T) {
	p := firingPayload(t)
	id := updateID(p)
	p.Alerts[0], p.Alerts[1] = p.Alerts[1], p.Alerts[0]
	p.Alerts[0].Annotations["description"] = "reworded"
	assert.Equal(t, id, updateID(p), "alert order and annotations do not change the id")

	p.Alerts[0].StartsAt = p.Alerts[0].StartsAt.Add(time.Hour)
	assert.NotEqual(t, id, updateID(p), "the group firing again is a new update")

	r, err := decodePayload(bytes.NewReader(sample(t, "resolved.json")))
	require.NoError(t, err)
	assert.NotEqual(t, id, updateID(r))
	assert.Equal(t, incidentID(p.GroupKey), incidentID(r.GroupKey))
	assert.Regexp(t, `^am-[0-9a-f]{20}$`, incidentID(p.GroupKey))
}

// Alertmanager's webhook notifier (notify/webhook/webhook.go) sends only
// the first max_alerts alerts and counts the rest in truncatedAlerts: a
// hidden alert that starts firing changes only that count.
func TestUpdateIDCountsTruncatedAlerts(t *testing.T) {
	p := firingPayload(t)
	p.TruncatedAlerts = 5
	id := updateID(p)
	p.TruncatedAlerts = 50
	assert.NotEqual(t, id, updateID(p), "more hidden alerts are a new update")
}

func TestComponents(t *testing.T) {
	p := firingPayload(t)
	p.Alerts[0].Labels["severity"] = "warning"
	p.Alerts[1].Status = statusResolved
	assert.Equal(t, []broadcast.Component{{Name: "CDN", Status: broadcast.ComponentDegraded}}, components(p))
	p.Alerts[1].Status = statusFiring
	p.Alerts[1].Labels = map[string]string{"service": "API", "severity": "major\n"}
	assert.Equal(t, []broadcast.Component{{Name: "CDN", Status: broadcast.ComponentDegraded},
		{Name: "API", Status: broadcast.ComponentPartialOutage}}, components(p))
}

func TestLink(t *testing.T) {
	p := firingPayload(t)
	assert.Equal(t, "http://alertmanager.internal:9093", mapping{}.link(p))
	p.ExternalURL = "not a url"
	assert.True(t, strings.HasPrefix(mapping{}.link(p), "http://prometheus.internal:9090/graph?"))
	assert.Equal(t, "https://status.example.com", mapping{url: "https://status.example.com"}.link(p))
}

func TestRunServesWithConfigAndState(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "outagecast.yaml")
	require.NoError(t, os.WriteFile(cfg, []byte("channels:\n  - type: console\n    template: short\n"), 0o600))
	var stdout, stderr syncbuf.Buffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, nil, []string{"-listen", "127.0.0.1:0", "-config", cfg, "-state", filepath.Join(dir, "state.db"),
			"-url", "https://status.example.com"}, &stdout, &stderr)
	}()
	addr := regexp.MustCompile(`url=(http://\S+/alerts)`)
	require.Eventually(t, func() bool { return addr.MatchString(stderr.String()) }, time.Minute, 5*time.Millisecond)
	url := addr.FindStringSubmatch(stderr.String())[1]

	for range 2 {
		resp, err := http.Post(url, "application/json", bytes.NewReader(sample(t, "firing.json")))
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode)
	}
	cancel()
	select {
	case code := <-done:
		assert.Equal(t, 0, code, stderr.String())
	case <-time.After(time.Minute):
		t.Fatal("run did not stop")
	}
	assert.Equal(t, "Investigating: Elevated error rate on the CDN — 5.2% of requests to edge-fra-1 fail with a 5xx status. "+
		"3.8% of requests to edge-ams-2 fail with a 5xx status. Affected: CDN (Major outage). https://status.example.com\n",
		stdout.String(), "printed once: the retry is skipped")
}

func TestRunBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-listen"},
		{"-url", "status.example.com"},
		{"-timeout", "-1s"},
		{"extra"},
		{"-config", filepath.Join(t.TempDir(), "missing.yaml")},
	} {
		var stdout, stderr bytes.Buffer
		assert.Equal(t, 2, run(context.Background(), nil, args, &stdout, &stderr), args)
		assert.Contains(t, stderr.String(), "alertmanager-bridge: ")
	}
	var stdout, stderr bytes.Buffer
	assert.Equal(t, 0, run(context.Background(), nil, []string{"-help"}, &stdout, &stderr))
	assert.Contains(t, stdout.String(), "POST /alerts")
	assert.Contains(t, stdout.String(), "-listen")
}

// Any well-formed notification maps to a valid update: text that Validate
// would refuse (NUL, invalid UTF-8) is dropped, text made only of control
// characters counts as missing, and over-long fields are cut to the limits.
func TestAlertTextMakesAValidUpdate(t *testing.T) {
	long := strings.Repeat("x", broadcast.MaxBodyLength+10)
	for name, v := range map[string]string{
		"NUL":          "disk\x00full",
		"invalid UTF8": "disk\xff\xfefull",
		"controls":     "\x1b[31m\x07\x00",
		"long":         long,
	} {
		t.Run(name, func(t *testing.T) {
			p := firingPayload(t)
			p.CommonAnnotations = map[string]string{"summary": v, "advice": v}
			p.CommonLabels["alertname"] = v
			p.ExternalURL = "https://status.example.com/" + v
			for i := range p.Alerts {
				p.Alerts[i].Annotations = map[string]string{"description": v, "summary": v, "advice": v}
				p.Alerts[i].Labels["component"] = v
				p.Alerts[i].GeneratorURL = "https://prometheus.example.com/" + v
			}
			u := mapping{}.update(p, incident{})
			require.NoError(t, u.Validate())
			for _, s := range []string{u.Title, u.Body, u.Advice, u.URL} {
				assert.NotContains(t, s, "\x00")
				assert.True(t, utf8.ValidString(s))
			}
		})
	}

	p := firingPayload(t)
	p.Alerts[0].Annotations["description"] = "disk\x00 full \xff"
	p.Alerts[1].Annotations["description"] = "\x1b[0m"
	p.CommonAnnotations["summary"] = "\x00"
	u := mapping{}.update(p, incident{})
	require.NoError(t, u.Validate())
	assert.Equal(t, "EdgeHighErrorRate", u.Title, "a summary of NUL alone is missing")
	assert.Equal(t, "disk full\n\nElevated error rate on the CDN", u.Body,
		"a description of an escape sequence alone is missing: the alert's summary stands in")
}

// Alertmanager's webhook notifier cuts the group to max_alerts before it
// computes the notification's status (notify/webhook/webhook.go: Notify
// calls truncateAlerts, then GetTemplateData, whose Data.Status is that of
// the alerts kept; template/template.go: Data), and dispatch/dispatch.go
// (aggrGroup.flush) orders alerts by job, instance and labels, not by
// status. So "resolved" with truncatedAlerts > 0 says only that the alerts
// shown resolved: the hidden ones may still fire.
func TestTruncatedGroupIsNotResolvedByTheAlertsShown(t *testing.T) {
	p, err := decodePayload(bytes.NewReader(sample(t, "resolved.json")))
	require.NoError(t, err)
	require.Equal(t, broadcast.StatusResolved, mapping{}.update(p, incident{}).Status, "the whole group, shown")

	p.TruncatedAlerts = 3
	u := mapping{}.update(p, incident{})
	require.NoError(t, u.Validate())
	assert.Equal(t, broadcast.StatusMonitoring, u.Status, "3 hidden alerts may still fire")
	assert.Equal(t, "The alerts shown have resolved; 3 more are not shown and may still be firing.", u.Body)
	assert.Empty(t, u.Components, "CDN is not claimed operational: hidden alerts may name it")

	p.TruncatedAlerts = 0
	p.Alerts[1].Status = statusFiring
	assert.Equal(t, broadcast.StatusInvestigating, mapping{}.update(p, incident{}).Status,
		"an alert still firing outweighs the group's status field")
}

// A firing group cut by max_alerts does not claim a component operational
// because the alerts shown for it resolved.
func TestTruncatedGroupKeepsComponentsOfHiddenAlerts(t *testing.T) {
	p := firingPayload(t)
	p.Alerts[1].Status = statusResolved
	p.Alerts[1].Labels["component"] = "API"
	want := []broadcast.Component{{Name: "CDN", Status: broadcast.ComponentMajorOutage}}
	assert.Equal(t, append(want, broadcast.Component{Name: "API", Status: broadcast.ComponentOperational}), components(p))
	p.TruncatedAlerts = 2
	assert.Equal(t, want, components(p))
}

// A component label that shows nothing (zero width spaces, a joiner) is
// none: the service label names the component, or there is none. It used
// to list an invisible component, which Validate now refuses.
func TestInvisibleComponentLabel(t *testing.T) {
	p := firingPayload(t)
	p.Alerts = p.Alerts[:1]
	p.Alerts[0].Labels = map[string]string{"component": "\u200b\u200d", "service": "API", "severity": "major"}
	assert.Equal(t, []broadcast.Component{{Name: "API", Status: broadcast.ComponentPartialOutage}}, components(p))
	delete(p.Alerts[0].Labels, "service")
	assert.Empty(t, components(p))
}

// Alerts whose component labels differ only in case, or in line breaks
// and runs of spaces (which every channel shows as one space), name one
// component, with the worst status among them: listed twice, a status page
// that finds components by name regardless of case (a hosted Statuspage)
// set it to the status of the last, "CDN" major_outage then "cdn"
// degraded_performance leaving the page at degraded.
func TestComponentLabelsThatShowAlikeAreOneComponent(t *testing.T) {
	p := firingPayload(t)
	p.Alerts[0].Labels = map[string]string{"component": "CDN", "severity": "critical"}
	p.Alerts[1].Labels = map[string]string{"component": "cdn", "severity": "warning"}
	assert.Equal(t, []broadcast.Component{{Name: "CDN", Status: broadcast.ComponentMajorOutage}}, components(p))
	p.Alerts[0].Labels = map[string]string{"component": "Edge\ncache", "severity": "warning"}
	p.Alerts[1].Labels = map[string]string{"component": "edge  Cache", "severity": "critical"}
	assert.Equal(t, []broadcast.Component{{Name: "Edge cache", Status: broadcast.ComponentMajorOutage}}, components(p))

	ch := &recorder{name: "status"}
	srv := bridge(t, mapping{}, ch)
	body := bytes.Replace(sample(t, "firing.json"), []byte(`"component": "CDN",
        "instance": "edge-ams-2:9113"`), []byte(`"component": "cdn",
        "instance": "edge-ams-2:9113"`), 1)
	require.NotEqual(t, sample(t, "firing.json"), body)
	code, _ := post(t, srv, body)
	require.Equal(t, http.StatusOK, code)
	require.Len(t, ch.sent(), 1)
	assert.Equal(t, []broadcast.Component{{Name: "CDN", Status: broadcast.ComponentMajorOutage}}, ch.sent()[0].Update.Components)
}

// A group of more alerts, each of its own component, than an update may
// list (broadcast.MaxComponents) still maps to a valid update: it was
// refused with a 400, which Alertmanager does not retry, and the incident
// was never posted. The components kept are the worst off: operational
// ones go first.
func TestMoreComponentsThanAnUpdateLists(t *testing.T) {
	p := firingPayload(t)
	a := p.Alerts[0]
	p.Alerts = nil
	for i := range broadcast.MaxComponents + 10 {
		b := a
		b.Fingerprint = fmt.Sprintf("fp%d", i)
		b.Status = statusFiring
		b.Labels = map[string]string{"component": fmt.Sprintf("svc-%04d", i), "severity": "warning"}
		switch {
		case i < 5:
			b.Status = statusResolved
		case i == broadcast.MaxComponents+5:
			b.Labels["severity"] = "critical"
		}
		p.Alerts = append(p.Alerts, b)
	}
	u := mapping{}.update(p, incident{})
	require.NoError(t, u.Validate())
	require.Len(t, u.Components, broadcast.MaxComponents)
	assert.NotContains(t, u.Components, broadcast.Component{Name: "svc-0000", Status: broadcast.ComponentOperational})
	assert.Contains(t, u.Components, broadcast.Component{Name: fmt.Sprintf("svc-%04d", broadcast.MaxComponents+5), Status: broadcast.ComponentMajorOutage})
	assert.NotContains(t, u.Components, broadcast.Component{Name: fmt.Sprintf("svc-%04d", broadcast.MaxComponents+9), Status: broadcast.ComponentDegraded},
		"then the last of the least affected")
	assert.Equal(t, broadcast.Component{Name: "svc-0005", Status: broadcast.ComponentDegraded}, u.Components[0], "in the alerts' order")
}

// A truncatedAlerts near the largest int still counts the alerts not
// shown, at most the largest int: before, the title's "and N more" and the
// body's "(N more alerts not shown.)" wrapped round to a negative count,
// and were left out.
func TestTruncatedAlertsNearTheLargestInt(t *testing.T) {
	p := firingPayload(t)
	require.Len(t, p.Alerts, 2)
	p.CommonAnnotations, p.CommonLabels, p.GroupLabels = nil, nil, nil
	delete(p.Alerts[0].Annotations, "summary")
	p.TruncatedAlerts = math.MaxInt
	assert.Equal(t, fmt.Sprintf("EdgeHighErrorRate and %d more", math.MaxInt), title(p))

	p = firingPayload(t)
	p.Alerts[1].Annotations["description"] = strings.Repeat("x", broadcast.MaxBodyLength)
	p.TruncatedAlerts = math.MaxInt
	b := body(p, state(p))
	assert.LessOrEqual(t, utf8.RuneCountInString(b), broadcast.MaxBodyLength)
	assert.True(t, strings.HasSuffix(b, fmt.Sprintf("\n\n(%d more alerts not shown.)", math.MaxInt)), b)
}
