package statuspage_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/statuspage"
)

// apiTimeLayout is how Statuspage's API writes a time of a page in UTC:
// to the millisecond, three digits always ("2024-04-09T18:50:21.343Z").
const apiTimeLayout = "2006-01-02T15:04:05.000Z"

// apiTimes returns every time of the JSON value v by where it is: the
// values of keys that Statuspage's API gives a time ("…_at",
// scheduled_for, scheduled_until), null ones left out.
func apiTimes(where string, v any, out map[string]any) {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			if (strings.HasSuffix(k, "_at") || k == "scheduled_for" || k == "scheduled_until") && e != nil {
				out[where+"."+k] = e
				continue
			}
			apiTimes(where+"."+k, e, out)
		}
	case []any:
		for i, e := range v {
			apiTimes(fmt.Sprintf("%s[%d]", where, i), e, out)
		}
	}
}

// The JSON wrote times to the nanosecond ("…00.123456789Z"), where
// Statuspage's API writes milliseconds ("2024-04-09T18:50:21.343Z"):
// strict parsers of other languages refuse nine fractional digits. Every
// time of every JSON file is now in UTC to the millisecond, cut rather
// than rounded, and updates within one millisecond keep their order.
func TestAPITimesInMilliseconds(t *testing.T) {
	p := newPage(t, statuspage.Config{Components: []statuspage.ComponentInfo{{Name: "API"}, {Name: "Database"}}})
	ns := func(u broadcast.Update, d time.Duration) broadcast.Update {
		u.Time = u.Time.Add(d)
		return u
	}
	p.now = t0.Add(987654321 * time.Nanosecond)
	p.send(ns(update("old", "o1", 0, broadcast.StatusInvestigating, comp("API", broadcast.ComponentMajorOutage)), 123456789))
	p.send(ns(update("old", "o2", 5, broadcast.StatusResolved, comp("API", broadcast.ComponentOperational)), 999999999))
	p.send(ns(update("open", "n1", 10, broadcast.StatusInvestigating, comp("API", broadcast.ComponentDegraded)), 400100))
	p.send(ns(update("open", "n2", 10, broadcast.StatusMonitoring, comp("API", broadcast.ComponentPartialOutage)), 400900))
	p.send(ns(maintenance("later", "m1", 20, broadcast.StatusScheduled), 1))
	p.send(ns(maintenance("now", "w1", 25, broadcast.StatusInProgress), 5e8+7))
	site := p.site()

	times := map[string]any{}
	for path, v := range site.JSON {
		apiTimes(path, v, times)
	}
	keys := map[string]bool{}
	for where, v := range times {
		keys[where[strings.LastIndex(where, ".")+1:]] = true
		s, ok := v.(string)
		if assert.True(t, ok, "%s: %v is a string", where, v) {
			_, err := time.Parse(apiTimeLayout, s)
			assert.NoError(t, err, "%s: %s in milliseconds", where, s)
		}
	}
	for _, k := range []string{"created_at", "updated_at", "display_at", "started_at", "monitoring_at",
		"resolved_at", "scheduled_for"} {
		assert.True(t, keys[k], "a %s is checked", k)
	}

	summary := site.JSON["api/v2/summary.json"].(map[string]any)
	assert.Equal(t, "2025-03-14T12:00:00.987Z", summary["page"].(map[string]any)["updated_at"])
	open := summary["incidents"].([]any)[0].(map[string]any)
	assert.Equal(t, []string{"n2", "n1"}, ids(open["incident_updates"]), "updates within a millisecond, newest first")
	assert.Equal(t, "2025-03-14T11:10:00.000Z", open["monitoring_at"])
	old := apiIncident(site, "old")
	require.NotNil(t, old)
	assert.Equal(t, "2025-03-14T11:00:00.123Z", old["created_at"])
	assert.Equal(t, "2025-03-14T11:05:00.999Z", old["resolved_at"], "cut, not rounded to the next second")
}
