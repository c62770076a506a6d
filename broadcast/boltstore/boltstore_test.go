package boltstore_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"
	"go.uber.org/goleak"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/broadcast/boltstore"
	"github.com/outagecast/outagecast/broadcast/storetest"
)

func TestMain(m *testing.M) {
	if crashChildRequested() {
		os.Exit(runCrashChild())
	}
	if damageChildRequested() {
		os.Exit(runDamageChildProcess())
	}
	if os.Getenv(lockEnv) != "" {
		os.Exit(runLockChild())
	}
	goleak.VerifyTestMain(m)
}

// open opens a store at path and closes it at cleanup.
func open(t *testing.T, path string) *boltstore.Store {
	t.Helper()
	s, err := boltstore.Open(path, nil)
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, s.Close()) })
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) broadcast.Store {
		return open(t, filepath.Join(t.TempDir(), "state.db"))
	})
}

func TestPruneConformance(t *testing.T) {
	storetest.RunPrune(t, func(t *testing.T) (broadcast.Store, storetest.Pruner) {
		s := open(t, filepath.Join(t.TempDir(), "state.db"))
		return s, s.Prune
	})
}

func TestDurable(t *testing.T) {
	storetest.RunDurable(t, func(t *testing.T, path string) (broadcast.Store, func() error) {
		s, err := boltstore.Open(path, nil)
		require.NoError(t, err)
		return s, s.Close
	})
}

func TestPruneDurable(t *testing.T) {
	storetest.RunPruneDurable(t, func(t *testing.T, path string) (broadcast.Store, storetest.Pruner, func() error) {
		s, err := boltstore.Open(path, nil)
		require.NoError(t, err)
		return s, s.Prune, s.Close
	})
}

func TestOpenErrors(t *testing.T) {
	tests := []struct {
		name    string
		prepare func(t *testing.T, path string) // makes the file at path
		want    error
		text    string // the start of the error, %s standing for the path
	}{
		{"open in another Store of this process", lockFile, boltstore.ErrLocked,
			"boltstore: file locked by this process: %s: another of its Stores has it open"},
		{"not a bbolt file", writeFile(`{"receipts": {}}`), boltstore.ErrInvalidFile,
			"boltstore: not an outagecast store file: %s: invalid database"},
		{"corrupt file", corrupt, boltstore.ErrInvalidFile,
			"boltstore: not an outagecast store file: %s: "},
		{"bbolt file of another program", boltFile("widgets", nil), boltstore.ErrInvalidFile,
			`boltstore: not an outagecast store file: %s: a bbolt file of another program (bucket "widgets")`},
		{"bbolt file with a foreign meta bucket", boltFile("meta", map[string]string{"version": "1"}),
			boltstore.ErrInvalidFile,
			`boltstore: not an outagecast store file: %s: a bbolt file of another program (format "")`},
		{"newer format version", future, boltstore.ErrVersion,
			"boltstore: unsupported store format version: %s: version 3, this package reads versions 1 to 2"},
		{"format version 0", version("0"), boltstore.ErrInvalidFile,
			`boltstore: not an outagecast store file: %s: bad format version "0"`},
		{"bucket missing", dropBucket("threads"), boltstore.ErrInvalidFile,
			`boltstore: not an outagecast store file: %s: bucket "threads" of format version 2 is missing`},
		{"missing directory", func(*testing.T, string) {}, os.ErrNotExist,
			"boltstore: open %s: no such file or directory"},
		{"empty file", writeFile(""), boltstore.ErrDamaged,
			"boltstore: store file damaged: %s: the file is empty; if you created it empty (touch, or for a " +
				"container's bind mount), delete it and open again, which writes a new store in its place (a store " +
				"file this package wrote is never empty); otherwise restore it from a backup, or move it aside"},
		{"store cut short", cutShort, boltstore.ErrDamaged,
			"boltstore: store file damaged: %s: cut short: 8192 bytes, its pages need "},
		{"damaged meta page", zeroPage(1), boltstore.ErrDamaged,
			"boltstore: store file damaged: %s: meta page 1: not a bbolt header; restore it from a backup"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "state.db")
			if tt.want == os.ErrNotExist {
				path = filepath.Join(t.TempDir(), "missing", "state.db")
			}
			tt.prepare(t, path)
			s, err := boltstore.Open(path, &boltstore.Options{LockTimeout: -1})
			require.Error(t, err)
			assert.Nil(t, s)
			assert.ErrorIs(t, err, tt.want)
			assert.Contains(t, err.Error(), path, "the error names the file")
			if errors.Is(err, boltstore.ErrDamaged) {
				assert.ErrorIs(t, err, boltstore.ErrInvalidFile, "a damaged file is an invalid one too")
				assert.Contains(t, err.Error(), "updates it recorded as sent may be sent again")
			}
			if tt.text != "" {
				assert.True(t, strings.HasPrefix(err.Error(), fmt.Sprintf(tt.text, path)), err.Error())
			}
		})
	}
}

