package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/broadcast/pgstore"
	"github.com/outagecast/outagecast/dispatch"
)

// A run past its JobTimeout still records what it delivered, for up to
// pgstore's ReconnectWait while the database is away (dispatch's
// Config.RescueAfter): a rescue before that runs the job again while the
// first run still writes its marks, and posts it twice. With an
// attempt_timeout of 3m, rescue_after was 5m, below 3m30s + 2m.
func TestRescueAfterOutlastsARunRecordingItsDelivery(t *testing.T) {
	for _, attempt := range []time.Duration{0, time.Second, broadcast.DefaultAttemptTimeout, 90 * time.Second,
		3 * time.Minute, 10 * time.Minute} {
		job, rescue := jobTimeouts(attempt)
		effective := attempt
		if effective == 0 {
			effective = broadcast.DefaultAttemptTimeout
		}
		assert.GreaterOrEqual(t, job, dispatch.DefaultJobTimeout, attempt)
		assert.Greater(t, job, effective, "the attempt fits in the job: %v", attempt)
		assert.GreaterOrEqual(t, rescue, dispatch.DefaultRescueAfter, attempt)
		assert.Greater(t, rescue, job+pgstore.DefaultReconnectWait, "attempt_timeout %v", attempt)
	}
}
