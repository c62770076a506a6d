package main

import (
	"time"

	"github.com/outagecast/outagecast/broadcast"
)

// demoUpdates are the demo's updates, timed relative to now, oldest first.
func demoUpdates(now time.Time) []broadcast.Update {
	const api, past, maint = "api-errors", "login-delays", "database-upgrade"
	return []broadcast.Update{
		{
			ID: "demo-login-1", IncidentID: past, Title: "Slow logins", Status: broadcast.StatusInvestigating,
			Impact: broadcast.ImpactMinor, Time: now.Add(-50 * time.Hour),
			Body:       "Some sign-ins take up to 30 seconds. We are investigating.",
			Components: []broadcast.Component{{Name: "Website", Status: broadcast.ComponentDegraded}},
		},
		{
			ID: "demo-login-2", IncidentID: past, Title: "Slow logins", Status: broadcast.StatusResolved,
			Impact: broadcast.ImpactMinor, Time: now.Add(-49 * time.Hour),
			Body:       "A misconfigured session cache was fixed; sign-ins are fast again.",
			Components: []broadcast.Component{{Name: "Website", Status: broadcast.ComponentOperational}},
		},
		{
			ID: "demo-db-1", IncidentID: maint, Title: "Database upgrade", Status: broadcast.StatusScheduled,
			Impact: broadcast.ImpactMaintenance, Time: now.Add(-3 * time.Hour), NextUpdate: now.Add(46 * time.Hour),
			Body:       "We will upgrade the primary database. Writes may pause for up to five minutes.",
			Advice:     "Schedule large imports outside the window.",
			Components: []broadcast.Component{{Name: "Database", Status: broadcast.ComponentMaintenance}},
		},
		{
			ID: "demo-api-1", IncidentID: api, Title: "Elevated error rates on the API", Status: broadcast.StatusInvestigating,
			Impact: broadcast.ImpactMajor, Time: now.Add(-42 * time.Minute),
			Body:       "Some API requests fail with 503 errors. We are investigating.",
			Components: []broadcast.Component{{Name: "API", Status: broadcast.ComponentPartialOutage}},
		},
		{
			ID: "demo-api-2", IncidentID: api, Title: "Elevated error rates on the API", Status: broadcast.StatusIdentified,
			Impact: broadcast.ImpactMajor, Time: now.Add(-25 * time.Minute), NextUpdate: now.Add(20 * time.Minute),
			Body:       "A faulty configuration change to the load balancers caused the errors. We are rolling it back.",
			Advice:     "Retry failed requests with backoff; no data was lost.",
			Components: []broadcast.Component{{Name: "API", Status: broadcast.ComponentPartialOutage}},
		},
		{
			ID: "demo-api-3", IncidentID: api, Title: "Elevated error rates on the API", Status: broadcast.StatusMonitoring,
			Impact: broadcast.ImpactMajor, Time: now.Add(-6 * time.Minute), NextUpdate: now.Add(30 * time.Minute),
			Body:       "The rollback is complete and error rates are back to normal. We are monitoring.",
			Components: []broadcast.Component{{Name: "API", Status: broadcast.ComponentDegraded}},
		},
	}
}
