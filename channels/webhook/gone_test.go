package webhook

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
)

// A 410 is not just a refusal of this update: Standard Webhooks
// (spec/standard-webhooks.md, "Delivery success and failure") says "410
// Gone: This is an indication by the server that it's no longer interested
// in receiving webhooks from this source. Sender should disable the webhook
// endpoint, and stop sending it messages." The channel keeps no state
// across updates, so the endpoint's failure says so, for the operator to
// remove it: in the error, the Ledger (the Result's Failures, a later
// attempt's "failed in an earlier attempt") and a retraction's error.
func TestGoneAsksToBeDisabled(t *testing.T) {
	const asks = "the receiver asks that this endpoint be disabled: http status 410 Gone"
	rc := newReceiver(t)
	rc.on("/gone", status(http.StatusGone))
	rc.on("/bad", status(http.StatusBadRequest))
	eps := []Endpoint{rc.endpoint("/ok"), rc.endpoint("/gone"), rc.endpoint("/bad")}
	ch := newTestChannel(t, Config{Endpoints: eps}, nil)
	ledger := channeltest.NewLedger()

	_, err := ch.Send(context.Background(), msg(fullUpdate, ledger))
	require.NoError(t, err, "the others got it")
	gone := ledger.Failed()[target(eps[1])]
	require.Error(t, gone)
	assert.True(t, broadcast.IsPermanent(gone))
	assert.Equal(t, http.StatusGone, StatusCode(gone))
	assert.Contains(t, gone.Error(), asks)
	assert.NotContains(t, ledger.Failed()[target(eps[2])].Error(), asks, "a 400 asks nothing of the kind")

	err = ch.Retract(context.Background(), broadcast.Receipt{Channel: DefaultName, UpdateID: fullUpdate.ID})
	require.Error(t, err)
	assert.Contains(t, err.Error(), target(eps[1])+": "+asks)
}
