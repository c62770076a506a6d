package broadcast_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/broadcast"
)

func TestMarkAs(t *testing.T) {
	err := errors.New("demo: post: refused")
	got := broadcast.MarkAs(err, broadcast.Permanent(errors.New("x")))
	assert.True(t, broadcast.IsPermanent(got))
	assert.ErrorIs(t, got, err)

	got = broadcast.MarkAs(err, broadcast.RetryAfter(errors.New("x"), 30*time.Second))
	d, ok := broadcast.RetryDelay(got)
	assert.True(t, ok)
	assert.Equal(t, 30*time.Second, d)
	assert.False(t, broadcast.IsPermanent(got))

	got = broadcast.MarkAs(err, broadcast.RetryAfter(broadcast.Uncertain(errors.New("503")), 30*time.Second))
	d, ok = broadcast.RetryDelay(got)
	assert.True(t, ok)
	assert.Equal(t, 30*time.Second, d)
	assert.True(t, broadcast.IsUncertain(got), "a server error's wait keeps its uncertainty")
	assert.ErrorIs(t, got, err)

	got = broadcast.MarkAs(err, errors.New("transient"))
	assert.Same(t, err, got)
	_, ok = broadcast.RetryDelay(got)
	assert.False(t, ok)
}

// An error reworded after the marks of one whose outcome is unknown in part
// (a fan-out's TargetsError where one target timed out and another was
// rate limited, marked RetryAfter as a whole; a join of a refusal and a
// timeout) keeps that unknown: MarkAs marks it Uncertain, and a later
// run's first attempt of the update is Attempt 2, which looks for the post
// the timed-out target may have.
func TestMarkAsKeepsAnOutcomeUnknownInPart(t *testing.T) {
	te := broadcast.RetryAfter(&broadcast.TargetsError{Total: 2, Pending: []broadcast.TargetFailure{
		{Target: "a", Err: errors.New("read: i/o timeout")},
		{Target: "b", Err: broadcast.RetryAfter(errors.New("429"), time.Hour)},
	}}, time.Hour)
	reworded := errors.New("demo: 2 of 2 targets not delivered")
	got := broadcast.MarkAs(reworded, te)
	assert.True(t, broadcast.IsUncertain(got))
	d, ok := broadcast.RetryDelay(got)
	assert.True(t, ok)
	assert.Equal(t, time.Hour, d)
	assert.Equal(t, reworded.Error(), got.Error())

	joined := errors.Join(broadcast.Permanent(errors.New("400")), errors.New("read: i/o timeout"))
	got = broadcast.MarkAs(reworded, joined)
	assert.True(t, broadcast.IsUncertain(got))
	assert.True(t, broadcast.IsPermanent(got))

	// Marks that judge the whole stay as they were: a rate limit says
	// nothing was posted.
	got = broadcast.MarkAs(reworded, broadcast.RetryAfter(errors.New("429"), time.Second))
	assert.False(t, broadcast.IsUncertain(got))

	ch := &attempts{answers: []error{broadcast.MarkAs(reworded, te)}}
	sendTwice(t, ch, broadcast.RetryPolicy{MaxAttempts: 1})
	assert.Equal(t, []int{1, 2}, ch.got(), "target a's outcome is unknown: the later run must look for its post")
}
