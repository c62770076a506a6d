package boltstore

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/outagecast/outagecast/broadcast"
)

// Format version 1 kept, per incident and channel, only the latest
// receipt, as JSON, in the bucket "receipts"; its marks are as version 2's.
var bucketV1Receipts = []byte("receipts")

// v1Receipt is the value of version 1's receipts bucket: when it was saved
// and the receipt, in the JSON of the Receipt of that time. The last
// versions that wrote version 1 added the update the receipt is of,
// UpdateID and UpdateTime, when set.
type v1Receipt struct {
	Saved   time.Time `json:"saved"`
	Receipt struct {
		Channel    string            `json:"channel"`
		ID         string            `json:"id"`
		URL        string            `json:"url"`
		Time       time.Time         `json:"time"`
		Meta       map[string]string `json:"meta"`
		UpdateID   string            `json:"update_id"`
		UpdateTime time.Time         `json:"update_time"`
	} `json:"receipt"`
}

// migrateV1 turns a file of format version 1 into version 2, in the
// transaction tx: Open runs it in one, so a crash or an error leaves the
// file as it was. The marks stay as they are. Each incident's latest
// receipt on a channel, with the update it is of where version 1 kept it,
// becomes both Root and Last of its thread, saved when it was: version 1
// kept no earlier receipt, and none per update, so Receipt finds none for
// the updates sent before.
func (s *Store) migrateV1(tx *bolt.Tx) error {
	threads, err := tx.CreateBucket(bucketThreads)
	if err != nil {
		return err
	}
	if _, err := tx.CreateBucket(bucketReceipts); err != nil {
		return err
	}
	c := tx.Bucket(bucketV1Receipts).Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		saved, r, err := readV1Receipt(v)
		if err != nil {
			return err
		}
		if saved.IsZero() {
			saved = s.now() // version 1 always wrote one; without it, count from now
		}
		enc := appendReceipt(nil, r)
		if err := threads.Put(k, threadValue(saved, enc, enc)); err != nil {
			return err
		}
	}
	if err := tx.DeleteBucket(bucketV1Receipts); err != nil {
		return err
	}
	return tx.Bucket(bucketMeta).Put(keyVersion, []byte(strconv.Itoa(formatVersion)))
}

// verifyBeforeMigrating reads every page of the file, as Options.Verify
// does, unless verified says Open did: the migration writes into the file,
// which must not be damaged, and it runs once.
func (s *Store) verifyBeforeMigrating(verified bool) error {
	if verified {
		return nil
	}
	if err := s.db.view(checkPages); err != nil {
		return damagedFile(s.path, err.Error(), nil)
	}
	return nil
}

// readV1Receipt decodes a value of version 1's receipts bucket. This
// package wrote it: a value that does not decode is damage.
func readV1Receipt(v []byte) (time.Time, broadcast.Receipt, error) {
	if v == nil {
		return time.Time{}, broadcast.Receipt{}, &damage{"a bucket where a version 1 receipt should be"}
	}
	var rec v1Receipt
	if err := json.Unmarshal(v, &rec); err != nil {
		return time.Time{}, broadcast.Receipt{}, &damage{fmt.Sprintf("a version 1 receipt does not decode: %v", err)}
	}
	r := rec.Receipt
	return rec.Saved, broadcast.Receipt{Channel: r.Channel, ID: r.ID, URL: r.URL, Time: r.Time, Meta: r.Meta,
		UpdateID: r.UpdateID, UpdateTime: r.UpdateTime}, nil
}
