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
// disk, before it returns (and Open syncs the file's directory, the one a
// symbolic link points into, so that a power failure does not lose a new
// file's name): when a channel that fans out to many recipients has marked
// a recipient delivered and the process is killed a moment later, running
// the same update again skips that recipient. What can be sent twice
// is only what was in flight at the kill: delivered, not yet marked. Writes
// from several goroutines that arrive while a commit is under way are
// committed together, in one transaction and its syncs, so concurrent
// fan-out does not pay a commit per recipient; a lone writer commits at
// once, without waiting for company.
//
// One Store at a time opens a file: bbolt locks it, and a second Open, in
// another process or in the same one, gives up after Options.LockTimeout
// with ErrLocked instead of hanging. The error says which (an Open that
// fails while another Open of the file is under way in this process waits
// as long again for that one to end, and says when it cannot tell). Several
// Broadcasters of the process may share the one Store; give each its Lock
// as Options.Lock, so that they deliver an update once between them, and
// an incident's updates in order:
//
//	b1, err := broadcast.New(alerts, broadcast.Options{Store: store, Lock: store.Lock})
//	b2, err := broadcast.New(pages, broadcast.Options{Store: store, Lock: store.Lock})
//
// Without it each Broadcaster keeps only its own deliveries apart: two
// sending the same update at the same moment may both post it.
//
// # File format
//
// Format version 2. Four buckets: "meta" holds the format name and
// version; "threads" maps (incident, channel) to the time of the latest
// save and the thread's Root and Last receipts; "update-receipts" maps
// (update, channel) to the time it was saved, the incident and the
// receipt; "marks" maps (update, channel, target) to the time of the mark
// and the failure text, empty when delivered, so Done is one read. Each
// part of a key is prefixed with its length (uvarint), so ids containing
// separators or NUL bytes never collide. Receipts are kept in a binary
// form, every field byte for byte and times to the nanosecond, whatever
// the year (JSON would change text that is not UTF-8, and cannot write
// every year). Files of a format version this package does not know are
// refused with ErrVersion.
//
// Open migrates a file of format version 1, written by the versions of
// this package before threads had a Root, in one transaction, after
// reading every page of the file as Options.Verify does (some 60 ms for
// a file of 17 MB, 100,000 marks, on a small virtual machine): a crash or
// an error leaves the file as it was, and a damaged file is refused, not
// migrated. Every mark is kept as it is, with its failure reason; each
// incident's latest receipt on a channel, all that version 1 kept,
// becomes both Root and Last of its thread, with the update it is of
// (UpdateID and UpdateTime, which the last versions that wrote version 1
// kept). Version 1 kept no receipt per update, so Receipt finds none for
// the updates sent before the migration: a Correct of one of them posts the correction in the
// incident's thread instead of editing, and a Retract of one has nothing
// to delete. The versions of this package that wrote version 1 refuse a
// migrated file with their ErrVersion; keep a copy of the file if you may
// go back to one.
//
// # Limits
//
// The file grows with every mark — some 90 bytes with typical ids, on pages
// about half full, so one update to 2,000 e-mail recipients adds about
// 350 kB — and with every update's receipt per channel, and nothing is
// removed unless you call Prune. bbolt reuses freed
// pages but never shrinks the file; the bbolt command's compact subcommand
// does, offline. An update id, channel name and target together must stay
// under 32 kB, bbolt's key limit.
//
// Each commit waits for the disk twice (bbolt syncs its pages, then its
// header page): about 0.3 ms a commit on a virtual SSD, 5–10 ms on a
// spinning disk. A channel marking its recipients one after another pays a
// commit for every recipient; concurrent writers share one. A context is checked
// before each call starts; a call under way, waiting for the disk, is not
// interrupted. The file holds recipient addresses: it is created with
// mode 0600, and Open takes the group's and others' permissions away from
// an existing store file that has them (restored from a backup, copied),
// or, when it cannot (the file is another user's), refuses it, naming
// the file and its mode, rather than use a file others can read.
//
// # Damaged files
//
// A store file can be damaged behind the store's back: cut short by a full
// disk or an interrupted copy, pages overwritten by a failing disk, another
// file put in its place. Open checks the file before using it: its two
// meta pages (bbolt's headers) and their checksums, that the file is as
// long as its pages need, and its list of free pages. These checks read a
// few pages, whatever the file's size: Open takes 0.1–0.7 ms on a small
// virtual machine, for a file of 0.3 MB as for one of 150 MB (a million
// marks). Options.Verify
// adds a read of every page and bbolt's consistency check, which take
// time in proportion to the file's size: some 2–3 ms per MB there, 0.3 to
// 0.4 s for the 150 MB file.
//
// Open refuses a damaged file with an error matching ErrDamaged that names
// the file and says what to do: restore the file from a backup, or move it
// aside to start a new store, losing what it recorded, so that updates it
// recorded as sent may be sent again. Open never deletes, recreates or
// repairs a damaged file, and never silently falls back to an older state:
// bbolt would use the older of its two meta pages when the newer is
// damaged, losing the last commit's marks, and Open refuses that too. An
// empty file is refused as damaged: Open writes a new store under a
// temporary name in the same directory (a dot, the file's name or its
// first 64 bytes, ".new-" and digits), syncs it, and only then gives it
// its name (for a path that is a symbolic link, in the directory of the
// name the link points to, and that name), so an empty file is a store that lost what it held,
// or a file created empty by hand (touch, or for a container's bind mount), which the error
// says to delete: Open then writes a new store in its place. An Open
// that cannot write a new store (a full disk) leaves no file; one
// interrupted by a crash may leave the temporary file, which can be
// deleted.
//
// Damage that Open's checks do not cover, or that happens while the store
// is open, is found by the call that reads the damaged page or an entry
// that does not decode, or finds a bucket where an entry should be (Prune
// reads every entry): that call, and every later call but Close, fails
// with an error matching ErrDamaged, naming the entry's ids (each cut to
// 64 bytes), instead of panicking, crashing the process, or taking the
// entry for missing and sending its update again. Writing into a damaged file could
// spread the damage, so the store stops using it. The checks
// are meant for accidental damage; bbolt keeps no checksum of its other
// pages, so bytes changed inside a page that stays well-formed, or a file
// crafted to mislead bbolt, can go unnoticed or still crash the process.
//
// # Errors
//
// Open fails with an error matching ErrLocked when another process, or
// another Store of this one, holds the file, ErrInvalidFile when the file is not a store of this package (another
// program's file, or one too damaged to tell), ErrDamaged (which matches
// ErrInvalidFile too) when it is a damaged store, and ErrVersion when it was
// written in a format this version does not read, and it refuses such a
// file without writing to it; these errors name the file, and so do those
// of a failed migration, which leaves the file as it was. Open also fails, naming the file, when a store file others may read
// cannot be made private (see Limits), and when the path (or what a
// symbolic link there points to) is no regular file: a named pipe, which
// would block it for ever, or a device. Calls after Close fail with an error matching ErrClosed that
// names the call and the file ("boltstore: mark: PATH: store closed"). A call whose context is
// already done fails with an error matching the context's error and has no
// effect; so does a call given a nil context, with an error that says so.
// A Mark or SaveReceipt fails, naming the file, when the file was deleted,
// moved away or replaced while the Store had it open: its write went into
// a file that the next Open of the path does not find. Other errors come from the disk and the operating system, wrapped
// with the name of the call and the file, as in "boltstore: mark: PATH: no
// space left on device".
package boltstore

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/outagecast/outagecast/broadcast"
)

