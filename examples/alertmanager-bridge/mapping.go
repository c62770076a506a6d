package main

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/examples/internal/pagelink"
	"github.com/outagecast/outagecast/templates"
)

// severities maps the values of the "severity" label, in lower case, to
// impacts. Other values give no impact.
var severities = map[string]broadcast.Impact{
	"critical":      broadcast.ImpactCritical,
	"page":          broadcast.ImpactCritical,
	"emergency":     broadcast.ImpactCritical,
	"fatal":         broadcast.ImpactCritical,
	"major":         broadcast.ImpactMajor,
	"error":         broadcast.ImpactMajor,
	"high":          broadcast.ImpactMajor,
	"warning":       broadcast.ImpactMinor,
	"warn":          broadcast.ImpactMinor,
	"minor":         broadcast.ImpactMinor,
	"medium":        broadcast.ImpactMinor,
	"info":          broadcast.ImpactNone,
	"informational": broadcast.ImpactNone,
	"low":           broadcast.ImpactNone,
	"none":          broadcast.ImpactNone,
}

// severity is the impact of a's "severity" label (see severities), read
// in any case and without surrounding white space: a label templated in a
// YAML block scalar ends in a line break.
func severity(a alert) broadcast.Impact {
	return severities[strings.ToLower(strings.TrimSpace(a.Labels["severity"]))]
}

// impactRank orders impacts, to pick the worst of a group's alerts.
var impactRank = map[broadcast.Impact]int{
	"": 0, broadcast.ImpactNone: 1, broadcast.ImpactMinor: 2, broadcast.ImpactMajor: 3, broadcast.ImpactCritical: 4,
}

// mapping turns notifications into updates.
type mapping struct {
	url string // -url: link put in every update instead of the payload's
	// page is the configuration's status page (kind statuspage), whose
	// page of the incident is the link of an update without -url, when
	// the page has it or the update makes it (see pageless); nil without
	// one.
	page *pagelink.Page
}

// incident is what the bridge keeps of an alert group's incident between
// notifications (see handler.incident): each notification shows only the
// alerts of the group at that flush, and with max_alerts only some of
// them, but the incident is the group's as a whole.
type incident struct {
	// Title is the title of the incident's first update: the incident's
	// name, whatever alerts join or leave the group.
	Title string
	// Impact is the impact of the incident's latest update.
	Impact broadcast.Impact
	// Update and Content are the id and the content (see content) of the
	// incident's latest update, and Time its Time (zero in a record
	// written before the bridge kept it).
	Update, Content string
	Time            time.Time
	// Senders are the Alertmanagers (senderKey of each externalURL) whose
	// notification of the latest update reached the bridge: none in a
	// record written before the bridge kept them (see handler.again). An
	// Alertmanager is counted only when its notification cannot be a late
	// copy of an earlier update (see handler.again).
	Senders []string
	// Last holds, for each Alertmanager (senderKey) whose notification was
	// answered while the latest update was the latest, the id of its last
	// such notification (updateID, not the update it was taken for); a
	// notification answered 500, which Alertmanager sends again, is not
	// counted.
	// Earlier holds the same for notifications answered before the latest
	// update went out: what each Alertmanager said last before it. Both
	// are empty in a record written before the bridge kept them.
	Last, Earlier map[string]string
}

// update maps a notification of the incident prev (zero for a group none
// of whose updates went out) to an Update. See the package documentation
// for the rules.
func (m mapping) update(p *payload, prev incident) broadcast.Update {
	st := state(p)
	return broadcast.Update{
		ID:         updateID(p),
		IncidentID: incidentID(p.GroupKey),
		Title:      cmp.Or(prev.Title, title(p)),
		Status:     st,
		Impact:     impact(p, prev.Impact),
		Body:       body(p, st),
		Components: components(p),
		URL:        m.link(p),
		Advice:     advice(p, st),
	}
}

