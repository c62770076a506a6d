package statuspage

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/templates"
)

// The shapes of Atlassian Statuspage's public API (api/v2), so that tools
// that read a Statuspage page read this one unchanged. Fields this page
// has no value for are null or false, as Statuspage sends them.

type apiPage struct {
	ID        string  `json:"id"`
	Name      string  `json:"name"`
	URL       string  `json:"url"`
	TimeZone  string  `json:"time_zone"`
	UpdatedAt apiTime `json:"updated_at"`
}

type apiStatus struct {
	Indicator   string `json:"indicator"`
	Description string `json:"description"`
}

type apiComponent struct {
	ID                 string  `json:"id"`
	Name               string  `json:"name"`
	Status             string  `json:"status"`
	CreatedAt          apiTime `json:"created_at"`
	UpdatedAt          apiTime `json:"updated_at"`
	Position           int     `json:"position"`
	Description        *string `json:"description"`
	Showcase           bool    `json:"showcase"`
	StartDate          *string `json:"start_date"`
	GroupID            *string `json:"group_id"`
	PageID             string  `json:"page_id"`
	Group              bool    `json:"group"`
	OnlyShowIfDegraded bool    `json:"only_show_if_degraded"`
}

type apiAffected struct {
	Code      string `json:"code"`
	Name      string `json:"name"`
	OldStatus string `json:"old_status"`
	NewStatus string `json:"new_status"`
}

type apiUpdate struct {
	ID                   string        `json:"id"`
	Status               string        `json:"status"`
	Body                 string        `json:"body"`
	IncidentID           string        `json:"incident_id"`
	CreatedAt            apiTime       `json:"created_at"`
	UpdatedAt            apiTime       `json:"updated_at"`
	DisplayAt            apiTime       `json:"display_at"`
	AffectedComponents   []apiAffected `json:"affected_components"`
	DeliverNotifications bool          `json:"deliver_notifications"`
	CustomTweet          *string       `json:"custom_tweet"`
	TweetID              *string       `json:"tweet_id"`
}

type apiIncident struct {
	ID              string         `json:"id"`
	Name            string         `json:"name"`
	Status          string         `json:"status"`
	CreatedAt       apiTime        `json:"created_at"`
	UpdatedAt       apiTime        `json:"updated_at"`
	MonitoringAt    *apiTime       `json:"monitoring_at"`
	ResolvedAt      *apiTime       `json:"resolved_at"`
	Impact          string         `json:"impact"`
	Shortlink       string         `json:"shortlink"`
	StartedAt       apiTime        `json:"started_at"`
	PageID          string         `json:"page_id"`
	IncidentUpdates []apiUpdate    `json:"incident_updates"`
	Components      []apiComponent `json:"components"`
}

// apiMaintenance is a scheduled maintenance: an incident with its window.
type apiMaintenance struct {
	apiIncident
	ScheduledFor   apiTime  `json:"scheduled_for"`
	ScheduledUntil *apiTime `json:"scheduled_until"` // the page does not know when it ends
}

// apiTime is a time as Statuspage's API writes one of a page in UTC: to
// the millisecond, with three fractional digits always
// ("2024-04-09T18:50:21.343Z"), which parsers that refuse nine read.
// Finer digits are cut, not rounded, as Statuspage's are: no time moves
// past a later one, nor past the page's updated_at.
type apiTime time.Time

// MarshalJSON writes t as Statuspage does, or fails, as a time.Time
// does, for a year RFC 3339 cannot write.
func (t apiTime) MarshalJSON() ([]byte, error) {
	u := time.Time(t).UTC().Truncate(time.Millisecond)
	if y := u.Year(); y < 0 || y > 9999 {
		return nil, fmt.Errorf("time %d outside the years 0 to 9999", y)
	}
	return u.AppendFormat(nil, `"2006-01-02T15:04:05.000Z"`), nil
}

// apiTimeOf returns t as the JSON writes it, or nil (null) for the zero
// time.
func apiTimeOf(t time.Time) *apiTime {
	if t.IsZero() {
		return nil
	}
	a := apiTime(t)
	return &a
}