// lockFile opens a store at path for the rest of the test.
func lockFile(t *testing.T, path string) { open(t, path) }

func writeFile(content string) func(t *testing.T, path string) {
	return func(t *testing.T, path string) {
		require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	}
}

// corrupt makes a store and then overwrites both of its meta pages.
func corrupt(t *testing.T, path string) {
	s, err := boltstore.Open(path, nil)
	require.NoError(t, err)
	require.NoError(t, s.Close())
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	require.NoError(t, err)
	defer f.Close()
	_, err = f.WriteAt([]byte(strings.Repeat("\xff", 2*os.Getpagesize())), 0)
	require.NoError(t, err)
}

// markedStore makes a store at path holding marks and returns its content.
func markedStore(t *testing.T, path string, targets ...string) []byte {
	t.Helper()
	s, err := boltstore.Open(path, nil)
	require.NoError(t, err)
	for _, target := range targets {
		require.NoError(t, s.Mark(context.Background(), "u1", "email", target, nil))
	}
	require.NoError(t, s.Close())
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	return data
}

// cutShort makes a store and cuts it short after two pages.
func cutShort(t *testing.T, path string) {
	data := markedStore(t, path, "ada@example.com")
	require.NoError(t, os.WriteFile(path, data[:2*os.Getpagesize()], 0o600))
}

// zeroPage makes a store and zeroes page p.
func zeroPage(p int) func(t *testing.T, path string) {
	return func(t *testing.T, path string) {
		data := markedStore(t, path, "ada@example.com")
		ps := os.Getpagesize()
		clear(data[p*ps : (p+1)*ps])
		require.NoError(t, os.WriteFile(path, data, 0o600))
	}
}

// boltFile makes a bbolt file, or changes one, so that bucket holds values.
func boltFile(bucket string, values map[string]string) func(t *testing.T, path string) {
	return func(t *testing.T, path string) { writeBoltFile(t, path, nil, bucket, values) }
}

// writeBoltFile writes values into bucket of the bbolt file at path, made
// with opts.
func writeBoltFile(t *testing.T, path string, opts *bolt.Options, bucket string, values map[string]string) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, opts)
	require.NoError(t, err)
	require.NoError(t, db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists([]byte(bucket))
		if err != nil {
			return err
		}
		for k, v := range values {
			if err := b.Put([]byte(k), []byte(v)); err != nil {
				return err
			}
		}
		return nil
	}))
	require.NoError(t, db.Close())
}

// future makes a store and bumps its format version, as a newer version of
// the package would.
func future(t *testing.T, path string) { version("3")(t, path) }

// version makes a store and sets its format version to v.
func version(v string) func(t *testing.T, path string) {
	return func(t *testing.T, path string) {
		s, err := boltstore.Open(path, nil)
		require.NoError(t, err)
		require.NoError(t, s.Close())
		boltFile("meta", map[string]string{"version": v})(t, path)
	}
}

// dropBucket makes a store and deletes its bucket name.
func dropBucket(name string) func(t *testing.T, path string) {
	return func(t *testing.T, path string) {
		s, err := boltstore.Open(path, nil)
		require.NoError(t, err)
		require.NoError(t, s.Close())
		db, err := bolt.Open(path, 0o600, nil)
		require.NoError(t, err)
		defer db.Close()
		require.NoError(t, db.Update(func(tx *bolt.Tx) error { return tx.DeleteBucket([]byte(name)) }))
	}
}

