package memo

import (
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestKeepTake(t *testing.T) {
	m := New[int](3)
	m.Keep("a", 1)
	m.Keep("b", 2)
	m.Keep("a", 10) // replaced, not added again
	v, ok := m.Take("a", false)
	assert.True(t, ok)
	assert.Equal(t, 10, v)
	v, ok = m.Take("a", true)
	assert.True(t, ok)
	assert.Equal(t, 10, v)
	_, ok = m.Take("a", false)
	assert.False(t, ok, "forgotten")
	_, ok = m.Take("zz", true)
	assert.False(t, ok)
}

// Beyond its size the Memo forgets the oldest posts first; a post taken
// away leaves room.
func TestBounded(t *testing.T) {
	m := New[int](3)
	for i := range 5 {
		m.Keep(fmt.Sprint(i), i)
	}
	for i, want := range []bool{false, false, true, true, true} {
		_, ok := m.Take(fmt.Sprint(i), false)
		assert.Equal(t, want, ok, i)
	}
	m.Take("2", true)
	m.Keep("5", 5)
	_, ok := m.Take("3", false)
	assert.True(t, ok, "room was left by the post taken away")
	assert.Len(t, m.order, 3)
	assert.Len(t, m.posts, 3)
}

func TestConcurrent(t *testing.T) {
	m := New[int](16)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 100 {
				key := fmt.Sprint(i, "-", j%20)
				m.Keep(key, j)
				m.Take(key, j%3 == 0)
			}
		})
	}
	wg.Wait()
	assert.LessOrEqual(t, len(m.order), 16)
	assert.Equal(t, len(m.order), len(m.posts))
}
