package broadcast_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// An older update sent while the thread's latest post (a correction) is
// deleted on some targets only, and a correction of a newer update is up
// on every target behind it, is Superseded: it was posted on the targets
// where the latest post was deleted, after the newer update's correction
// still up there (found by TestEqualTimesRandomSequencesPartlyRetracted).
func TestOlderSendSupersededBehindAPartlyDeletedPost(t *testing.T) {
	ctx := context.Background()
	x := &regions{name: "x", regions: []string{"eu", "us", "ap"}, undeletable: map[string]error{}}
	b := newBroadcaster(t, broadcast.Options{Retry: broadcast.RetryPolicy{MaxAttempts: 1}}, x)
	t0 := time.Now().Add(-time.Hour).UTC().Round(0)
	e := validUpdate()
	e.ID, e.IncidentID, e.Time = "e", "inc", t0.Add(time.Minute)
	_, err := b.Send(ctx, e)
	require.NoError(t, err)
	for _, id := range []string{"c1", "c2"} {
		fix := validUpdate()
		fix.ID, fix.IncidentID, fix.Body = id, "inc", "Corrected."
		_, err = b.Correct(ctx, "e", fix)
		require.NoError(t, err)
	}
	_, err = b.Retract(ctx, "e")
	require.NoError(t, err)
	x.undeletable["us"] = broadcast.Permanent(errors.New("403 Forbidden"))
	x.undeletable["ap"] = broadcast.Permanent(errors.New("403 Forbidden"))
	_, err = b.Retract(ctx, "c2")
	require.Error(t, err, "c2 is deleted on eu only")
	clear(x.undeletable)

	d := validUpdate()
	d.ID, d.IncidentID, d.Time = "d", "inc", t0
	rep, err := b.Send(ctx, d)
	require.NoError(t, err)
	assert.True(t, rep.Results[0].Superseded, "c1, of e, newer, is up everywhere: %+v", rep.Results[0])
	for _, r := range x.regions {
		assert.NotContains(t, x.postedTo(r), "d", r)
	}
}
