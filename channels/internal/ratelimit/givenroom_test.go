package ratelimit

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A request held within an attempt by a reservation not yet given back,
// and by a hold that itself ends too late to leave it room, is not made
// to wait for the reservation: given back, it would still have to wait
// past the attempt. It fails at once, as a wait not begun does, rather
// than spend the attempt's time on a wait that cannot let it go.
func TestReserveDoesNotWaitForAReservationWhenAHoldOutlastsTheAttempt(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := &Limits{Max: 3 * time.Hour}
	l.Note("g", "1", now, wait(40*time.Minute, true))
	first, err := l.Reserve(context.Background(), Clock{Now: func() time.Time { return now }}, "the limit", 1, "g")
	require.NoError(t, err)
	defer first.Release()
	l.Hold(Every, now, 20*time.Minute)

	c := Clock{Now: func() time.Time { return now }, Sleep: func(context.Context, time.Duration) error {
		t.Error("the request waited, though no reservation given back could let it go within the attempt")
		return context.Canceled
	}}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	_, err = l.Reserve(ctx, c, "the limit", 1, "g")
	require.Error(t, err)
	d, ok := broadcast.RetryDelay(err)
	require.True(t, ok, "%v", err)
	assert.Equal(t, 40*time.Minute, d)
	assert.Contains(t, err.Error(), "too long to wait and still make the request within the attempt: not requested")
}
