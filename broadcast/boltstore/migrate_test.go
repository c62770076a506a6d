package boltstore_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/broadcast/boltstore"
)

var (
	v1Day1 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	v1Day2 = v1Day1.Add(24 * time.Hour)
)

// v1Marks are the marks of the format 1 file the migration tests open.
func v1Marks() []v1Mark {
	return []v1Mark{
		{"u1", "email", "ada@example.com", "", v1Day1},
		{"u1", "email", "bob@example.com", "550-5.1.1 no such user\n550 5.1.1 «Empfänger» 🚫", v1Day1},
		{"u1", "email", "eve@example.com", "failed", v1Day1},
		{"u1", "x", "", "", v1Day1},
		{"\x00retract\x00u1", "x", "", "", v1Day2},
		{"a\x00b", "c", "d", "1", v1Day2},
		{"a", "b\x00c", "d", "", v1Day2},
	}
}

// v1Receipts are its receipts; of inc-1 on x the file keeps the second.
func v1Receipts() []v1Receipt {
	cet := time.FixedZone("CET", 3600)
	return []v1Receipt{
		{incident: "inc-1", saved: v1Day1, Channel: "x", ID: "1", Time: time.Date(2025, 3, 1, 13, 0, 0, 1, cet)},
		{incident: "inc-1", saved: v1Day1, Channel: "x", ID: "2", URL: "https://x.com/status/2",
			Time: time.Date(2025, 3, 1, 13, 5, 0, 535_897_932, cet), Meta: map[string]string{"thread": "τ-2"},
			UpdateID: "u2", UpdateTime: time.Date(2025, 3, 1, 13, 4, 0, 7, cet)},
		{incident: "inc-1", saved: v1Day1, Channel: "email", ID: "<3@example.com>", Time: v1Day1,
			Meta: map[string]string{"references": "<1@example.com>"}},
		{incident: "inc-2", saved: v1Day2, Channel: "irc", Time: v1Day2.Add(time.Nanosecond)},
		{incident: "a\x00b", saved: v1Day2, Channel: "c", ID: "ab-c", Time: v1Day2},
		{incident: "a", saved: v1Day2, Channel: "b\x00c", ID: "a-bc", Time: v1Day2},
	}
}

// latestV1Receipts are the receipts a format 1 file with v1Receipts keeps.
func latestV1Receipts() []v1Receipt { return v1Receipts()[1:] }

func TestOpenMigratesFormat1(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	writeV1Store(t, path, v1Marks(), v1Receipts())
	marksBefore := rawBucket(t, path, "marks")

	s := open(t, path)
	assertV1Content(t, s)
	_, found, err := s.Receipt(context.Background(), "u1", "x")
	require.NoError(t, err)
	assert.False(t, found, "format 1 kept no receipt per update")
	require.NoError(t, s.Close())

	assert.Equal(t, marksBefore, rawBucket(t, path, "marks"), "the marks are as they were")
	assert.Equal(t, map[string]string{"format": "outagecast/broadcast.Store", "version": "2"}, rawBucket(t, path, "meta"))
	assert.Nil(t, rawBucket(t, path, "receipts"), "format 1's receipts bucket is gone")

	// Open migrates once: a second Open writes nothing.
	migrated, err := os.ReadFile(path)
	require.NoError(t, err)
	s = open(t, path)
	require.NoError(t, s.Close())
	again, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.True(t, bytes.Equal(migrated, again), "the second Open changed the file")
}

// assertV1Content checks that s has the marks and receipts of the format 1
// file: every mark with its failure text, each incident's latest receipt
// as both Root and Last of its thread.
func assertV1Content(t *testing.T, s *boltstore.Store) {
	t.Helper()
	ctx := context.Background()
	for _, m := range v1Marks() {
		done, failure, err := s.Done(ctx, m.update, m.channel, m.target)
		require.NoError(t, err)
		assert.Equal(t, [2]any{true, m.failure}, [2]any{done, failure}, "mark %q", []string{m.update, m.channel, m.target})
	}
	for _, r := range latestV1Receipts() {
		th, err := s.Thread(ctx, r.incident, r.Channel)
		require.NoError(t, err)
		assertV1Receipt(t, r, th.Root)
		assertV1Receipt(t, r, th.Last)
	}
}

func assertV1Receipt(t *testing.T, want v1Receipt, got broadcast.Receipt) {
	t.Helper()
	assert.Equal(t, []string{want.Channel, want.ID, want.URL}, []string{got.Channel, got.ID, got.URL}, "%s", want.ID)
	assert.True(t, want.Time.Equal(got.Time), "%s: Time %v, got %v", want.ID, want.Time, got.Time)
	assert.Equal(t, len(want.Meta), len(got.Meta), "%s: Meta", want.ID)
	if len(want.Meta) > 0 {
		assert.Equal(t, want.Meta, got.Meta, "%s: Meta", want.ID)
	}
	// The update the receipt is of, which the Broadcaster needs so as
	// not to post an older update after it, and to know when its post
	// was retracted: kept where format 1 had it.
	assert.Equal(t, want.UpdateID, got.UpdateID, "%s: UpdateID", want.ID)
	assert.True(t, want.UpdateTime.Equal(got.UpdateTime), "%s: UpdateTime %v, got %v", want.ID, want.UpdateTime,
		got.UpdateTime)
}

