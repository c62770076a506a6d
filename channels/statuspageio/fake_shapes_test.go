package statuspageio

import (
	"bytes"
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// The shapes of the fake's requests and answers, as the API reference
// documents them, and Statuspage's validation of a request.

// incidentBody is the request body of Create and Update an incident, with
// every field the reference lists for them.
type incidentBody struct {
	Incident *struct {
		Name                   *string            `json:"name"`
		Status                 *string            `json:"status"`
		ImpactOverride         *string            `json:"impact_override"`
		ScheduledFor           *string            `json:"scheduled_for"`
		ScheduledUntil         *string            `json:"scheduled_until"`
		ScheduledRemindPrior   *bool              `json:"scheduled_remind_prior"`
		AutoToMaintenance      *bool              `json:"auto_transition_to_maintenance_state"`
		AutoToOperational      *bool              `json:"auto_transition_to_operational_state"`
		ScheduledAutoProgress  *bool              `json:"scheduled_auto_in_progress"`
		ScheduledAutoCompleted *bool              `json:"scheduled_auto_completed"`
		AutoNotifyStart        *bool              `json:"auto_transition_deliver_notifications_at_start"`
		AutoNotifyEnd          *bool              `json:"auto_transition_deliver_notifications_at_end"`
		Metadata               json.RawMessage    `json:"metadata"`
		DeliverNotifications   *bool              `json:"deliver_notifications"`
		AutoTweetBeginning     *bool              `json:"auto_tweet_at_beginning"`
		AutoTweetCompletion    *bool              `json:"auto_tweet_on_completion"`
		AutoTweetCreation      *bool              `json:"auto_tweet_on_creation"`
		AutoTweetHourBefore    *bool              `json:"auto_tweet_one_hour_before"`
		BackfillDate           *string            `json:"backfill_date"`
		Backfilled             *bool              `json:"backfilled"`
		Body                   *string            `json:"body"`
		Components             map[string]*string `json:"components"`
		ComponentIDs           []string           `json:"component_ids"`
		ScheduledAutoTransit   *bool              `json:"scheduled_auto_transition"`
	} `json:"incident"`
}

var (
	realtimeStatuses  = []string{"investigating", "identified", "monitoring", "resolved"}
	scheduledStatuses = []string{"scheduled", "in_progress", "verifying", "completed"}
	impacts           = []string{"none", "maintenance", "minor", "major", "critical"}
	componentStatuses = []string{"operational", "under_maintenance", "degraded_performance", "partial_outage", "major_outage", ""}
)

// problem returns Statuspage's 422 message for b, "" when it is valid.
// Statuspage decides from the status whether an incident is scheduled.
func (f *fakeAPI) problem(b incidentBody, creating bool, inc *fakeIncident) string {
	in := b.Incident
	switch {
	case in == nil:
		return "incident is missing"
	case creating && (in.Name == nil || strings.TrimSpace(*in.Name) == ""), in.Name != nil && *in.Name == "":
		return "Name can't be blank"
	case in.Name != nil && utf8.RuneCountInString(*in.Name) > MaxName:
		return "Name is too long (maximum is 255 characters)"
	case in.Body != nil && utf8.RuneCountInString(*in.Body) > MaxBody:
		return "Body is too long (maximum is 25000 characters)"
	case in.Status != nil && !slices.Contains(append(realtimeStatuses, scheduledStatuses...), *in.Status):
		return "Status is not included in the list"
	case in.ImpactOverride != nil && !slices.Contains(impacts, *in.ImpactOverride):
		return "Impact override is not included in the list"
	case len(in.Metadata) > 0 && !objectOfObjects(in.Metadata):
		return "Metadata top level values must be objects"
	}
	if p := f.componentProblem(in.Components, in.ComponentIDs); p != "" {
		return p
	}
	return scheduleProblem(in.Status, in.ScheduledFor, in.ScheduledUntil, creating, inc)
}

// componentProblem checks component ids and statuses.
func (f *fakeAPI) componentProblem(statuses map[string]*string, ids []string) string {
	for _, id := range append(slices.Collect(maps.Keys(statuses)), ids...) {
		if !slices.ContainsFunc(f.components, func(c fakeComponent) bool { return c.ID == id && !c.Group }) {
			return "Component " + id + " not found"
		}
	}
	for _, s := range statuses {
		if s == nil || !slices.Contains(componentStatuses, *s) {
			return "Component status is not included in the list"
		}
	}
	return ""
}

// scheduleProblem checks that a scheduled incident has its window, and
// that an incident keeps its kind.
func scheduleProblem(status, from, until *string, creating bool, inc *fakeIncident) string {
	if status == nil {
		return ""
	}
	scheduled := slices.Contains(scheduledStatuses, *status)
	if !creating {
		if scheduled != slices.Contains(scheduledStatuses, inc.status) {
			return "Status is not valid for this kind of incident"
		}
		return ""
	}
	if !scheduled {
		return ""
	}
	if from == nil || until == nil {
		return "Scheduled for can't be blank"
	}
	a, err1 := time.Parse(time.RFC3339Nano, *from)
	b, err2 := time.Parse(time.RFC3339Nano, *until)
	if err1 != nil || err2 != nil || !b.After(a) {
		return "Scheduled until must be after scheduled for"
	}
	return ""
}

func objectOfObjects(raw json.RawMessage) bool {
	var m map[string]map[string]any
	return json.Unmarshal(raw, &m) == nil
}

// incidentJSON is inc as the API's Incident object, updates newest first.
func (f *fakeAPI) incidentJSON(inc *fakeIncident) map[string]any {
	updates := []map[string]any{}
	for _, u := range slices.Backward(f.posts) {
		if u.inc == inc && !u.deleted {
			updates = append(updates, updateJSON(u))
		}
	}
	comps := []map[string]any{}
	for _, c := range f.components {
		if s, ok := inc.components[c.ID]; ok {
			comps = append(comps, map[string]any{"id": c.ID, "name": c.Name, "status": s, "page_id": testPage})
		}
	}
	m := map[string]any{"id": inc.id, "name": inc.name, "status": inc.status, "impact": cmpOr(inc.impact, "none"),
		"impact_override": nullable(inc.impact), "page_id": testPage, "shortlink": "https://stspg.io/" + inc.id,
		"created_at": stamp(inc.created), "updated_at": stamp(inc.created), "incident_updates": updates,
		"components": comps, "scheduled_for": nullable(inc.scheduledFor), "scheduled_until": nullable(inc.until),
		"monitoring_at": nil, "resolved_at": nil, "postmortem_body": nil, "postmortem_ignored": false,
		"scheduled_remind_prior": false, "scheduled_auto_in_progress": false, "scheduled_auto_completed": false,
		"metadata": json.RawMessage("{}")}
	if len(inc.metadata) > 0 && !f.dropMetadata {
		m["metadata"] = inc.metadata
	}
	return m
}

func updateJSON(u *fakeUpdate) map[string]any {
	return map[string]any{"id": u.id, "incident_id": u.inc.id, "status": u.status, "body": u.body,
		"created_at": stamp(u.created), "updated_at": stamp(u.created), "display_at": stamp(u.created),
		"affected_components": []any{}, "deliver_notifications": u.deliverNotifications, "custom_tweet": nil,
		"tweet_id": nil, "twitter_updated_at": nil, "wants_twitter_update": false}
}

// stamp writes t as the API does, in milliseconds.
func stamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z07:00") }

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

func writeValue(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	writeJSON(w, status, string(b))
}

// decode reads the body strictly: a field the reference does not list for
// the route is refused, as a 400.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		writeValue(w, 400, map[string]any{"error": "Bad request: " + err.Error()})
		return false
	}
	return true
}

func readAll(r *http.Request) []byte {
	var b bytes.Buffer
	_, _ = b.ReadFrom(r.Body)
	return b.Bytes()
}

// withBody returns r with its body, read by guard, to read again.
func withBody(r *http.Request, raw []byte) *http.Request {
	r.Body = http.NoBody
	if len(raw) > 0 {
		r.Body = readCloser{bytes.NewReader(raw)}
	}
	return r
}

type readCloser struct{ *bytes.Reader }

func (readCloser) Close() error { return nil }
