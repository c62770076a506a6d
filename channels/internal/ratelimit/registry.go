package ratelimit

import (
	"sync"
	"weak"
)

// Registry hands every holder of one key the same T (a Limits, or what a
// channel keeps its Limits in): a platform that counts requests per
// account or webhook counts those of every Channel built for it, whatever
// Channel made them. It keeps a T only while a holder does (a weak pointer), so that Channels dropped leave nothing
// behind. The key must not hold a secret in any form: it is kept for the
// process's life. The zero Registry is empty and ready; it is safe for
// concurrent use.
type Registry[T any] struct {
	mu sync.Mutex
	of map[string]weak.Pointer[T]
}

// Get returns the T of key, made by make when no holder has one now.
func (r *Registry[T]) Get(key string, make func() *T) *T {
	r.mu.Lock()
	defer r.mu.Unlock()
	if l := r.of[key].Value(); l != nil {
		return l
	}
	for k, p := range r.of {
		if p.Value() == nil {
			delete(r.of, k) // no holder left
		}
	}
	if r.of == nil {
		r.of = map[string]weak.Pointer[T]{}
	}
	l := make()
	r.of[key] = weak.Make(l)
	return l
}
