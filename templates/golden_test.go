package templates_test

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/templates"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

var allStatuses = []broadcast.Status{
	broadcast.StatusInvestigating, broadcast.StatusIdentified, broadcast.StatusMonitoring,
	broadcast.StatusResolved, broadcast.StatusScheduled, broadcast.StatusInProgress,
	broadcast.StatusVerifying, broadcast.StatusCompleted,
}

var allNames = []string{"short", "subject", "text", "html", "markdown"}

// representative is an update that uses every field the defaults show,
// with characters that HTML and Markdown must escape.
func representative(status broadcast.Status) broadcast.Update {
	return broadcast.Update{
		ID:         "u_42",
		IncidentID: "cdn-errors",
		Title:      "Elevated CDN error rates",
		Status:     status,
		Impact:     broadcast.ImpactMajor,
		Body: "We are investigating elevated error rates on the CDN in Europe. " +
			"Some requests fail with <502 Bad Gateway> & time-outs.\n\n" +
			"Customers using *.example.net may see stale_assets.",
		Components: []broadcast.Component{
			{Name: "CDN", Status: broadcast.ComponentMajorOutage},
			{Name: "API", Status: broadcast.ComponentDegraded},
		},
		URL:        "https://status.example.com/incidents/42",
		Time:       time.Date(2025, 11, 24, 13, 45, 0, 0, time.UTC),
		NextUpdate: time.Date(2025, 11, 24, 14, 30, 0, 0, time.UTC),
	}
}

// goldenCases are the updates of the golden files beyond the
// representative one: "<case>.<status>.<name>.golden". Together they cover
// advice, a correction, both, and advice of several lines, in every short
// variant.
var goldenCases = []struct {
	name     string
	statuses []broadcast.Status
	change   func(u *broadcast.Update)
}{
	{"advice", []broadcast.Status{broadcast.StatusInvestigating, broadcast.StatusResolved, broadcast.StatusCompleted},
		func(u *broadcast.Update) {
			u.Advice = "Retry failed requests with backoff; use cdn-eu.example.net for <static> & media"
		}},
	{"correction", []broadcast.Status{broadcast.StatusIdentified, broadcast.StatusResolved},
		func(u *broadcast.Update) { u.Corrects = "u_41" }},
	{"advice-correction", []broadcast.Status{broadcast.StatusMonitoring, broadcast.StatusCompleted},
		func(u *broadcast.Update) { u.Advice = "No action needed."; u.Corrects = "u_41" }},
	{"advice-lines", []broadcast.Status{broadcast.StatusInProgress, broadcast.StatusResolved},
		func(u *broadcast.Update) {
			u.Advice = "1. Retry with backoff.\n2. If that fails, use the *EU* endpoint:\nhttps://eu.example.com/api_v2\n\n- Nothing else is needed."
		}},
}

func TestGolden(t *testing.T) {
	for _, status := range allStatuses {
		checkGolden(t, string(status), representative(status))
	}
	for _, c := range goldenCases {
		for _, status := range c.statuses {
			u := representative(status)
			c.change(&u)
			checkGolden(t, c.name+"."+string(status), u)
		}
	}
}

func checkGolden(t *testing.T, prefix string, u broadcast.Update) {
	set := templates.Default()
	for _, name := range allNames {
		t.Run(prefix+"/"+name, func(t *testing.T) {
			got, err := set.Render(name, u)
			require.NoError(t, err)
			file := filepath.Join("testdata", "golden", prefix+"."+name+".golden")
			if *update {
				require.NoError(t, os.WriteFile(file, []byte(got+"\n"), 0o644))
			}
			want, err := os.ReadFile(file)
			require.NoError(t, err, "run go test ./templates -update to create it")
			assert.Equal(t, string(want), got+"\n")
		})
	}
}
