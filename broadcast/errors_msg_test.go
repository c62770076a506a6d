package broadcast_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/broadcast"
)

// A DeliveryError says how many attempts the channel made, and that it
// made none when it could not (a Retract on a channel that cannot delete,
// a ctx that ended first), instead of "after 0 attempts".
func TestDeliveryErrorCountsAttempts(t *testing.T) {
	cause := errors.New("not supported")
	for _, tt := range []struct {
		attempts int
		want     string
	}{
		{0, "broadcast: channel console failed without an attempt: not supported"},
		{1, "broadcast: channel console failed after 1 attempt: not supported"},
		{3, "broadcast: channel console failed after 3 attempts: not supported"},
	} {
		assert.EqualError(t, &broadcast.DeliveryError{Channel: "console", Attempts: tt.attempts, Err: cause}, tt.want)
	}
}