func TestSecondOpenWaitsForTheFirstToClose(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	first, err := boltstore.Open(path, nil)
	require.NoError(t, err)
	require.NoError(t, first.Mark(context.Background(), "u1", "email", "ada@example.com", nil))

	_, err = boltstore.Open(path, &boltstore.Options{LockTimeout: 100 * time.Millisecond})
	require.ErrorIs(t, err, boltstore.ErrLocked)
	assert.EqualError(t, err, "boltstore: file locked by this process: "+path+
		": another of its Stores has it open (close that Store first, or use it)")

	require.NoError(t, first.Close())
	second := open(t, path)
	done, _, err := second.Done(context.Background(), "u1", "email", "ada@example.com")
	require.NoError(t, err)
	assert.True(t, done)
}

// TestCallsAfterClose: every call after Close fails with an error matching
// ErrClosed that names the call and the file, so that a program with
// several Stores knows which one it used after closing it. Before, the
// error was ErrClosed alone, "boltstore: store closed".
func TestCallsAfterClose(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	s, err := boltstore.Open(path, nil)
	require.NoError(t, err)
	require.NoError(t, s.Close())
	require.NoError(t, s.Close(), "closing again does nothing")

	ctx := context.Background()
	calls := map[string]func() error{
		"done":         func() error { _, _, err := s.Done(ctx, "u1", "email", ""); return err },
		"mark":         func() error { return s.Mark(ctx, "u1", "email", "", nil) },
		"thread":       func() error { _, err := s.Thread(ctx, "inc", "email"); return err },
		"receipt":      func() error { _, _, err := s.Receipt(ctx, "u1", "email"); return err },
		"save receipt": func() error { return s.SaveReceipt(ctx, "inc", "u1", broadcast.Receipt{Channel: "email"}) },
		"prune":        func() error { _, err := s.Prune(ctx, time.Now()); return err },
		"lock": func() error {
			unlock, err := s.Lock(ctx, broadcast.LockKey{UpdateID: "u1", Channel: "email"})
			assert.Nil(t, unlock, "unlock")
			return err
		},
	}
	for op, call := range calls {
		err := call()
		assert.ErrorIs(t, err, boltstore.ErrClosed, op)
		if assert.Error(t, err, op) {
			assert.Equal(t, "boltstore: "+op+": "+path+": store closed", err.Error())
		}
	}
}

func TestCancelledContextHasNoEffect(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "state.db"))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()

	err := s.Mark(ctx, "u1", "email", "ada@example.com", nil)
	require.ErrorIs(t, err, context.Canceled)
	assert.EqualError(t, err, "boltstore: mark: context canceled")
	err = s.SaveReceipt(ctx, "inc", "u1", broadcast.Receipt{Channel: "email", ID: "1"})
	require.ErrorIs(t, err, context.Canceled)
	assert.EqualError(t, err, "boltstore: save receipt: context canceled")
	_, err = s.Thread(ctx, "inc", "email")
	assert.EqualError(t, err, "boltstore: thread: context canceled")
	_, _, err = s.Receipt(ctx, "u1", "email")
	assert.EqualError(t, err, "boltstore: receipt: context canceled")
	_, _, err = s.Done(ctx, "u1", "email", "ada@example.com")
	assert.EqualError(t, err, "boltstore: done: context canceled")

	done, _, err := s.Done(context.Background(), "u1", "email", "ada@example.com")
	require.NoError(t, err)
	assert.False(t, done)
	th, err := s.Thread(context.Background(), "inc", "email")
	require.NoError(t, err)
	assert.True(t, th.IsZero())
	_, found, err := s.Receipt(context.Background(), "u1", "email")
	require.NoError(t, err)
	assert.False(t, found)
}

func TestIDsTooLongForAKey(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "state.db"))
	ctx := context.Background()
	long := strings.Repeat("x", bolt.MaxKeySize)
	// The error names the fields that make the key: the call's, and for
	// SaveReceipt the thread's or the update's.
	const markKey, threadKey, receiptKey = "update id, channel and target", "incident id and channel",
		"update id and channel"
	errs := map[[2]string]error{{"mark", markKey}: s.Mark(ctx, "u1", "webhook", long, nil)}
	_, _, errs[[2]string{"done", markKey}] = s.Done(ctx, "u1", "webhook", long)
	_, errs[[2]string{"thread", threadKey}] = s.Thread(ctx, long, "x")
	_, _, errs[[2]string{"receipt", receiptKey}] = s.Receipt(ctx, long, "x")
	errs[[2]string{"save receipt", threadKey}] = s.SaveReceipt(ctx, long, "u1", broadcast.Receipt{Channel: "x"})
	errs[[2]string{"save receipt", receiptKey}] = s.SaveReceipt(ctx, "inc", long, broadcast.Receipt{Channel: "x"})
	for op, err := range errs {
		require.Error(t, err, op[0])
		assert.Regexp(t, `^boltstore: `+op[0]+`: `+op[1]+` too long together: \d+ bytes, more than 32768 \(a bbolt key's limit\)$`,
			err.Error())
		assert.NotContains(t, err.Error(), long[:100], "the error does not echo the ids")
	}
	th, err := s.Thread(ctx, "inc", "x")
	require.NoError(t, err)
	assert.True(t, th.IsZero(), "a SaveReceipt that failed wrote nothing")
}

