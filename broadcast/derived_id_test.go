package broadcast_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/broadcast"
)

// The derived ID of an update that closes its incident and carries a
// NextUpdate is the one earlier versions derived: it hashes the NextUpdate
// given, which Clean drops (no channel says "Next update by" under
// "Resolved") after deriving it, not before. Re-running the same
// announcement across an upgrade is then recognised, and not posted again.
// Every other update's ID stays as it was: its text is hashed cleaned, as
// before. The IDs are those of the version before Clean dropped NextUpdate.
func TestDerivedIDsAreStableAcrossVersions(t *testing.T) {
	next := time.Date(2026, 3, 1, 12, 30, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		u    broadcast.Update
		id   string
	}{
		{"resolved, with NextUpdate",
			broadcast.Update{Title: "CDN errors", Status: broadcast.StatusResolved, Body: "Fixed.", NextUpdate: next},
			"u_cbd4e57f6cb307cc02d8d613953cd765"},
		{"completed, with NextUpdate and text to clean",
			broadcast.Update{Title: "CDN\x1b[31m errors", Status: broadcast.StatusCompleted, Body: "Done.\r\n", NextUpdate: next},
			"u_348fc8aebf3d8c223f8468a1cd6871b2"},
		{"resolved, without NextUpdate",
			broadcast.Update{Title: "CDN errors", Status: broadcast.StatusResolved, Body: "Fixed."},
			"u_b7fbb9dbeca8cb5f644b0c0cd73a8b41"},
		{"open, with NextUpdate",
			broadcast.Update{Title: "CDN errors", Status: broadcast.StatusInvestigating, Body: "Looking.", NextUpdate: next},
			"u_8c0cb162c660291369104db09d1cfe15"},
		{"text to clean, hashed cleaned",
			broadcast.Update{Title: "CDN\terrors", Status: broadcast.StatusMonitoring, Body: "  \n"},
			"u_4ebd6dc59899ac629f0dae22d39c0ca6"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.u.WithDefaults(time.Time{})
			assert.Equal(t, tc.id, got.ID)
			if tc.u.Status.Closes() {
				assert.Zero(t, got.NextUpdate, "still dropped from what channels see")
			}
		})
	}
}

// An override for a channel named "advice" or "corrects" is not Advice or
// Corrects: the two updates say different things and get different IDs
// (before, the second was skipped as already sent). An update with other
// overrides keeps the ID it had.
func TestDerivedIDsKeepOverridesApartFromLaterFields(t *testing.T) {
	base := broadcast.Update{Title: "CDN errors", Status: broadcast.StatusInvestigating, Body: "Looking."}
	advice, override := base, base
	advice.Advice = "Retry."
	override.Overrides = map[string]string{"advice": "Retry."}
	assert.NotEqual(t, advice.WithDefaults(time.Time{}).ID, override.WithDefaults(time.Time{}).ID)

	corrects, override2 := base, base
	corrects.Corrects = "u_1"
	override2.Overrides = map[string]string{"corrects": "u_1"}
	assert.NotEqual(t, corrects.WithDefaults(time.Time{}).ID, override2.WithDefaults(time.Time{}).ID)

	other := base
	other.Overrides = map[string]string{"x": "Short text for X."}
	assert.Equal(t, "u_179ccc6ac09dffe270089afc6588d8eb", other.WithDefaults(time.Time{}).ID)
}
