package broadcast_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// An Update.Overrides key that is no channel's name, a whole document put
// there by mistake, is named in Send's (and Jobs', Preview's, Correct's)
// error by its first 64 bytes, as every other value the caller gave:
// before, the key came back whole, in the error and its FieldError's
// Field.
func TestHugeOverrideKeyQuotedCut(t *testing.T) {
	huge := strings.Repeat("h", 1<<20)
	b := newBroadcaster(t, broadcast.Options{}, broadcast.ChannelFunc("a", func(context.Context, broadcast.Message) (broadcast.Receipt, error) {
		return broadcast.Receipt{ID: "1"}, nil
	}))
	u := validUpdate()
	u.Overrides = map[string]string{huge: "text"}
	_, err := b.Send(context.Background(), u)
	require.ErrorIs(t, err, broadcast.ErrInvalidUpdate)
	assert.Less(t, len(err.Error()), 1000, "the key is not quoted whole")
	assert.ErrorContains(t, err, `Overrides: channel name "`+strings.Repeat("h", 64)+`"…: longer than 255 bytes`)
	for _, fe := range broadcast.FieldErrors(err) {
		assert.Less(t, len(fe.Field), 100, "the key is not quoted whole")
	}
	_, err = b.Jobs(broadcast.JobSend, u, "")
	require.ErrorIs(t, err, broadcast.ErrInvalidUpdate)
	assert.Less(t, len(err.Error()), 1000, "the key is not quoted whole")
}
