package boltstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/internal/nilctx"
)

// Thread implements broadcast.Store.
func (s *Store) Thread(ctx context.Context, incidentID, channel string) (broadcast.Thread, error) {
	k, err := s.prepare(ctx, threadFields, incidentID, channel)
	if err != nil {
		return broadcast.Thread{}, fmt.Errorf("boltstore: thread: %w", err)
	}
	var t broadcast.Thread
	err = s.read(func(tx *bolt.Tx) error {
		v, err := get(tx.Bucket(bucketThreads), k, "a thread")
		if v != nil {
			_, t, err = readThread(v)
		}
		return naming(err, threadNames, incidentID, channel)
	})
	if err != nil {
		return broadcast.Thread{}, wrap("thread", err)
	}
	return t, nil
}

// SaveReceipt implements broadcast.Store: r becomes the Last of its
// incident's thread on r.Channel, and its Root if it has none, and is
// kept as updateID's receipt on r.Channel. All three have been committed to
// disk, in one transaction, when it returns nil.
func (s *Store) SaveReceipt(ctx context.Context, incidentID, updateID string, r broadcast.Receipt) error {
	tk, err := s.prepare(ctx, threadFields, incidentID, r.Channel)
	if err != nil {
		return fmt.Errorf("boltstore: save receipt: %w", err)
	}
	rk, err := key(updateID, r.Channel)
	if err != nil {
		return fmt.Errorf("boltstore: save receipt: %s %w", receiptFields, err)
	}
	return wrap("save receipt", s.write(saveReceipt(tk, rk, s.now(), incidentID, updateID, r)))
}

// saveReceipt returns the write of SaveReceipt. It reads the thread in the
// transaction that writes it, so concurrent saves set Root once.
func saveReceipt(threadKey, receiptKey []byte, now time.Time, incidentID, updateID string, r broadcast.Receipt) func(*bolt.Tx) error {
	enc := appendReceipt(nil, r)
	return func(tx *bolt.Tx) error {
		threads := tx.Bucket(bucketThreads)
		root := enc
		v, err := get(threads, threadKey, "a thread")
		if err != nil {
			return naming(err, threadNames, incidentID, r.Channel)
		}
		if v != nil {
			_, t, err := readThread(v)
			if err != nil {
				return naming(err, threadNames, incidentID, r.Channel)
			}
			if !t.Root.IsZero() {
				root = appendReceipt(nil, t.Root)
			}
		}
		if err := put(threads, threadKey, threadValue(now, root, enc), "a thread"); err != nil {
			return naming(err, threadNames, incidentID, r.Channel)
		}
		err = put(tx.Bucket(bucketReceipts), receiptKey, receiptValue(now, incidentID, enc), "a receipt")
		return naming(err, receiptNames, updateID, r.Channel)
	}
}

// Receipt implements broadcast.Store.
func (s *Store) Receipt(ctx context.Context, updateID, channel string) (broadcast.Receipt, bool, error) {
	k, err := s.prepare(ctx, receiptFields, updateID, channel)
	if err != nil {
		return broadcast.Receipt{}, false, fmt.Errorf("boltstore: receipt: %w", err)
	}
	var r broadcast.Receipt
	var found bool
	err = s.read(func(tx *bolt.Tx) error {
		v, err := get(tx.Bucket(bucketReceipts), k, "a receipt")
		if v != nil {
			found = true
			_, _, r, err = readReceipt(v)
		}
		return naming(err, receiptNames, updateID, channel)
	})
	if err != nil {
		return broadcast.Receipt{}, false, wrap("receipt", err)
	}
	return r, found, nil
}

// Done implements broadcast.Store, in one read: the failure text is the
// mark's value.
func (s *Store) Done(ctx context.Context, updateID, channel, target string) (bool, string, error) {
	k, err := s.prepare(ctx, markFields, updateID, channel, target)
	if err != nil {
		return false, "", fmt.Errorf("boltstore: done: %w", err)
	}
	var found bool
	var failure string
	err = s.read(func(tx *bolt.Tx) error {
		v, err := get(tx.Bucket(bucketMarks), k, "a mark")
		if v != nil {
			found = true
			failure, err = readMark(v)
		}
		return naming(err, markNames, updateID, channel, target)
	})
	if err != nil {
		return false, "", wrap("done", err)
	}
	return found, failure, nil
}

// Mark implements broadcast.Store. The mark has been committed to disk when
// it returns nil. A failure is kept as its text.
func (s *Store) Mark(ctx context.Context, updateID, channel, target string, failure error) error {
	k, err := s.prepare(ctx, markFields, updateID, channel, target)
	if err != nil {
		return fmt.Errorf("boltstore: mark: %w", err)
	}
	v := markValue(s.now(), failure)
	err = s.write(func(tx *bolt.Tx) error {
		return naming(put(tx.Bucket(bucketMarks), k, v, "a mark"), markNames, updateID, channel, target)
	})
	return wrap("mark", err)
}

// The fields that make each kind of key, as a key's error names them.
const (
	threadFields  = "incident id and channel"
	receiptFields = "update id and channel"
	markFields    = "update id, channel and target"
)

// The names of the parts of each kind of key, as damage found at a key
// names them.
var (
	threadNames  = []string{"incident", "channel"}
	receiptNames = []string{"update", "channel"}
	markNames    = []string{"update", "channel", "target"}
)

// get returns the value of k in b, nil if there is none. A bucket at k is
// damage (what names the entry expected there): bbolt's Get would answer
// nil, and a mark taken for missing sends its update again.
func get(b *bolt.Bucket, k []byte, what string) ([]byte, error) {
	found, v := b.Cursor().Seek(k)
	switch {
	case !bytes.Equal(found, k):
		return nil, nil
	case v == nil: // a cursor's value of a bucket
		return nil, &damage{fmt.Sprintf("a bucket where %s should be", what)}
	}
	return v, nil
}

