package webhook

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
)

// TestDefaultClientTimeout: the default client has no Timeout of its own,
// and the channel bounds each of its requests, response body included, by
// the timeout the client had: a receiver that never answers, or whose 2xx
// body never ends, is given up within it, long before the attempt ends.
func TestDefaultClientTimeout(t *testing.T) {
	rc := newReceiver(t)
	rc.on("/silent", hangFirst)
	rc.on("/endless", statusThen(http.StatusOK, slowBodies["endless"]))
	silent, endless := rc.endpoint("/silent"), rc.endpoint("/endless")
	ch := newTestChannel(t, Config{Name: "hooks", Endpoints: []Endpoint{silent, endless}}, nil)
	require.Zero(t, ch.s.client.Timeout)
	// Less than the body wait, so that it bounds the body too; long enough
	// for the answer of the endpoint that does answer on a busy machine.
	ch.s.timeout = time.Second
	ledger := channeltest.NewLedger()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	_, err := ch.Send(ctx, msg(fullUpdate, ledger))
	require.Error(t, err)
	require.NoError(t, ctx.Err(), "given up before the attempt ended")
	assert.False(t, broadcast.IsPermanent(err), "a timeout is transient")
	var te *broadcast.TargetsError
	require.ErrorAs(t, err, &te)
	require.Len(t, te.Pending, 1)
	assert.Equal(t, target(silent), te.Pending[0].Target)
	pending := te.Pending[0].Err
	assert.ErrorIs(t, pending, context.DeadlineExceeded, "a timeout, as a client's Timeout gives")
	assert.NotErrorIs(t, pending, context.Canceled)
	var ne interface{ Timeout() bool }
	require.True(t, errors.As(pending, &ne))
	assert.True(t, ne.Timeout())
	assert.Contains(t, pending.Error(), "post: request timeout exceeded")
	done, _ := ledger.Done(target(endless))
	assert.True(t, done, "the 2xx whose body never ended is delivered")
}

// TestSuccessCostsNoRedaction: an endpoint's Redactor is built for its
// first error only; answers that succeed are never redacted.
func TestSuccessCostsNoRedaction(t *testing.T) {
	rc := newReceiver(t)
	rc.on("/bad", always(http.StatusBadRequest))
	good, bad := rc.endpoint("/good"), rc.endpoint("/bad")
	ch := newTestChannel(t, Config{Name: "hooks", Endpoints: []Endpoint{good, bad}}, nil)

	_, err := ch.Send(context.Background(), msg(fullUpdate, nil))
	require.NoError(t, err, "the 400 is a permanent failure of one endpoint")
	assert.Nil(t, ch.s.endpoints[0].rd, "the endpoint that took the update")
	assert.NotNil(t, ch.s.endpoints[1].rd, "the endpoint that refused it")
}
