package statuspage

import (
	"cmp"
	"slices"
	"strconv"
	"time"

	"github.com/outagecast/outagecast/broadcast"
)

// phase is where an incident stands, by its current update's status (see
// incident.current).
type phase int

const (
	phaseOpen       phase = iota // investigating, identified, monitoring
	phaseScheduled               // a maintenance not started
	phaseInProgress              // a maintenance in progress or verifying
	phaseClosed                  // resolved, completed
)

func phaseOf(s broadcast.Status) phase {
	switch s {
	case broadcast.StatusScheduled:
		return phaseScheduled
	case broadcast.StatusInProgress, broadcast.StatusVerifying:
		return phaseInProgress
	case broadcast.StatusResolved, broadcast.StatusCompleted:
		return phaseClosed
	}
	return phaseOpen
}

// givesStatus reports whether an incident in phase p gives the
// components it names their status: while open, or a maintenance in
// progress.
func givesStatus(p phase) bool { return p == phaseOpen || p == phaseInProgress }

// componentRank orders component statuses from best to worst.
var componentRank = map[broadcast.ComponentStatus]int{
	broadcast.ComponentOperational:   0,
	broadcast.ComponentMaintenance:   1,
	broadcast.ComponentDegraded:      2,
	broadcast.ComponentPartialOutage: 3,
	broadcast.ComponentMajorOutage:   4,
}

// Statuspage's indicators, from best to worst, and what each means in a
// component status (for the banner's colour) and in words (for the JSON).
var (
	indicators       = []string{"none", "maintenance", "minor", "major", "critical"}
	indicatorStatus  = map[string]broadcast.ComponentStatus{"none": broadcast.ComponentOperational, "maintenance": broadcast.ComponentMaintenance, "minor": broadcast.ComponentDegraded, "major": broadcast.ComponentPartialOutage, "critical": broadcast.ComponentMajorOutage}
	componentIndic   = map[broadcast.ComponentStatus]string{broadcast.ComponentOperational: "none", broadcast.ComponentMaintenance: "maintenance", broadcast.ComponentDegraded: "minor", broadcast.ComponentPartialOutage: "major", broadcast.ComponentMajorOutage: "critical"}
	indicatorWording = map[string]string{"none": "All Systems Operational", "maintenance": "Service Under Maintenance", "minor": "Minor Service Outage", "major": "Partial System Outage", "critical": "Major System Outage"}
)

// worseIndicator returns the worse of two indicators.
func worseIndicator(a, b string) string {
	if slices.Index(indicators, b) > slices.Index(indicators, a) {
		return b
	}
	return a
}

// impactIndicator is the indicator of an open incident of impact i: never
// "none", since an open incident is never all operational.
func impactIndicator(i broadcast.Impact) string {
	switch i {
	case broadcast.ImpactMajor, broadcast.ImpactCritical, broadcast.ImpactMaintenance:
		return string(i)
	}
	return "minor"
}

// model is the site of one version: the state seen at one time.
type model struct {
	s          *settings
	st         *state
	now        time.Time
	components []ComponentData
	all        []*incident // newest first
	byID       map[string]IncidentData
	banner     BannerData
	worst      broadcast.ComponentStatus
	// entries are the feed entries rendered (see entryXML).
	entries map[entryKey][]byte
	// feeds holds the entries of updates of this version and the one
	// before, by what they are rendered from (see feedCache); nil where
	// there is no version before to take them from (a preview).
	feeds *feedCache
	// rendered counts the feed entries rendered, not taken from feeds.
	rendered int
	// named holds where each component is in an update (see
	// componentIn).
	named map[*entry]map[string]int
	// changes are the component changes of each incident's entries (see
	// changesOf).
	changes map[*incident][][]componentChange
	// turning are the updates that turn each incident (see turns).
	turning map[*incident]map[*entry]bool
	// feedRetracted is the time of the latest retraction from each
	// component's feed, by its path (see retracted).
	feedRetracted map[string]time.Time
}

func newModel(s *settings, st *state, now time.Time) *model {
	m := &model{s: s, st: st, now: now, all: st.sorted(), byID: map[string]IncidentData{}}
	for _, in := range m.all {
		m.byID[in.ID] = m.incident(in, 0)
	}
	m.componentStates()
	m.makeBanner()
	return m
}