// TestMigratedStoreCarriesOn: after the migration, an incident's next
// update replies in its thread, and Prune removes the migrated threads by
// the time they were saved.
func TestMigratedStoreCarriesOn(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	writeV1Store(t, path, v1Marks(), v1Receipts())
	s := open(t, path)
	ctx := context.Background()

	next := broadcast.Receipt{Channel: "x", ID: "4", Time: time.Now(), UpdateID: "u4", UpdateTime: time.Now()}
	require.NoError(t, s.SaveReceipt(ctx, "inc-1", "u4", next))
	th, err := s.Thread(ctx, "inc-1", "x")
	require.NoError(t, err)
	assert.Equal(t, [2]string{"2", "4"}, [2]string{th.Root.ID, th.Last.ID}, "Root stays format 1's latest receipt")

	n, err := s.Prune(ctx, v1Day2)
	require.NoError(t, err)
	assert.EqualValues(t, 5, n, "four marks and a thread of day 1; inc-1 on x was saved again")
	for _, k := range [][2]string{{"inc-1", "email"}, {"inc-2", "irc"}, {"inc-1", "x"}} {
		th, err := s.Thread(ctx, k[0], k[1])
		require.NoError(t, err)
		assert.Equal(t, k != [2]string{"inc-1", "email"}, !th.IsZero(), "thread %q kept", k)
	}
}

// TestMigrationFailsWithoutChange: a format 1 file the migration cannot
// read is refused, and left as it was.
func TestMigrationFailsWithoutChange(t *testing.T) {
	tests := []struct {
		name   string
		change func(tx *bolt.Tx) error
		want   error
		text   string
	}{
		{"undecodable receipt", func(tx *bolt.Tx) error {
			return tx.Bucket([]byte("receipts")).Put(v1Key("zzz", "x"), []byte(`{"saved": "2025-03-01T1`))
		}, boltstore.ErrDamaged, "a version 1 receipt does not decode: "},
		{"bucket in place of a receipt", func(tx *bolt.Tx) error {
			_, err := tx.Bucket([]byte("receipts")).CreateBucket(v1Key("zzz", "x"))
			return err
		}, boltstore.ErrDamaged, "a bucket where a version 1 receipt should be"},
		{"marks missing", func(tx *bolt.Tx) error { return tx.DeleteBucket([]byte("marks")) },
			boltstore.ErrInvalidFile, `bucket "marks" of format version 1 is missing`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "state.db")
			writeV1Store(t, path, v1Marks(), v1Receipts())
			changeFile(t, path, tt.change)
			before, err := os.ReadFile(path)
			require.NoError(t, err)

			_, err = boltstore.Open(path, nil)
			require.ErrorIs(t, err, tt.want)
			assert.Contains(t, err.Error(), path)
			assert.Contains(t, err.Error(), tt.text)
			after, err := os.ReadFile(path)
			require.NoError(t, err)
			assert.True(t, bytes.Equal(before, after), "the file changed")
		})
	}
}

func changeFile(t *testing.T, path string, change func(tx *bolt.Tx) error) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, nil)
	require.NoError(t, err)
	defer func() { require.NoError(t, db.Close()) }()
	require.NoError(t, db.Update(change))
}

// rawBucket returns the keys and values of a top-level bucket of the
// file, nil when it has none of that name.
func rawBucket(t *testing.T, path, name string) map[string]string {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	require.NoError(t, err)
	defer func() { require.NoError(t, db.Close()) }()
	var kv map[string]string
	require.NoError(t, db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(name))
		if b == nil {
			return nil
		}
		kv = map[string]string{}
		return b.ForEach(func(k, v []byte) error { kv[string(k)] = string(v); return nil })
	}))
	return kv
}

// BenchmarkOpenFormat1 is the Open that migrates a format 1 file of 100,000
// marks (50 updates to 2,000 recipients) and 1,000 threads: every page is
// read, then the threads are written anew.
func BenchmarkOpenFormat1(b *testing.B) {
	dir := b.TempDir()
	template := filepath.Join(dir, "v1.db")
	var marks []v1Mark
	for i := range 100_000 {
		marks = append(marks, v1Mark{fmt.Sprintf("u_%016x", i/2000), "email", fmt.Sprintf("rcpt-%d@example.com", i%2000), "", time.Now()})
	}
	var receipts []v1Receipt
	for i := range 1000 {
		receipts = append(receipts, v1Receipt{incident: fmt.Sprint("inc-", i/2), saved: time.Now(),
			Channel: []string{"email", "x"}[i%2], ID: fmt.Sprint(i), Time: time.Now()})
	}
	writeV1Store(b, template, marks, receipts)
	data, err := os.ReadFile(template)
	require.NoError(b, err)
	path := filepath.Join(dir, "state.db")
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		require.NoError(b, os.WriteFile(path, data, 0o600))
		b.StartTimer()
		s, err := boltstore.Open(path, nil)
		if err != nil {
			b.Fatal(err)
		}
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(data))/1e6, "file-MB")
}
