package statuspageio

import (
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/outagecast/outagecast/broadcast"
)

// DefaultTemplate is the body of an incident update: a correction marker,
// the advice, the body, the next update and the link. The incident's name
// (the Title), the status and the affected components are fields of their
// own, which Statuspage shows beside the body, so the body does not repeat
// them. Statuspage shows the body as plain text.
const DefaultTemplate = `{{if .Corrects}}Correction:
{{end}}{{with .Advice}}{{$.AdviceLabel}}: {{.}}

{{end}}{{.Body}}
{{with .NextUpdateAt}}
Next update by {{.}}.
{{end}}{{with .URL}}
{{.}}
{{end}}`

// Statuspage's limits, the same as an Update's.
const (
	// MaxBody is the limit on an incident update's body, in characters
	// (Unicode code points).
	MaxBody = 25_000
	// MaxName is the limit on an incident's name, in characters.
	MaxName = 255
)

// incidentRequest is the body of Create an incident (POST) and Update an
// incident (PATCH).
type incidentRequest struct {
	Incident incidentFields `json:"incident"`
}

// incidentFields is the "incident" object the channel sends. A PATCH
// creates an incident update of its status and body.
type incidentFields struct {
	Name                 string            `json:"name"`
	Status               broadcast.Status  `json:"status"`
	ImpactOverride       broadcast.Impact  `json:"impact_override,omitempty"`
	Body                 string            `json:"body"`
	ComponentIDs         []string          `json:"component_ids,omitempty"`
	Components           map[string]string `json:"components,omitempty"`
	DeliverNotifications bool              `json:"deliver_notifications"`
	ScheduledFor         time.Time         `json:"scheduled_for,omitzero"`
	ScheduledUntil       time.Time         `json:"scheduled_until,omitzero"`
	*manual
	Metadata *metadata `json:"metadata,omitempty"`
}

// manual turns off, explicitly, what Statuspage may do on its own with a
// scheduled maintenance (its defaults are not documented): remind
// subscribers before it, move it to in progress and completed at its
// window's ends, set its components' statuses then, and tweet about it.
// outagecast sends each transition, with its components, itself: both
// would post every transition twice. Sent when the incident is created.
type manual struct {
	RemindPrior           bool `json:"scheduled_remind_prior"`
	AutoInProgress        bool `json:"scheduled_auto_in_progress"`
	AutoCompleted         bool `json:"scheduled_auto_completed"`
	AutoToMaintenance     bool `json:"auto_transition_to_maintenance_state"`
	AutoToOperational     bool `json:"auto_transition_to_operational_state"`
	AutoNotifyAtStart     bool `json:"auto_transition_deliver_notifications_at_start"`
	AutoNotifyAtEnd       bool `json:"auto_transition_deliver_notifications_at_end"`
	AutoTweetAtBeginning  bool `json:"auto_tweet_at_beginning"`
	AutoTweetOnCompletion bool `json:"auto_tweet_on_completion"`
	AutoTweetOnCreation   bool `json:"auto_tweet_on_creation"`
	AutoTweetHourBefore   bool `json:"auto_tweet_one_hour_before"`
}

// metadata is what the channel attaches to an incident it creates: the
// idempotency key of the update that created it, found again by a retry
// after a lost answer, and the ID of the outagecast incident, found again
// by a newer update of it. Statuspage wants every top-level value an
// object.
type metadata struct {
	Outagecast struct {
		Key      string `json:"key"`
		Incident string `json:"incident,omitempty"`
	} `json:"outagecast"`
}

// editRequest is the body of Update a previous incident update (PATCH).
// DeliverNotifications is false under Config.SkipNotifications, and left
// out otherwise (the API's default).
type editRequest struct {
	IncidentUpdate struct {
		Body                 string `json:"body"`
		DeliverNotifications *bool  `json:"deliver_notifications,omitempty"`
	} `json:"incident_update"`
}

