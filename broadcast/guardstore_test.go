package broadcast_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// everyMethodPanics is a Store with a bug in each of its methods.
type everyMethodPanics struct{}

func (everyMethodPanics) Thread(context.Context, string, string) (broadcast.Thread, error) {
	panic("store: nil pool")
}

func (everyMethodPanics) SaveReceipt(context.Context, string, string, broadcast.Receipt) error {
	panic("store: nil pool")
}

func (everyMethodPanics) Receipt(context.Context, string, string) (broadcast.Receipt, bool, error) {
	panic("store: nil pool")
}

func (everyMethodPanics) Done(context.Context, string, string, string) (bool, string, error) {
	panic("store: nil pool")
}

func (everyMethodPanics) Mark(context.Context, string, string, string, error) error {
	panic("store: nil pool")
}

// GuardStore gives code beside a Broadcaster (dispatch's reports) the
// guard the Broadcaster puts on its Options.Store: each method's panic is
// a Permanent error naming it, and an error whose Error method panics is
// one too. A Store guarded already, a MemoryStore and nil are returned as
// they are.
func TestGuardStoreTurnsPanicsIntoErrors(t *testing.T) {
	ctx := context.Background()
	s := broadcast.GuardStore(everyMethodPanics{})
	errs := map[string]error{}
	require.NotPanics(t, func() {
		_, errs["Thread"] = s.Thread(ctx, "i", "x")
		errs["SaveReceipt"] = s.SaveReceipt(ctx, "i", "u", broadcast.Receipt{Channel: "x"})
		_, _, errs["Receipt"] = s.Receipt(ctx, "u", "x")
		_, _, errs["Done"] = s.Done(ctx, "u", "x", "")
		errs["Mark"] = s.Mark(ctx, "u", "x", "", nil)
	})
	for method, err := range errs {
		assert.EqualError(t, err, "Store."+method+" panicked: a string", method)
		assert.True(t, broadcast.IsPermanent(err), method)
	}

	_, _, err := broadcast.GuardStore(storeErrorPanics{broadcast.NewMemoryStore()}).Done(ctx, "u", "x", "")
	require.Error(t, err)
	assert.NotPanics(t, func() { _ = err.Error() })
	assert.Contains(t, err.Error(), "Store.Done returned an error")

	assert.Equal(t, s, broadcast.GuardStore(s), "guarded once")
	m := broadcast.NewMemoryStore()
	assert.Same(t, m, broadcast.GuardStore(m))
	assert.Nil(t, broadcast.GuardStore(nil))
}

// storeErrorPanics is a Store whose Done returns an error whose Error
// method panics.
type storeErrorPanics struct{ *broadcast.MemoryStore }

func (storeErrorPanics) Done(context.Context, string, string, string) (bool, string, error) {
	return false, "", panickyText{}
}

// panickyText is an error whose Error method panics.
type panickyText struct{}

func (panickyText) Error() string { panic("text: nil map") }
