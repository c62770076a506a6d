package teams

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/golden"
)

// The bodies the workflow receives.
func TestGolden(t *testing.T) {
	min := broadcast.Update{ID: "u2", IncidentID: "cdn-errors", Title: "Elevated error rates on the CDN",
		Status: broadcast.StatusResolved, Time: update(broadcast.StatusResolved).Time}
	corrected := update(broadcast.StatusIdentified)
	corrected.Corrects = "u0"
	for name, u := range map[string]broadcast.Update{
		"full": update(broadcast.StatusInvestigating), "minimal": min, "corrected": corrected,
	} {
		ch, f := newTestChannel(t)
		_, err := send(t, ch, u)
		require.NoError(t, err)
		_, bodies := f.posted()
		golden.JSON(t, name+".json", bodies[0])
	}
}