// Errors of Open and of calls after Close. Match them with errors.Is.
var (
	// ErrLocked means another process, or another Store of this process,
	// has the file open; the error says which.
	ErrLocked = errors.New("boltstore: file locked")
	// ErrInvalidFile means the file is not a store of this package: another
	// program's file, or one too damaged to tell. Errors matching
	// ErrDamaged match it too.
	ErrInvalidFile = errors.New("boltstore: not an outagecast store file")
	// ErrDamaged means the file is a damaged store: cut short, emptied, or
	// with pages overwritten. See "Damaged files" above.
	ErrDamaged = errors.New("boltstore: store file damaged")
	// ErrVersion means the file was written in a format version this
	// package does not read, by a newer (or much older) version of it.
	ErrVersion = errors.New("boltstore: unsupported store format version")
	// ErrClosed is returned by calls after Close, and matched by the
	// errors of a Store not made by Open.
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
	// Verify makes Open read every page of an existing file and run
	// bbolt's consistency check on it, so that damage anywhere in the file
	// fails Open rather than a later call. It takes time in proportion to
	// the file's size; without it Open reads a few pages.
	Verify bool
}

// Store is a durable broadcast.Store in a bbolt file. It is safe for
// concurrent use by many goroutines of one process.
type Store struct {
	db      *boltDB
	path    string
	commit  *committer
	now     func() time.Time // time of marks and receipts; a variable for tests
	damaged atomic.Pointer[fileError]
	held    *heldFile   // the lock on the file, as this process knows it
	info    os.FileInfo // the file's, when it was opened; see atPath
	closed  atomic.Bool // Close was called
	locks   broadcast.Locks
}

