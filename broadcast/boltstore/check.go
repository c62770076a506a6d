package boltstore

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"hash/fnv"
	"io/fs"
	"os"
	"syscall"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// What a damaged file's error advises.
const (
	advice = "restore it from a backup, or move it aside and open again to start a new store; " +
		"what it recorded is then lost: updates it recorded as sent may be sent again, " +
		"and an incident's next update starts a new thread"
	adviceUnknown = "if it is the store, it is damaged: " + advice
	// A store file Open wrote is never empty; one made empty by hand (touch,
	// a container's bind mount) held nothing.
	adviceEmpty = "if you created it empty (touch, or for a container's bind mount), delete it and open again, " +
		"which writes a new store in its place (a store file this package wrote is never empty); otherwise " + advice
)

// A fileError is the error for a file that is damaged or not a store.
type fileError struct {
	kind   error // ErrDamaged or ErrInvalidFile
	path   string
	detail string
	advice string
	err    error // bbolt's error, if any
}

func (e *fileError) Error() string {
	return fmt.Sprintf("%v: %s: %s; %s", e.kind, e.path, e.detail, e.advice)
}

// Is makes a damaged file's error match ErrInvalidFile too, as every
// damaged file's did before ErrDamaged.
func (e *fileError) Is(target error) bool { return target == e.kind || target == ErrInvalidFile }

func (e *fileError) Unwrap() error { return e.err }

func damagedFile(path, detail string, err error) *fileError {
	return &fileError{kind: ErrDamaged, path: path, detail: detail, advice: advice, err: err}
}

// inspect checks the file at path, if there is one, before bbolt opens it
// for writing: that it is a store this version reads, and that it is not
// damaged. bbolt trusts its file: reading a page past the end of a
// file cut short, or a page that is not what bbolt expects, crashes the
// process or panics. It opens the file read-only, so that bbolt reads only
// the pages asked for, under a shared lock, so that no writer
// changes the file meanwhile.
func inspect(path string, wait time.Duration, verify bool) error {
	var file *os.File
	db, err := bolt.Open(path, 0, &bolt.Options{ReadOnly: true, Timeout: lockTimeout(wait), OpenFile: keep(&file)})
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil // a new store
	case err != nil:
		return inspectError(path, wait, err)
	}
	defer db.Close()
	freelist, err := checkLayout(path, file, db.Info().PageSize)
	if err != nil {
		return err
	}
	// Without a free-page list, bbolt builds one when it opens the file for
	// writing by reading every page, in a goroutine where a panic cannot be
	// recovered: check every page first.
	if verify || !freelist {
		if err := recovering(func() error { return db.View(checkPages) }); err != nil {
			return damagedFile(path, err.Error(), nil)
		}
	}
	// Check the format before bbolt opens the file for writing: it then
	// commits a free-page list into a file that has none, and a file Open
	// refuses (another program's, a newer version's) must stay as it was.
	err = recovering(func() error {
		return db.View(func(tx *bolt.Tx) error {
			_, err := checkFormat(tx, path)
			return err
		})
	})
	var d *damage
	if errors.As(err, &d) {
		return damagedFile(path, d.detail, nil)
	}
	return err
}

// inspectError is Open's error when bbolt cannot open the file read-only.
func inspectError(path string, wait time.Duration, err error) error {
	var pathErr *os.PathError
	if errors.Is(err, berrors.ErrTimeout) || errors.As(err, &pathErr) && pathErr.Op == "open" {
		return openError(path, wait, err)
	}
	switch info, statErr := os.Stat(path); {
	case statErr == nil && info.IsDir():
		return openError(path, wait, &os.PathError{Op: "open", Path: path, Err: syscall.EISDIR})
	case statErr == nil && info.Size() == 0:
		d := damagedFile(path, "the file is empty", nil)
		d.advice = adviceEmpty
		return d
	}
	var errno syscall.Errno
	if errors.As(err, &pathErr) || errors.As(err, &errno) {
		return openError(path, wait, err) // the system's error, not the file's
	}
	if !hasMagic(path) {
		return &fileError{kind: ErrInvalidFile, path: path, detail: err.Error(), advice: adviceUnknown, err: err}
	}
	return damagedFile(path, err.Error(), err)
}

