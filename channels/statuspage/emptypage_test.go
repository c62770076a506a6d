package statuspage_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/statuspage"
)

// A page left without incidents, then given one and left without it
// again (an update sent by mistake and retracted, twice), is written:
// the second retraction recycled the version that had no incident, and
// failed to sync the incident directories it did not have ("open
// …/incidents: no such file or directory"), so that the update stayed on
// the page until a retry.
func TestRetractTheOnlyIncidentAgain(t *testing.T) {
	p := newPage(t, statuspage.Config{})
	ctx := context.Background()
	for _, id := range []string{"a1", "a2", "a3"} {
		r := p.send(update("a", id, 0, broadcast.StatusInvestigating))
		require.NoError(t, p.ch.Retract(ctx, r), "Retract of %s", id)
		label, names := banner(t, p.index())
		require.Equal(t, "All systems operational", label)
		require.Empty(t, names)
	}
}
