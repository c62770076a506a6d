package statuspage_test

import (
	"fmt"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/statuspage"
)

// The documented shapes of Statuspage's public API (api/v2): every key a
// client may read, with its JSON type. "?" allows null; an enum lists the
// values allowed.
type shape map[string]any

type arrayOf struct{ elem shape }

type enum []string

var (
	pageShape = shape{"id": "string", "name": "string", "url": "string", "time_zone": "string",
		"updated_at": "time"}
	statusShape = shape{"indicator": enum{"none", "minor", "major", "critical", "maintenance"},
		"description": "string"}
	componentShape = shape{"id": "string", "name": "string",
		"status":     enum{"operational", "degraded_performance", "partial_outage", "major_outage", "under_maintenance"},
		"created_at": "time", "updated_at": "time", "position": "number", "description": "string?",
		"showcase": "bool", "start_date": "string?", "group_id": "string?", "page_id": "string", "group": "bool",
		"only_show_if_degraded": "bool"}
	affectedShape = shape{"code": "string", "name": "string", "old_status": "string", "new_status": "string"}
	updateShape   = shape{"id": "string", "status": "string", "body": "string", "incident_id": "string",
		"created_at": "time", "updated_at": "time", "display_at": "time",
		"affected_components": arrayOf{affectedShape}, "deliver_notifications": "bool",
		"custom_tweet": "string?", "tweet_id": "string?"}
	incidentShape = shape{"id": "string", "name": "string",
		"status":     enum{"investigating", "identified", "monitoring", "resolved", "postmortem"},
		"created_at": "time", "updated_at": "time", "monitoring_at": "time?", "resolved_at": "time?",
		"impact":    enum{"none", "minor", "major", "critical"},
		"shortlink": "string", "started_at": "time", "page_id": "string",
		"incident_updates": arrayOf{updateShape}, "components": arrayOf{componentShape}}
	maintenanceShape = func() shape {
		s := shape{"scheduled_for": "time", "scheduled_until": "time?",
			"status": enum{"scheduled", "in_progress", "verifying", "completed"},
			"impact": enum{"none", "minor", "major", "critical", "maintenance"}}
		for k, v := range incidentShape {
			if _, ok := s[k]; !ok {
				s[k] = v
			}
		}
		return s
	}()
	apiShapes = map[string]shape{
		"api/v2/status.json":               {"page": pageShape, "status": statusShape},
		"api/v2/components.json":           {"page": pageShape, "components": arrayOf{componentShape}},
		"api/v2/incidents.json":            {"page": pageShape, "incidents": arrayOf{incidentShape}},
		"api/v2/incidents/unresolved.json": {"page": pageShape, "incidents": arrayOf{incidentShape}},
		"api/v2/scheduled-maintenances.json": {"page": pageShape,
			"scheduled_maintenances": arrayOf{maintenanceShape}},
		"api/v2/scheduled-maintenances/upcoming.json": {"page": pageShape,
			"scheduled_maintenances": arrayOf{maintenanceShape}},
		"api/v2/scheduled-maintenances/active.json": {"page": pageShape,
			"scheduled_maintenances": arrayOf{maintenanceShape}},
		"api/v2/summary.json": {"page": pageShape, "status": statusShape,
			"components": arrayOf{componentShape}, "incidents": arrayOf{incidentShape},
			"scheduled_maintenances": arrayOf{maintenanceShape}},
	}
)

// checkShape reports where v differs from s.
func checkShape(where string, v any, s shape) []string {
	obj, ok := v.(map[string]any)
	if !ok {
		return []string{where + ": not an object"}
	}
	var errs []string
	for _, key := range slices.Sorted(func(yield func(string) bool) {
		for k := range s {
			if !yield(k) {
				return
			}
		}
	}) {
		val, present := obj[key]
		if !present {
			errs = append(errs, where+"."+key+": missing")
			continue
		}
		errs = append(errs, checkValue(where+"."+key, val, s[key])...)
	}
	return errs
}

func checkValue(where string, val, want any) []string {
	switch w := want.(type) {
	case shape:
		return checkShape(where, val, w)
	case arrayOf:
		list, ok := val.([]any)
		if !ok {
			return []string{where + ": not an array"}
		}
		var errs []string
		for i, e := range list {
			errs = append(errs, checkShape(fmt.Sprintf("%s[%d]", where, i), e, w.elem)...)
		}
		return errs
	case enum:
		if s, ok := val.(string); !ok || !slices.Contains(w, s) {
			return []string{fmt.Sprintf("%s: %v is not one of %v", where, val, w)}
		}
		return nil
	}
	kind := want.(string)
	if val == nil {
		if kind[len(kind)-1] == '?' {
			return nil
		}
		return []string{where + ": null"}
	}
	ok := false
	switch kind {
	case "string", "string?":
		_, ok = val.(string)
	case "time", "time?":
		s, isString := val.(string)
		_, err := time.Parse(apiTimeLayout, s)
		ok = isString && err == nil
	case "number":
		_, ok = val.(float64)
	case "bool":
		_, ok = val.(bool)
	}
	if !ok {
		return []string{fmt.Sprintf("%s: %v is not a %s", where, val, kind)}
	}
	return nil
}

