package statuspageio

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/golden"
)

// maintenanceUpdate is a maintenance announced at 09:00 to start at 22:00.
func maintenanceUpdate(status broadcast.Status) broadcast.Update {
	at := time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC)
	return broadcast.Update{ID: "u_m_" + string(status), IncidentID: "db-upgrade", Title: "Database upgrade",
		Status: status, Impact: broadcast.ImpactMaintenance, Body: "We upgrade the primary database.",
		Components: []broadcast.Component{{Name: "API", Status: broadcast.ComponentMaintenance}},
		Time:       at, NextUpdate: at.Add(13 * time.Hour)}
}

// The first and the last second RFC 3339 writes.
var (
	firstYear0   = time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC)
	lastYear9999 = time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)
)

// A maintenance status makes a scheduled incident, with a window made of
// the Update: a scheduled one starts at NextUpdate, one under way at Time,
// a completed one ends at Time; each lasts MaintenanceWindow.
func TestMaintenanceWindow(t *testing.T) {
	at := time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		name        string
		status      broadcast.Status
		next        time.Time
		window      time.Duration
		from, until time.Time
	}{
		{"scheduled", broadcast.StatusScheduled, at.Add(13 * time.Hour), 0, at.Add(13 * time.Hour), at.Add(14 * time.Hour)},
		{"scheduled without a start", broadcast.StatusScheduled, time.Time{}, 0, at, at.Add(time.Hour)},
		{"scheduled with a start in the past", broadcast.StatusScheduled, at.Add(-time.Hour), 0, at, at.Add(time.Hour)},
		{"in progress", broadcast.StatusInProgress, at.Add(2 * time.Hour), 0, at, at.Add(time.Hour)},
		{"verifying", broadcast.StatusVerifying, time.Time{}, 3 * time.Hour, at, at.Add(3 * time.Hour)},
		{"completed", broadcast.StatusCompleted, time.Time{}, 2 * time.Hour, at.Add(-2 * time.Hour), at},
		// Update.Validate accepts the years 0 to 9999; a window past them
		// has no RFC 3339 form, and the request could not be written.
		{"in progress at the end of 9999", broadcast.StatusInProgress, time.Time{}, 0, lastYear9999.Add(-30 * time.Minute), lastYear9999},
		{"completed at the start of year 0", broadcast.StatusCompleted, time.Time{}, 0, firstYear0, firstYear0.Add(30 * time.Minute)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			ch := newChannel(t, f, func(c *Config) { c.MaintenanceWindow = tt.window })
			u := maintenanceUpdate(tt.status)
			u.NextUpdate = tt.next
			switch tt.name {
			case "in progress at the end of 9999":
				u.Time = lastYear9999.Add(-30 * time.Minute)
				require.NoError(t, u.Validate())
			case "completed at the start of year 0":
				u.Time = firstYear0.Add(30 * time.Minute)
				require.NoError(t, u.Validate())
			}
			send(t, ch, u, broadcast.Thread{})
			reqs := f.sent()
			in := incidentOfRequest(t, reqs[len(reqs)-1].raw)
			assert.Equal(t, tt.from.Format(time.RFC3339), in["scheduled_for"])
			assert.Equal(t, tt.until.Format(time.RFC3339), in["scheduled_until"])
			assert.Equal(t, string(tt.status), in["status"])
		})
	}
}

// The scheduled maintenance's request, whole, with Statuspage's automatic
// transitions, reminder and tweets turned off (outagecast sends each
// transition itself); later updates leave the window alone.
func TestMaintenanceRequests(t *testing.T) {
	f := newFake(t)
	ch := newChannel(t, f, nil)
	root := send(t, ch, maintenanceUpdate(broadcast.StatusScheduled), broadcast.Thread{})
	send(t, ch, maintenanceUpdate(broadcast.StatusInProgress), broadcast.Thread{Root: root, Last: root})
	reqs := f.sent()
	require.Len(t, reqs, 3)
	golden.JSON(t, "maintenance.json", reqs[1].raw)
	in := incidentOfRequest(t, reqs[2].raw)
	assert.NotContains(t, in, "scheduled_for")
	assert.NotContains(t, in, "scheduled_until")
	assert.NotContains(t, in, "scheduled_auto_in_progress", "set once, when the incident is created")
	assert.Equal(t, "in_progress", in["status"])
}
