package templates_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/templates"
)

func TestMarkCorrection(t *testing.T) {
	tests := []struct{ in, want string }{
		{"The outage is in EU-West.", "Correction: The outage is in EU-West."},
		{"Correction: the outage is in EU-West.", "Correction: the outage is in EU-West."},
		{"  CORRECTION - EU-West, not US-East", "  CORRECTION - EU-West, not US-East"},
		{"correction", "correction"},
		{"Corrections API is down", "Correction: Corrections API is down"},
		{"Correctioné", "Correction: Correctioné"},
		{"", "Correction: "},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, templates.MarkCorrection(tt.in), "%q", tt.in)
	}
}

// A correction posted anew with an Overrides text reads as a correction,
// as the default templates' text does: Text marks the override, within the
// limit, keeping the marker and shortening the override.
func TestTextMarksACorrectionsOverride(t *testing.T) {
	const override = "The outage was in EU-West, not US-East."
	u := representative(broadcast.StatusInvestigating)
	u.Overrides = map[string]string{"x": override}
	corr := u
	corr.Corrects = "upd-1"
	tests := []struct {
		name  string
		u     broadcast.Update
		text  string
		limit int
		want  string
	}{
		{"marked", corr, override, 280, "Correction: " + override},
		{"already marked", corr, "correction:\tEU-West, not US-East", 280, "correction: EU-West, not US-East"},
		{"not a correction", u, override, 280, override},
		{"no limit", corr, override, 0, "Correction: " + override},
		// The override alone just fits: the marker stays, the override is cut.
		{"limit kept", corr, override, len([]rune(override)), "Correction: The outage was in EU-West…"},
		{"not even the marker fits", corr, override, 5, "Corr…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := tt.u
			v.Overrides = map[string]string{"x": tt.text}
			got, err := templates.Default().Text("x", "short", v, tt.limit, templates.Runes)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			if tt.limit > 0 {
				assert.LessOrEqual(t, templates.Runes(got), tt.limit)
			}
		})
	}
}
