package boltstore

import (
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"
)

// holdFirstCommit starts a write that blocks inside its transaction until
// the returned release is called, then queues n more writes behind it, made
// by fn(i), and waits until all n are queued. wait waits for every write
// and returns the errors, the first write's at index 0.
func holdFirstCommit(t *testing.T, c *committer, n int, fn func(i int) func(*bolt.Tx) error) (release func(), wait func() []error) {
	t.Helper()
	errs := make([]error, n+1)
	var wg sync.WaitGroup
	hold := make(chan struct{})
	wg.Go(func() {
		errs[0] = c.write(func(tx *bolt.Tx) error {
			<-hold
			return fn(0)(tx)
		})
	})
	queued := func(want int) func() bool {
		return func() bool {
			c.mu.Lock()
			defer c.mu.Unlock()
			return c.busy && len(c.queue) == want
		}
	}
	require.Eventually(t, queued(0), 10*time.Second, time.Millisecond, "the first write is committing")
	for i := 1; i <= n; i++ {
		wg.Go(func() { errs[i] = c.write(fn(i)) })
	}
	require.Eventually(t, queued(n), 10*time.Second, time.Millisecond, "the others are queued")
	return func() { close(hold) }, func() []error { wg.Wait(); return errs }
}

func TestCommitterGroupsWritesThatArriveDuringACommit(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "state.db"), nil)
	require.NoError(t, err)
	defer func() { require.NoError(t, s.Close()) }()

	const n = 20
	var mu sync.Mutex
	txOf := map[int]int{} // write → the transaction that committed it
	release, wait := holdFirstCommit(t, s.commit, n, func(i int) func(*bolt.Tx) error {
		return func(tx *bolt.Tx) error {
			mu.Lock()
			txOf[i] = tx.ID()
			mu.Unlock()
			return tx.Bucket(bucketMarks).Put(fmt.Appendf(nil, "k%d", i), nil)
		}
	})
	release()
	for i, err := range wait() {
		require.NoError(t, err, i)
	}
	for i := 2; i <= n; i++ {
		assert.Equal(t, txOf[1], txOf[i], "write %d shares the second transaction", i)
	}
	assert.NotEqual(t, txOf[0], txOf[1], "the first write committed alone")
	assert.Equal(t, n+1, keys(t, s), "every write is there")
}

func TestCommitterKeepsOneWritesErrorFromTheOthers(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "state.db"), nil)
	require.NoError(t, err)
	defer func() { require.NoError(t, s.Close()) }()

	const n, bad = 10, 4
	boom := errors.New("boom")
	release, wait := holdFirstCommit(t, s.commit, n, func(i int) func(*bolt.Tx) error {
		return func(tx *bolt.Tx) error {
			if i == bad {
				return boom
			}
			return tx.Bucket(bucketMarks).Put(fmt.Appendf(nil, "k%d", i), nil)
		}
	})
	release()
	for i, err := range wait() {
		if i == bad {
			assert.ErrorIs(t, err, boom)
		} else {
			assert.NoError(t, err, i)
		}
	}
	assert.Equal(t, n, keys(t, s), "every write but the failing one is there")
}

// keys counts the marks bucket's keys.
func keys(t *testing.T, s *Store) int {
	t.Helper()
	var n int
	require.NoError(t, s.db.View(func(tx *bolt.Tx) error {
		n = tx.Bucket(bucketMarks).Stats().KeyN
		return nil
	}))
	return n
}

// TestCommitterStopsAtDamageFoundWhileRetrying: when a group's transaction
// fails and one of its writes, retried alone, finds the file damaged, the
// writes retried after it fail too, without a transaction, and so does
// every later write: bbolt may keep its writer lock after a panic, and a
// write into a damaged file could spread the damage. Before, the retries
// went on, writing into the damaged file (or waiting for ever on that
// lock), and the next group was committed as if nothing had been found.
func TestCommitterStopsAtDamageFoundWhileRetrying(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "state.db"), nil)
	require.NoError(t, err)
	defer func() { require.NoError(t, s.Close()) }()

	const n, bad = 10, 4
	var mu sync.Mutex
	calls := map[int]int{} // write → how many times its function ran
	var afterDamage []int  // writes whose function ran after bad's found damage
	damaged := false
	release, wait := holdFirstCommit(t, s.commit, n, func(i int) func(*bolt.Tx) error {
		return func(tx *bolt.Tx) error {
			mu.Lock()
			defer mu.Unlock()
			calls[i]++
			switch {
			case i == bad && calls[i] == 1:
				return errors.New("boom") // the group fails
			case i == bad:
				damaged = true
				return &damage{"a mark does not decode"} // found when retried alone
			case damaged:
				afterDamage = append(afterDamage, i)
			}
			return tx.Bucket(bucketMarks).Put(fmt.Appendf(nil, "k%d", i), nil)
		}
	})
	release()
	errs := wait()
	assert.NoError(t, errs[0], "the first write committed alone, before")
	var d *damage
	assert.ErrorAs(t, errs[bad], &d)
	assert.Empty(t, afterDamage, "no write of the group ran after the damage was found")
	failed := 0
	for i := 1; i <= n; i++ {
		if errs[i] != nil {
			assert.ErrorAs(t, errs[i], &d, i)
			failed++
		}
	}
	assert.Equal(t, n+1-keys(t, s), failed, "the writes that failed wrote nothing, the others are there")

	ran := false
	err = s.commit.write(func(*bolt.Tx) error { ran = true; return nil })
	assert.ErrorAs(t, err, &d, "a later write")
	assert.False(t, ran, "a later write runs no transaction")
}