// apiIncidentsLimit is how many incidents incidents.json and
// scheduled-maintenances.json list, as Statuspage's do.
const apiIncidentsLimit = 50

// apiLists are the incident lists of the JSON files.
type apiLists struct {
	incidents, unresolved    []apiIncident
	maints, upcoming, active []apiMaintenance
}

// lists sorts the incidents into the JSON files' lists, newest first.
// Only the incidents some file lists are built: 50 of each kind, and
// those not closed.
func (m *model) lists(list []apiComponent) apiLists {
	comps := make(map[string]apiComponent, len(list)) // by name; names are unique
	for _, c := range list {
		comps[c.Name] = c
	}
	var l apiLists
	for _, in := range m.all {
		d := m.byID[in.ID]
		p := phaseOf(d.Status)
		if !d.Maintenance || p == phaseOpen {
			if len(l.incidents) < apiIncidentsLimit || p != phaseClosed {
				a := m.apiIncident(in, d, comps)
				a.Impact = incidentImpact(d.Impact)
				l.incidents = appendUpTo(l.incidents, a, apiIncidentsLimit)
				if p != phaseClosed {
					l.unresolved = append(l.unresolved, a)
				}
			}
			continue
		}
		if len(l.maints) < apiIncidentsLimit || p != phaseClosed {
			a := apiMaintenance{apiIncident: m.apiIncident(in, d, comps), ScheduledFor: apiTime(d.ScheduledFor)}
			l.maints = appendUpTo(l.maints, a, apiIncidentsLimit)
			switch p {
			case phaseScheduled:
				l.upcoming = append(l.upcoming, a)
			case phaseInProgress:
				l.active = append(l.active, a)
			}
		}
	}
	return l
}

// incidentImpact is the impact of an incident (not a maintenance) in the
// JSON: Statuspage's incidents have none, minor, major or critical, and
// maintenance, which says no outage, is none there; the status's
// indicator says maintenance, as the page's banner does.
func incidentImpact(i broadcast.Impact) string {
	if i == broadcast.ImpactMaintenance {
		return string(broadcast.ImpactNone)
	}
	return string(i)
}

// api returns the JSON files by their path from the root.
func (m *model) api() (map[string][]byte, error) {
	page := apiPage{ID: m.pageID(), Name: m.s.branding.Title, URL: m.s.base.String(),
		TimeZone: "Etc/UTC", UpdatedAt: apiTime(m.st.Updated)}
	status := apiStatus{Indicator: m.banner.Indicator, Description: m.wording()}
	comps := m.apiComponents()
	l := m.lists(comps)
	// Each part is encoded once, however many files hold it: an incident
	// naming hundreds of components is megabytes, in incidents.json,
	// incidents/unresolved.json and summary.json.
	var enc encoded
	incidents, unresolved := enc.incidents(l.incidents), enc.incidents(l.unresolved)
	pg, st, cs := enc.value(page), enc.value(status), enc.value(nonNil(comps))
	maints := func(l []apiMaintenance) []byte { return enc.value(nonNil(l)) }
	type doc = map[string][]byte
	files := map[string]doc{
		"api/v2/status.json":                          {"page": pg, "status": st},
		"api/v2/components.json":                      {"page": pg, "components": cs},
		"api/v2/incidents.json":                       {"page": pg, "incidents": incidents},
		"api/v2/incidents/unresolved.json":            {"page": pg, "incidents": unresolved},
		"api/v2/scheduled-maintenances.json":          {"page": pg, "scheduled_maintenances": maints(l.maints)},
		"api/v2/scheduled-maintenances/upcoming.json": {"page": pg, "scheduled_maintenances": maints(l.upcoming)},
		"api/v2/scheduled-maintenances/active.json":   {"page": pg, "scheduled_maintenances": maints(l.active)},
		"api/v2/summary.json": {"page": pg, "status": st, "components": cs,
			"incidents": unresolved, "scheduled_maintenances": maints(slices.Concat(l.active, l.upcoming))},
	}
	if enc.err != nil {
		return nil, fmt.Errorf("%w api/v2: %w", errRender, enc.err)
	}
	out := make(map[string][]byte, len(files))
	for path, d := range files {
		out[path] = append(jsonObject(d), '\n')
	}
	return out, nil
}

