package statuspage

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The JSON files are put together from parts encoded once each (an
// incident listed in several files is encoded once): the bytes are those
// json.Marshal writes of the whole, HTML-escaped strings, null and empty
// lists included.
func TestAPIPartsAsMarshalWritesTheWhole(t *testing.T) {
	at := apiTime(time.Date(2025, 3, 14, 12, 0, 0, 123456789, time.UTC))
	inc := apiIncident{ID: "a<b>&c", Name: "Errors \u2028 <script>", Status: "investigating", CreatedAt: at, UpdatedAt: at,
		MonitoringAt: &at, IncidentUpdates: []apiUpdate{{ID: "u1", Body: "x & y", AffectedComponents: []apiAffected{{Code: "c", Name: "<API>"}}}},
		Components: []apiComponent{}}
	other := inc
	other.ID, other.ResolvedAt = "b", &at
	for _, l := range [][]apiIncident{{}, {inc}, {inc, other, inc}} {
		var enc encoded
		page := apiPage{ID: "p", Name: "Status & <co>", URL: "https://status.example.com/?a=1&b=2"}
		got := jsonObject(map[string][]byte{"page": enc.value(page), "incidents": enc.incidents(l),
			"scheduled_maintenances": enc.value([]apiMaintenance{})})
		require.NoError(t, enc.err)
		want, err := json.Marshal(map[string]any{"page": page, "incidents": l, "scheduled_maintenances": []apiMaintenance{}})
		require.NoError(t, err)
		assert.Equal(t, string(want), string(got))
	}
	var enc encoded
	enc.incidents([]apiIncident{{ID: "x", CreatedAt: apiTime(time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC))}})
	assert.ErrorContains(t, enc.err, "outside the years", "an error encoding a part is kept")
}
