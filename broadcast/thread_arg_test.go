package broadcast_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// An incidentID no update can have (empty, blank, a bidi control, a
// control character, too long) is refused by Thread naming the argument,
// as the update IDs of SentTime and ReachedOn are: before, an empty one
// (an Update.IncidentID read before WithDefaults filled it in) gave an
// empty thread, as if no channel had posted the incident.
func TestThreadChecksIncidentID(t *testing.T) {
	x := &script{name: "x"}
	b := newBroadcaster(t, broadcast.Options{}, x)
	ctx := context.Background()
	u := validUpdate()
	u.IncidentID = "cdn"
	rep, err := b.Send(ctx, u)
	require.NoError(t, err)
	for _, id := range []string{"", " ", "\u200b", "cdn\u202e", "cdn\x01", strings.Repeat("c", 256)} {
		th, err := b.Thread(ctx, id, "x")
		require.ErrorIs(t, err, broadcast.ErrInvalidUpdate, "%q", id)
		fes := broadcast.FieldErrors(err)
		require.Len(t, fes, 1, "%q", id)
		assert.Equal(t, "incidentID", fes[0].Field, "%q", id)
		assert.True(t, th.IsZero(), "%q", id)
	}
	th, err := b.Thread(ctx, "cdn", "x")
	require.NoError(t, err)
	assert.Equal(t, rep.UpdateID, th.Root.UpdateID)
}
