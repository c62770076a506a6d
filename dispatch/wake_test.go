package dispatch_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/dispatch"
)

// Without a listening connection (a Dispatcher not started, PollOnly, the
// connection lost) Changes still wakes its caller every PollInterval, the
// safety net; stop ends it (goleak checks that nothing is left running).
func TestChangesWakesEveryPollIntervalWithoutListening(t *testing.T) {
	b, err := broadcast.New([]broadcast.Channel{broadcast.ChannelFunc("x",
		func(context.Context, broadcast.Message) (broadcast.Receipt, error) { return broadcast.Receipt{}, nil })},
		broadcast.Options{})
	require.NoError(t, err)
	d, err := dispatch.New(dispatch.Config{Pool: lazyPool(t, 14), Broadcaster: b, Store: broadcast.NewMemoryStore(),
		PollInterval: time.Millisecond})
	require.NoError(t, err)

	c, stop := d.Changes("u-1")
	defer stop()
	deadline := time.After(time.Minute)
	for range 3 {
		select {
		case <-c:
		case <-deadline:
			t.Fatal("no wake-up at PollInterval")
		}
	}
	stop()
	stop() // twice is harmless
}
