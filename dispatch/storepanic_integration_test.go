//go:build integration

package dispatch_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/dispatch"
)

// receiptPanics is a Store whose Receipt has a bug.
type receiptPanics struct{ broadcast.Store }

func (receiptPanics) Receipt(context.Context, string, string) (broadcast.Receipt, bool, error) {
	panic("store: nil pool")
}

// Report, Wait and Watch read Config.Store for the receipts of the jobs
// completed; a panic in it reached their caller. It is their error,
// naming the method.
func TestAPanickingStoreFailsReportAndWait(t *testing.T) {
	ctx := waitCtx(t)
	dsn := newSchema(t)
	x := broadcast.ChannelFunc("x", func(context.Context, broadcast.Message) (broadcast.Receipt, error) {
		return broadcast.Receipt{ID: "post-1"}, nil
	})
	in := newInstance(t, dsn, []broadcast.Channel{x}, broadcast.Options{}, dispatch.Config{Workers: 2})
	in.start(t)
	id, err := in.d.Enqueue(ctx, nil, update(1))
	require.NoError(t, err)
	_, err = in.d.Wait(ctx, id)
	require.NoError(t, err)

	d, err := dispatch.New(dispatch.Config{Pool: in.pool, Broadcaster: in.b, Store: receiptPanics{in.store}, Workers: 2})
	require.NoError(t, err)
	require.NotPanics(t, func() { _, _, err = d.Report(ctx, id) }, "Report")
	assert.ErrorContains(t, err, "Store.Receipt panicked: a string")
	require.NotPanics(t, func() { _, err = d.Wait(ctx, id) }, "Wait")
	assert.ErrorContains(t, err, "Store.Receipt panicked: a string")
}
