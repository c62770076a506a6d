package broadcast_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/broadcast"
)

// MarkPartAs gives err the marks like carries, as MarkAs does, but not
// the Uncertain mark of an outcome unknown in part, which the whole that
// holds like as a part (a join's part, a target's error) is judged by:
// redact gives a redacted part its marks so, through the one rule MarkAs
// keeps.
func TestMarkPartAs(t *testing.T) {
	err := errors.New("reworded")
	inPart := errors.Join(broadcast.RetryAfter(errors.New("429"), time.Second), errors.New("read: i/o timeout"))
	assert.True(t, broadcast.IsUncertain(broadcast.MarkAs(err, inPart)))
	got := broadcast.MarkPartAs(err, inPart)
	assert.False(t, broadcast.IsUncertain(got))
	d, ok := broadcast.RetryDelay(got)
	assert.True(t, ok)
	assert.Equal(t, time.Second, d)
	assert.ErrorIs(t, got, err)

	for name, like := range map[string]error{
		"uncertain": broadcast.RetryAfter(broadcast.Uncertain(errors.New("503")), time.Minute),
		"permanent": broadcast.Permanent(errors.New("403")),
		"both":      broadcast.Permanent(broadcast.RetryAfter(errors.New("x"), time.Hour)),
	} {
		want, got := broadcast.MarkAs(err, like), broadcast.MarkPartAs(err, like)
		assert.Equal(t, broadcast.IsUncertain(want), broadcast.IsUncertain(got), name)
		assert.Equal(t, broadcast.IsPermanent(want), broadcast.IsPermanent(got), name)
		wd, wok := broadcast.RetryDelay(want)
		gd, gok := broadcast.RetryDelay(got)
		assert.Equal(t, wok, gok, name)
		assert.Equal(t, wd, gd, name)
	}
	assert.Same(t, err, broadcast.MarkPartAs(err, errors.New("transient")))
	assert.NoError(t, broadcast.MarkPartAs(nil, inPart))
}
