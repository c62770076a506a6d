package main

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/internal/syncbuf"
)

// A channel whose delivery failed after it reached a target whose mark
// the store could not write (a chat network whose connection dropped
// after the first room) did not deliver the notification: its error
// wraps broadcast.ErrNotRecorded all the same, joined to the failure.
// It was taken for a delivery that was only not recorded: the answer was
// 200, "delivered, not recorded", and Alertmanager did not send the
// notification again, so the other rooms never had it. It is failed, and
// the answer 500, or 424 when the network refused it for good (Alertmanager
// does not send it again at once, a retry being refused too, and counts it
// failed).
func TestFailedDeliveryWithAnUnrecordedTargetIsRetried(t *testing.T) {
	for _, tt := range []struct {
		name string
		err  error
		code int
	}{
		{"transient", errors.New("connection reset by peer"), http.StatusInternalServerError},
		{"permanent", broadcast.Permanent(errors.New("banned from the network")), http.StatusFailedDependency},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rooms := []string{"#ops", "#status"}
			ch := broadcast.ChannelFunc("irc", func(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
				f := broadcast.NewFanout(m, rooms)
				for _, i := range f.Todo() {
					if i == 0 {
						f.Report(i, nil) // posted; the store cannot mark it
						continue
					}
					return broadcast.Receipt{}, tt.err // the connection dropped
				}
				return broadcast.Receipt{}, f.Err()
			})
			srv := serveOnFullStore(t, ch, &syncbuf.Buffer{})

			code, resp := post(t, srv, sample(t, "firing.json"))
			require.Len(t, resp.Results, 1)
			assert.Equal(t, "failed", resp.Results[0].Outcome, "%+v", resp.Results[0])
			assert.Equal(t, tt.code, code, "not delivered: Alertmanager counts it failed")
		})
	}
}