// The layout of bbolt's file (version 2), in the machine's byte order:
// every page starts with a header; pages 0 and 1 hold a meta record each.
const (
	pageHeaderSize = 16 // id uint64, flags uint16, count uint16, overflow uint32
	metaSize       = 64 // after the page header
	metaSummed     = 56 // the bytes of the meta record its checksum covers
	boltMagic      = 0xED0CDAED
	boltVersion    = 2
	freelistFlag   = 0x10
	noFreelist     = ^uint64(0)
)

// A meta is what checkLayout uses of a meta record.
type meta struct {
	pageSize             uint32
	freelist, pgid, txid uint64
}

// readMeta reads and checks the meta record on page n.
func readMeta(f *os.File, pageSize, n int) (meta, error) {
	b := make([]byte, pageHeaderSize+metaSize)
	if _, err := f.ReadAt(b, int64(n*pageSize)); err != nil {
		return meta{}, err
	}
	m, ne := b[pageHeaderSize:], binary.NativeEndian
	h := fnv.New64a()
	h.Write(m[:metaSummed])
	switch {
	case ne.Uint32(m) != boltMagic:
		return meta{}, errors.New("not a bbolt header")
	case ne.Uint32(m[4:]) != boltVersion:
		return meta{}, fmt.Errorf("bbolt format version %d", ne.Uint32(m[4:]))
	case h.Sum64() != ne.Uint64(m[metaSummed:]):
		return meta{}, errors.New("checksum mismatch")
	}
	return meta{pageSize: ne.Uint32(m[8:]), freelist: ne.Uint64(m[32:]), pgid: ne.Uint64(m[40:]), txid: ne.Uint64(m[48:])}, nil
}

// currentMeta reads both meta pages and returns the current one, the
// newer. bbolt keeps two and writes them in turn; when the newer one is
// damaged it silently uses the older one, the state before the last
// commit, whose marks would be lost. A damaged meta page is an error here.
// (A crash while a meta page is written cannot damage it: a sector is
// written whole, and a meta record is the first 80 bytes of its page.)
func currentMeta(f *os.File, pageSize int) (meta, error) {
	var cur meta
	for n := range 2 {
		m, err := readMeta(f, pageSize, n)
		if err == nil && int(m.pageSize) != pageSize {
			err = fmt.Errorf("page size %d, not %d", m.pageSize, pageSize)
		}
		if err != nil {
			return meta{}, fmt.Errorf("meta page %d: %w", n, err)
		}
		if n == 0 || m.txid > cur.txid {
			cur = m
		}
	}
	return cur, nil
}

// checkLayout checks the file's meta pages, length and free-page list, and
// reports whether it has a free-page list.
func checkLayout(path string, f *os.File, pageSize int) (bool, error) {
	cur, err := currentMeta(f, pageSize)
	if err != nil {
		return false, damagedFile(path, err.Error(), nil)
	}
	info, err := f.Stat()
	if err != nil {
		return false, fmt.Errorf("boltstore: open %s: %w", path, err)
	}
	if need := int64(cur.pgid) * int64(pageSize); info.Size() < need {
		return false, damagedFile(path, fmt.Sprintf("cut short: %d bytes, its pages need %d", info.Size(), need), nil)
	}
	if cur.freelist == noFreelist {
		return false, nil
	}
	if err := checkFreelist(f, pageSize, cur); err != nil {
		return false, damagedFile(path, fmt.Sprintf("free-page list (page %d): %v", cur.freelist, err), nil)
	}
	return true, nil
}

