package dispatch

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// After a Stop that failed, River is still stopping, and its Start does
// nothing: Start waits for it (here it never stops, as River not started
// here never does), and fails once its ctx ends, saying why, before it
// checks the database. Before, Start went on to River's Start, which did
// nothing, and returned nil without a worker started. (The run through
// River: TestStartAfterAFailedStopStartsTheWorkers, an integration test.)
func TestStartAfterAFailedStopWaitsForRiverToStop(t *testing.T) {
	d, _ := failingDispatcher(t)
	d.runCtx = context.Background() // a run that did not end by its ctx
	d.stopFailed = true             // as Stop leaves it when it fails
	ended, cancel := context.WithCancel(context.Background())
	cancel()
	err := d.Start(ended)
	require.ErrorIs(t, err, context.Canceled)
	assert.EqualError(t, err, "dispatch: start: the jobs of the last run are still finishing: context canceled")

	// A Stop that succeeds (here: River not running) ends the wait.
	require.NoError(t, d.Stop(context.Background()))
	assert.False(t, d.stopping())
}
