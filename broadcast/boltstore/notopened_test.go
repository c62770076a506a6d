package boltstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/broadcast/boltstore"
)

// A Store not made by Open, its zero value or a nil *Store (a field never
// set, Open's result kept after its error), fails every call with an error
// matching ErrClosed that says so, and Close does nothing. Before, every
// call panicked (a nil pointer dereference).
func TestStoreNotOpened(t *testing.T) {
	for name, s := range map[string]*boltstore.Store{"zero": {}, "nil": nil} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			errs := map[string]error{}
			errs["mark"] = s.Mark(ctx, "u1", "email", "", nil)
			errs["save receipt"] = s.SaveReceipt(ctx, "inc", "u1", broadcast.Receipt{Channel: "email", ID: "1"})
			_, errs["thread"] = s.Thread(ctx, "inc", "email")
			_, _, errs["receipt"] = s.Receipt(ctx, "u1", "email")
			_, _, errs["done"] = s.Done(ctx, "u1", "email", "")
			_, errs["prune"] = s.Prune(ctx, time.Now())
			_, errs["lock"] = s.Lock(ctx, broadcast.LockKey{UpdateID: "u1", Channel: "email"})
			for op, err := range errs {
				assert.ErrorIs(t, err, boltstore.ErrClosed, op)
				assert.EqualError(t, err, "boltstore: "+op+": store not opened (a Store is made by Open)", op)
			}
			assert.NoError(t, s.Close())
		})
	}
}