// componentStates sets every component's current status: the worst that
// an open incident or a maintenance in progress gives it, else
// operational.
func (m *model) componentStates() {
	current := map[string]broadcast.ComponentStatus{}
	for _, in := range m.all {
		d := m.byID[in.ID]
		if !givesStatus(phaseOf(d.Status)) {
			continue
		}
		for _, c := range d.Components {
			if componentRank[c.Status] > componentRank[current[c.Name]] {
				current[c.Name] = c.Status
			}
		}
	}
	m.worst = broadcast.ComponentOperational
	descriptions := map[string]string{}
	for _, c := range slices.Backward(m.s.components) { // the first wins
		descriptions[c.Name] = c.Description
	}
	feeds := map[string]string{}
	for _, c := range slices.Backward(m.st.Components) { // the first wins
		feeds[c.Name] = "components/" + c.Feed + ".atom"
	}
	for _, name := range m.componentNames() {
		status := cmp.Or(current[name], broadcast.ComponentOperational)
		if componentRank[status] > componentRank[m.worst] {
			m.worst = status
		}
		m.components = append(m.components, ComponentData{
			Name: name, Description: descriptions[name], Status: status, Feed: feeds[name],
		})
	}
}

// componentNames lists the configured components, then the others that
// an update on the page names, in the order they first appeared. A
// component that only a retracted update named, or that a correction
// edited out (a misspelt name), is not shown: what was withdrawn leaves
// the page. Its feed stays (see siteFiles), to tell its readers.
func (m *model) componentNames() []string {
	var names []string
	listed := map[string]bool{}
	for _, c := range m.s.components {
		names = append(names, c.Name)
		listed[c.Name] = true
	}
	named := map[string]bool{}
	for _, d := range m.byID {
		for _, c := range d.Components {
			named[c.Name] = true
		}
	}
	for _, c := range m.st.Components {
		if named[c.Name] && !listed[c.Name] {
			names = append(names, c.Name)
			listed[c.Name] = true
		}
	}
	return names
}

// makeBanner sets the overall status. An open incident always shows, even
// when it marks no component.
func (m *model) makeBanner() {
	b := BannerData{Indicator: componentIndic[m.worst]}
	open, maint := 0, 0
	for _, in := range m.all {
		d := m.byID[in.ID]
		switch phaseOf(d.Status) {
		case phaseOpen:
			open++
			b.Indicator = worseIndicator(b.Indicator, impactIndicator(d.Impact))
			b.Incidents = append(b.Incidents, d)
		case phaseInProgress:
			maint++
			b.Indicator = worseIndicator(b.Indicator, "maintenance")
			b.Incidents = append(b.Incidents, d)
		}
	}
	// Open incidents first, then maintenances; newest first within each.
	slices.SortStableFunc(b.Incidents, func(x, y IncidentData) int {
		return cmp.Compare(phaseOf(x.Status), phaseOf(y.Status))
	})
	b.Status = indicatorStatus[b.Indicator]
	switch {
	case m.worst != broadcast.ComponentOperational && componentIndic[m.worst] == b.Indicator:
		// The components explain the banner.
		b.Label = m.worst.Label()
	case open == 1:
		b.Label = "Active incident"
	case open > 1:
		b.Label = "Active incidents"
	case maint > 0:
		b.Label = "Maintenance in progress"
	default:
		b.Label = "All systems operational"
	}
	m.banner = b
}

// wording is the status in Statuspage's words, for status.json.
func (m *model) wording() string {
	if m.banner.Indicator == "minor" && m.worst == broadcast.ComponentDegraded {
		return "Partially Degraded Service"
	}
	return indicatorWording[m.banner.Indicator]
}

// incident builds the view of in with the updates of its page part (from
// 1, IncidentPageUpdates a page, the newest first); with part 0 only the
// current update (see incident.current), whose status and title the
// incident has: a correction of an earlier update made later says
// nothing of where the incident stands.
func (m *model) incident(in *incident, part int) IncidentData {
	cur, start := in.current(), in.start().Time
	d := IncidentData{
		ID: in.ID, Title: cur.Title, Path: pagePath(in.File), URL: m.pageURL(in.File),
		Status: cur.Status, Started: start, ScheduledFor: start,
		Parts: m.incidentParts(in),
	}
	d.Open = phaseOf(d.Status) != phaseClosed
	if !d.Open {
		d.Resolved = resolution(in.Entries)
	}
	d.fold(in.Entries)
	d.Updated = maxTime(d.Updated, in.Retracted)
	if d.Impact == "" {
		d.Impact = broadcast.ImpactNone
		if d.Maintenance {
			d.Impact = broadcast.ImpactMaintenance
		}
	}
	d.ImpactLabel, d.Tone = impactLabel(d.Impact, d.Maintenance), impactTone(d.Impact)
	if part == 0 {
		cur := in.currentIndex()
		d.Updates, d.Earlier = []UpdateData{m.update(in, cur, d)}, cur
		return d
	}
	lo := (part - 1) * m.s.pageUpdates // from the newest
	hi := min(lo+m.s.pageUpdates, len(in.Entries))
	for k := lo; k < hi; k++ {
		d.Updates = append(d.Updates, m.update(in, len(in.Entries)-1-k, d))
	}
	d.Earlier = len(in.Entries) - hi
	return d
}

