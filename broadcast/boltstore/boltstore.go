// Package boltstore is a durable broadcast.Store kept in one file with bbolt
// (go.etcd.io/bbolt). With it a Broadcaster threads the updates of an
// incident and sends nothing twice across restarts, crashes included:
//
//	store, err := boltstore.Open("outagecast.db", nil)
//	if err != nil {
//		return err
//	}
//	defer store.Close()
//	b, err := broadcast.New(channels, broadcast.Options{Store: store})
//
// Every Mark and SaveReceipt is a committed bbolt transaction, synced to
// disk, before it returns: when a channel that fans out to many recipients
// has marked a recipient delivered and the process is killed a moment later,
// running the same update again skips that recipient. What can be sent twice
// is only what was in flight at the kill: delivered, not yet marked. Writes
// from several goroutines that arrive while a commit is under way are
// committed together, in one transaction and one sync, so concurrent
// fan-out does not pay one sync per recipient; a lone writer commits at
// once, without waiting for company.
//
// One process at a time opens a file: bbolt locks it, and a second Open
// gives up after Options.LockTimeout with ErrLocked instead of hanging.
//
// # File format
//
// Three buckets: "meta" holds the format name and version; "receipts" maps
// (incident, channel) to the JSON of the latest receipt and the time it was
// saved; "marks" maps (update, channel, target) to the time of the mark and
// the failure text, empty when delivered. Each part of a key is prefixed
// with its length (uvarint), so ids containing separators or NUL bytes never
// collide. Files of another format version are refused with ErrVersion.
//
// # Limits
//
// The file grows with every mark — some 90 bytes with typical ids, on pages
// about half full, so one update to 2,000 e-mail recipients adds about
// 350 kB — and nothing is removed unless you call Prune. bbolt reuses freed
// pages but never shrinks the file; the bbolt command's compact subcommand
// does, offline. An update id, channel name and target together must stay
// under 32 kB, bbolt's key limit.
//
// Each commit costs one fsync: about 0.3 ms on a virtual SSD, 5–10 ms on a
// spinning disk. A channel marking its recipients one after another pays it
// for every recipient; concurrent writers share it. A context is checked
// before each call starts; a call under way, waiting for the disk, is not
// interrupted. The file is created with mode 0600: it holds recipient
// addresses.
//
// # Errors
//
// Open fails with an error matching ErrLocked when another process holds the
// file, ErrInvalidFile when the file is not a store of this package (another
// program's file, a corrupt file) and ErrVersion when it was written in a
// format this version does not read; these errors name the file. Calls after
// Close fail with ErrClosed. A call whose context is already done fails with
// an error matching the context's error and has no effect. Other errors come
// from the disk and the operating system, wrapped with the name of the call,
// as in "boltstore: mark: ...".
package boltstore

import (
	"errors"
	"fmt"
	"os"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/outagecast/outagecast/broadcast"
)

// Errors of Open and of calls after Close. Match them with errors.Is.
var (
	// ErrLocked means another process has the file open.
	ErrLocked = errors.New("boltstore: file locked by another process")
	// ErrInvalidFile means the file is not a store of this package: another
	// program's file, or a corrupt one.
	ErrInvalidFile = errors.New("boltstore: not an outagecast store file")
	// ErrVersion means the file was written in a format version this
	// package does not read, by a newer (or much older) version of it.
	ErrVersion = errors.New("boltstore: unsupported store format version")
	// ErrClosed is returned by calls after Close.
	ErrClosed = errors.New("boltstore: store closed")
)

// DefaultLockTimeout is how long Open waits for another process to release
// the file when Options.LockTimeout is zero.
const DefaultLockTimeout = time.Second

// Options configure Open. The zero value, like a nil *Options, means the
// documented defaults.
type Options struct {
	// LockTimeout is how long Open waits for another process to release the
	// file before failing with ErrLocked; default 1s. Negative: fail at
	// once.
	LockTimeout time.Duration
}

// Store is a durable broadcast.Store in a bbolt file. It is safe for
// concurrent use by many goroutines of one process.
type Store struct {
	db     *bolt.DB
	commit *committer
	now    func() time.Time // time of marks and receipts; a variable for tests
}

var (
	_ broadcast.Store        = (*Store)(nil)
	_ broadcast.FailureStore = (*Store)(nil)
)

// Open opens the store in the file at path, creating the file if it does not
// exist. Close it when done: until then no other process can open it.
func Open(path string, opts *Options) (*Store, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	wait := o.LockTimeout
	if wait == 0 {
		wait = DefaultLockTimeout
	}
	// bbolt reads a zero Timeout as "wait for ever"; 1ns is "try once".
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: max(wait, time.Nanosecond)})
	if err != nil {
		return nil, openError(path, wait, err)
	}
	if err := db.Update(func(tx *bolt.Tx) error { return initOrCheck(tx, path) }); err != nil {
		_ = db.Close()
		return nil, err
	}
	return &Store{db: db, commit: &committer{db: db}, now: time.Now}, nil
}

func openError(path string, wait time.Duration, err error) error {
	switch {
	case errors.Is(err, berrors.ErrTimeout) && wait > 0:
		return fmt.Errorf("%w: %s (waited %v)", ErrLocked, path, wait)
	case errors.Is(err, berrors.ErrTimeout):
		return fmt.Errorf("%w: %s", ErrLocked, path)
	case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrVersionMismatch),
		errors.Is(err, berrors.ErrChecksum):
		return fmt.Errorf("%w: %s: %w", ErrInvalidFile, path, err)
	}
	var pe *os.PathError
	if errors.As(err, &pe) && pe.Path == path {
		err = pe.Err // "open PATH: " once is enough
	}
	return fmt.Errorf("boltstore: open %s: %w", path, err)
}

// Close closes the file, after the writes under way. Later calls of the
// Store's methods fail with ErrClosed. Calling Close again does nothing.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("boltstore: close: %w", err)
	}
	return nil
}
