// Package memo keeps what the earlier attempts of a fan-out delivery
// posted, by Message.Key(target), so that the attempt that completes the
// delivery can name every post in its receipt: the Broadcaster saves only
// the receipt of the attempt that succeeds, and the Ledger records that a
// target was delivered, not where.
//
// # Limits
//
// A Memo is in memory and bounded: after a restart, or once more than its
// size of posts wait for their delivery to complete, the oldest are
// forgotten and a receipt lacks them.
package memo

import (
	"slices"
	"sync"
)

// Memo is a bounded map of posts by key, forgetting the oldest first. It
// is safe for concurrent use.
type Memo[V any] struct {
	mu    sync.Mutex
	size  int
	posts map[string]V
	order []string // keys, oldest first
}

// New returns a Memo of at most size posts.
func New[V any](size int) *Memo[V] {
	return &Memo[V]{size: size, posts: map[string]V{}}
}

// Keep records v under key, forgetting the oldest post beyond the size.
func (m *Memo[V]) Keep(key string, v V) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.posts[key]; !ok {
		m.order = append(m.order, key)
	}
	m.posts[key] = v
	for len(m.order) > m.size {
		delete(m.posts, m.order[0])
		m.order = m.order[1:]
	}
}

// Take returns the post kept under key, if any, and forgets it when
// forget is set: once the delivery is complete, its posts are in the
// receipt and need not be kept.
func (m *Memo[V]) Take(key string, forget bool) (V, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.posts[key]
	if ok && forget {
		delete(m.posts, key)
		m.order = slices.DeleteFunc(m.order, func(k string) bool { return k == key })
	}
	return v, ok
}
