package boltstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/outagecast/outagecast/broadcast"
)

// LastReceipt implements broadcast.Store.
func (s *Store) LastReceipt(ctx context.Context, incidentID, channel string) (broadcast.Receipt, bool, error) {
	k, err := prepare(ctx, incidentID, channel)
	if err != nil {
		return broadcast.Receipt{}, false, fmt.Errorf("boltstore: last receipt: %w", err)
	}
	var rec receiptRecord
	var found bool
	err = s.read(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketReceipts).Get(k)
		if v == nil {
			return nil
		}
		found = true
		if err := json.Unmarshal(v, &rec); err != nil {
			// This package wrote it: the file is damaged.
			return &damage{fmt.Sprintf("a receipt does not decode: %v", err)}
		}
		return nil
	})
	if err != nil {
		return broadcast.Receipt{}, false, wrap("last receipt", err)
	}
	return rec.Receipt, found, nil
}

// SaveReceipt implements broadcast.Store. The receipt has been committed to
// disk when it returns nil.
func (s *Store) SaveReceipt(ctx context.Context, incidentID string, r broadcast.Receipt) error {
	k, err := prepare(ctx, incidentID, r.Channel)
	if err != nil {
		return fmt.Errorf("boltstore: save receipt: %w", err)
	}
	v, err := json.Marshal(receiptRecord{Saved: s.now().UTC(), Receipt: r})
	if err != nil {
		return fmt.Errorf("boltstore: save receipt: encode: %w", err)
	}
	err = s.write(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketReceipts).Put(k, v)
	})
	return wrap("save receipt", err)
}

// Done implements broadcast.Store.
func (s *Store) Done(ctx context.Context, updateID, channel, target string) (bool, error) {
	k, err := prepare(ctx, updateID, channel, target)
	if err != nil {
		return false, fmt.Errorf("boltstore: done: %w", err)
	}
	var found bool
	err = s.read(func(tx *bolt.Tx) error {
		found = tx.Bucket(bucketMarks).Get(k) != nil
		return nil
	})
	if err != nil {
		return false, wrap("done", err)
	}
	return found, nil
}

// Failure implements broadcast.FailureStore: the failure text of target's
// mark, if it was marked failed.
func (s *Store) Failure(ctx context.Context, updateID, channel, target string) (string, bool, error) {
	k, err := prepare(ctx, updateID, channel, target)
	if err != nil {
		return "", false, fmt.Errorf("boltstore: failure: %w", err)
	}
	var text string
	err = s.read(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketMarks).Get(k); len(v) > 8 {
			text = string(v[8:])
		}
		return nil
	})
	if err != nil {
		return "", false, wrap("failure", err)
	}
	return text, text != "", nil
}

// Mark implements broadcast.Store. The mark has been committed to disk when
// it returns nil. A failure is kept as its text.
func (s *Store) Mark(ctx context.Context, updateID, channel, target string, failure error) error {
	k, err := prepare(ctx, updateID, channel, target)
	if err != nil {
		return fmt.Errorf("boltstore: mark: %w", err)
	}
	v := markValue(s.now(), failure)
	err = s.write(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMarks).Put(k, v)
	})
	return wrap("mark", err)
}

// prepare checks ctx before a call starts and returns the call's key.
func prepare(ctx context.Context, parts ...string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return key(parts...)
}

// read runs fn in a read-only transaction, unless the file was found
// damaged.
func (s *Store) read(fn func(*bolt.Tx) error) error {
	if d := s.damaged.Load(); d != nil {
		return d
	}
	return s.fail(s.db.view(fn))
}

// write runs fn in a committed transaction, unless the file was found
// damaged.
func (s *Store) write(fn func(*bolt.Tx) error) error {
	if d := s.damaged.Load(); d != nil {
		return d
	}
	return s.fail(s.commit.write(fn))
}

// fail turns damage found by a call into the error that the file is
// damaged, and makes every later call but Close fail with it: a write into
// a damaged file could spread the damage.
func (s *Store) fail(err error) error {
	var d *damage
	if !errors.As(err, &d) {
		return err
	}
	s.damaged.CompareAndSwap(nil, damagedFile(s.path, d.detail, nil))
	return s.damaged.Load()
}

// update runs fn in a committed transaction of its own, unless the file
// was found damaged.
func (s *Store) update(fn func(*bolt.Tx) error) error {
	if d := s.damaged.Load(); d != nil {
		return d
	}
	return s.fail(s.db.update(fn))
}

// wrap wraps an error with what was being done; nil stays nil, and the
// errors of a closed store and a damaged file say enough.
func wrap(op string, err error) error {
	var damaged *fileError
	switch {
	case err == nil, errors.As(err, &damaged):
		return err
	case errors.Is(err, berrors.ErrDatabaseNotOpen):
		return ErrClosed
	}
	return fmt.Errorf("boltstore: %s: %w", op, err)
}
