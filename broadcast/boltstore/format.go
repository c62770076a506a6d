package boltstore

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The file format. A change that older code cannot read takes a new
// version number, and Open migrates files of the older versions it knows
// (see migrate.go).
const (
	formatName    = "outagecast/broadcast.Store"
	formatVersion = 2
)

var (
	bucketMeta     = []byte("meta")
	bucketThreads  = []byte("threads")         // (incident, channel) → saved, Root, Last
	bucketReceipts = []byte("update-receipts") // (update, channel) → saved, incident, receipt
	bucketMarks    = []byte("marks")           // (update, channel, target) → time, failure text
	keyFormat      = []byte("format")
	keyVersion     = []byte("version")
)

// initOrCheck sets up the buckets of a new file, migrates a file of format
// version 1, or checks that an existing one is a store this version reads.
// It writes nothing to a store of the current version. verified says that
// Open has read every page of the file already.
func (s *Store) initOrCheck(verified bool) error {
	var version int
	err := s.db.view(func(tx *bolt.Tx) (err error) {
		version, err = checkFormat(tx, s.path)
		return err
	})
	switch {
	case err != nil:
	case version == 0:
		if err = s.db.update(create); err != nil {
			err = fmt.Errorf("boltstore: open %s: create buckets: %w", s.path, err)
		}
	case version == 1:
		if err = s.verifyBeforeMigrating(verified); err != nil {
			return err
		}
		if err = s.db.update(s.migrateV1); err != nil {
			err = fmt.Errorf("boltstore: open %s: migrate from format version 1: %w", s.path, err)
		}
	}
	var d *damage
	if errors.As(err, &d) {
		return damagedFile(s.path, d.detail, nil)
	}
	return err
}

// checkFormat checks that the file is a store this version reads and
// returns its format version: 0 for a new bbolt file, without buckets.
// Errors name the file, path.
func checkFormat(tx *bolt.Tx, path string) (version int, err error) {
	meta := tx.Bucket(bucketMeta)
	if meta == nil {
		if name, _ := tx.Cursor().First(); name != nil {
			return 0, fmt.Errorf("%w: %s: a bbolt file of another program (bucket %q)", ErrInvalidFile, path, name)
		}
		return 0, nil
	}
	if f := meta.Get(keyFormat); string(f) != formatName {
		return 0, fmt.Errorf("%w: %s: a bbolt file of another program (format %q)", ErrInvalidFile, path, f)
	}
	v, err := strconv.Atoi(string(meta.Get(keyVersion)))
	if err != nil || v < 1 {
		return 0, fmt.Errorf("%w: %s: bad format version %q", ErrInvalidFile, path, meta.Get(keyVersion))
	}
	buckets := map[int][][]byte{
		1:             {bucketV1Receipts, bucketMarks},
		formatVersion: {bucketThreads, bucketReceipts, bucketMarks},
	}[v]
	if buckets == nil {
		return 0, fmt.Errorf("%w: %s: version %d, this package reads versions 1 to %d", ErrVersion, path, v, formatVersion)
	}
	for _, b := range buckets {
		if tx.Bucket(b) == nil {
			return 0, fmt.Errorf("%w: %s: bucket %q of format version %d is missing", ErrInvalidFile, path, b, v)
		}
	}
	return v, nil
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
	for _, b := range [][]byte{bucketThreads, bucketReceipts, bucketMarks} {
		if _, err := tx.CreateBucket(b); err != nil {
			return err
		}
	}
	return nil
}

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
		return nil, fmt.Errorf("too long together: %d bytes, more than %d (a bbolt key's limit)", len(k), bolt.MaxKeySize)
	}
	return k, nil
}

// A mark's value: the time of the mark in Unix nanoseconds (8 bytes, big
// endian), then the failure text, empty when delivered. Versions 1 and 2
// write it alike.
func markValue(at time.Time, failure error) []byte {
	v := appendStamp(make([]byte, 0, 8), at)
	if failure != nil {
		text := failure.Error()
		if text == "" {
			text = "failed"
		}
		v = append(v, text...)
	}
	return v
}

// readMark returns a mark's failure text; a value too short to hold the
// time of the mark is damage.
func readMark(v []byte) (failure string, err error) {
	if len(v) < 8 {
		return "", &damage{fmt.Sprintf("a mark is %d bytes, too short for its time", len(v))}
	}
	return string(v[8:]), nil
}

// markTime returns the time a mark was made.
func markTime(v []byte) (time.Time, error) {
	if len(v) < 8 {
		return time.Time{}, &damage{fmt.Sprintf("a mark is %d bytes, too short for its time", len(v))}
	}
	return readStamp(v), nil
}

// appendStamp appends the time a record was written, in Unix nanoseconds
// (8 bytes, big endian): what Prune compares with its cutoff.
func appendStamp(b []byte, t time.Time) []byte {
	return binary.BigEndian.AppendUint64(b, uint64(t.UnixNano()))
}

// readStamp reads the stamp at the start of v, which holds 8 bytes or more.
func readStamp(v []byte) time.Time { return time.Unix(0, int64(binary.BigEndian.Uint64(v))) }
