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
