package pgstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/broadcast/pgstore"
)

// A Store not made by New or Open (a nil *Store, whose constructor failed
// and its error was dropped, or a zero Store) fails every call with an
// error that says so, as broadcast/boltstore's does. Before, every call
// panicked on the missing pool, taking the caller down where it was not
// the Broadcaster's (package dispatch's Report and Wait read the Store
// directly).
func TestStoreNotMade(t *testing.T) {
	ctx := context.Background()
	for name, s := range map[string]*pgstore.Store{"nil": nil, "zero": {}} {
		errs := map[string]error{}
		errs["mark"] = s.Mark(ctx, "u1", "email", "", nil)
		errs["save receipt"] = s.SaveReceipt(ctx, "inc", "u1", broadcast.Receipt{Channel: "email", ID: "1"})
		_, errs["read thread"] = s.Thread(ctx, "inc", "email")
		_, _, errs["read receipt"] = s.Receipt(ctx, "u1", "email")
		_, _, errs["read mark"] = s.Done(ctx, "u1", "email", "")
		_, errs["prune"] = s.Prune(ctx, time.Now())
		_, errs["lock"] = s.Lock(ctx, broadcast.LockKey{UpdateID: "u1", Channel: "email"})
		for op, err := range errs {
			assert.EqualError(t, err, "pgstore: "+op+": store not made (a Store is made by New or Open)", "%s Store: %s", name, op)
		}
		assert.NoError(t, s.Close(), "%s Store", name)
		assert.Nil(t, s.Pool(), "%s Store", name)
	}
}
