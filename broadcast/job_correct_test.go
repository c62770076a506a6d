package broadcast_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A correction Job that Jobs would not make (read back damaged from a
// queue, or made by hand) fails Permanent without an attempt, as the other
// such Jobs do: with the original's ID it would be reported Skipped, done,
// with nothing corrected; without Corrects it would be posted as if it
// were not a correction.
func TestRunJobRefusesADamagedCorrection(t *testing.T) {
	x := &script{name: "x"}
	b := newBroadcaster(t, broadcast.Options{}, x)
	rep, err := b.Send(context.Background(), validUpdate())
	require.NoError(t, err)
	fixed := validUpdate()
	fixed.Body = "The US region, not the EU one."
	jobs, err := b.Jobs(broadcast.JobCorrect, fixed, rep.UpdateID)
	require.NoError(t, err)

	sameID, noCorrects, otherCorrects := jobs[0], jobs[0], jobs[0]
	sameID.Update.ID = rep.UpdateID
	noCorrects.Update.Corrects = ""
	otherCorrects.Update.Corrects = "u-other"
	for _, c := range []struct {
		name string
		j    broadcast.Job
	}{{"ID", sameID}, {"Corrects", noCorrects}, {"other Corrects", otherCorrects}} {
		name := c.name
		r := b.RunJob(context.Background(), c.j, 1)
		assert.True(t, broadcast.IsPermanent(r.Err), "%s: %+v", name, r)
		assert.ErrorIs(t, r.Err, broadcast.ErrInvalidUpdate, name)
		assert.False(t, r.Skipped, name)
	}
	assert.Equal(t, 1, x.count(), "nothing posted")

	r := b.RunJob(context.Background(), jobs[0], 1)
	require.NoError(t, r.Err, "the Job as Jobs made it")
	assert.Equal(t, rep.UpdateID, x.message(1).Update.Corrects)
}
