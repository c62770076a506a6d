//go:build integration

package dispatch_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/dispatch"
)

// Correct refuses what Broadcaster.Correct refuses: a correction of an
// update that was never enqueued nor delivered (a mistyped ID would post
// a correction of nothing on every channel), and a correction without an
// IncidentID whose Title changed, whose derived incident is not the
// original's (it would start a thread of its own on every channel).
// Nothing is queued for either.
func TestCorrectRefusesAnUnknownOriginalAndAnotherIncident(t *testing.T) {
	ctx := waitCtx(t)
	dsn := newSchema(t)
	in := newInstance(t, dsn, []broadcast.Channel{newCounting("x")}, broadcast.Options{}, dispatch.Config{Workers: 1})

	original := broadcast.Update{ID: "u-1", Title: "Elevated eror rates on the CDN",
		Status: broadcast.StatusInvestigating, Body: "We are investigating."}
	_, err := in.d.Enqueue(ctx, nil, original)
	require.NoError(t, err)

	fixed := original
	fixed.ID, fixed.Title = "u-2", "Elevated error rates on the CDN"
	_, err = in.d.Correct(ctx, nil, "u-9", fixed)
	require.ErrorIs(t, err, broadcast.ErrInvalidUpdate, "no update u-9")
	assert.Contains(t, err.Error(), "original")

	_, err = in.d.Correct(ctx, nil, "u-1", fixed)
	require.ErrorIs(t, err, broadcast.ErrInvalidUpdate, "the Title changed the incident")
	assert.Contains(t, err.Error(), "IncidentID")
	_, _, err = in.d.Report(ctx, "u-2")
	require.ErrorIs(t, err, dispatch.ErrNoJobs, "nothing queued")

	// With the original's IncidentID, or in the transaction that queued
	// the original, it is queued.
	fixed.IncidentID = original.WithDefaults(time.Time{}).IncidentID
	_, err = in.d.Correct(ctx, nil, "u-1", fixed)
	require.NoError(t, err)
	tx, err := in.pool.Begin(ctx)
	require.NoError(t, err)
	defer func() { _ = tx.Rollback(ctx) }()
	_, err = in.d.Enqueue(ctx, tx, update(3))
	require.NoError(t, err)
	fix3 := update(3)
	fix3.ID, fix3.Body = "u-4", "Corrected."
	_, err = in.d.Correct(ctx, tx, "u-3", fix3)
	require.NoError(t, err)

	require.NoError(t, tx.Rollback(ctx))

	// Once River has deleted the jobs, the Store's receipts and threads
	// tell the same.
	in.start(t)
	_, err = in.d.Wait(ctx, "u-1")
	require.NoError(t, err)
	_, err = in.pool.Exec(ctx, "DELETE FROM river_job")
	require.NoError(t, err)
	fixed.ID, fixed.IncidentID = "u-5", ""
	_, err = in.d.Correct(ctx, nil, "u-1", fixed)
	require.ErrorIs(t, err, broadcast.ErrInvalidUpdate, "the Title changed the incident")
	assert.Contains(t, err.Error(), "IncidentID")
	fixed.IncidentID = original.WithDefaults(time.Time{}).IncidentID
	_, err = in.d.Correct(ctx, nil, "u-1", fixed)
	require.NoError(t, err)
}

// Retract refuses, as Broadcaster.Retract does, an update never enqueued
// nor posted: a mistyped ID would otherwise end with every channel
// skipped and no error. Nothing is queued.
func TestRetractRefusesAnUnknownUpdate(t *testing.T) {
	ctx := waitCtx(t)
	dsn := newSchema(t)
	in := newInstance(t, dsn, []broadcast.Channel{&editable{counting: newCounting("x")}}, broadcast.Options{},
		dispatch.Config{Workers: 1})
	err := in.d.Retract(ctx, nil, "u-9")
	require.ErrorIs(t, err, broadcast.ErrInvalidUpdate)
	assert.Contains(t, err.Error(), "updateID")
	_, _, err = in.d.RetractReport(ctx, "u-9")
	require.ErrorIs(t, err, dispatch.ErrNoJobs, "nothing queued")

	// Queued, not delivered yet: the retraction waits for it.
	_, err = in.d.Enqueue(ctx, nil, update(1))
	require.NoError(t, err)
	require.NoError(t, in.d.Retract(ctx, nil, "u-1"))
}
