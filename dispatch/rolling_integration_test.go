//go:build integration

package dispatch_test

import (
	"context"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/dispatch"
	"github.com/outagecast/outagecast/internal/syncbuf"
)

// A rolling deploy adds channel y: an instance already on the new
// configuration enqueues an update for x and y, and an instance still on
// the old one (x only) takes y's job first. It did not try the channel,
// and leaves the job, without using an attempt, for an instance that has
// y, which delivers it; the Logger tells the operator why. It used to
// cancel the job for good ("no channel"), and y never got the update.
func TestJobOfAChannelThisInstanceLacksWaitsForOneThatHasIt(t *testing.T) {
	ctx := waitCtx(t)
	dsn := newSchema(t)
	var (
		seen = make(chan dispatch.Event, 1)
		log  syncbuf.Buffer
	)
	old := newInstance(t, dsn, []broadcast.Channel{newCounting("x")}, broadcast.Options{}, dispatch.Config{
		Workers: 1,
		Retry:   broadcast.RetryPolicy{InitialInterval: time.Minute},
		Logger:  slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelWarn})),
		OnEvent: func(e dispatch.Event) {
			if e.Channel == "y" && e.Kind != broadcast.EventAttempt {
				select {
				case seen <- e:
				default:
				}
			}
		},
	})
	y := newCounting("y")
	upgraded := newInstance(t, dsn, []broadcast.Channel{newCounting("x"), y}, broadcast.Options{}, dispatch.Config{Workers: 1})
	id, err := upgraded.d.Enqueue(ctx, nil, update(1))
	require.NoError(t, err)
	old.start(t)
	var e dispatch.Event
	select {
	case e = <-seen:
	case <-ctx.Done():
		t.Fatal("the old instance did not run y's job")
	}
	require.NoError(t, old.d.Stop(ctx))
	require.Equal(t, broadcast.EventRetry, e.Kind, "left for another instance, not given up: %v", e.Err)
	assert.True(t, e.Snoozed, "no attempt used up")
	assert.ErrorIs(t, e.Err, dispatch.ErrUnknownChannel)
	assert.ErrorContains(t, e.Err, `"y"`)
	assert.Equal(t, time.Minute, e.Delay, "Retry.InitialInterval, for a job just enqueued")
	assert.Contains(t, log.String(), "not one of this instance's channels")

	rep, done, err := upgraded.d.Report(ctx, id)
	require.NoError(t, err)
	assert.False(t, done)
	if assert.Len(t, rep.Results, 2) {
		assert.ErrorIs(t, rep.Results[1].Err, dispatch.ErrPending)
		assert.ErrorContains(t, rep.Results[1].Err, "not one of this instance's channels", "Report says why it waits")
	}

	upgraded.start(t)
	bringForward(t, upgraded.pool, dispatch.KindSend)
	rep, err = upgraded.d.Wait(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, 1, y.count(id))
	assert.Equal(t, 1, rep.Results[1].Attempts, "the old instance's run was not an attempt")
}

// A channel that no instance has any more (removed from every
// configuration) does not keep its jobs waiting for ever: past
// Retry.MaxElapsed they are given up, and the error names the channel.
func TestJobOfAChannelNoInstanceHasIsGivenUpPastMaxElapsed(t *testing.T) {
	ctx := waitCtx(t)
	dsn := newSchema(t)
	before := newInstance(t, dsn, []broadcast.Channel{newCounting("x"), newCounting("y")}, broadcast.Options{}, dispatch.Config{Workers: 1})
	id, err := before.d.Enqueue(ctx, nil, update(1))
	require.NoError(t, err)
	after := newInstance(t, dsn, []broadcast.Channel{newCounting("x")}, broadcast.Options{}, dispatch.Config{
		Workers: 1,
		Retry:   broadcast.RetryPolicy{MaxElapsed: time.Millisecond},
	})
	after.start(t)
	rep, err := after.d.Wait(ctx, id)
	require.Error(t, err)
	if assert.Len(t, rep.Results, 2) {
		assert.NoError(t, rep.Results[0].Err)
		assert.Equal(t, "y", rep.Results[1].Channel)
		assert.True(t, broadcast.IsPermanent(rep.Results[1].Err))
		assert.ErrorContains(t, rep.Results[1].Err, `"y"`)
		assert.ErrorContains(t, rep.Results[1].Err, "Retry.MaxElapsed")
		assert.True(t, strings.Contains(rep.Results[1].Err.Error(), "not one of this instance's channels"), rep.Results[1].Err)
	}
}