var _ broadcast.Store = (*Store)(nil)

// Open opens the store in the file at path, creating the file if it does not
// exist, and migrating it if it is of format version 1 (see "File format"
// above). Close it when done: until then no other process, nor another
// Open in this one, can open it.
func Open(path string, opts *Options) (*Store, error) {
	if path == "" {
		return nil, errors.New("boltstore: open: empty path (the store file's name)")
	}
	h := hold(path)
	s, err := open(path, opts, h)
	if err != nil {
		if errors.Is(err, ErrLocked) {
			err = lockedError(path, opts, h, err)
		}
		h.release()
		return nil, err
	}
	return s, nil
}

// lockedError is the error of an Open, noted in h, that found the file
// locked, err saying by another process: it says by this process when
// another of its Stores has the file. It first waits, as long as the Open
// waited for the lock, for the other Opens of the file under way in this
// process to end: each may hold the lock for a moment, or be failing too
// because another process holds it.
func lockedError(path string, opts *Options, h *heldFile, err error) error {
	var wait time.Duration
	if opts != nil {
		wait = opts.LockTimeout
	}
	if wait == 0 {
		wait = DefaultLockTimeout
	}
	switch h.failed(wait) {
	case heldHere:
		return fmt.Errorf("%w by this process: %s: another of its Stores has it open "+
			"(close that Store first, or use it)", ErrLocked, path)
	case heldOpening:
		return fmt.Errorf("%w by another process, or by another Open of this process under way: %s",
			ErrLocked, path)
	}
	return err
}

// open is Open, its hold on the file noted in h.
func open(path string, opts *Options, h *heldFile) (*Store, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	wait := o.LockTimeout
	if wait == 0 {
		wait = DefaultLockTimeout
	}
	if err := createFile(path, wait); err != nil {
		return nil, err
	}
	if err := inspect(path, wait, o.Verify); err != nil {
		return nil, err
	}
	db, file, err := openDB(path, wait)
	if err != nil {
		if _, panicked := err.(*damage); panicked && file != nil {
			h.keep() // see openDB
		}
		return nil, openError(path, wait, err)
	}
	h.opened(file)
	s := &Store{db: &boltDB{DB: db, file: file, pageSize: db.Info().PageSize}, path: path, now: time.Now, held: h,
		info: h.info}
	s.commit = &committer{db: s.db}
	if err := s.initOrCheck(o.Verify); err != nil {
		_ = s.close()
		return nil, err
	}
	if err := private(path, file); err != nil {
		_ = s.close()
		return nil, err
	}
	if err := syncDir(filepath.Dir(newName(path))); err != nil {
		_ = s.close()
		return nil, fmt.Errorf("boltstore: open %s: sync its directory: %w", path, err)
	}
	return s, nil
}

