package statuspage_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/statuspage"
)

// shown is an update the page shows, as the test keeps it.
type shown struct {
	id    string
	time  time.Time
	seq   int
	stale bool
	comps []broadcast.Component
}

// foldChanges returns, for each of updates (in the page's order), the
// components it names with the status the incident gave each before it
// and the one it gives, as "name:old>new" with names in lower case. The
// incident gives a component the status of its latest update naming it
// that is no stale correction; a stale correction gives one only where
// no such update does (the package doc), and moves nothing after it.
func foldChanges(updates []shown) [][]string {
	given, staleGiven := map[string]broadcast.ComponentStatus{}, map[string]broadcast.ComponentStatus{}
	out := make([][]string, len(updates))
	for i, u := range updates {
		for _, c := range u.comps {
			name := strings.ToLower(c.Name)
			old, ok := given[name]
			if !ok {
				old, ok = staleGiven[name]
			}
			if !ok {
				old = broadcast.ComponentOperational
			}
			out[i] = append(out[i], fmt.Sprintf("%s:%s>%s", name, old, c.Status))
		}
		for _, c := range u.comps {
			if u.stale {
				staleGiven[strings.ToLower(c.Name)] = c.Status
			} else {
				given[strings.ToLower(c.Name)] = c.Status
			}
		}
	}
	return out
}

// Over random Sends (some of them stale corrections, Message.Current
// false), Edits in place and Retracts, each update's "Changed" list on
// its incident's page and its affected_components in incidents.json say
// what an independent fold of the updates on the page says: the status
// each component had before the update (that of the latest earlier
// update naming it, a stale correction's only where no other does;
// operational when none did) and the one it gives.
func TestChangesFollowVisibleUpdates(t *testing.T) {
	for seed := range uint64(20) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) { checkChangesRandom(t, seed) })
	}
}