// state is the status of the whole group: investigating while the
// notification or any of its alerts fires; resolved only when every alert
// of the group is known to be: with max_alerts, Alertmanager computes the
// status from the alerts it sends, so a group whose shown alerts resolved
// while others were left out (truncatedAlerts) is only monitoring.
func state(p *payload) broadcast.Status {
	switch {
	case p.Status == statusFiring || slices.ContainsFunc(p.Alerts, func(a alert) bool { return a.Status == statusFiring }):
		return broadcast.StatusInvestigating
	case p.TruncatedAlerts > 0:
		return broadcast.StatusMonitoring
	}
	return broadcast.StatusResolved
}

// incidentID is the incident of an alert group: "am-" and a hash of the
// group key, the same for every notification of the group.
func incidentID(groupKey string) string {
	sum := sha256.Sum256([]byte(groupKey))
	return "am-" + hex.EncodeToString(sum[:10])
}

// updateID identifies a notification by what changes between the ones
// that say something new: the group's status and each alert's
// fingerprint, status, start and (once resolved) end, and the number of
// alerts max_alerts left out. Alertmanager's
// retries and repeat notifications of an unchanged group get the same ID,
// so the Broadcaster sends them nowhere twice.
func updateID(p *payload) string {
	keys := make([]string, len(p.Alerts))
	for i, a := range p.Alerts {
		k := fmt.Sprintf("%s|%s|%s", a.Fingerprint, a.Status, a.StartsAt.UTC().Format(time.RFC3339Nano))
		if a.Status == statusResolved {
			k += "|" + a.EndsAt.UTC().Format(time.RFC3339Nano)
		}
		if a.Fingerprint == "" {
			k += "|" + labelString(a.Labels)
		}
		keys[i] = k
	}
	sort.Strings(keys)
	h := sha256.New()
	fmt.Fprintf(h, "%d:%s;%s;", len(p.GroupKey), p.GroupKey, p.Status)
	if p.TruncatedAlerts > 0 {
		// Hidden alerts that start firing or resolve change only this
		// count. Left out when zero, so ids of untruncated groups stay as
		// they were.
		fmt.Fprintf(h, "truncated:%d;", p.TruncatedAlerts)
	}
	for _, k := range keys {
		fmt.Fprintf(h, "%d:%s;", len(k), k)
	}
	return "am_" + hex.EncodeToString(h.Sum(nil)[:16])
}

// content is a digest of what u says: its status, title, impact, body,
// components that are not operational (in any order) and advice, not its
// link, which without -url or a status page is the externalURL of the
// Alertmanager that sent it, another for each of a pair. A
// notification whose update says what the incident's latest said is that
// update again: Alertmanager sends one at repeat_interval after it dropped
// the group's resolved alerts, and after an alert resolved and fired again
// between two flushes, each with other alerts, so another id, but nothing
// new. An operational component says nothing an update without it does
// not: the repeat after a resolved alert was dropped no longer names its
// component, which channels keep operational, as the update before said.
func content(u broadcast.Update) string { return digest(u, false) }

// sameContent reports whether recorded, the content of the incident's
// latest update, is what u says: content(u), or the digest earlier
// versions recorded, which took the link in too, so that the first repeat
// after an upgrade is not posted again.
func sameContent(recorded string, u broadcast.Update) bool {
	return recorded == content(u) || recorded == digest(u, true)
}