// put puts v at k in b. A bucket at k is damage, as for get.
func put(b *bolt.Bucket, k, v []byte, what string) error {
	err := b.Put(k, v)
	if errors.Is(err, berrors.ErrIncompatibleValue) {
		return &damage{fmt.Sprintf("a bucket where %s should be", what)}
	}
	return err
}

// naming adds to damage the entry where it was found, its key's parts
// named by names; other errors stay as they are. A part is cut to its
// first 64 bytes.
func naming(err error, names []string, parts ...string) error {
	d, ok := err.(*damage)
	if !ok || len(parts) == 0 {
		return err
	}
	var b strings.Builder
	for i, p := range parts {
		if i > 0 {
			b.WriteString(", ")
		}
		name := "part" // of a key of more parts than it should have
		if i < len(names) {
			name = names[i]
		}
		if len(p) > maxNamedPart {
			p = p[:maxNamedPart] + "…"
		}
		fmt.Fprintf(&b, "%s %q", name, p)
	}
	return &damage{fmt.Sprintf("%s (at %s)", d.detail, b.String())}
}

// keyParts returns the parts of key k as far as they decode, for naming.
func keyParts(k []byte) []string {
	d := decoder{b: k}
	var parts []string
	for len(d.b) > 0 {
		p := d.string()
		if d.err != nil {
			break
		}
		parts = append(parts, p)
	}
	return parts
}

// maxNamedPart is how much of a key's part a damage's error shows.
const maxNamedPart = 64

// prepare checks s and ctx before a call starts and returns the call's
// key, made of parts, the fields named in fields.
func (s *Store) prepare(ctx context.Context, fields string, parts ...string) ([]byte, error) {
	if err := s.opened(); err != nil {
		return nil, err
	}
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	k, err := key(parts...)
	if err != nil {
		return nil, fmt.Errorf("%s %w", fields, err)
	}
	return k, nil
}

// opened returns errNotOpened for a Store not made by Open: a nil *Store
// or a zero Store.
func (s *Store) opened() error {
	if s == nil || s.db == nil {
		return errNotOpened{}
	}
	return nil
}

// errNotOpened is the error of a call of a Store not made by Open. It
// matches ErrClosed.
type errNotOpened struct{}

func (errNotOpened) Error() string        { return "store not opened (a Store is made by Open)" }
func (errNotOpened) Is(target error) bool { return target == ErrClosed }

// errNilContext is the error of a call given a nil context.
var errNilContext = nilctx.Err

// ctxErr is ctx's error, or errNilContext for a nil ctx.
func ctxErr(ctx context.Context) error {
	if ctx == nil {
		return errNilContext
	}
	return ctx.Err()
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
// damaged, and checks that the file is still the store's at its path.
func (s *Store) write(fn func(*bolt.Tx) error) error {
	if d := s.damaged.Load(); d != nil {
		return d
	}
	if err := s.fail(s.commit.write(fn)); err != nil {
		return err
	}
	return s.atPath()
}

// atPath checks, after a write, that the file written is the one at the
// store's path: a file deleted, moved away or replaced while open takes
// the writes into it away from the next Open of the path. An error of the
// check itself (a path it may not read) is not taken for that.
func (s *Store) atPath() error {
	if s.info == nil {
		return nil
	}
	info, err := os.Stat(s.held.path)
	if err == nil && os.SameFile(info, s.info) || err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return fmt.Errorf("%s was deleted, moved or replaced while the store had it open, so the write is not "+
		"where the next Open looks for it; close the store (put the file back first, if it was moved)", s.path)
}

// fail turns damage found by a call into the error that the file is
// damaged, and makes every later call but Close fail with it: a write into
// a damaged file could spread the damage. Another error names the file,
// unless it does already: bbolt returns the system's error of a sync (a
// full disk, an I/O error) as it is, "no space left on device".
func (s *Store) fail(err error) error {
	var d *damage
	if !errors.As(err, &d) {
		if errors.Is(err, berrors.ErrDatabaseNotOpen) {
			return closedError(s.path)
		}
		if err == nil || errors.Is(err, context.Canceled) ||
			errors.Is(err, context.DeadlineExceeded) || names(err.Error(), s.path) {
			return err
		}
		return fmt.Errorf("%s: %w", s.path, err)
	}
	s.damaged.CompareAndSwap(nil, damagedFile(s.path, d.detail, nil))
	return s.damaged.Load()
}

// names reports whether text names the file at path, as the system's
// errors do ("truncate PATH: file too large"): as a word of its own, not
// inside another word (a file "e" in "no space left on device").
func names(text, path string) bool {
	for i := 0; path != ""; {
		j := strings.Index(text[i:], path)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(path)
		if (start == 0 || text[start-1] == ' ') && (end == len(text) || text[end] == ':' || text[end] == ' ') {
			return true
		}
		i = start + 1
	}
	return false
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
// error of a damaged file says enough.
func wrap(op string, err error) error {
	var damaged *fileError
	if err == nil || errors.As(err, &damaged) {
		return err
	}
	return fmt.Errorf("boltstore: %s: %w", op, err)
}

// closedError is the error of a call of the Store of the file at path
// after its Close: it names the file, so that a program with several
// Stores knows which one it still used.
type closedError string

func (e closedError) Error() string        { return string(e) + ": store closed" }
func (e closedError) Is(target error) bool { return target == ErrClosed }
