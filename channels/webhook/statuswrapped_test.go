package webhook

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// StatusCode reads an error wrapping one endpoint's failure, as its doc
// says: a caller that wraps a TargetFailure's Err with its own words gets
// the status of a failure recorded by an earlier attempt as it does that
// of one answered now. Before, the recorded failure was read from the
// start of the whole error's text, so wrapping it gave 0 for an endpoint
// that had answered 410, while the same wrapping of the first run's
// failure gave 410.
func TestStatusCodeOfAWrappedFailureRecordedEarlier(t *testing.T) {
	rc := newReceiver(t)
	rc.on("/gone", status(http.StatusGone))
	rc.on("/busy", busyOnce)
	b, job := goneBusyJob(t, rc)

	var te *broadcast.TargetsError
	res := b.RunJob(context.Background(), job, 1)
	require.ErrorAs(t, res.Err, &te)
	require.Len(t, te.Failures, 1)
	first := fmt.Errorf("endpoint %s: %w", te.Failures[0].Target, te.Failures[0].Err)
	require.Equal(t, http.StatusGone, StatusCode(first), "the first run's failure, wrapped")

	res = b.RunJob(context.Background(), job, 2)
	require.Len(t, res.Failures, 1)
	require.Contains(t, res.Failures[0].Err.Error(), "failed in an earlier attempt")
	later := fmt.Errorf("endpoint %s: %w", res.Failures[0].Target, res.Failures[0].Err)
	assert.Equal(t, http.StatusGone, StatusCode(later), "the later run's failure, wrapped")
}
