package broadcast_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/internal/notmade/notmadetest"
)

// A Broadcaster not made by New, a nil *Broadcaster (New's error dropped)
// or a zero one, fails every call with an error naming the type and New,
// and Channels returns nil. Before, every call panicked on a nil pointer.
func TestBroadcasterNotMade(t *testing.T) {
	for name, b := range map[string]*broadcast.Broadcaster{"nil": nil, "zero": {}} {
		t.Run(name, func(t *testing.T) {
			errs := notmadetest.Check(t, b)
			assert.Len(t, errs, 16) // every method but Channels
			notmadetest.Errors(t, errs, "broadcast: broadcast.Broadcaster not made by broadcast.New "+
				"(a nil *broadcast.Broadcaster, or a zero one: was the error of broadcast.New dropped?)")
			assert.Nil(t, b.Channels())
		})
	}
}

// A ChannelFunc given a nil function fails its Send for good instead of
// panicking.
func TestChannelFuncNilSend(t *testing.T) {
	_, err := broadcast.ChannelFunc("x", nil).Send(context.Background(), broadcast.NewMessage(notmadetest.Update))
	assert.EqualError(t, err, "broadcast: ChannelFunc: nil send function")
	assert.True(t, broadcast.IsPermanent(err))
}
