package ratelimit

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every is a limit of requests: a request costing 3 points of its own
// limit, which names Every among its keys to reserve its request of it,
// takes 1 of what Every has left, not 3. With 2 left, it goes; before, it
// waited for Every's reset, as if it cost 3 requests.
func TestEveryAmongKeysCountsOneRequest(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := &Limits{}
	l.Note(Every, "2", now, wait(5*time.Minute, true))

	assert.True(t, l.UntilFor(3, "g", Every).IsZero(), "a request of 3 points, 1 of Every's 2 left")

	c := Clock{Now: func() time.Time { return now }, Sleep: func(context.Context, time.Duration) error {
		t.Error("the request waited, with 2 requests of Every left")
		return context.Canceled
	}}
	first, err := l.Reserve(context.Background(), c, "the limit", 3, "g", Every)
	require.NoError(t, err)
	defer first.Release()
	second, err := l.Reserve(context.Background(), c, "the limit", 3, "g", Every)
	require.NoError(t, err, "the second takes Every's last request")
	defer second.Release()
	assert.Equal(t, now.Add(5*time.Minute), l.UntilFor(1, "h"), "none left with both reserved: Every holds the next until its reset")
}
