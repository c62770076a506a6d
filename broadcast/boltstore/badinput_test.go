package boltstore_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/broadcast/boltstore"
)

// A nil context is refused with an error that says so, by every method
// that takes one, and nothing is done. Before, every one of them panicked
// (a nil pointer dereference), as the Broadcaster no longer does.
func TestNilContextIsAnError(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "state.db"))
	var nilCtx context.Context // as a caller with a context field never set has
	errs := map[string]error{}
	errs["mark"] = s.Mark(nilCtx, "u1", "email", "", nil)
	errs["save receipt"] = s.SaveReceipt(nilCtx, "inc", "u1", broadcast.Receipt{Channel: "email", ID: "1"})
	_, errs["thread"] = s.Thread(nilCtx, "inc", "email")
	_, _, errs["receipt"] = s.Receipt(nilCtx, "u1", "email")
	_, _, errs["done"] = s.Done(nilCtx, "u1", "email", "")
	_, errs["prune"] = s.Prune(nilCtx, time.Now())
	_, errs["lock"] = s.Lock(nilCtx, broadcast.LockKey{UpdateID: "u1", Channel: "email"})
	for op, err := range errs {
		assert.EqualError(t, err, "boltstore: "+op+": nil context (pass context.Background() or a context of your own)", op)
	}

	ctx := context.Background()
	done, _, err := s.Done(ctx, "u1", "email", "")
	require.NoError(t, err)
	assert.False(t, done, "no mark")
	_, found, err := s.Receipt(ctx, "u1", "email")
	require.NoError(t, err)
	assert.False(t, found, "no receipt")
}

// An empty path is refused with an error that says so. Before, the error
// was the system's, "open : no such file or directory".
func TestOpenEmptyPath(t *testing.T) {
	s, err := boltstore.Open("", nil)
	assert.Nil(t, s)
	assert.EqualError(t, err, "boltstore: open: empty path (the store file's name)")
}
