package dispatch

import (
	"context"
	"testing"

	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// receiptPanics is a Store whose Receipt and Done have a bug.
type receiptPanics struct{ *broadcast.MemoryStore }

func (receiptPanics) Receipt(context.Context, string, string) (broadcast.Receipt, bool, error) {
	panic("store: nil pool")
}

func (receiptPanics) Done(context.Context, string, string, string) (bool, string, error) {
	panic("store: nil pool")
}

// Report, Wait and Watch read Config.Store for receipts and marks; a
// panic in it reached their caller, where the Broadcaster turns the same
// Store's panics into errors. It is their error now, naming the method.
func TestAPanickingStoreIsReportsError(t *testing.T) {
	d, _ := guardedDispatcher(t, Config{Store: receiptPanics{broadcast.NewMemoryStore()}})
	ctx := context.Background()
	var err error
	require.NotPanics(t, func() { _, _, err = d.stored(ctx, "x", "u-1", true) }, "a channel without a job")
	assert.ErrorContains(t, err, "dispatch: report u-1: Store.Receipt panicked: a string")

	row := &rivertype.JobRow{ID: 3, State: rivertype.JobStateCompleted, Attempt: 1}
	require.NotPanics(t, func() { _, _, err = d.result(ctx, "x", "u-1", row, false) }, "a completed job")
	assert.ErrorContains(t, err, "dispatch: report u-1: Store.Receipt panicked: a string")
}
