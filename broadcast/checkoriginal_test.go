package broadcast_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// CheckOriginal refuses what Jobs refuses before it reads the Store: an
// unknown kind (a Job's kind misspelt or read from a newer version), which
// it passed as nil, a check made; and an original that is no ID (empty,
// NUL), which it looked up in the Store and refused as never delivered.
func TestCheckOriginalRefusesWhatJobsRefuses(t *testing.T) {
	b := newBroadcaster(t, broadcast.Options{}, &script{name: "x"})
	ctx := context.Background()
	u := validUpdate()
	u.ID = "u1"
	_, err := b.Send(ctx, u)
	require.NoError(t, err)

	err = b.CheckOriginal(ctx, "corect", u, "u1")
	assert.ErrorContains(t, err, `unknown job kind "corect"`)
	_, jobsErr := b.Jobs("corect", u, "u1")
	assert.Equal(t, jobsErr.Error(), err.Error())

	for _, kind := range []broadcast.JobKind{broadcast.JobCorrect, broadcast.JobRetract} {
		err := b.CheckOriginal(ctx, kind, validUpdate(), "")
		assert.ErrorIs(t, err, broadcast.ErrInvalidUpdate, kind)
		assert.ErrorContains(t, err, "original: missing", kind)
		err = b.CheckOriginal(ctx, kind, validUpdate(), "u\x001")
		assert.ErrorContains(t, err, "original: contains NUL", kind)
	}
	assert.NoError(t, b.CheckOriginal(ctx, broadcast.JobSend, u, ""))
	c := u
	c.ID, c.Body = "u1-fix", "Corrected."
	assert.NoError(t, b.CheckOriginal(ctx, broadcast.JobCorrect, c, "u1"))
	assert.NoError(t, b.CheckOriginal(ctx, broadcast.JobRetract, broadcast.Update{}, "u1"))
}
