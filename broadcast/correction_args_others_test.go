package broadcast_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// An original that is no ID, given to Correct, Jobs (JobCorrect) or
// CorrectionRejects, is named with the correction's other faults, in one
// error, as a correction given its original's ID is; and so is the
// IncidentID that CorrectionRejects needs. Before, each was named alone,
// the original before the update's faults were looked at and the
// IncidentID after, and a caller paid a round trip for each.
func TestCorrectionArgumentsNamedWithTheOthers(t *testing.T) {
	x := &script{name: "twitter"}
	b := newBroadcaster(t, broadcast.Options{}, x)
	u := validUpdate()
	u.ID = "u-2"
	u.Status = "fixed"
	u.Corrects = "set by the caller, overwritten"
	ctx := context.Background()

	_, corrErr := b.Correct(ctx, "", u)
	_, jobsErr := b.Jobs(broadcast.JobCorrect, u, "")
	_, rejErr := b.CorrectionRejects(ctx, "", u, "twitter")
	want := map[string][]string{
		"Correct":           {"Status", "original"},
		"Jobs":              {"Status", "original"},
		"CorrectionRejects": {"Status", "original", "IncidentID"},
	}
	for name, err := range map[string]error{"Correct": corrErr, "Jobs": jobsErr, "CorrectionRejects": rejErr} {
		require.ErrorIs(t, err, broadcast.ErrInvalidUpdate, name)
		assert.Equal(t, want[name], fieldNames(err), name)
		assert.ErrorContains(t, err, "original: missing", name)
		assert.NotContains(t, err.Error(), "Corrects", "%s: the caller's Corrects is not the one checked", name)
	}

	// A valid original, the IncidentID missing: named with the update's
	// other faults too.
	u.Corrects = ""
	_, err := b.CorrectionRejects(ctx, "u-1", u, "twitter")
	assert.Equal(t, []string{"Status", "IncidentID"}, fieldNames(err))
	assert.Zero(t, x.count(), "no channel is called")
}
