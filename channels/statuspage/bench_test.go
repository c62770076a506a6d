package statuspage

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/outagecast/outagecast/broadcast"
)

// benchNow is the clock of the benchmarks.
var benchNow = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

// seed publishes n incidents of three updates each (investigating,
// identified, resolved; some naming a component), one every spacing
// before benchNow, in one write; nil components are six.
func seed(b *testing.B, c *Channel, n int, spacing time.Duration, components []string) {
	b.Helper()
	if components == nil {
		components = []string{"API", "CDN", "Website", "Database", "Search", "Billing"}
	}
	err := c.change(context.Background(), func(st *state) (bool, []string, error) {
		var ids []string
		for i := range n {
			start := benchNow.Add(-time.Duration(n-i) * spacing)
			id := fmt.Sprintf("incident-%04d", i)
			ids = append(ids, id)
			for j, status := range []broadcast.Status{broadcast.StatusInvestigating, broadcast.StatusIdentified, broadcast.StatusResolved} {
				comp := broadcast.ComponentDegraded
				if status == broadcast.StatusResolved {
					comp = broadcast.ComponentOperational
				}
				e := entry{
					ID: fmt.Sprintf("%s-%d", id, j), Title: fmt.Sprintf("Elevated error rates on the %s (%d)", components[i%len(components)], i),
					Status: status, Impact: broadcast.ImpactMinor, Time: start.Add(time.Duration(j) * 20 * time.Minute),
					Body: "Some requests fail with 503 errors. We found a faulty configuration change and rolled it back; " +
						"error rates are back to normal and we keep watching them.",
					Components: []broadcast.Component{{Name: components[i%len(components)], Status: comp}},
				}
				if _, _, err := st.add(id, e, e.Time); err != nil {
					return false, nil, err
				}
			}
		}
		return true, ids, nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

// BenchmarkSendWithHistory is one update on a page with 1,000 incidents of
// history: the new version is written whole (unchanged files linked).
func BenchmarkSendWithHistory(b *testing.B) {
	for _, bc := range []struct {
		name    string
		spacing time.Duration
	}{
		{"one-a-day", 24 * time.Hour},     // 90 in the front page's history
		{"all-in-90-days", 2 * time.Hour}, // all 1,000 on the front page
	} {
		b.Run(bc.name, func(b *testing.B) {
			c, err := New(Config{Dir: b.TempDir(), BaseURL: "https://status.example.com/",
				Components: []ComponentInfo{{Name: "API"}, {Name: "CDN"}, {Name: "Website"}}})
			if err != nil {
				b.Fatal(err)
			}
			c.now = func() time.Time { return benchNow }
			seed(b, c, 1000, bc.spacing, nil)
			tick := 0 // the clock moves: every write changes the JSON files' updated_at
			c.now = func() time.Time { tick++; return benchNow.Add(time.Duration(tick) * time.Second) }
			var written, files, links int64
			cpu := cpuTime()
			b.ResetTimer()
			for i := range b.N {
				u := broadcast.Update{
					ID: fmt.Sprintf("bench-%d", i), IncidentID: "new-incident", Title: "Elevated latency on the API",
					Status: broadcast.StatusIdentified, Impact: broadcast.ImpactMinor, Time: benchNow.Add(time.Duration(i) * time.Second),
					Body:       "We found the cause and are rolling out a fix.",
					Components: []broadcast.Component{{Name: "API", Status: broadcast.ComponentDegraded}},
				}
				if _, err := c.Send(context.Background(), broadcast.NewMessage(u)); err != nil {
					b.Fatal(err)
				}
				written += c.stats.bytes
				files += int64(c.stats.files)
				links += int64(c.stats.links)
			}
			b.ReportMetric(float64(cpuTime()-cpu)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
			b.ReportMetric(float64(written)/float64(b.N), "written-B/op")
			b.ReportMetric(float64(files)/float64(b.N), "files-written/op")
			b.ReportMetric(float64(links)/float64(b.N), "files-linked/op")
		})
	}
}

// cpuTime is the CPU time the process used so far, user and system: what
// a write costs, apart from the waits of a busy machine.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkSendManyComponents is one update naming one component, on a
// page of many components (each with its feed) and 1,000 incidents of
// history: the feeds of the other components did not change.
func BenchmarkSendManyComponents(b *testing.B) {
	for _, n := range []int{6, 300} {
		b.Run(fmt.Sprintf("components-%d", n), func(b *testing.B) {
			var infos []ComponentInfo
			var names []string
			for i := range n {
				infos = append(infos, ComponentInfo{Name: fmt.Sprintf("Component %d", i)})
				names = append(names, infos[i].Name)
			}
			c, err := New(Config{Dir: b.TempDir(), BaseURL: "https://status.example.com/", Components: infos})
			if err != nil {
				b.Fatal(err)
			}
			c.now = func() time.Time { return benchNow }
			seed(b, c, 1000, 24*time.Hour, names)
			tick := 0
			c.now = func() time.Time { tick++; return benchNow.Add(time.Duration(tick) * time.Second) }
			var written, files, read int64
			cpu := cpuTime()
			b.ResetTimer()
			for i := range b.N {
				u := broadcast.Update{
					ID: fmt.Sprintf("bench-%d", i), IncidentID: "new-incident", Title: "Elevated latency",
					Status: broadcast.StatusIdentified, Impact: broadcast.ImpactMinor, Time: benchNow.Add(time.Duration(i) * time.Second),
					Body:       "We found the cause and are rolling out a fix.",
					Components: []broadcast.Component{{Name: "Component 1", Status: broadcast.ComponentDegraded}},
				}
				if _, err := c.Send(context.Background(), broadcast.NewMessage(u)); err != nil {
					b.Fatal(err)
				}
				written += c.stats.bytes
				files += int64(c.stats.files)
				read += c.stats.compared
			}
			b.ReportMetric(float64(cpuTime()-cpu)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
			b.ReportMetric(float64(written)/float64(b.N), "written-B/op")
			b.ReportMetric(float64(files)/float64(b.N), "files-written/op")
			b.ReportMetric(float64(read)/float64(b.N), "read-to-compare-B/op")
		})
	}
}

// BenchmarkSendNamingManyComponents is one update naming every component
// of a page of many (each with its feed), as an outage of a whole region
// does, its incident naming them all already: the work of a write grows
// with the number of components, and should not grow with its square.
// Its cases "-full" first fill every component's feed with updates of
// the incident naming them all, as a long outage of a region does, in one
// write outside the timing: each update then changes every feed whole.
func BenchmarkSendNamingManyComponents(b *testing.B) {
	for _, bc := range []struct {
		n    int
		full bool
	}{{300, false}, {1000, false}, {300, true}} {
		n := bc.n
		name := fmt.Sprintf("components-%d", n)
		if bc.full {
			name += "-full"
		}
		b.Run(name, func(b *testing.B) {
			infos := make([]ComponentInfo, n)
			comps := make([]broadcast.Component, n)
			for i := range n {
				infos[i] = ComponentInfo{Name: fmt.Sprintf("Component %d", i)}
				comps[i] = broadcast.Component{Name: infos[i].Name, Status: broadcast.ComponentDegraded}
			}
			c, err := New(Config{Dir: b.TempDir(), BaseURL: "https://status.example.com/", Components: infos})
			if err != nil {
				b.Fatal(err)
			}
			tick := 0
			c.now = func() time.Time { tick++; return benchNow.Add(time.Duration(tick) * time.Second) }
			send := func(i int) {
				u := broadcast.Update{
					ID: fmt.Sprintf("bench-%d", i), IncidentID: "region-outage", Title: "Outage of a region",
					Status: broadcast.StatusIdentified, Impact: broadcast.ImpactMajor, Time: benchNow.Add(time.Duration(i) * time.Second),
					Body: "We found the cause and are rolling out a fix.", Components: comps,
				}
				if _, err := c.Send(context.Background(), broadcast.NewMessage(u)); err != nil {
					b.Fatal(err)
				}
			}
			send(-1) // the incident names them all already
			if bc.full {
				fill(b, c, "region-outage", c.s.feedEntries, comps)
			}
			var written, files int64
			cpu := cpuTime()
			b.ResetTimer()
			for i := range b.N {
				send(i)
				written += c.stats.bytes
				files += int64(c.stats.files)
			}
			b.ReportMetric(float64(cpuTime()-cpu)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
			b.ReportMetric(float64(written)/float64(b.N), "written-B/op")
			b.ReportMetric(float64(files)/float64(b.N), "files-written/op")
		})
	}
}

// fill adds n updates naming comps to the incident incidentID, a minute
// apart before benchNow, in one write: enough to fill every feed that
// holds them.
func fill(b *testing.B, c *Channel, incidentID string, n int, comps []broadcast.Component) {
	b.Helper()
	err := c.change(context.Background(), func(st *state) (bool, []string, error) {
		for i := range n {
			e := entry{
				ID: fmt.Sprintf("fill-%d", i), Title: "Outage of a region",
				Status: broadcast.StatusIdentified, Impact: broadcast.ImpactMajor,
				Time: benchNow.Add(-time.Duration(n-i) * time.Minute),
				Body: "We found the cause and are rolling out a fix.", Components: comps,
			}
			if _, _, err := st.add(incidentID, e, e.Time); err != nil {
				return false, nil, err
			}
		}
		return true, []string{incidentID}, nil
	})
	if err != nil {
		b.Fatal(err)
	}
}