// checkBeforeCommit checks the file before bbolt commits transaction
// txid+1: that it holds transaction txid, and the page header of its
// free-page list, which bbolt reads during the commit unchecked — a
// damaged one can make it loop for billions of pages.
func checkBeforeCommit(f *os.File, pageSize int, txid uint64) error {
	m, err := currentMeta(f, pageSize)
	switch {
	case err != nil:
		return err
	case m.txid != txid:
		return fmt.Errorf("the file holds transaction %d, not %d: it was changed while open", m.txid, txid)
	case m.freelist == noFreelist:
		return nil
	}
	if _, _, err := freelistHeader(f, pageSize, m); err != nil {
		return fmt.Errorf("free-page list (page %d): %w", m.freelist, err)
	}
	return nil
}

// freelistHeader checks the page header of m's free-page list and returns
// where its page ids start and how many there are, in 8-byte elements.
func freelistHeader(f *os.File, pageSize int, m meta) (first, count uint64, err error) {
	ne := binary.NativeEndian
	hdr := make([]byte, pageHeaderSize+8)
	if _, err := f.ReadAt(hdr, int64(m.freelist)*int64(pageSize)); err != nil {
		return 0, 0, err
	}
	count, overflow := uint64(ne.Uint16(hdr[10:])), uint64(ne.Uint32(hdr[12:]))
	if count == 0xFFFF { // too many for the header: the first element holds the count
		first, count = 1, ne.Uint64(hdr[pageHeaderSize:])
	}
	if ne.Uint64(hdr) != m.freelist || ne.Uint16(hdr[8:]) != freelistFlag {
		return 0, 0, errors.New("not a free-page list")
	}
	if m.freelist+overflow >= m.pgid {
		return 0, 0, errors.New("longer than the file")
	}
	if room := ((overflow+1)*uint64(pageSize) - pageHeaderSize) / 8; count > room-first {
		return 0, 0, fmt.Errorf("%d pages do not fit", count)
	}
	return first, count, nil
}

// checkFreelist checks the free-page list that bbolt reads when it opens
// the file for writing: its page header, and that it lists pages of the
// file in order. A page listed as free is overwritten by the next write.
func checkFreelist(f *os.File, pageSize int, m meta) error {
	first, count, err := freelistHeader(f, pageSize, m)
	if err != nil {
		return err
	}
	ids := make([]byte, (first+count)*8)
	if _, err := f.ReadAt(ids, int64(m.freelist)*int64(pageSize)+pageHeaderSize); err != nil {
		return err
	}
	prev := uint64(1) // the meta pages are never free
	for i := int(first) * 8; i < len(ids); i += 8 {
		id := binary.NativeEndian.Uint64(ids[i:])
		if id <= prev || id >= m.pgid {
			return fmt.Errorf("lists page %d", id)
		}
		prev = id
	}
	return nil
}

// hasMagic reports whether the file at path starts with a bbolt meta page.
func hasMagic(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	b := make([]byte, pageHeaderSize+4)
	_, err = f.ReadAt(b, 0)
	return err == nil && binary.NativeEndian.Uint32(b[pageHeaderSize:]) == boltMagic
}

// checkPages reads every key and value in tx, so that a page bbolt cannot
// read fails here, in a goroutine that recovers, and then runs bbolt's
// consistency check, whose own goroutine does not recover from a fault.
func checkPages(tx *bolt.Tx) error {
	if err := tx.ForEach(func(_ []byte, b *bolt.Bucket) error { readBucket(b); return nil }); err != nil {
		return err
	}
	var errs []error
	for err := range tx.Check() { // read to the end: the check's goroutine ends then
		if len(errs) < 3 {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("consistency check: %w", errors.Join(errs...))
	}
	return nil
}

// readBucket reads every byte of every key and value of b and of the
// buckets in it, and returns a checksum so that no read can be left out.
func readBucket(b *bolt.Bucket) uint32 {
	var sum uint32
	c := b.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		sum = crc32.Update(sum, crc32.IEEETable, k)
		if v == nil {
			if child := b.Bucket(k); child != nil {
				sum ^= readBucket(child)
			}
			continue
		}
		sum = crc32.Update(sum, crc32.IEEETable, v)
	}
	return sum
}