// createFile creates a new store at path, if there is no file there: it
// writes the store under a temporary name in the file's directory, a dot,
// the file's name (its first 64 bytes) and ".new-" and digits, syncs it,
// and only then gives it its name (the name a symbolic link at path points
// to, see newName). An Open that fails to write a new store (a full disk) or is
// interrupted by a crash leaves no file, or one under a name of its own,
// never an empty or partial file at path, which every later Open would
// refuse as damaged. A file that appears at path meanwhile (another
// process's Open) is kept, and used. On a file system without hard links,
// bbolt creates the file in place, as it would without createFile.
func createFile(path string, wait time.Duration) error {
	switch info, err := os.Stat(path); {
	case err == nil && !info.Mode().IsRegular() && !info.IsDir():
		// A named pipe would block Open for ever, a device is no store.
		return fmt.Errorf("boltstore: open %s: not a regular file (%v)", path, info.Mode().Type())
	case !errors.Is(err, fs.ErrNotExist):
		return nil // a file, or an error that opening it gives again
	}
	target := newName(path)
	dir, name := filepath.Split(target)
	if len(name) > maxTempPrefix { // a name too long with the rest (255 bytes)
		name = strings.ToValidUTF8(name[:maxTempPrefix], "")
	}
	f, err := os.CreateTemp(cmp.Or(dir, "."), "."+name+".new-*")
	if err != nil {
		var pathErr *os.PathError
		if errors.As(err, &pathErr) {
			err = pathErr.Err // the temporary name would only puzzle
		}
		return fmt.Errorf("boltstore: open %s: %w", path, err)
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	err = f.Close()
	if err == nil {
		err = newStore(tmp, wait)
	}
	if err != nil {
		return fmt.Errorf("boltstore: open %s: create it: %w", path, err)
	}
	// The link fails when a file appeared at path meanwhile, which Open
	// then uses, or on a file system without hard links, where bbolt then
	// creates the file in place.
	_ = link(tmp, target)
	return nil
}

// newName is the name a file opened at path has, or gets when it is
// created: path, or, when path is a symbolic link (to a data volume, say),
// the name it points to, followed link by link as the system does. The
// new store file is written beside it, given it, and its directory
// synced; written beside the link, it could not be linked to the name,
// and bbolt would create the file in place.
func newName(path string) string {
	name := path
	for range 40 { // more links than Linux follows
		info, err := os.Lstat(name)
		if err != nil || info.Mode().Type() != fs.ModeSymlink {
			return name
		}
		to, err := os.Readlink(name)
		if err != nil {
			return name
		}
		if !filepath.IsAbs(to) {
			// Not filepath.Join: it would take ".." away lexically, where
			// the system follows a linked directory first.
			to = filepath.Dir(name) + string(filepath.Separator) + to
		}
		name = to
	}
	return path
}

// link is os.Link; a variable for tests.
var link = os.Link

// maxTempPrefix is how much of the store file's name the name of the
// temporary file of createFile keeps.
const maxTempPrefix = 64

// newStore writes a new, empty store into the empty file at path.
func newStore(path string, wait time.Duration) error {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: lockTimeout(wait)})
	if err != nil {
		return err
	}
	if err := db.Update(create); err != nil {
		_ = db.Close()
		return err
	}
	return db.Close()
}

// syncDir is syncDirectory; a variable for tests.
var syncDir = syncDirectory

// syncDirectory syncs the directory dir, so that the names in it, the
// store file's among them, survive a power failure: a file synced is not
// found again if its name was lost. Windows has no such sync, and some
// file systems refuse it (EINVAL, ENOTSUP): their names are kept otherwise.
func syncDirectory(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) && !errors.Is(err, syscall.ENOTSUP) {
		return err
	}
	return nil
}

