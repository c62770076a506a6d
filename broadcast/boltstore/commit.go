package boltstore

import (
	"errors"
	"sync"
	"sync/atomic"

	bolt "go.etcd.io/bbolt"
)

// committer groups concurrent writes into shared transactions (group
// commit). A writer that finds no commit under way commits at once, alone.
// Writers that arrive during a commit queue up; when it ends, one of them
// commits the whole queue in one transaction, synced once for all. Every
// write has been committed and synced when its call returns.
//
// bbolt's DB.Batch groups writers too, but only after a fixed delay (10ms by
// default), which a lone writer — a channel marking its recipients one after
// another — pays on every call.
type committer struct {
	db     *boltDB
	mu     sync.Mutex
	busy   bool // a writer is committing; the others queue
	queue  []*write
	halted atomic.Pointer[damage] // the file is damaged: commit nothing more
}

// A write is one caller's function and where its outcome goes. Its
// function may run more than once (see commit): it must be idempotent.
type write struct {
	fn   func(*bolt.Tx) error
	done chan outcome
}

// An outcome is either a write's result or, with lead set, the news that
// the write's caller is to commit the queue.
type outcome struct {
	err  error
	lead bool
}

// write runs fn in a committed, synced transaction, possibly shared with
// other writers'.
func (c *committer) write(fn func(*bolt.Tx) error) error {
	w := &write{fn: fn, done: make(chan outcome, 1)}
	c.mu.Lock()
	c.queue = append(c.queue, w)
	lead := !c.busy
	c.busy = true
	c.mu.Unlock()
	if !lead {
		if o := <-w.done; !o.lead {
			return o.err
		}
	}

	c.mu.Lock()
	group := c.queue
	c.queue = nil
	c.mu.Unlock()
	c.commit(group)

	// Hand the queue that built up meanwhile to one of its writers rather
	// than commit it here: this caller has its answer and goes on.
	c.mu.Lock()
	if len(c.queue) > 0 {
		c.queue[0].done <- outcome{lead: true}
	} else {
		c.busy = false
	}
	c.mu.Unlock()
	return (<-w.done).err
}

// commit runs every write of group in one transaction and reports the
// outcome to each. If it fails, each write is retried in a transaction of
// its own, so that one write's error does not become the others'; damage
// found by one of them fails those after it, as below.
//
// If the file is found damaged, every write of group fails, and so does
// every later one, without calling bbolt, which may have kept its writer
// lock. This is decided here, before the next group is handed on.
func (c *committer) commit(group []*write) {
	var err error
	if d := c.halted.Load(); d != nil {
		err = d
	} else {
		err = c.db.update(func(tx *bolt.Tx) error {
			for _, w := range group {
				if err := w.fn(tx); err != nil {
					return err
				}
			}
			return nil
		})
	}
	var d *damage
	if errors.As(err, &d) {
		c.halted.CompareAndSwap(nil, d)
	} else if err != nil && len(group) > 1 {
		for _, w := range group {
			w.done <- outcome{err: c.alone(w)}
		}
		return
	}
	for _, w := range group {
		w.done <- outcome{err: err}
	}
}

// alone runs w in a transaction of its own, unless the file was found
// damaged, by it or by a write before it: then it fails, as commit's
// writes do, without calling bbolt.
func (c *committer) alone(w *write) error {
	if d := c.halted.Load(); d != nil {
		return d
	}
	err := c.db.update(w.fn)
	var d *damage
	if errors.As(err, &d) {
		c.halted.CompareAndSwap(nil, d)
	}
	return err
}
