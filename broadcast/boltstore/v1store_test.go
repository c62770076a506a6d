package boltstore_test

import (
	"encoding/binary"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"
)

// Format version 1, written here the way the package wrote it before
// threads had a Root, without the package's code, so that a change to
// that code cannot change the files the migration tests read.

// A v1Mark is a mark of a version 1 file.
type v1Mark struct {
	update, channel, target string
	failure                 string // "" when delivered
	at                      time.Time
}

// A v1Receipt is the latest receipt of an incident on a channel in a
// version 1 file, as version 1's Receipt was. Its first versions had no
// UpdateID and UpdateTime; the last ones wrote them when set.
type v1Receipt struct {
	incident   string
	saved      time.Time
	Channel    string            `json:"channel"`
	ID         string            `json:"id,omitempty"`
	URL        string            `json:"url,omitempty"`
	Time       time.Time         `json:"time"`
	Meta       map[string]string `json:"meta,omitempty"`
	UpdateID   string            `json:"update_id,omitempty"`
	UpdateTime time.Time         `json:"update_time,omitzero"`
}

// writeV1Store writes a store of format version 1 at path: buckets "meta"
// (format name and version "1"), "receipts" ((incident, channel) → the
// JSON of when it was saved and the receipt) and "marks" ((update,
// channel, target) → the time in Unix nanoseconds, 8 bytes big endian,
// and the failure text). Later receipts of an incident and channel replace
// earlier ones, as version 1's SaveReceipt did.
func writeV1Store(t testing.TB, path string, marks []v1Mark, receipts []v1Receipt) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, nil)
	require.NoError(t, err)
	defer func() { require.NoError(t, db.Close()) }()
	require.NoError(t, db.Update(func(tx *bolt.Tx) error {
		meta, err := tx.CreateBucket([]byte("meta"))
		require.NoError(t, err)
		require.NoError(t, meta.Put([]byte("format"), []byte("outagecast/broadcast.Store")))
		require.NoError(t, meta.Put([]byte("version"), []byte("1")))
		rb, err := tx.CreateBucket([]byte("receipts"))
		require.NoError(t, err)
		for _, r := range receipts {
			v, err := json.Marshal(struct {
				Saved   time.Time `json:"saved"`
				Receipt v1Receipt `json:"receipt"`
			}{r.saved.UTC(), r})
			require.NoError(t, err)
			require.NoError(t, rb.Put(v1Key(r.incident, r.Channel), v))
		}
		mb, err := tx.CreateBucket([]byte("marks"))
		require.NoError(t, err)
		for _, m := range marks {
			v := binary.BigEndian.AppendUint64(nil, uint64(m.at.UnixNano()))
			require.NoError(t, mb.Put(v1Key(m.update, m.channel, m.target), append(v, m.failure...)))
		}
		return nil
	}))
}

// v1Key is version 1's key: each part prefixed with its length (uvarint).
func v1Key(parts ...string) []byte {
	var k []byte
	for _, p := range parts {
		k = append(binary.AppendUvarint(k, uint64(len(p))), p...)
	}
	return k
}
