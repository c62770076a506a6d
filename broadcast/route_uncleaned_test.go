package broadcast_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// Route.Selects and Rejects decide on an update as given, not cleaned, as
// the Broadcaster decides on it once cleaned: a component named with a
// terminal's colour codes, or another control character Clean removes
// (an alert's label pasted from a terminal), is the Route's component, as
// Validate has it one component. Before, Rejects compared the name with
// its escape sequences and said the Route left out an update the
// Broadcaster sent on that channel; so did CorrectionRejects of a
// correction.
func TestRouteSelectsUpdateNotCleaned(t *testing.T) {
	r := broadcast.Route{Components: []string{"CDN"}}
	for _, name := range []string{"\x1b[1mCDN\x1b[0m", "CDN\a", "C\x7fDN"} {
		u := validUpdate()
		u.Components = []broadcast.Component{{Name: name, Status: broadcast.ComponentMajorOutage}}
		require.NoError(t, u.Validate(), "%q", name)

		x := &script{name: "x"}
		b := newBroadcaster(t, broadcast.Options{Routes: map[string]broadcast.Route{"x": r}}, x)
		rep, err := b.Send(context.Background(), u)
		require.NoError(t, err)
		require.False(t, rep.Results[0].NotSelected, "%q: the Broadcaster sends it", name)

		assert.Empty(t, r.Rejects(u, broadcast.Thread{}), "%q", name)
		assert.True(t, r.Selects(u, broadcast.Thread{}), "%q", name)

		// A correction of an update the channel never had is routed as
		// the original was, CorrectionRejects as Correct decides it.
		u.IncidentID = "i1"
		why, err := b.CorrectionRejects(context.Background(), "u0", u, "x")
		require.NoError(t, err)
		assert.Empty(t, why, "%q", name)
	}
}