// incidentParts returns the pages of in: one per IncidentPageUpdates of
// its updates, the first at its page's path, the others numbered after
// it, "incidents/<file>.2.html" (a page name holds no dot, so none is
// another incident's).
func (m *model) incidentParts(in *incident) []MonthPart {
	parts := make([]MonthPart, max(1, (len(in.Entries)+m.s.pageUpdates-1)/m.s.pageUpdates))
	for i := range parts {
		parts[i] = MonthPart{Number: i + 1, Path: incidentPartPath(in.File, i+1)}
	}
	return parts
}

func incidentPartPath(file string, part int) string {
	if part == 1 {
		return pagePath(file)
	}
	return "incidents/" + file + "." + strconv.Itoa(part) + ".html"
}

// entryPart is the page part of in that shows its entry i.
func (m *model) entryPart(in *incident, i int) int { return (len(in.Entries)-1-i)/m.s.pageUpdates + 1 }

// updateURL is the URL of in's entry i on its page part, at its anchor.
func (m *model) updateURL(in *incident, i int) string {
	return m.s.base.String() + incidentPartPath(in.File, m.entryPart(in, i)) + "#" + anchor(in.Entries[i].ID)
}

// fold sets what d takes from all its updates, oldest first: when it last
// changed, its impact, whether it is a maintenance and when that starts,
// and the latest status of each component. A stale correction (see
// entry.Stale) counts as older than every other update: it gives an
// impact, a planned start or a component's status only where none of
// them does.
func (d *IncidentData) fold(entries []entry) {
	states := map[string]int{} // index in d.Components
	order := make([]*entry, 0, len(entries))
	for i := range entries {
		if entries[i].Stale {
			order = append(order, &entries[i])
		}
	}
	for i := range entries {
		if !entries[i].Stale {
			order = append(order, &entries[i])
		}
	}
	for _, e := range order {
		// When what an update says changed: not when another update's
		// change made it turn the incident (see entry.Turned), which
		// changes its entry in some components' feeds only, and is no
		// change of the incident but that other one, counted as its. A
		// turn that an older version counted here still counts (see
		// entry.TurnedCounted).
		d.Updated = maxTime(d.Updated, maxTime(e.said(), e.TurnedCounted))
		if e.Impact != "" {
			d.Impact = e.Impact
		}
		d.Maintenance = d.Maintenance || isMaintenance(e)
		if e.Status == broadcast.StatusScheduled && !e.NextUpdate.IsZero() {
			d.ScheduledFor = e.NextUpdate
		}
		for _, c := range e.Components {
			if j, ok := states[c.Name]; ok {
				d.Components[j].Status = c.Status
				continue
			}
			states[c.Name] = len(d.Components)
			d.Components = append(d.Components, c)
		}
	}
}

// resolution is when an incident whose current update closed it (see
// incident.current) was closed: the time of the first of the updates that
// closed it, not of the latest, so that a late correction or note of a
// resolved incident (resolved too) does not move its resolution to the
// day it was written. Stale corrections (see entry.Stale) are passed
// over: they say nothing of when it closed.
func resolution(entries []entry) time.Time {
	var at time.Time
	for i := len(entries) - 1; i >= 0; i-- {
		if e := &entries[i]; !e.Stale {
			if phaseOf(e.Status) != phaseClosed {
				break
			}
			at = e.Time
		}
	}
	if at.IsZero() { // every update a stale correction: the latest is current
		at = entries[len(entries)-1].Time
	}
	return at
}

// isMaintenance reports whether e is an update of a maintenance.
func isMaintenance(e *entry) bool {
	return e.Status.Maintenance() || e.Impact == broadcast.ImpactMaintenance
}

// update builds the view of in's entry i; the incident's view is d.
func (m *model) update(in *incident, i int, d IncidentData) UpdateData {
	e := &in.Entries[i]
	u := UpdateData{
		ID: e.ID, Anchor: anchor(e.ID), Title: e.Title, Retitled: e.Title != d.Title,
		Status: e.Status, Impact: e.Impact, Body: e.Body, Advice: e.Advice, Components: e.Components,
		Time: e.Time, NextUpdate: e.NextUpdate, Edited: e.Edited, Corrects: e.Corrects,
		Pending: e == in.current() && phaseOf(e.Status) != phaseClosed,
		Changed: changed(m.changesOf(in)[i]),
	}
	if e.URL != d.URL {
		u.URL = e.URL
	}
	if e.Corrects != "" && m.st.byUpdate[e.Corrects] == in {
		for j, x := range in.Entries {
			switch {
			case !slices.Contains(x.ids(), e.Corrects):
			case m.entryPart(in, j) == m.entryPart(in, i):
				u.CorrectsAnchor = anchor(x.ID)
			default:
				u.CorrectsURL = m.updateURL(in, j)
			}
		}
	}
	return u
}

