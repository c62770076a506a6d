package broadcast_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

func TestJobsRunOneAttemptEach(t *testing.T) {
	x := &script{name: "x", errs: []error{broadcast.RetryAfter(errors.New("429"), time.Minute)}}
	mail := &script{name: "email"}
	b := newBroadcaster(t, broadcast.Options{}, x, mail)
	jobs, err := b.Jobs(broadcast.JobSend, validUpdate(), "")
	require.NoError(t, err)
	require.Len(t, jobs, 2)
	assert.Equal(t, "x", jobs[0].Channel)
	assert.NotEmpty(t, jobs[0].Update.ID, "defaults filled in")

	// A Job survives JSON, as a queue stores it.
	raw, err := json.Marshal(jobs[0])
	require.NoError(t, err)
	var j broadcast.Job
	require.NoError(t, json.Unmarshal(raw, &j))

	r := b.RunJob(context.Background(), j, 1)
	require.Error(t, r.Err)
	d, ok := broadcast.RetryDelay(r.Err)
	assert.True(t, ok)
	assert.Equal(t, time.Minute, d, "the caller snoozes, no wait here")
	assert.Equal(t, 1, x.count())

	r = b.RunJob(context.Background(), j, 2)
	require.NoError(t, r.Err)
	assert.Equal(t, "x-2", r.Receipt.ID)
	r = b.RunJob(context.Background(), j, 3)
	assert.True(t, r.Skipped, "a job run again after its delivery is skipped")
	assert.Equal(t, 2, x.count())

	r = b.RunJob(context.Background(), jobs[1], 1)
	require.NoError(t, r.Err)

	// The same update through Send is now done everywhere.
	rep, err := b.Send(context.Background(), validUpdate())
	require.NoError(t, err)
	assert.True(t, rep.Results[0].Skipped && rep.Results[1].Skipped)

	retract, err := b.Jobs(broadcast.JobRetract, broadcast.Update{}, rep.UpdateID)
	require.NoError(t, err)
	r = b.RunJob(context.Background(), retract[0], 1)
	assert.ErrorIs(t, r.Err, broadcast.ErrNotSupported)
	assert.True(t, broadcast.IsPermanent(r.Err))

	r = b.RunJob(context.Background(), broadcast.Job{Kind: broadcast.JobSend, Channel: "nope", Update: jobs[0].Update}, 1)
	assert.True(t, broadcast.IsPermanent(r.Err))
	_, err = b.Jobs(broadcast.JobCorrect, validUpdate(), "")
	assert.ErrorIs(t, err, broadcast.ErrInvalidUpdate)
	_, err = b.Jobs("edit", validUpdate(), "")
	assert.Error(t, err)
}

func TestSharedLockIsHeldAroundDelivery(t *testing.T) {
	var held []string
	locked := false
	ch := broadcast.ChannelFunc("x", func(context.Context, broadcast.Message) (broadcast.Receipt, error) {
		assert.True(t, locked, "the channel runs under the lock")
		return broadcast.Receipt{}, nil
	})
	b := newBroadcaster(t, broadcast.Options{Lock: func(_ context.Context, key broadcast.LockKey) (func(), error) {
		held = append(held, key.UpdateID+"/"+key.Channel)
		locked = true
		return func() { locked = false }, nil
	}}, ch)
	u := validUpdate()
	u.Time = time.Date(2025, 1, 1, 10, 0, 0, 0, time.UTC)
	rep, err := b.Send(context.Background(), u)
	require.NoError(t, err)
	// The record of the update's first Send is written under a lock of its
	// own first (see SentTime), then the delivery runs under its lock.
	require.Len(t, held, 2)
	assert.Equal(t, rep.UpdateID+"/x", held[1])
	assert.False(t, locked, "released")

	failing := newBroadcaster(t, broadcast.Options{Lock: func(context.Context, broadcast.LockKey) (func(), error) {
		return nil, errors.New("connection refused")
	}}, broadcast.ChannelFunc("x", func(context.Context, broadcast.Message) (broadcast.Receipt, error) {
		t.Error("called without the lock")
		return broadcast.Receipt{}, nil
	}))
	rep, err = failing.Send(context.Background(), validUpdate())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "lock: connection refused")
	assert.Equal(t, fast.MaxAttempts, rep.Results[0].Attempts, "a lock failure is transient")
}