// encoded encodes the parts of the JSON files, each incident once by its
// ID, and keeps the first error.
type encoded struct {
	byID map[string][]byte
	err  error
}

// value returns v as json.Marshal writes it.
func (e *encoded) value(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil && e.err == nil {
		e.err = err
	}
	return b
}

// incidents returns l as json.Marshal writes it (never null: l is never
// nil there, see nonNil): its elements, each as json.Marshal writes it,
// between brackets.
func (e *encoded) incidents(l []apiIncident) []byte {
	if e.byID == nil {
		e.byID = map[string][]byte{}
	}
	out := []byte{'['}
	for i := range l {
		b, ok := e.byID[l[i].ID]
		if !ok {
			// As an element of a slice: addressable.
			b = e.value(&l[i])
			e.byID[l[i].ID] = b
		}
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, b...)
	}
	return append(out, ']')
}

// jsonObject returns the object of fields, their values encoded, as
// json.Marshal writes a map: its keys (plain ASCII names here, which it
// writes as they are) sorted.
func jsonObject(fields map[string][]byte) []byte {
	size := 2
	for k, v := range fields {
		size += len(k) + len(v) + 4
	}
	out := make([]byte, 0, size)
	out = append(out, '{')
	for i, k := range slices.Sorted(maps.Keys(fields)) {
		if i > 0 {
			out = append(out, ',')
		}
		out = append(append(append(append(out, '"'), k...), '"', ':'), fields[k]...)
	}
	return append(out, '}')
}

// apiBody is an update's body as the JSON gives it: as the Statuspage
// channel writes it to a hosted page, with the correction's mark, the
// advice and the update's link, which Statuspage's API has no fields for
// and the page shows. A link to page, the incident's, is its shortlink.
func apiBody(e *entry, page string) string {
	var b strings.Builder
	if e.Corrects != "" {
		b.WriteString("Correction:\n")
	}
	if e.Advice != "" {
		b.WriteString(templates.AdviceLabel + ": " + e.Advice + "\n\n")
	}
	b.WriteString(e.Body)
	if e.URL != "" && e.URL != page {
		if strings.TrimRight(b.String(), "\n") != "" {
			b.WriteString("\n\n")
		}
		b.WriteString("More: " + e.URL)
	}
	return strings.TrimRight(b.String(), "\n")
}

