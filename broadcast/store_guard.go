package broadcast

import "context"

// guardStore returns the Store a Broadcaster uses for s, Options.Store:
// a MemoryStore when nil; s guarded (see GuardStore) otherwise: a panic
// in a delivery's goroutine would take the caller's process down.
func guardStore(s Store) Store {
	if s == nil {
		return NewMemoryStore()
	}
	return GuardStore(s)
}

// GuardStore returns s with its panics turned into errors, as a
// Broadcaster guards its Options.Store: a method that panics returns a
// Permanent error naming it ("Store.Receipt panicked: …"), as does one
// that returns an error whose Error method panics. Code that calls a
// caller's Store beside a Broadcaster (package dispatch's reports) guards
// it so. It returns nil for nil, and s itself when s needs no guard (a
// MemoryStore, or a Store it guarded already).
func GuardStore(s Store) Store {
	switch s.(type) {
	case nil, *MemoryStore, guardedStore:
		return s
	}
	return guardedStore{s}
}

// guardedStore is a Store whose panics are errors, as are its errors
// whose Error method panics (see readable).
type guardedStore struct{ s Store }

func (g guardedStore) Thread(ctx context.Context, incidentID, channel string) (t Thread, err error) {
	defer readableFrom(&err, "Store.Thread")
	return g.s.Thread(ctx, incidentID, channel)
}

func (g guardedStore) SaveReceipt(ctx context.Context, incidentID, updateID string, r Receipt) (err error) {
	defer readableFrom(&err, "Store.SaveReceipt")
	return g.s.SaveReceipt(ctx, incidentID, updateID, r)
}

func (g guardedStore) Receipt(ctx context.Context, updateID, channel string) (r Receipt, ok bool, err error) {
	defer readableFrom(&err, "Store.Receipt")
	return g.s.Receipt(ctx, updateID, channel)
}

func (g guardedStore) Done(ctx context.Context, updateID, channel, target string) (done bool, failure string, err error) {
	defer readableFrom(&err, "Store.Done")
	return g.s.Done(ctx, updateID, channel, target)
}

func (g guardedStore) Mark(ctx context.Context, updateID, channel, target string, failure error) (err error) {
	defer readableFrom(&err, "Store.Mark")
	return g.s.Mark(ctx, updateID, channel, target, failure)
}

// readableFrom, deferred, makes a panic in what, a Store's method, the
// error of the delivery that called it, as recovered does a channel's;
// the method's error must also be readable (see readable).
func readableFrom(err *error, what string) {
	if r := recover(); r != nil {
		*err = panicked(what, r)
		return
	}
	if *err != nil {
		*err = readable(*err, what)
	}
}