// An update enqueued for x and y, retracted from an instance still on the
// configuration without y (a rolling deploy): its post on y is deleted
// too, by an instance that has y. The retraction used to be queued for
// the retracting instance's channels only, and left y's post up.
func TestRetractFromAnInstanceWithoutAChannelRetractsThere(t *testing.T) {
	ctx := waitCtx(t)
	dsn := newSchema(t)
	x, y := &editable{counting: newCounting("x")}, &editable{counting: newCounting("y")}
	upgraded := newInstance(t, dsn, []broadcast.Channel{x, y}, broadcast.Options{}, dispatch.Config{Workers: 2})
	upgraded.start(t)
	id, err := upgraded.d.Enqueue(ctx, nil, update(1))
	require.NoError(t, err)
	_, err = upgraded.d.Wait(ctx, id)
	require.NoError(t, err)

	old := newInstance(t, dsn, []broadcast.Channel{&editable{counting: newCounting("x")}}, broadcast.Options{}, dispatch.Config{Workers: 1})
	require.NoError(t, old.d.Retract(ctx, nil, id))
	rep, err := upgraded.d.WaitRetract(ctx, id)
	require.NoError(t, err)
	var channels []string
	for _, r := range rep.Results {
		channels = append(channels, r.Channel)
	}
	assert.Equal(t, []string{"x", "y"}, channels)
	assert.Equal(t, int32(1), x.retractions.Load())
	assert.Equal(t, int32(1), y.retractions.Load(), "y's post is deleted too")
}

// An update enqueued for x and y, corrected from an instance still on the
// configuration without y (a rolling deploy): its post on y is corrected
// too, by an instance that has y. The correction used to be queued for
// the correcting instance's channels only, and left y's post as it was.
func TestCorrectFromAnInstanceWithoutAChannelCorrectsThere(t *testing.T) {
	ctx := waitCtx(t)
	dsn := newSchema(t)
	x, y := &editable{counting: newCounting("x")}, &editable{counting: newCounting("y")}
	upgraded := newInstance(t, dsn, []broadcast.Channel{x, y}, broadcast.Options{}, dispatch.Config{Workers: 2})
	upgraded.start(t)
	id, err := upgraded.d.Enqueue(ctx, nil, update(1))
	require.NoError(t, err)
	_, err = upgraded.d.Wait(ctx, id)
	require.NoError(t, err)

	old := newInstance(t, dsn, []broadcast.Channel{&editable{counting: newCounting("x")}}, broadcast.Options{}, dispatch.Config{Workers: 1})
	fixed := update(2)
	fixed.IncidentID = update(1).IncidentID
	fixed.Body = "Corrected: the CDN, not the API."
	cid, err := old.d.Correct(ctx, nil, id, fixed)
	require.NoError(t, err)
	rep, err := upgraded.d.Wait(ctx, cid)
	require.NoError(t, err)
	var channels []string
	for _, r := range rep.Results {
		channels = append(channels, r.Channel)
		assert.True(t, r.Edited, "%s: edited in place", r.Channel)
	}
	assert.Equal(t, []string{"x", "y"}, channels)
	assert.Equal(t, int32(1), x.edits.Load())
	assert.Equal(t, int32(1), y.edits.Load(), "y's post is corrected too")
}

// retractable is a channel that deletes its posts, and posts a correction
// anew (it is no Editor).
type retractable struct {
	*counting
	retractions atomic.Int32
}

func (r *retractable) Retract(context.Context, broadcast.Receipt) error {
	r.retractions.Add(1)
	return nil
}

// A correction enqueued for x and y, posted anew on both, retracted from
// an instance still on the configuration without y (a rolling deploy):
// its post on y is deleted too, by an instance that has y. The retraction
// looked for the channels of the update's send jobs only, and a
// correction's jobs are correct jobs: y's post stayed up.
func TestRetractOfACorrectionFromAnInstanceWithoutAChannelRetractsThere(t *testing.T) {
	ctx := waitCtx(t)
	dsn := newSchema(t)
	x, y := &retractable{counting: newCounting("x")}, &retractable{counting: newCounting("y")}
	upgraded := newInstance(t, dsn, []broadcast.Channel{x, y}, broadcast.Options{}, dispatch.Config{Workers: 2})
	upgraded.start(t)
	id, err := upgraded.d.Enqueue(ctx, nil, update(1))
	require.NoError(t, err)
	_, err = upgraded.d.Wait(ctx, id)
	require.NoError(t, err)
	fixed := update(2)
	fixed.IncidentID = update(1).IncidentID
	fixed.Body = "Corrected: the CDN, not the API."
	cid, err := upgraded.d.Correct(ctx, nil, id, fixed)
	require.NoError(t, err)
	_, err = upgraded.d.Wait(ctx, cid)
	require.NoError(t, err)
	require.Equal(t, 1, y.count(cid), "the correction is posted anew on y")

	old := newInstance(t, dsn, []broadcast.Channel{&retractable{counting: newCounting("x")}}, broadcast.Options{}, dispatch.Config{Workers: 1})
	require.NoError(t, old.d.Retract(ctx, nil, cid))
	rep, err := upgraded.d.WaitRetract(ctx, cid)
	require.NoError(t, err)
	var channels []string
	for _, r := range rep.Results {
		channels = append(channels, r.Channel)
	}
	assert.Equal(t, []string{"x", "y"}, channels)
	assert.Equal(t, int32(1), x.retractions.Load())
	assert.Equal(t, int32(1), y.retractions.Load(), "y's post of the correction is deleted too")
}
