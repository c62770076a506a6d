package email_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A Send given a context already ended says which channel failed, as
// every other error of the channel does, and still wraps the context's
// error.
func TestSendWithEndedContextNamesTheChannel(t *testing.T) {
	ch := newChannel(t, configFor(1, "ops@example.net"))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := ch.Send(ctx, broadcast.NewMessage(incident(1)))
	require.ErrorIs(t, err, context.Canceled)
	assert.EqualError(t, err, "email: context canceled")
}