// private takes the group's and others' permissions away from file, the
// store's at path, if it has any: it holds recipient addresses. bbolt
// creates a new file 0600, but an existing one keeps its mode (restored
// from a backup, copied). Open refuses a file it cannot make private (one
// of another user) rather than keep it readable. Windows has no such
// modes.
func private(path string, file *os.File) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	st, err := file.Stat()
	if err != nil {
		return fmt.Errorf("boltstore: open %s: %w", path, err)
	}
	if mode := st.Mode().Perm(); mode&0o077 != 0 {
		if err := file.Chmod(mode &^ 0o077); err != nil {
			return fmt.Errorf("boltstore: open %s: mode %#o lets other users read it, and it cannot be made private "+
				"(chmod go-rwx the file as its owner): %w", path, mode, err)
		}
	}
	return nil
}

// openDB opens the file for reading and writing, and returns bbolt's file
// too. After a panic in bbolt, which inspect's checks are to prevent, it
// closes the file; bbolt's memory map of it, and with it the lock on the
// file, stay until the process ends.
func openDB(path string, wait time.Duration) (db *bolt.DB, file *os.File, err error) {
	err = recovering(func() error {
		db, err = bolt.Open(path, 0o600, &bolt.Options{Timeout: lockTimeout(wait), OpenFile: keep(&file)})
		return err
	})
	if _, panicked := err.(*damage); panicked && file != nil {
		_ = file.Close()
	}
	return db, file, err
}

// lockTimeout is bbolt's Timeout for a wait: bbolt reads a zero Timeout as
// "wait for ever"; 1ns is "try once".
func lockTimeout(wait time.Duration) time.Duration { return max(wait, time.Nanosecond) }

// keep returns an Options.OpenFile for bbolt that keeps the file it opens
// in *file.
func keep(file **os.File) func(string, int, os.FileMode) (*os.File, error) {
	return func(name string, flag int, perm os.FileMode) (*os.File, error) {
		f, err := os.OpenFile(name, flag, perm)
		if err == nil {
			*file = f
		}
		return f, err
	}
}

func openError(path string, wait time.Duration, err error) error {
	var d *damage
	switch {
	case errors.Is(err, berrors.ErrTimeout) && wait > 0:
		return fmt.Errorf("%w by another process: %s (waited %v)", ErrLocked, path, wait)
	case errors.Is(err, berrors.ErrTimeout):
		return fmt.Errorf("%w by another process: %s", ErrLocked, path)
	case errors.As(err, &d):
		return damagedFile(path, d.detail, nil)
	}
	var pathErr *os.PathError
	if errors.As(err, &pathErr) && pathErr.Path == path {
		err = pathErr.Err // "open PATH: " once is enough
	}
	return fmt.Errorf("boltstore: open %s: %w", path, err)
}

// held is the set of the store files whose lock this process holds, or is
// taking: one entry per Open under way and per Store open. A second Open
// of one of them fails with ErrLocked as if another process held it (bbolt
// locks the file through each open of it, not per process), and its error
// tells the two apart with it.
var held struct {
	sync.Mutex
	files   map[*heldFile]struct{}
	changed chan struct{} // closed, and replaced, when an entry's state changes
}

// heldFile is an entry of held.
type heldFile struct {
	path  string      // cleaned absolute path, as Open was given it
	info  os.FileInfo // the file's, once bbolt opened it: its other names
	state heldState
	kept  bool // the lock stays until the process ends
}

// A heldState is where the Open of a heldFile is.
type heldState int

const (
	heldOpening heldState = iota // under way: it may hold the lock, or not yet
	heldHere                     // open: it holds the lock
	heldFailed                   // failed, or closed: it holds no lock
	heldNot                      // (of no entry) no other Open of this process holds it
)

// hold adds the file at path to held, and returns its entry.
func hold(path string) *heldFile {
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = filepath.Clean(path)
	}
	h := &heldFile{path: abs}
	held.Lock()
	defer held.Unlock()
	if held.files == nil {
		held.files = map[*heldFile]struct{}{}
	}
	held.files[h] = struct{}{}
	return h
}

