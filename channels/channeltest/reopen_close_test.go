package channeltest_test

import (
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
)

// closeCounted is a channel from Harness.Reopen that counts its Close.
type closeCounted struct {
	broadcast.Channel
	closed *atomic.Int64
}

func (c closeCounted) Unwrap() broadcast.Channel { return c.Channel }

func (c closeCounted) Close() error {
	c.closed.Add(1)
	return nil
}

// Every channel the suite has Harness.Reopen make is closed before the
// rule ends, as a process's channel is when it stops: one left open keeps
// its connections and goroutines past the test.
func TestReopenedChannelsClosed(t *testing.T) {
	var made, closed atomic.Int64
	h := chatHarness()
	reopen := h.Reopen
	h.Reopen = func(t *testing.T, be channeltest.Backend) broadcast.Channel {
		made.Add(1)
		return closeCounted{Channel: reopen(t, be), closed: &closed}
	}
	t.Run("suite", func(t *testing.T) { channeltest.Run(t, h) })
	assert.Positive(t, made.Load(), "channels Harness.Reopen made")
	assert.Equal(t, made.Load(), closed.Load(), "channels Harness.Reopen made, closed by the suite")
}
