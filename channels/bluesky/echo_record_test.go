package bluesky

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
)

// A createRecord answer whose uri or cid is none (a relay's or a debugging
// proxy's echo of the request) is not the server's answer: Permanent,
// naming Config.Service, as every channel takes such an answer. Before,
// it was transient, retried until Retry.MaxElapsed without naming what to
// check.
func TestEchoedRecordIsNotTheServers(t *testing.T) {
	f := newFakePDS(t)
	ch := newTestChannel(t, f)
	_, err := ch.Send(context.Background(), broadcast.NewMessage(testUpdate()))
	require.NoError(t, err)
	f.Fail(channeltest.FailEchoDelivered)
	u := testUpdate()
	u.ID = "u-echoed"
	_, err = ch.Send(context.Background(), broadcast.NewMessage(u))
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err), "%v", err)
	assert.ErrorIs(t, err, errNotXRPC)
	assert.Contains(t, err.Error(), "Config.Service")
	assert.NotContains(t, err.Error(), testPassword)
}
