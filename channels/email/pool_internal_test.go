package email

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// given returns what w was handed: a connection, or nil for a slot; ok
// false when nothing was.
func given(w *waiter) (cn *conn, ok bool) {
	select {
	case cn = <-w.got:
		return cn, true
	default:
		return nil, false
	}
}

// TestPoolServesInLine: slots freed and connections given back go to the
// waiters in the order they came, whoever frees or gives them.
func TestPoolServesInLine(t *testing.T) {
	p := newPool(1, time.Minute)
	a, b, c := &batch{}, &batch{}, &batch{}
	_, slot, _ := p.take(a, nil)
	require.True(t, slot)
	_, _, wb := p.take(b, nil)
	_, _, wc := p.take(c, nil)
	require.NotNil(t, wb)
	require.NotNil(t, wc)
	p.free() // a's dial failed
	cn, ok := given(wb)
	require.True(t, ok, "the first in line gets the slot")
	assert.Nil(t, cn, "a slot")
	_, ok = given(wc)
	require.False(t, ok, "the second waits")
	kept := &conn{}
	kept.free = p.free // as connect sets it
	p.put(kept)        // b is done with the connection it dialed
	cn, ok = given(wc)
	require.True(t, ok)
	assert.Same(t, kept, cn)
	assert.True(t, cn.reset, "a connection handed over starts with RSET")
	p.put(cn)
	p.close()
	assert.Equal(t, 0, p.open)
}

// TestPoolWaitEnds: a waiter whose context ends, or whose Send needs no
// connection any more, leaves the line; what it was handed meanwhile goes
// to the next in line, and no slot is lost.
func TestPoolWaitEnds(t *testing.T) {
	p := newPool(1, time.Minute)
	_, slot, _ := p.take(&batch{}, nil)
	require.True(t, slot)
	_, _, w1 := p.take(&batch{}, nil)
	_, _, w2 := p.take(&batch{}, nil)
	_, _, w3 := p.take(&batch{}, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, ok, err := p.wait(ctx, w1, nil)
	require.ErrorIs(t, err, context.Canceled)
	assert.False(t, ok)
	assert.Equal(t, 2, p.waiting(), "w1 left the line")

	p.free()    // the slot goes to w2
	p.leave(w2) // whose wait ended as it was handed the slot
	_, ok = given(w3)
	require.True(t, ok, "w2's slot passed on to w3")
	p.free()
	assert.Equal(t, 0, p.open, "no slot held")
	_, slot, w := p.take(&batch{}, nil)
	assert.True(t, slot)
	assert.Nil(t, w)
}

// TestPoolYield: a Send hands its connection to the first waiter of
// another Send, not to one of its own workers waiting in line, and keeps
// it when no other Send waits.
func TestPoolYield(t *testing.T) {
	p := newPool(2, time.Minute)
	a, b := &batch{}, &batch{}
	held := &conn{}
	assert.False(t, p.yield(held, a), "nobody waits")
	_, _, _ = p.take(a, nil)
	_, _, _ = p.take(a, nil)
	_, _, wa := p.take(a, nil) // a's own third worker
	assert.False(t, p.contended(a))
	assert.False(t, p.yield(held, a), "only a waits")
	var checked *conn
	_, _, wb := p.take(b, func(cn *conn) { checked = cn })
	assert.True(t, p.contended(a))
	require.True(t, p.yield(held, a))
	cn, ok := given(wb)
	require.True(t, ok)
	assert.Same(t, held, cn)
	assert.Same(t, held, checked, "b's attempt saw it before b got it")
	_, ok = given(wa)
	assert.False(t, ok, "a's worker still waits")
	assert.False(t, p.contended(a))
}

// TestPoolYieldSkipsCheck: a Check needs a slot, not a connection, since
// it dials its own: a Send hands its connection over to the first waiter
// of another Send even when a Check waits before it, and keeps it when
// only a Check waits. The Check gets the next connection given back (or
// slot freed), as the first in line.
func TestPoolYieldSkipsCheck(t *testing.T) {
	p := newPool(1, time.Minute)
	a, b := &batch{}, &batch{}
	_, slot, _ := p.take(a, nil)
	require.True(t, slot)
	p.mu.Lock()
	wc := p.line(nil, nil) // a Check, as reserve puts it in line
	p.mu.Unlock()
	held := &conn{}
	assert.False(t, p.contended(a), "only a Check waits")
	assert.False(t, p.yield(held, a), "only a Check waits")
	_, _, wb := p.take(b, nil)
	assert.True(t, p.contended(a))
	require.True(t, p.yield(held, a))
	cn, ok := given(wb)
	require.True(t, ok, "b got a's connection")
	assert.Same(t, held, cn)
	_, ok = given(wc)
	require.False(t, ok, "the Check still waits")
	p.put(cn) // b is done with it
	cn, ok = given(wc)
	require.True(t, ok, "the Check is first in line for what is given back")
	assert.Same(t, held, cn)
}

// TestPoolDropKeepsGivenBackSince: drop closes the idle connections given
// back before the silent one was taken, and keeps one given back after.
func TestPoolDropKeepsGivenBackSince(t *testing.T) {
	p := newPool(3, time.Minute)
	conns := make([]*conn, 3)
	for i := range conns {
		_, slot, _ := p.take(&batch{}, nil)
		require.True(t, slot)
		conns[i] = &conn{}
		conns[i].free = p.free
	}
	stale, silent, fresh := conns[0], conns[1], conns[2]
	p.put(stale)
	p.put(silent)
	cn, _, _ := p.take(&batch{}, nil)
	require.Same(t, silent, cn, "the most recently used")
	p.put(fresh) // another Send is done with it while silent's probe runs
	p.drop(silent.takenAt)
	assert.Equal(t, []*conn{fresh}, p.idle)
	assert.Equal(t, 2, p.open, "stale's slot freed")
	silent.abort()
	p.close()
	assert.Equal(t, 0, p.open)
}
