package broadcast_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A nil pointer of a channel type (an adapter's New failed and its error
// was dropped) is refused by New, naming the channel's place, instead of
// panicking in its Name method.
func TestNewRefusesANilChannelPointer(t *testing.T) {
	var missing *script
	_, err := broadcast.New([]broadcast.Channel{&script{name: "x"}, missing}, broadcast.Options{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "channels[1]")
	assert.Contains(t, err.Error(), "*broadcast_test.script")
}
