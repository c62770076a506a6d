package boltstore

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/outagecast/outagecast/broadcast"
)

// The file format. A change that older code cannot read takes a new
// version number.
const (
	formatName    = "outagecast/broadcast.Store"
	formatVersion = 1
)

var (
	bucketMeta     = []byte("meta")
	bucketReceipts = []byte("receipts")
	bucketMarks    = []byte("marks")
	keyFormat      = []byte("format")
	keyVersion     = []byte("version")
)

// initOrCheck sets up the buckets of a new file, or checks that an existing
// one is a store this version reads. It writes nothing to an existing store.
func (s *Store) initOrCheck() error {
	var fresh bool
	err := s.db.view(func(tx *bolt.Tx) (err error) {
		fresh, err = checkFormat(tx, s.path)
		return err
	})
	if err == nil && fresh {
		if err = s.db.update(create); err != nil {
			err = fmt.Errorf("boltstore: open %s: create buckets: %w", s.path, err)
		}
	}
	var d *damage
	if errors.As(err, &d) {
		return damagedFile(s.path, d.detail, nil)
	}
	return err
}

// checkFormat checks that the file is a store this version reads, or
// reports that it is a new bbolt file, without buckets. Errors name the
// file, path.
func checkFormat(tx *bolt.Tx, path string) (fresh bool, err error) {
	meta := tx.Bucket(bucketMeta)
	if meta == nil {
		if name, _ := tx.Cursor().First(); name != nil {
			return false, fmt.Errorf("%w: %s: a bbolt file of another program (bucket %q)", ErrInvalidFile, path, name)
		}
		return true, nil
	}
	if f := meta.Get(keyFormat); string(f) != formatName {
		return false, fmt.Errorf("%w: %s: a bbolt file of another program (format %q)", ErrInvalidFile, path, f)
	}
	v, err := strconv.Atoi(string(meta.Get(keyVersion)))
	if err != nil {
		return false, fmt.Errorf("%w: %s: bad format version %q", ErrInvalidFile, path, meta.Get(keyVersion))
	}
	if v != formatVersion {
		return false, fmt.Errorf("%w: %s: version %d, this package reads version %d", ErrVersion, path, v, formatVersion)
	}
	if tx.Bucket(bucketReceipts) == nil || tx.Bucket(bucketMarks) == nil {
		return false, fmt.Errorf("%w: %s: a bucket is missing", ErrInvalidFile, path)
	}
	return false, nil
}

func create(tx *bolt.Tx) error {
	meta, err := tx.CreateBucket(bucketMeta)
	if err != nil {
		return err
	}
	if err := meta.Put(keyFormat, []byte(formatName)); err != nil {
		return err
	}
	if err := meta.Put(keyVersion, []byte(strconv.Itoa(formatVersion))); err != nil {
		return err
	}
	if _, err := tx.CreateBucket(bucketReceipts); err != nil {
		return err
	}
	_, err = tx.CreateBucket(bucketMarks)
	return err
}

// errKeyTooLong is returned for ids too long together for a bbolt key.
var errKeyTooLong = errors.New("ids too long")

// key joins parts, each prefixed with its length, so that no two lists of
// parts share a key: ("a\x00b", "c") and ("a", "b\x00c") stay apart.
func key(parts ...string) ([]byte, error) {
	n := 0
	for _, p := range parts {
		n += binary.MaxVarintLen64 + len(p)
	}
	k := make([]byte, 0, n)
	for _, p := range parts {
		k = binary.AppendUvarint(k, uint64(len(p)))
		k = append(k, p...)
	}
	if len(k) > bolt.MaxKeySize {
		return nil, fmt.Errorf("%w: %d bytes together, more than %d", errKeyTooLong, len(k), bolt.MaxKeySize)
	}
	return k, nil
}

// A mark's value: the time of the mark in Unix nanoseconds (8 bytes, big
// endian), then the failure text, empty when delivered.
func markValue(at time.Time, failure error) []byte {
	v := binary.BigEndian.AppendUint64(make([]byte, 0, 8), uint64(at.UnixNano()))
	if failure != nil {
		text := failure.Error()
		if text == "" {
			text = "failed"
		}
		v = append(v, text...)
	}
	return v
}

// markTime returns the time a mark was made; ok is false for a value that is
// too short to hold one.
func markTime(v []byte) (t time.Time, ok bool) {
	if len(v) < 8 {
		return time.Time{}, false
	}
	return time.Unix(0, int64(binary.BigEndian.Uint64(v))), true
}

// receiptRecord is a receipt's value: the receipt and when it was saved.
type receiptRecord struct {
	Saved   time.Time         `json:"saved"`
	Receipt broadcast.Receipt `json:"receipt"`
}