// setState sets h's state; held is locked.
func (h *heldFile) setState(state heldState) {
	h.state = state
	if held.changed != nil {
		close(held.changed)
		held.changed = nil
	}
}

// opened notes the file bbolt opened for h, so that another name of it
// (a link) is known to be held too.
func (h *heldFile) opened(file *os.File) {
	info, _ := file.Stat()
	held.Lock()
	defer held.Unlock()
	h.info = info
	h.setState(heldHere)
}

// failed notes that h's Open failed, finding the file locked, and says
// whether another entry of held than h holds its file (heldHere), may
// hold it (heldOpening: one still under way after wait), or does not
// (heldNot). It waits up to wait for the other Opens under way to end.
func (h *heldFile) failed(wait time.Duration) heldState {
	info, _ := os.Stat(h.path)
	deadline := time.Now().Add(wait)
	held.Lock()
	defer held.Unlock()
	h.setState(heldFailed)
	for {
		state := heldNot
		for other := range held.files {
			if other == h || other.path != h.path && (info == nil || other.info == nil || !os.SameFile(info, other.info)) {
				continue
			}
			switch other.state {
			case heldHere:
				return heldHere
			case heldOpening:
				state = heldOpening
			}
		}
		left := time.Until(deadline)
		if state != heldOpening || left <= 0 {
			return state
		}
		if held.changed == nil {
			held.changed = make(chan struct{})
		}
		changed := held.changed
		held.Unlock()
		timer := time.NewTimer(left)
		select {
		case <-changed:
		case <-timer.C:
		}
		timer.Stop()
		held.Lock()
	}
}

// keep keeps h in held for as long as the process runs: the lock stays.
func (h *heldFile) keep() {
	held.Lock()
	defer held.Unlock()
	h.kept = true
	h.setState(heldHere)
}

// release removes h from held, unless it is kept; again does nothing.
func (h *heldFile) release() {
	held.Lock()
	defer held.Unlock()
	if !h.kept {
		delete(held.files, h)
		h.setState(heldFailed)
	}
}

// Lock is broadcast.Options.Lock for the Broadcasters of this process that
// share s (see broadcast.Locks): it waits until the caller is the only one
// among them delivering key.UpdateID to key.Channel (with key.IncidentID,
// any update of that incident; with key.Post, editing or deleting that
// post), or until ctx ends. unlock releases it.
func (s *Store) Lock(ctx context.Context, key broadcast.LockKey) (unlock func(), err error) {
	if err := s.opened(); err != nil {
		return nil, fmt.Errorf("boltstore: lock: %w", err)
	}
	if ctx == nil {
		return nil, fmt.Errorf("boltstore: lock: %w", errNilContext)
	}
	if s.closed.Load() {
		return nil, fmt.Errorf("boltstore: lock: %w", closedError(s.path))
	}
	unlock, err = s.locks.Lock(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("boltstore: lock: %w", err)
	}
	return unlock, nil
}

// Close closes the file, after the writes under way. Later calls of the
// Store's methods fail with ErrClosed, or with the error of a damaged file.
// Calling Close again does nothing, as does Close of a Store not made by
// Open (a nil *Store, a zero Store), whose other calls fail with an error
// matching ErrClosed.
func (s *Store) Close() error {
	if s.opened() != nil {
		return nil
	}
	s.closed.Store(true)
	if err := s.close(); err != nil {
		if names(err.Error(), s.path) {
			return fmt.Errorf("boltstore: close: %w", err)
		}
		return fmt.Errorf("boltstore: close: %s: %w", s.path, err)
	}
	return nil
}

func (s *Store) close() error {
	if !s.db.stuck.Load() {
		defer s.held.release()
		return s.db.Close()
	}
	// bbolt panicked holding locks that DB.Close would wait for for ever:
	// close just its file. Its memory map of the file, and with it the
	// lock on the file, stay until the process ends.
	s.held.keep()
	if err := s.db.file.Close(); !errors.Is(err, os.ErrClosed) {
		return err
	}
	return nil
}