// anchor is the element id of an update: stable, and safe whatever the
// update's ID holds.
func anchor(updateID string) string { return "update-" + shortHash(updateID) }

func pagePath(file string) string { return "incidents/" + file + ".html" }

func (m *model) pageURL(file string) string { return m.s.base.String() + pagePath(file) }

// sections returns the open incidents, the maintenances in progress and
// those scheduled, each with the updates of its page's first part.
func (m *model) sections() (active, inProgress, scheduled []IncidentData) {
	for _, in := range m.all {
		switch phaseOf(in.current().Status) {
		case phaseOpen:
			active = append(active, m.incident(in, 1))
		case phaseInProgress:
			inProgress = append(inProgress, m.incident(in, 1))
		case phaseScheduled:
			scheduled = append(scheduled, m.incident(in, 1))
		}
	}
	slices.SortStableFunc(scheduled, func(a, b IncidentData) int { return a.ScheduledFor.Compare(b.ScheduledFor) })
	return active, inProgress, scheduled
}

// history returns the latest HistoryPageIncidents closed incidents
// resolved in the last HistoryDays days, by the day they started, newest
// first, and how many more there are. An edit or a correction of an
// incident resolved before those days does not bring it back: the
// incident's resolution counts, not its last change.
func (m *model) history() (days []DayData, more int) {
	// AddDate, not a Duration, and at most 10,000 years: days of
	// "forever" would overflow either.
	since := m.now.AddDate(0, 0, -min(m.s.historyDays, 10_000*366))
	listed := 0
	for _, in := range m.all {
		d := m.byID[in.ID]
		if d.Open || d.Resolved.Before(since) {
			continue
		}
		if listed == HistoryPageIncidents {
			more++
			continue
		}
		listed++
		day := truncateDay(d.Started)
		if n := len(days); n > 0 && days[n-1].Date.Equal(day) {
			days[n-1].Incidents = append(days[n-1].Incidents, d)
			continue
		}
		days = append(days, DayData{Date: day, Incidents: []IncidentData{d}})
	}
	return days, more
}

// archive returns every closed incident by the month it started, newest
// first.
func (m *model) archive() []MonthData {
	var months []MonthData
	for _, in := range m.all {
		d := m.byID[in.ID]
		if d.Open {
			continue
		}
		y, mo, _ := d.Started.UTC().Date()
		month := time.Date(y, mo, 1, 0, 0, 0, 0, time.UTC)
		if n := len(months); n > 0 && months[n-1].Month.Equal(month) {
			months[n-1].Incidents = append(months[n-1].Incidents, d)
			continue
		}
		months = append(months, MonthData{Month: month, Path: monthPath(month), Incidents: []IncidentData{d}})
	}
	return months
}

// monthPath is the path of the (first) page of month.
func monthPath(month time.Time) string { return "history-" + month.Format("2006-01") + ".html" }

// monthParts returns the pages of mo: one per MonthPageIncidents of its
// incidents, the first at mo.Path, the others numbered after it.
func monthParts(mo MonthData) []MonthPart {
	parts := make([]MonthPart, max(1, (len(mo.Incidents)+MonthPageIncidents-1)/MonthPageIncidents))
	for i := range parts {
		parts[i] = MonthPart{Number: i + 1, Path: mo.Path}
		if i > 0 {
			parts[i].Path = "history-" + mo.Month.Format("2006-01") + "-" + strconv.Itoa(i+1) + ".html"
		}
	}
	return parts
}

// latestMonths returns the first n incidents of months (newest first), by
// month.
func latestMonths(months []MonthData, n int) []MonthData {
	var out []MonthData
	for _, mo := range months {
		if n <= 0 {
			break
		}
		mo.Incidents = mo.Incidents[:min(n, len(mo.Incidents))]
		n -= len(mo.Incidents)
		out = append(out, mo)
	}
	return out
}

func truncateDay(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// siteData describes the site for templates.
func (m *model) siteData() SiteData {
	b := m.s.branding
	dir := direction(m.s.language)
	back, forward := "←", "→"
	if dir == "rtl" {
		back, forward = forward, back
	}
	return SiteData{
		Title: b.Title, LogoURL: b.LogoURL, HomeURL: b.HomeURL, Links: b.Links,
		BaseURL: m.s.base.String(), Generated: m.now, Language: m.s.language, Direction: dir,
		Back: back, Forward: forward, HistoryDays: m.s.historyDays, Light: b.Light, Dark: b.Dark,
	}
}
