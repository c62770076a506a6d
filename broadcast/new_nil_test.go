package broadcast_test

import (
	"context"
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

// quietNil is a channel type whose Name, on a nil pointer, returns "" as
// the adapters' do rather than panic.
type quietNil struct{ name string }

func (q *quietNil) Name() string {
	if q == nil {
		return ""
	}
	return q.name
}

func (q *quietNil) Send(context.Context, broadcast.Message) (broadcast.Receipt, error) {
	return broadcast.Receipt{}, nil
}

// A nil pointer whose Name does not panic is refused all the same, naming
// its type and place, not as a channel of an empty name.
func TestNewRefusesAQuietNilChannelPointer(t *testing.T) {
	var missing *quietNil
	_, err := broadcast.New([]broadcast.Channel{&quietNil{name: "x"}, missing}, broadcast.Options{})
	require.EqualError(t, err, "broadcast: channels[1]: a nil *broadcast_test.quietNil "+
		"(was the error of its constructor dropped?)")
}
