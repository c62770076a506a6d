package ratelimit

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TryReserve reserves a request that may go now, as Reserve does, and
// refuses, reserving nothing, one that a used-up limit, a hold of Every
// or what requests not yet answered reserved would make wait.
func TestTryReserveNeverWaits(t *testing.T) {
	now := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	var l Limits
	l.Note("b", "1", now, wait(time.Minute, true)) // one left

	keys := []string{"b"}
	r, ok := l.TryReserve(now, 1, keys...)
	require.True(t, ok, "one left")
	keys[0] = "other"
	_, ok = l.TryReserve(now, 1, "b")
	assert.False(t, ok, "the one left is reserved")
	r.Release()
	r, ok = l.TryReserve(now, 1, "b")
	require.True(t, ok, "given back")
	r.Note("b", "0", now, wait(time.Minute, true))
	_, ok = l.TryReserve(now, 1, "b")
	assert.False(t, ok, "used up")
	r, ok = l.TryReserve(now.Add(time.Minute), 1, "b")
	require.True(t, ok, "refilled")
	r.Release()

	l.Hold(Every, now, time.Second)
	_, ok = l.TryReserve(now, 1, "c")
	assert.False(t, ok, "every request held")
	assert.Equal(t, 0, len(l.taken), "nothing reserved by a refusal")
}
