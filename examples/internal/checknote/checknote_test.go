package checknote

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/console"
)

// other is a channel that is no Checker and no console.
type other struct{}

func (other) Name() string { return "other" }
func (other) Send(context.Context, broadcast.Message) (broadcast.Receipt, error) {
	return broadcast.Receipt{}, nil
}

// A console has nothing to check; another channel that is no Checker
// cannot be checked without posting.
func TestNotChecked(t *testing.T) {
	c, err := console.New(console.Config{})
	require.NoError(t, err)
	outcome, why := NotChecked(c)
	assert.Equal(t, NothingToCheck, outcome)
	assert.Contains(t, why, "no server")
	outcome, why = NotChecked(other{})
	assert.Equal(t, Unsupported, outcome)
	assert.Equal(t, "cannot be checked without posting", why)
	outcome, _ = NotChecked(nil)
	assert.Equal(t, Unsupported, outcome)
}