// ids returns the "id" of each object of list.
func ids(list any) []string {
	var out []string
	for _, v := range list.([]any) {
		out = append(out, v.(map[string]any)["id"].(string))
	}
	return out
}

// The JSON files decode into Statuspage's documented shapes and say what
// Statuspage would.
func TestStatuspageAPI(t *testing.T) {
	p := newPage(t, statuspage.Config{Components: []statuspage.ComponentInfo{
		{Name: "API", Description: "REST"}, {Name: "Database"}}, Branding: statuspage.Branding{Title: "Example Status"}})
	p.send(update("old", "o1", 0, broadcast.StatusInvestigating, comp("API", broadcast.ComponentMajorOutage)))
	p.send(update("old", "o2", 5, broadcast.StatusResolved, comp("API", broadcast.ComponentOperational)))
	p.send(update("open", "n1", 10, broadcast.StatusInvestigating, comp("API", broadcast.ComponentDegraded)))
	p.send(update("open", "n2", 15, broadcast.StatusMonitoring, comp("API", broadcast.ComponentPartialOutage)))
	p.send(maintenance("later", "m1", 20, broadcast.StatusScheduled))
	p.send(maintenance("now", "w1", 25, broadcast.StatusInProgress))
	site := p.site()

	files := make([]string, 0, len(site.JSON))
	for k := range site.JSON {
		files = append(files, k)
	}
	sort.Strings(files)
	assert.Len(t, files, len(apiShapes), "the JSON files: %v", files)
	for path, s := range apiShapes {
		v, ok := site.JSON[path]
		if assert.True(t, ok, "%s is written", path) {
			assert.Empty(t, checkShape(path, v, s), "%s in Statuspage's shape", path)
		}
	}

	summary := site.JSON["api/v2/summary.json"].(map[string]any)
	assert.Equal(t, map[string]any{"id": summary["page"].(map[string]any)["id"], "name": "Example Status",
		"url": "https://status.example.com/", "time_zone": "Etc/UTC", "updated_at": "2025-03-14T12:00:00.000Z"}, summary["page"])
	assert.Equal(t, map[string]any{"indicator": "major", "description": "Partial System Outage"}, summary["status"])
	assert.Equal(t, []string{"open"}, ids(summary["incidents"]), "summary: the unresolved incidents")
	assert.ElementsMatch(t, []string{"now", "later"}, ids(summary["scheduled_maintenances"]),
		"summary: maintenances in progress and upcoming")
	assert.Equal(t, []string{"open", "old"}, ids(site.JSON["api/v2/incidents.json"].(map[string]any)["incidents"]))
	assert.Equal(t, []string{"later"}, ids(site.JSON["api/v2/scheduled-maintenances/upcoming.json"].(map[string]any)["scheduled_maintenances"]))
	assert.Equal(t, []string{"now"}, ids(site.JSON["api/v2/scheduled-maintenances/active.json"].(map[string]any)["scheduled_maintenances"]))

	comps := summary["components"].([]any)
	require.Len(t, comps, 2)
	api := comps[0].(map[string]any)
	assert.Equal(t, "API", api["name"])
	assert.Equal(t, "partial_outage", api["status"])
	assert.Equal(t, "REST", api["description"])
	assert.EqualValues(t, 1, api["position"])
	assert.Equal(t, "under_maintenance", comps[1].(map[string]any)["status"])

	open := summary["incidents"].([]any)[0].(map[string]any)
	assert.Equal(t, "monitoring", open["status"])
	assert.Equal(t, "major", open["impact"])
	assert.Equal(t, "https://status.example.com/incidents/open.html", open["shortlink"])
	assert.Equal(t, "2025-03-14T11:15:00.000Z", open["monitoring_at"])
	assert.Nil(t, open["resolved_at"])
	updates := open["incident_updates"].([]any)
	assert.Equal(t, []string{"n2", "n1"}, ids(updates), "incident_updates, newest first")
	assert.Equal(t, []any{map[string]any{"code": api["id"], "name": "API", "old_status": "degraded_performance",
		"new_status": "partial_outage"}}, updates[0].(map[string]any)["affected_components"])
	old := site.JSON["api/v2/incidents.json"].(map[string]any)["incidents"].([]any)[1].(map[string]any)
	assert.Equal(t, "2025-03-14T11:05:00.000Z", old["resolved_at"])
}
