package broadcast_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// An override for no channel is named with the update's other faults, in
// one error, as they are with each other: before, Send, Correct, Jobs and
// Preview named it only once the rest was mended, and a caller paid a
// second round trip to learn it.
func TestOverrideForNoChannelNamedWithTheOthers(t *testing.T) {
	x := &script{name: "twitter"}
	b := newBroadcaster(t, broadcast.Options{}, x)
	u := validUpdate()
	u.Status = "fixed"
	u.Overrides = map[string]string{"twiter": "Typo."}
	ctx := context.Background()

	_, sendErr := b.Send(ctx, u)
	_, corrErr := b.Correct(ctx, "u-1", u)
	_, jobsErr := b.Jobs(broadcast.JobSend, u, "")
	_, pvErr := b.Preview(u)
	for name, err := range map[string]error{"Send": sendErr, "Correct": corrErr, "Jobs": jobsErr, "Preview": pvErr} {
		require.ErrorIs(t, err, broadcast.ErrInvalidUpdate, name)
		assert.Equal(t, []string{"Status", `Overrides["twiter"]`}, fieldNames(err), name)
	}
	assert.Zero(t, x.count(), "no channel is called")
}

// fieldNames is the Field of each of err's FieldErrors, in order.
func fieldNames(err error) []string {
	var fields []string
	for _, fe := range broadcast.FieldErrors(err) {
		fields = append(fields, fe.Field)
	}
	return fields
}
