package broadcast_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// Every override for no channel is named, in one error, each under its
// own field: before, the first key (in sorted order) hid the others, and
// a caller that mended it learned of the next in a second round trip.
func TestEveryOverrideForNoChannelNamed(t *testing.T) {
	x := &script{name: "twitter"}
	b := newBroadcaster(t, broadcast.Options{}, x)
	u := validUpdate()
	u.Overrides = map[string]string{"twitter": "Fine.", "twiter": "Typo.", "mastodn": "Typo\x00."}
	ctx := context.Background()
	_, sendErr := b.Send(ctx, u)
	_, corrErr := b.Correct(ctx, "u-1", u)
	_, jobsErr := b.Jobs(broadcast.JobSend, u, "")
	_, pvErr := b.Preview(u)
	for name, err := range map[string]error{"Send": sendErr, "Correct": corrErr, "Jobs": jobsErr, "Preview": pvErr} {
		require.ErrorIs(t, err, broadcast.ErrInvalidUpdate, name)
		for _, fe := range broadcast.FieldErrors(err) {
			assert.Contains(t, fe.Problem, "no channel of that name", "%s: %s", name, fe.Field)
		}
		assert.Equal(t, []string{`Overrides["mastodn"]`, `Overrides["twiter"]`}, fieldNames(err), name)
		assert.ErrorContains(t, err, "contains NUL", name)
	}
	assert.Zero(t, x.count(), "no channel is called")
}
