package broadcast_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// An update given to Send (or SupersededOn, or Jobs as a JobSend) that
// sets Corrects is refused naming Corrects with the update's other
// faults, in one error, as every other fault is named with the rest:
// before, Corrects alone was named, and a caller that then called Correct
// as told paid a second round trip to learn the rest.
func TestCorrectsNamedWithTheOthers(t *testing.T) {
	x := &script{name: "twitter"}
	b := newBroadcaster(t, broadcast.Options{}, x)
	u := validUpdate()
	u.Status = "fixed"
	u.Overrides = map[string]string{"twiter": "Typo."}
	u.Corrects = "u-0"
	ctx := context.Background()

	_, sendErr := b.Send(ctx, u)
	_, supErr := b.SupersededOn(ctx, u)
	_, jobsErr := b.Jobs(broadcast.JobSend, u, "")
	for name, err := range map[string]error{"Send": sendErr, "SupersededOn": supErr, "Jobs": jobsErr} {
		require.ErrorIs(t, err, broadcast.ErrInvalidUpdate, name)
		assert.Equal(t, []string{"Status", "Corrects", `Overrides["twiter"]`}, fieldNames(err), name)
		assert.ErrorContains(t, err, "Correct(", "%s says what to call", name)
	}
	assert.Zero(t, x.count(), "no channel is called")
}

// So is a correction given its original's ID, by Correct, Jobs
// (JobCorrect) and CorrectionRejects: named with the correction's other
// faults, where before it was named alone.
func TestCorrectionIDOfTheOriginalNamedWithTheOthers(t *testing.T) {
	x := &script{name: "twitter"}
	b := newBroadcaster(t, broadcast.Options{}, x)
	u := validUpdate()
	u.ID, u.IncidentID = "u-1", "inc"
	u.Status = "fixed"
	ctx := context.Background()

	_, corrErr := b.Correct(ctx, "u-1", u)
	_, jobsErr := b.Jobs(broadcast.JobCorrect, u, "u-1")
	_, rejErr := b.CorrectionRejects(ctx, "u-1", u, "twitter")
	for name, err := range map[string]error{"Correct": corrErr, "Jobs": jobsErr, "CorrectionRejects": rejErr} {
		require.ErrorIs(t, err, broadcast.ErrInvalidUpdate, name)
		assert.Equal(t, []string{"Status", "ID"}, fieldNames(err), name)
	}
	assert.Zero(t, x.count(), "no channel is called")
}
