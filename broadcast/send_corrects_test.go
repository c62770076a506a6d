package broadcast_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// An Update with Corrects set given to Send (or queued as a JobSend) was
// posted everywhere as "Correction: …" of whatever ID it named, one never
// delivered included, without editing the wrong post where the platform
// allows: Correct's checks and edits were skipped. Send now refuses it,
// naming Corrects and saying to call Correct, and nothing is posted.
func TestSendRefusesAnUpdateThatSetsCorrects(t *testing.T) {
	x := &script{name: "x"}
	b := newBroadcaster(t, broadcast.Options{}, x)
	rep, err := b.Send(context.Background(), validUpdate())
	require.NoError(t, err)

	u := validUpdate()
	u.Body = "The US region, not the EU one."
	for _, original := range []string{rep.UpdateID, "u_never_sent"} {
		u.Corrects = original
		got, err := b.Send(context.Background(), u)
		assert.Nil(t, got, original)
		require.ErrorIs(t, err, broadcast.ErrInvalidUpdate, original)
		fes := broadcast.FieldErrors(err)
		require.Len(t, fes, 1, original)
		assert.Equal(t, "Corrects", fes[0].Field)
		assert.Contains(t, err.Error(), "Correct(", "says what to call")

		_, err = b.Jobs(broadcast.JobSend, u, "")
		assert.ErrorIs(t, err, broadcast.ErrInvalidUpdate, "Jobs as Send: %s", original)
	}
	assert.Equal(t, 1, x.count(), "nothing posted but the first update")

	// A JobSend that names an original (made by hand, or read back
	// damaged) fails for good, as Jobs would not make it.
	jobs, err := b.Jobs(broadcast.JobSend, validUpdate(), "")
	require.NoError(t, err)
	j := jobs[0]
	j.Update.Corrects = rep.UpdateID
	r := b.RunJob(context.Background(), j, 1)
	assert.True(t, broadcast.IsPermanent(r.Err), "%+v", r)
	assert.ErrorIs(t, r.Err, broadcast.ErrInvalidUpdate)
	assert.Equal(t, 1, x.count(), "nothing posted")

	// Correct still sets Corrects itself, and Preview still shows a
	// correction's text.
	_, err = b.Correct(context.Background(), rep.UpdateID, u)
	require.NoError(t, err)
	assert.Equal(t, rep.UpdateID, x.message(1).Update.Corrects)
	_, err = b.Preview(u)
	assert.NoError(t, err)
}
