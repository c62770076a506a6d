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

// wrapper wraps a channel, as middleware does.
type wrapper struct{ broadcast.Channel }

func (w wrapper) Unwrap() broadcast.Channel { return w.Channel }

// named is a channel that is no console, whatever its name.
type named struct {
	other
	name string
}

func (n named) Name() string { return n.name }

// A console is told by its type, not its name: a console under a wrapper
// has nothing to check, and another channel named "console" is still
// unsupported.
func TestNotCheckedByType(t *testing.T) {
	c, err := console.New(console.Config{Name: "screen"})
	require.NoError(t, err)
	outcome, _ := NotChecked(wrapper{wrapper{c}})
	assert.Equal(t, NothingToCheck, outcome, "a wrapped console")
	outcome, why := NotChecked(named{name: "console"})
	assert.Equal(t, Unsupported, outcome, "another channel named console")
	assert.Equal(t, "cannot be checked without posting", why)
}
