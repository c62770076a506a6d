package boltstore

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"sync/atomic"

	bolt "go.etcd.io/bbolt"
)

// bbolt reads its file through a memory map and trusts what it reads. A
// page it does not expect makes it panic; a page past the end of a file
// cut short makes the process fault, which kills it unless the goroutine
// has asked for a panic instead. A damaged meta page makes it use the
// other, older one without a word. boltDB turns all three into errors.

// A boltDB is bbolt's DB for calls that find damage rather than crash.
type boltDB struct {
	*bolt.DB
	file     *os.File // bbolt's
	pageSize int
	// seen is the latest transaction seen. A later transaction that
	// starts from an older one found the newer meta page damaged.
	seen atomic.Uint64
	// stuck is set when bbolt panicked while it began a transaction,
	// holding locks that DB.Close would wait for for ever.
	stuck atomic.Bool
}

// A damage is damage found during a call: a panic in bbolt, recovered, a
// transaction older than one seen before, or what a check found.
type damage struct{ detail string }

func (d *damage) Error() string { return d.detail }

// panicDamage is the damage of r, a panic recovered by recovering. It
// shows r, unlike the errors of a panic elsewhere (see package
// internal/panictext): recovering runs only this package's code and
// bbolt's, on keys and values made before it runs (a failure's text
// included), so r is bbolt's own (a page number, a bucket's key: update
// IDs, channels and targets) or the runtime's, quotes no caller's secret,
// and says where the file is damaged.
func panicDamage(r any) *damage {
	if _, fault := r.(interface{ Addr() uintptr }); fault {
		return &damage{"reading a page faulted: the file is shorter than its pages, or a page points outside it"}
	}
	if _, ok := r.(runtime.Error); ok {
		return &damage{fmt.Sprintf("reading a page failed: %v", r)}
	}
	return &damage{fmt.Sprintf("bbolt: %v", r)}
}

// recovering runs fn, with memory faults turned into panics, and returns a
// *damage for a panic.
func recovering(fn func() error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = panicDamage(r)
		}
	}()
	return fn()
}

// view runs fn in a read-only transaction; see recovering.
func (db *boltDB) view(fn func(*bolt.Tx) error) error {
	floor := db.seen.Load()
	begun := false
	err := recovering(func() error {
		return db.View(func(tx *bolt.Tx) error {
			begun = true
			if err := db.check(tx, floor); err != nil {
				return err
			}
			return fn(tx)
		})
	})
	db.panicked(err, begun)
	return err
}

// update runs fn in a read-write transaction and commits it; see
// recovering. After a panic it rolls back without reading the file:
// DB.Update would read the free-page list again, which may be what is
// damaged, and a second panic there would keep bbolt's writer lock for
// ever. The Store writes nothing after a panic (see Store.fail), so the
// free-page list bbolt keeps in memory need not be right.
func (db *boltDB) update(fn func(*bolt.Tx) error) error {
	floor := db.seen.Load()
	begun := false
	err := recovering(func() error {
		tx, err := db.Begin(true)
		if err != nil {
			return err
		}
		begun = true
		defer func() {
			if r := recover(); r != nil {
				_ = tx.Rollback()
				panic(r)
			}
		}()
		if err := db.check(tx, floor); err != nil {
			_ = tx.Rollback()
			return err
		}
		if err := fn(tx); err != nil {
			_ = tx.Rollback()
			return err
		}
		id := uint64(tx.ID()) // not known after Commit
		if err := checkBeforeCommit(db.file, db.pageSize, id-1); err != nil {
			_ = tx.Rollback()
			return &damage{err.Error()}
		}
		if err := tx.Commit(); err != nil {
			return err
		}
		db.saw(id)
		return nil
	})
	db.panicked(err, begun)
	return err
}

// check checks that tx starts from the latest transaction seen, floor, or
// a later one.
func (db *boltDB) check(tx *bolt.Tx, floor uint64) error {
	id := uint64(tx.ID())
	if tx.Writable() {
		id-- // a writer's ID is the one it will commit
	}
	if id < floor {
		return &damage{fmt.Sprintf("the meta page of transaction %d was damaged; bbolt fell back to transaction %d", floor, id)}
	}
	db.saw(id)
	return nil
}

// saw records that transaction id was seen.
func (db *boltDB) saw(id uint64) {
	for {
		old := db.seen.Load()
		if id <= old || db.seen.CompareAndSwap(old, id) {
			return
		}
	}
}

// panicked records a panic while a transaction was begun.
func (db *boltDB) panicked(err error, begun bool) {
	if _, ok := err.(*damage); ok && !begun {
		db.stuck.Store(true)
	}
}