// incident is the part of Statuspage's Incident object the channel reads.
// Times are strings, parsed leniently: a format the channel does not know
// must not turn a delivery into a failure.
type incident struct {
	ID        string           `json:"id"`
	Name      string           `json:"name"`
	Status    string           `json:"status"`
	Shortlink string           `json:"shortlink"`
	CreatedAt string           `json:"created_at"`
	Metadata  json.RawMessage  `json:"metadata"`
	Updates   []incidentUpdate `json:"incident_updates"`
}

// incidentUpdate is the part of an IncidentUpdate object the channel reads.
type incidentUpdate struct {
	ID        string `json:"id"`
	Status    string `json:"status"`
	Body      string `json:"body"`
	CreatedAt string `json:"created_at"`
}

// component is the part of a Component object the channel reads.
type component struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Group bool   `json:"group"`
}

// pageInfo is the part of a Page object Check reads.
type pageInfo struct {
	ID string `json:"id"`
}

func (inc *incident) ours() bool     { return inc.ID != "" }
func (u *incidentUpdate) ours() bool { return u.ID != "" }
func (p *pageInfo) ours() bool       { return p.ID != "" }

// resolved are an update's components as Statuspage names them.
type resolved struct {
	ids      []string          // in the Update's order, without duplicates
	statuses map[string]string // id → component status
	gen      uint64            // the fetch of the component list the ids come from
	fresh    bool              // that fetch was made during this call
}

// fields builds the incident fields of u with its rendered body and its
// resolved components. Maintenance windows and metadata are added by the
// caller, for a new incident only.
func fields(u broadcast.Update, body string, comps resolved, notify bool) incidentFields {
	return incidentFields{Name: name(u), Status: u.Status, ImpactOverride: u.Impact, Body: body,
		ComponentIDs: comps.ids, Components: comps.statuses, DeliverNotifications: notify}
}

// name is the incident's name of u: its Title on one line.
func name(u broadcast.Update) string { return strings.Join(strings.Fields(u.Title), " ") }

// window is the maintenance window of a new maintenance incident made of u:
// it starts at NextUpdate for a scheduled one (the next update is the
// start) when that is later than Time, ends at Time for a completed one,
// and starts at Time otherwise; it lasts d, but for a window cut at the
// start of the year 0 or the end of the year 9999, past which RFC 3339
// writes no time (Update.Validate accepts an update at either).
func window(u broadcast.Update, d time.Duration) (from, until time.Time) {
	t := u.Time.UTC()
	switch u.Status {
	case broadcast.StatusCompleted:
		from = t.Add(-d)
		if from.Before(firstSecond) {
			from = firstSecond
		}
		return from, t
	case broadcast.StatusScheduled:
		if u.NextUpdate.After(u.Time) {
			t = u.NextUpdate.UTC()
		}
	}
	until = t.Add(d)
	if until.After(lastSecond) {
		until = lastSecond
	}
	return t, until
}

// The first and the last second RFC 3339 writes.
var (
	firstSecond = time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC)
	lastSecond  = time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)
)

// lookupPath is the list of incidents where a retry looks for the incident
// an earlier attempt may have created with status s.
func lookupPath(s broadcast.Status, name string) string {
	switch s {
	case broadcast.StatusScheduled:
		return "/incidents/upcoming?per_page=100"
	case broadcast.StatusInProgress, broadcast.StatusVerifying:
		return "/incidents/active_maintenance?per_page=100"
	case broadcast.StatusResolved, broadcast.StatusCompleted:
		return "/incidents?" + url.Values{"q": {name}, "limit": {"100"}}.Encode()
	}
	return "/incidents/unresolved?per_page=100"
}

// key returns the idempotency key in an incident's metadata, "" for none.
func (inc incident) key() string { return inc.metadata().Outagecast.Key }

// metadata returns the channel's metadata of an incident, zero for none.
func (inc incident) metadata() metadata {
	var m metadata
	if len(inc.Metadata) == 0 || json.Unmarshal(inc.Metadata, &m) != nil {
		return metadata{}
	}
	return m
}