// digest is content, with u's link too if withLink.
func digest(u broadcast.Update, withLink bool) string {
	comps := slices.DeleteFunc(slices.Clone(u.Components), func(c broadcast.Component) bool {
		return c.Status == broadcast.ComponentOperational
	})
	slices.SortFunc(comps, func(a, b broadcast.Component) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.Status, b.Status))
	})
	h := sha256.New()
	fields := []string{string(u.Status), u.Title, string(u.Impact), u.Body, u.Advice}
	if withLink {
		fields = append(fields, u.URL)
	}
	for _, s := range fields {
		fmt.Fprintf(h, "%d:%s;", len(s), s)
	}
	for _, c := range comps {
		fmt.Fprintf(h, "%d:%s;%s;", len(c.Name), c.Name, c.Status)
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

func labelString(l map[string]string) string {
	keys := make([]string, 0, len(l))
	for k := range l {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%q=%q,", k, l[k])
	}
	return b.String()
}

// title is the common summary, else the common alert name, else the
// first alert's summary or name, and " and N more" when there are other
// alerts: with what the alert's text leaves open of the right-to-left (or
// left-to-right) embeddings, overrides and isolates closed before those
// words (templates.BalanceBidi), which would otherwise show reversed. A
// summary too long for the title with those words is cut, not the words.
func title(p *payload) string {
	t := firstOf(p.CommonAnnotations["summary"], p.CommonLabels["alertname"], p.GroupLabels["alertname"])
	if t == "" {
		a := p.Alerts[0]
		t = firstOf(a.Annotations["summary"], a.Labels["alertname"], "Alert")
		if n := plus(len(p.Alerts)-1, p.TruncatedAlerts); n > 0 {
			more := fmt.Sprintf(" and %d more", n)
			return fitBalanced(oneLine(t), broadcast.MaxTitleLength-utf8.RuneCountInString(more)) + more
		}
	}
	return truncate(oneLine(t), broadcast.MaxTitleLength)
}

// fitBalanced is s cut to at most n characters, as truncate cuts it, with
// what it leaves open of the bidi embeddings, overrides and isolates
// closed (templates.BalanceBidi), the closing characters counted in n.
func fitBalanced(s string, n int) string {
	for cut := n; ; {
		b := templates.BalanceBidi(truncate(s, cut))
		over := utf8.RuneCountInString(b) - n
		if over <= 0 || cut <= 1 {
			return b
		}
		cut = max(cut-over, 1)
	}
}

// oneLine is s with each run of white space, line breaks included, made
// one space, and none at either end.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// resolvedBody is the body of a resolved group: the descriptions describe
// the problem as it was.
const resolvedBody = "This incident has been resolved."

// monitoringBody is the body of a group whose shown alerts resolved while
// max_alerts left others out.
const monitoringBody = "The alerts shown have resolved; %d more are not shown and may still be firing."

// body is, for a firing group, the firing alerts' descriptions (else
// message, else summary annotations), each once, in order, separated by
// blank lines, as many as fit, and a last line counting the alerts not
// shown (left out by max_alerts, or whose descriptions did not fit); for
// a resolved group, resolvedBody; for one only monitoring, monitoringBody.
func body(p *payload, st broadcast.Status) string {
	switch st {
	case broadcast.StatusResolved:
		return resolvedBody
	case broadcast.StatusMonitoring:
		return fmt.Sprintf(monitoringBody, p.TruncatedAlerts)
	}
	return describe(p, statusFiring, broadcast.MaxBodyLength)
}

// unannouncedBody opens the body of a resolved group none of whose earlier
// updates is on record.
const unannouncedBody = "This incident has been resolved. While it lasted, the alerts reported:"

// resolvedUnannouncedBody is the body of a resolved group none of whose
// earlier updates is on record: it may be the first customers read of the
// incident, so it says what the alerts reported, as a firing group's body
// does; when they reported nothing (no description, message or summary),
// resolvedBody, rather than a sentence announcing what does not follow.
func resolvedUnannouncedBody(p *payload) string {
	d := describe(p, statusResolved, broadcast.MaxBodyLength-len(unannouncedBody)-2)
	if d == "" {
		return resolvedBody
	}
	return unannouncedBody + "\n\n" + d
}

// describe is the descriptions of the alerts whose status is status, as
// body says, in at most limit characters.
func describe(p *payload, status string, limit int) string {
	room := limit - 50 // the count of alerts not shown fits in the rest
	seen := map[string]bool{}
	var parts []string
	size, hidden := 0, p.TruncatedAlerts
	for _, a := range p.Alerts {
		d := strings.TrimSpace(firstOf(a.Annotations["description"], a.Annotations["message"], a.Annotations["summary"]))
		if a.Status != status || d == "" || seen[d] {
			continue
		}
		seen[d] = true
		n := utf8.RuneCountInString(d) + 2
		switch {
		case size+n <= room:
		case len(parts) == 0:
			d, n = truncate(d, room), room
		default:
			seen[d] = false // its other alerts are not shown either
			hidden = plus(hidden, 1)
			continue
		}
		parts = append(parts, d)
		size += n
	}
	if len(parts) == 0 {
		parts = append(parts, truncate(strings.TrimSpace(text(p.CommonAnnotations["description"])), room))
	}
	if hidden > 0 {
		parts = append(parts, fmt.Sprintf("(%d more alerts not shown.)", hidden))
	}
	return strings.TrimSpace(strings.Join(parts, "\n\n"))
}

// plus is a+b for counts (0 or more), at most the largest int: a
// truncatedAlerts near it would wrap round to a negative count, which
// title and describe then leave out.
func plus(a, b int) int {
	if a > math.MaxInt-b {
		return math.MaxInt
	}
	return a + b
}

// adviceKeys are the annotations that hold advice for customers, in the
// order they are looked for.
var adviceKeys = []string{"customer_advice", "advice"}

// alertLabels and alertAnnotations are the labels and annotations of an
// alert the mapping reads; decoding keeps no others.
var (
	alertLabels      = []string{"alertname", "severity", "component", "service"}
	alertAnnotations = append([]string{"summary", "description", "message"}, adviceKeys...)
)

// advice is the common annotations' advice, else, for a firing group, the
// first firing alert's.
func advice(p *payload, st broadcast.Status) string {
	for _, k := range adviceKeys {
		if a := strings.TrimSpace(text(p.CommonAnnotations[k])); a != "" {
			return truncate(a, broadcast.MaxAdviceLength)
		}
	}
	if st != broadcast.StatusInvestigating {
		return "" // the alerts' advice was for the problem
	}
	for _, a := range p.Alerts {
		for _, k := range adviceKeys {
			if v := strings.TrimSpace(text(a.Annotations[k])); v != "" && a.Status == statusFiring {
				return truncate(v, broadcast.MaxAdviceLength)
			}
		}
	}
	return ""
}

// impact is the highest severity among the firing alerts: those resolved
// no longer weigh. When max_alerts left alerts out, prev, the incident's
// impact so far, when higher: a hidden alert may still fire with it. A
// notification without firing alerts (resolved, or monitoring) keeps prev,
// the impact the incident had; else, for an incident with no earlier
// update, it has the highest severity of its alerts.
func impact(p *payload, prev broadcast.Impact) broadcast.Impact {
	var firing, all broadcast.Impact
	anyFiring := false
	for _, a := range p.Alerts {
		i := severity(a)
		all = higher(all, i)
		if a.Status == statusFiring {
			firing, anyFiring = higher(firing, i), true
		}
	}
	switch {
	case !anyFiring:
		return cmp.Or(prev, all)
	case p.TruncatedAlerts > 0:
		return higher(firing, prev)
	}
	return firing
}

// higher returns the higher of two impacts.
func higher(a, b broadcast.Impact) broadcast.Impact {
	if impactRank[b] > impactRank[a] {
		return b
	}
	return a
}

// components lists the values of the alerts' "component" (else
// "service") label: operational once its alerts resolved, else by impact.
// Labels that differ only in case or white space (a line break, a run of
// spaces: every channel shows one space) name one component, as the first
// spells it, with the worst status among them: listed twice, a status page
// that finds components by name regardless of case would take the last.
// When max_alerts left alerts out, a component whose shown alerts resolved
// is left out too (channels keep its status): hidden ones may name it.
func components(p *payload) []broadcast.Component {
	var out []broadcast.Component
	index := map[string]int{}
	for _, a := range p.Alerts {
		name := strings.Join(strings.Fields(firstOf(a.Labels["component"], a.Labels["service"])), " ")
		name = truncate(name, broadcast.MaxComponentNameLength)
		if name == "" {
			continue
		}
		st := componentStatus(a)
		key := broadcast.ComponentKey(name)
		if i, ok := index[key]; ok {
			if st != broadcast.ComponentOperational {
				out[i].Status = worse(out[i].Status, st)
			}
			continue
		}
		index[key] = len(out)
		out = append(out, broadcast.Component{Name: name, Status: st})
	}
	if p.TruncatedAlerts > 0 {
		out = slices.DeleteFunc(out, func(c broadcast.Component) bool { return c.Status == broadcast.ComponentOperational })
	}
	return fit(out)
}

// fit keeps at most broadcast.MaxComponents of comps, the most an update
// lists (more is an invalid update, a 400 Alertmanager does not retry), in
// their order: those left out are the least affected, operational first,
// and of one status the last.
func fit(comps []broadcast.Component) []broadcast.Component {
	drop := len(comps) - broadcast.MaxComponents
	if drop <= 0 {
		return comps
	}
	var cut [4]int // how many of each rank (see componentRank) to leave out
	for _, c := range comps {
		cut[componentRank[c.Status]]++
	}
	for r := range cut {
		cut[r] = min(cut[r], drop)
		drop -= cut[r]
	}
	out := make([]broadcast.Component, 0, broadcast.MaxComponents)
	for i := len(comps) - 1; i >= 0; i-- {
		if r := componentRank[comps[i].Status]; cut[r] > 0 {
			cut[r]--
			continue
		}
		out = append(out, comps[i])
	}
	slices.Reverse(out)
	return out
}

func componentStatus(a alert) broadcast.ComponentStatus {
	if a.Status == statusResolved {
		return broadcast.ComponentOperational
	}
	switch severity(a) {
	case broadcast.ImpactCritical:
		return broadcast.ComponentMajorOutage
	case broadcast.ImpactMajor:
		return broadcast.ComponentPartialOutage
	}
	return broadcast.ComponentDegraded
}

var componentRank = map[broadcast.ComponentStatus]int{
	broadcast.ComponentOperational: 0, broadcast.ComponentDegraded: 1,
	broadcast.ComponentPartialOutage: 2, broadcast.ComponentMajorOutage: 3,
}

func worse(a, b broadcast.ComponentStatus) broadcast.ComponentStatus {
	if componentRank[b] > componentRank[a] || a == broadcast.ComponentOperational {
		return b
	}
	return a
}

// link is -url, else the incident's page on the status page, else the
// payload's externalURL, else the first alert's generatorURL, whichever
// is an absolute http(s) URL.
func (m mapping) link(p *payload) string {
	cands := []string{m.url}
	if m.page != nil {
		cands = append(cands, m.page.URL(incidentID(p.GroupKey)))
	}
	cands = append(cands, p.ExternalURL)
	for _, a := range p.Alerts {
		cands = append(cands, a.GeneratorURL)
	}
	for _, c := range cands {
		if isHTTPURL(c) {
			return c
		}
	}
	return ""
}

// pageless returns u, whose link is the incident's page on the status
// page, linked as if there were no status page when the page will not
// have the incident (see pagelink.Page.Link, which reads b): the link
// would lead nowhere.
func (m mapping) pageless(ctx context.Context, b pagelink.Reader, p *payload, u broadcast.Update) broadcast.Update {
	if m.page == nil || isHTTPURL(m.url) || u.URL != m.page.URL(u.IncidentID) || m.page.Link(ctx, b, u, "") != "" {
		return u
	}
	u.URL = mapping{}.link(p)
	return u
}

// isHTTPURL reports whether s is a URL an update can carry (see urlProblem).
func isHTTPURL(s string) bool { return s != "" && urlProblem(s) == nil }

// urlProblem says why an update cannot carry s as its URL (an absolute
// http(s) URL without credentials, which every channel would post for all
// to see), as broadcast.Update.Validate does: nil when it can. The error
// does not repeat s.
func urlProblem(s string) error {
	err := broadcast.Update{Title: "-", Status: broadcast.StatusInvestigating, URL: s}.Validate()
	if err != nil {
		_, why, _ := strings.Cut(err.Error(), "URL: ")
		return errors.New(cmp.Or(why, err.Error()))
	}
	return nil
}

// firstOf returns the first of vals that is not blank once made valid
// (see text), made valid.
func firstOf(vals ...string) string {
	for _, v := range vals {
		if v = text(v); !broadcast.Blank(v) {
			return v
		}
	}
	return ""
}

// text makes alert text valid in an update, so that no well-formed
// notification is refused: invalid UTF-8 and NUL, which Validate rejects,
// are dropped, and so are the escape sequences and control characters the
// Broadcaster would remove (broadcast.Update.Clean), so that text made of
// them alone counts as missing. Line breaks and tabs stay.
func text(s string) string {
	s = strings.ReplaceAll(strings.ToValidUTF8(s, ""), "\x00", "")
	return broadcast.Update{Body: s}.Clean().Body
}

// truncate cuts s to at most n characters, ending in "…".
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}
