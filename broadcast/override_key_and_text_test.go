package broadcast_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// An override for no channel whose text is at fault too is refused naming
// both, in one error: before, the text's fault hid the key's, and a caller
// that mended the text learned in a second round trip that the override
// goes nowhere.
func TestOverrideForNoChannelWithBadTextNamesBoth(t *testing.T) {
	x := &script{name: "twitter"}
	b := newBroadcaster(t, broadcast.Options{}, x)
	u := validUpdate()
	u.Overrides = map[string]string{"twiter": "Typo\x00."}
	_, sendErr := b.Send(context.Background(), u)
	_, previewErr := b.Preview(u)
	_, jobsErr := b.Jobs(broadcast.JobSend, u, "")
	for name, err := range map[string]error{"Send": sendErr, "Preview": previewErr, "Jobs": jobsErr} {
		require.ErrorIs(t, err, broadcast.ErrInvalidUpdate, name)
		fes := broadcast.FieldErrors(err)
		require.Len(t, fes, 1, "%s: one field, named once", name)
		assert.Equal(t, `Overrides["twiter"]`, fes[0].Field, name)
		assert.Contains(t, fes[0].Problem, "contains NUL", name)
		assert.Contains(t, fes[0].Problem, "no channel of that name", name)
	}
	assert.Zero(t, x.count(), "no channel is called")
}
