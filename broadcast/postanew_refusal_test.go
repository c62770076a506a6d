package broadcast_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// The error of an attempt whose Edit a room refused for good, next to a
// room whose post is gone (posted anew) and one failing transiently, gives
// the refusal as the Edit made it, in this attempt: not as one "failed in
// an earlier attempt".
func TestPostAnewKeepsTheEditsRefusalsAsTheyWere(t *testing.T) {
	ch := newPostRooms("us", "eu", "ap", "cn")
	b := newBroadcaster(t, quickRetry(1), ch)
	ctx := context.Background()
	u := validUpdate()
	u.ID = "wrong"
	_, err := b.Send(ctx, u)
	require.NoError(t, err)
	ch.gone["2"] = true
	ch.flaky["ap"] = -1
	ch.refuse["cn"] = true

	fixed := validUpdate()
	fixed.ID, fixed.Body = "fixed", "The CDN in Europe is fine."
	rep, err := b.Correct(ctx, "wrong", fixed)
	require.Error(t, err, "ap was never edited")
	r := rep.Results[0]
	assert.Equal(t, []string{"us", "eu", "ap", "cn", "eu"}, ch.posted, "eu got the correction posted anew")
	var te *broadcast.TargetsError
	require.True(t, errors.As(r.Err, &te), "%v", r.Err)
	require.Len(t, te.Failures, 1, "%v", r.Err)
	assert.Equal(t, "cn", te.Failures[0].Target)
	assert.ErrorContains(t, te.Failures[0].Err, "403 forbidden in cn")
	assert.NotContains(t, r.Err.Error(), "earlier attempt")
}