// TestConcurrentUse mixes every call from many goroutines, for the race
// detector, and checks that every write is there afterwards.
func TestConcurrentUse(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "state.db"))
	ctx := context.Background()
	const n = 200
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			target := fmt.Sprintf("rcpt-%d@example.com", i)
			var failure error
			if i%3 == 0 {
				failure = errors.New("550 no such user")
			}
			assert.NoError(t, s.Mark(ctx, "u1", "email", target, failure))
			assert.NoError(t, s.SaveReceipt(ctx, fmt.Sprint("inc-", i%10), target, broadcast.Receipt{Channel: "email", ID: target}))
			_, _, err := s.Done(ctx, "u1", "email", fmt.Sprintf("rcpt-%d@example.com", (i+1)%n))
			assert.NoError(t, err)
			_, err = s.Thread(ctx, "inc-0", "email")
			assert.NoError(t, err)
			_, _, err = s.Receipt(ctx, fmt.Sprintf("rcpt-%d@example.com", (i+1)%n), "email")
			assert.NoError(t, err)
		})
	}
	wg.Wait()
	for i := range n {
		target := fmt.Sprintf("rcpt-%d@example.com", i)
		done, _, err := s.Done(ctx, "u1", "email", target)
		require.NoError(t, err)
		assert.True(t, done, i)
		r, found, err := s.Receipt(ctx, target, "email")
		require.NoError(t, err)
		assert.True(t, found, i)
		assert.Equal(t, target, r.ID)
	}
}

// TestReceiptsKeptExactly: a receipt comes back as it was saved, after a
// reopen too: bytes that are not UTF-8, times of any year to the
// nanosecond, and a zero UpdateTime that stays zero.
func TestReceiptsKeptExactly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	ctx := context.Background()
	want := []broadcast.Receipt{
		{Channel: "x\xff", ID: "\xfe\x00id", URL: "https://example.com/\xc3", Meta: map[string]string{"\xff": "\xc3\x28", "": ""},
			Time: time.Date(10000, 1, 2, 3, 4, 5, 6, time.UTC), UpdateID: "u\xff", UpdateTime: time.Date(-1, 12, 31, 0, 0, 0, 999_999_999, time.UTC)},
		{Channel: "irc", Time: time.Unix(0, 1)},
	}
	s := open(t, path)
	for _, r := range want {
		require.NoError(t, s.SaveReceipt(ctx, "inc", r.UpdateID, r))
	}
	require.NoError(t, s.Close())

	s = open(t, path)
	for _, r := range want {
		got, found, err := s.Receipt(ctx, r.UpdateID, r.Channel)
		require.NoError(t, err)
		require.True(t, found)
		assertSameReceipt(t, r, got)
		th, err := s.Thread(ctx, "inc", r.Channel)
		require.NoError(t, err)
		assertSameReceipt(t, r, th.Root)
		assertSameReceipt(t, r, th.Last)
	}
}

func assertSameReceipt(t *testing.T, want, got broadcast.Receipt) {
	t.Helper()
	assert.Equal(t, []string{want.Channel, want.ID, want.URL, want.UpdateID}, []string{got.Channel, got.ID, got.URL, got.UpdateID})
	assert.True(t, want.Time.Equal(got.Time), "Time: want %v, got %v", want.Time, got.Time)
	assert.True(t, want.UpdateTime.Equal(got.UpdateTime), "UpdateTime: want %v, got %v", want.UpdateTime, got.UpdateTime)
	assert.Equal(t, want.UpdateTime.IsZero(), got.UpdateTime.IsZero(), "UpdateTime zero")
	assert.Equal(t, len(want.Meta), len(got.Meta), "Meta")
	if len(want.Meta) > 0 {
		assert.Equal(t, want.Meta, got.Meta)
	}
}
