package webhook

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// Send's and Retract's error, when one endpoint failed, is an error about
// that endpoint's answer, which StatusCode's documentation promises to
// read: a channel with one URL that answered 410 is the case of its
// example. It read none, as the failures sit in a *broadcast.TargetsError
// that does not unwrap to them. With several failures there is no one
// status to give.
func TestStatusCodeOfOneEndpointsFailure(t *testing.T) {
	rc := newReceiver(t)
	rc.on("/gone", status(http.StatusGone))
	rc.on("/busy", status(http.StatusServiceUnavailable))
	rc.on("/bad", status(http.StatusBadRequest))

	gone := newTestChannel(t, Config{URL: rc.endpoint("/gone").URL, Secret: rc.endpoint("/gone").Secret}, nil)
	_, err := gone.Send(context.Background(), msg(fullUpdate, nil))
	require.Error(t, err)
	assert.Equal(t, http.StatusGone, StatusCode(err), "Send, one URL")
	err = gone.Retract(context.Background(), broadcast.Receipt{Channel: DefaultName, UpdateID: fullUpdate.ID})
	require.Error(t, err)
	assert.Equal(t, http.StatusGone, StatusCode(err), "Retract, one URL")

	busy := newTestChannel(t, Config{Endpoints: []Endpoint{rc.endpoint("/ok"), rc.endpoint("/busy")}}, nil)
	_, err = busy.Send(context.Background(), msg(fullUpdate, nil))
	require.Error(t, err)
	assert.Equal(t, http.StatusServiceUnavailable, StatusCode(err), "one of two endpoints pending")

	two := newTestChannel(t, Config{Endpoints: []Endpoint{rc.endpoint("/bad"), rc.endpoint("/gone")}}, nil)
	_, err = two.Send(context.Background(), msg(fullUpdate, nil))
	require.Error(t, err)
	assert.Zero(t, StatusCode(err), "two endpoints failed: no one status")
}