// sameIncident reports whether inc is the incident an earlier update of
// the outagecast incident id created, since lower, of f's kind (a
// scheduled maintenance or not): its metadata names id or, when it holds
// none, its name and first body are those of one of earlier's creates,
// which the channel knows of (see unknownCreates).
func (inc incident) sameIncident(id string, f incidentFields, earlier unknownCreate, lower time.Time) bool {
	if id == "" || !after(inc.CreatedAt, lower) ||
		broadcast.Status(inc.Status).Maintenance() != f.Status.Maintenance() {
		return false
	}
	if m := inc.metadata(); m.Outagecast.Key != "" {
		return m.Outagecast.Incident == id
	}
	return slices.ContainsFunc(earlier.tried, func(a createAttempt) bool { return a.madeBy(inc) })
}

// createdBy reports whether inc is the incident f created: its metadata
// holds f's key or, when it holds none, it has f's name and first body and
// was created since.
func (inc incident) createdBy(f incidentFields, since time.Time) bool {
	if k := inc.key(); k != "" {
		return f.Metadata != nil && k == f.Metadata.Outagecast.Key
	}
	if inc.Name != f.Name || !after(inc.CreatedAt, since) || len(inc.Updates) == 0 {
		return false
	}
	return sameText(slices.MinFunc(inc.Updates, older).Body, f.Body)
}

// posted returns the incident update inc got from f: the newest with f's
// status and body created since, when the request was sent before, and
// newer than the incident updates earlier names (known to be older).
func (inc incident) posted(f incidentFields, since time.Time, earlier []string) (incidentUpdate, bool) {
	var found incidentUpdate
	ok := false
	for _, u := range inc.Updates {
		if u.Status == string(f.Status) && sameText(u.Body, f.Body) && inc.newer(u, since, earlier) &&
			(!ok || older(found, u) < 0) {
			found, ok = u, true
		}
	}
	return found, ok
}

// made returns the incident update a request of f sent at since (less
// the clocks' skew) made: the newest with f's status and body made since,
// else the newest of all made since (Statuspage may store the body
// otherwise), never one of earlier or older than one of them. It reports
// false when Statuspage made none, as for a request with no body text that
// leaves the status. Statuspage lists updates newest first, but the
// channel does not rely on it.
func (inc incident) made(f incidentFields, since time.Time, earlier []string) (incidentUpdate, bool) {
	if u, ok := inc.posted(f, since, earlier); ok {
		return u, true
	}
	var found incidentUpdate
	ok := false
	for _, u := range inc.Updates {
		if inc.newer(u, since, earlier) && (!ok || older(found, u) < 0) {
			found, ok = u, true
		}
	}
	return found, ok
}

// newer reports whether u was created since, and is none of the incident
// updates earlier names nor older than one of them.
func (inc incident) newer(u incidentUpdate, since time.Time, earlier []string) bool {
	if !after(u.CreatedAt, since) || slices.Contains(earlier, u.ID) {
		return false
	}
	for _, e := range inc.Updates {
		if slices.Contains(earlier, e.ID) && older(u, e) < 0 {
			return false
		}
	}
	return true
}

// after reports whether the time s is at or after t (a zero t: always).
// A time that does not parse is not after anything.
func after(s string, t time.Time) bool {
	if t.IsZero() {
		return true
	}
	at, err := time.Parse(time.RFC3339Nano, s)
	return err == nil && !at.Before(t)
}

// older orders incident updates by creation time; one whose time does not
// parse comes first.
func older(a, b incidentUpdate) int {
	ta, _ := time.Parse(time.RFC3339Nano, a.CreatedAt)
	tb, _ := time.Parse(time.RFC3339Nano, b.CreatedAt)
	return ta.Compare(tb)
}

// sameText compares texts as Statuspage may store them: line breaks
// normalised, surrounding white space trimmed.
func sameText(a, b string) bool { return normText(a) == normText(b) }

// normText is s as sameText compares it.
func normText(s string) string { return strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n")) }