func checkChangesRandom(t *testing.T, seed uint64) {
	ctx := context.Background()
	r := rand.New(rand.NewPCG(seed, 54))
	p := newPage(t, statuspage.Config{})
	names := []string{"API", "api", "CDN", "Db", "DB"}
	statuses := []broadcast.ComponentStatus{broadcast.ComponentOperational, broadcast.ComponentDegraded,
		broadcast.ComponentPartialOutage, broadcast.ComponentMajorOutage}
	incidents := map[string][]shown{}
	seq, n := 0, 0
	randomComps := func() []broadcast.Component {
		var out []broadcast.Component
		seen := map[string]bool{}
		for range r.IntN(4) {
			name := names[r.IntN(len(names))]
			if seen[strings.ToLower(name)] {
				continue
			}
			seen[strings.ToLower(name)] = true
			out = append(out, comp(name, statuses[r.IntN(len(statuses))]))
		}
		return out
	}
	var log []string
	for range 14 {
		n++
		incident := []string{"a", "b"}[r.IntN(2)]
		visible := incidents[incident]
		switch op := r.IntN(10); {
		case op < 2 && len(visible) > 0: // edit in place
			k := r.IntN(len(visible))
			fix := update(incident, fmt.Sprintf("%s-fix%d", incident, n), r.IntN(60),
				broadcast.StatusIdentified, randomComps()...)
			fix.Corrects = visible[k].id
			_, err := p.ch.Edit(ctx, broadcast.NewMessage(fix), broadcast.Receipt{ID: visible[k].id})
			require.NoError(t, err)
			visible[k].comps = fix.Components
			log = append(log, fmt.Sprintf("edit %s %v", visible[k].id, fix.Components))
		case op < 4 && len(visible) > 0: // retract
			k := r.IntN(len(visible))
			require.NoError(t, p.ch.Retract(ctx, broadcast.Receipt{ID: visible[k].id}))
			log = append(log, "retract "+visible[k].id)
			visible = slices.Delete(visible, k, k+1)
		default: // send, a stale correction at times
			u := update(incident, fmt.Sprintf("%s%d", incident, n), r.IntN(60),
				[]broadcast.Status{broadcast.StatusInvestigating, broadcast.StatusIdentified, broadcast.StatusResolved}[r.IntN(3)],
				randomComps()...)
			m := broadcast.NewMessage(u)
			stale := false
			if len(visible) > 1 && r.IntN(3) == 0 {
				m.Update.Corrects = visible[0].id
				m.Thread.Last.UpdateID = visible[len(visible)-1].id
				stale = !m.Current()
			}
			_, err := p.ch.Send(ctx, m)
			require.NoError(t, err)
			seq++
			visible = append(visible, shown{id: u.ID, time: m.Update.Time, seq: seq, stale: stale, comps: u.Components})
			slices.SortStableFunc(visible, func(a, b shown) int {
				if c := a.time.Compare(b.time); c != 0 {
					return c
				}
				return a.seq - b.seq
			})
			log = append(log, fmt.Sprintf("send %s stale=%v %v", u.ID, stale, u.Components))
		}
		incidents[incident] = visible
	}

	s := p.site()
	for incident, visible := range incidents {
		if len(visible) == 0 {
			continue
		}
		want := foldChanges(visible)
		lines := changedLines(s.Pages["incidents/"+incident+".html"])
		api := apiIncident(s, incident)
		require.NotNil(t, api, "incident %s in incidents.json", incident)
		affected := map[string][]string{}
		for _, u := range api["incident_updates"].([]any) {
			u := u.(map[string]any)
			var got []string
			list, _ := u["affected_components"].([]any)
			for _, c := range list {
				c := c.(map[string]any)
				got = append(got, fmt.Sprintf("%s:%s>%s", strings.ToLower(c["name"].(string)), c["old_status"], c["new_status"]))
			}
			affected[u["id"].(string)] = got
		}
		for i, u := range visible {
			require.Equal(t, want[i], affected[u.id], "incidents.json, update %s of %s; ops:\n%s", u.id, incident, strings.Join(log, "\n"))
			var line []string
			for _, c := range want[i] {
				name, change, _ := strings.Cut(c, ":")
				old, new, _ := strings.Cut(change, ">")
				if old != new {
					line = append(line, fmt.Sprintf("%s (%s)", name, broadcast.ComponentStatus(new).Label()))
				}
			}
			wantLine := ""
			if len(line) > 0 {
				wantLine = "Changed: " + strings.Join(line, ", ")
			}
			require.Equal(t, strings.ToLower(wantLine), strings.ToLower(lines[u.id]), "the page, update %s of %s; ops:\n%s", u.id, incident, strings.Join(log, "\n"))
		}
	}
}

// A stale correction (Message.Current false: it says what an older
// update should have said) does not say where the incident stands: the
// update after it changed API from the status the incident gave it, not
// from the correction's. The page showed "Changed: API (Degraded
// performance)" on a3, which changed nothing, and the JSON gave it
// old_status major_outage.
func TestChangesAfterStaleCorrection(t *testing.T) {
	p := newPage(t, statuspage.Config{})
	p.send(update("a", "a1", 0, broadcast.StatusInvestigating, comp("API", broadcast.ComponentMajorOutage)))
	p.send(update("a", "a2", 10, broadcast.StatusIdentified, comp("API", broadcast.ComponentDegraded)))
	fix := update("a", "a1-fix", 20, broadcast.StatusInvestigating, comp("API", broadcast.ComponentMajorOutage))
	fix.Corrects = "a1"
	m := broadcast.NewMessage(fix)
	m.Thread.Last.UpdateID = "a2"
	require.False(t, m.Current())
	_, err := p.ch.Send(context.Background(), m)
	require.NoError(t, err)
	p.send(update("a", "a3", 30, broadcast.StatusMonitoring, comp("API", broadcast.ComponentDegraded)))

	s := p.site()
	require.Equal(t, "", changedLines(s.Pages["incidents/a.html"])["a3"], "a3 changed nothing")
	for _, u := range apiIncident(s, "a")["incident_updates"].([]any) {
		if u := u.(map[string]any); u["id"] == "a3" {
			c := u["affected_components"].([]any)[0].(map[string]any)
			require.Equal(t, "degraded_performance", c["old_status"])
		}
	}
}