// appendUpTo appends v to s unless s holds n values already.
func appendUpTo[T any](s []T, v T, n int) []T {
	if len(s) >= n {
		return s
	}
	return append(s, v)
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// pageID is a stable id of the page, made from its first address (see
// model.idBase): kept when the page moves.
func (m *model) pageID() string { return shortHash("page:" + m.idBase()) }

// componentID is a stable id of a component, made from its name.
func componentID(name string) string { return shortHash("component:" + name) }

func (m *model) apiComponents() []apiComponent {
	created := map[string]time.Time{}
	changed := m.componentChanges()
	for _, c := range m.st.Components {
		created[c.Name] = c.Created
		// A retraction from its feed may have changed its status.
		changed[c.Name] = maxTime(changed[c.Name], c.Retracted)
	}
	out := make([]apiComponent, len(m.components))
	for i, c := range m.components {
		a := apiComponent{
			ID: componentID(c.Name), Name: c.Name, Status: string(c.Status),
			CreatedAt: apiTime(created[c.Name]), UpdatedAt: apiTime(maxTime(created[c.Name], changed[c.Name])),
			Position: i + 1, Showcase: true, PageID: m.pageID(),
		}
		if c.Description != "" {
			a.Description = &c.Description
		}
		out[i] = a
	}
	return out
}

// componentChanges returns, per component, the latest change of what an
// update that names it says (see entry.said), or of one a correction
// took it out of, giving it back the status the incident's earlier
// updates gave it (see entry.Returned), or of the standing of an
// incident that names it (see standingChanged): an update that resolves
// an incident, reopens it or begins a maintenance changes the status of
// the components it named, also when it names none itself. Whether an
// update turns its incident (see entry.Turned) changes no component's
// status of itself: the change of another update that made it turn
// counts where it changed one, as that update's, as the standing's or as
// a retraction (see apiComponents).
func (m *model) componentChanges() map[string]time.Time {
	out := map[string]time.Time{}
	for _, in := range m.all {
		standing := standingChanged(in)
		for _, name := range componentsOf(in) {
			out[name] = maxTime(out[name], standing)
		}
		for _, e := range in.Entries {
			for _, c := range e.Components {
				out[c.Name] = maxTime(out[c.Name], e.said())
			}
			for _, name := range e.Returned {
				out[name] = maxTime(out[name], e.said())
			}
		}
	}
	return out
}

// standingChanged is when in last began or stopped giving its components
// a status (see givesStatus): the time of the first of its latest updates
// that all do or all do not, stale corrections aside, or of an edit or a
// sending again of one of them, which may have made it one of them.
func standingChanged(in *incident) time.Time {
	cur := in.current()
	gives := givesStatus(phaseOf(cur.Status))
	var since, edited time.Time
	for i := len(in.Entries) - 1; i >= 0; i-- {
		e := &in.Entries[i]
		if e.Stale && e != cur {
			continue
		}
		if givesStatus(phaseOf(e.Status)) != gives {
			break
		}
		since, edited = e.Time, maxTime(edited, maxTime(e.Edited, e.Restored))
	}
	return maxTime(since, edited)
}

// apiIncident is in, whose view is d, in the JSON; comps are the page's
// components by name.
func (m *model) apiIncident(in *incident, d IncidentData, comps map[string]apiComponent) apiIncident {
	a := apiIncident{
		ID: in.ID, Name: d.Title, Status: string(d.Status), CreatedAt: apiTime(d.Started),
		UpdatedAt: apiTime(d.Updated), Impact: string(d.Impact), Shortlink: d.URL,
		StartedAt: apiTime(d.Started), PageID: m.pageID(), ResolvedAt: apiTimeOf(d.Resolved),
		IncidentUpdates: []apiUpdate{}, Components: []apiComponent{},
	}
	changes := m.changesOf(in)
	var updates []apiUpdate
	for i, e := range in.Entries {
		if e.Status == broadcast.StatusMonitoring && a.MonitoringAt == nil {
			t := apiTime(e.Time)
			a.MonitoringAt = &t
		}
		// updated_at is when the update itself last changed, as
		// Statuspage's moves when an update is edited: not when another
		// update made it turn its incident (see entry.Turned), which
		// changes its entry only in some components' feeds.
		u := apiUpdate{ID: e.ID, Status: string(e.Status), Body: apiBody(&e, d.URL), IncidentID: in.ID,
			CreatedAt: apiTime(e.Time), UpdatedAt: apiTime(e.said()), DisplayAt: apiTime(e.Time),
			DeliverNotifications: true}
		// As Statuspage's: every component the update names, its status
		// changed or not; null when it names none.
		for _, c := range changes[i] {
			u.AffectedComponents = append(u.AffectedComponents, apiAffected{
				Code: componentID(c.Name), Name: c.Name, OldStatus: string(c.Old), NewStatus: string(c.New)})
		}
		updates = append(updates, u)
	}
	// Newest first, as Statuspage lists them; the latest of them only, as
	// the incident's first page shows, so that a long outage does not grow
	// every JSON file that lists it: the older are on its later pages.
	for i := len(updates) - 1; i >= max(0, len(updates)-m.s.pageUpdates); i-- {
		a.IncidentUpdates = append(a.IncidentUpdates, updates[i])
	}
	for _, c := range d.Components {
		if ac, ok := comps[c.Name]; ok {
			a.Components = append(a.Components, ac)
		}
	}
	return a
}
