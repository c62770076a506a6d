package email

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// pool holds a Channel's connection slots: at most Concurrency
// connections are open, or being dialed, at once, across every Send and
// Check of the Channel, each holding one slot from its dial until it is
// closed. It also keeps the authenticated connections between Sends, so
// that a Send does not pay for connecting, EHLO, STARTTLS and AUTH again:
// each for at most IdleTimeout, after which its timer says QUIT. A
// connection taken from the pool, or handed from one Send to another,
// starts with RSET. Close closes the connections the pool holds, and
// every one given back after.
//
// Who finds every slot in use waits in line (a waiter): a connection given
// back, or a slot freed, goes to the first in line, and a Send hands the
// connection it uses to the first waiter of another Send between two of
// its messages (yield), so that no Send waits for the whole fan-out of
// another. It hands none to a Check, which needs a slot, not a
// connection: the Check would close it to dial its own, and the Send
// connect (TLS, AUTH) again for its next message.
type pool struct {
	max     int
	timeout time.Duration

	mu      sync.Mutex
	open    int     // slots held: connections open or being dialed, idle ones included
	idle    []*conn // the most recently used last; empty while anyone waits
	closed  bool
	waiters []*waiter    // in the order they came
	nwait   atomic.Int32 // len(waiters), for yield to read without mu
	puts    uint64       // connections given back to idle so far: see conn.keptAt
	// timers counts the idle timers armed and not stopped, and those whose
	// expiry is under way: Close waits for them.
	timers sync.WaitGroup
}

// waiter waits for a connection or a slot: a worker of a Send (owner its
// batch), or a Check (owner nil).
type waiter struct {
	owner *batch
	// kept, if set, is called with a connection handed to the waiter,
	// before the waiter gets it (see attempt.take).
	kept func(*conn)
	got  chan *conn // the connection handed over, or nil for a slot
}

func newPool(max int, timeout time.Duration) *pool {
	return &pool{max: max, timeout: timeout}
}

// take takes, unless someone waits already, the most recently used idle
// connection, or else a free slot for a connection to dial (slot true),
// which the connection frees when it is closed (see conn.free), or free
// does if the dial fails. Else it puts the caller in line: see wait. The
// connection is not bound to a context: the caller binds it.
func (p *pool) take(owner *batch, kept func(*conn)) (cn *conn, slot bool, w *waiter) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.waiters) == 0 {
		if n := len(p.idle); n > 0 {
			cn = p.idle[n-1]
			p.idle = p.idle[:n-1]
			p.stopTimer(cn)
			cn.reset = true // whatever state the server kept, the transaction starts afresh
			cn.takenAt = p.puts
			return cn, false, nil
		}
		if p.open < p.max {
			p.open++
			return nil, true, nil
		}
	}
	return nil, false, p.line(owner, kept)
}

// line puts a waiter at the end of the line; p.mu is held.
func (p *pool) line(owner *batch, kept func(*conn)) *waiter {
	w := &waiter{owner: owner, kept: kept, got: make(chan *conn, 1)}
	p.waiters = append(p.waiters, w)
	p.nwait.Store(int32(len(p.waiters)))
	return w
}

// next takes the first waiter out of the line (see first), or returns
// nil; p.mu is held.
func (p *pool) next(owner *batch) *waiter {
	i := p.first(owner)
	if i < 0 {
		return nil
	}
	w := p.waiters[i]
	p.waiters = slices.Delete(p.waiters, i, i+1)
	p.nwait.Store(int32(len(p.waiters)))
	return w
}

// first returns the index in line of the first waiter, if owner is nil,
// else of the first of a Send other than owner (a Check's needs no
// connection: see pool); -1 if there is none. p.mu is held.
func (p *pool) first(owner *batch) int {
	return slices.IndexFunc(p.waiters, func(w *waiter) bool {
		return owner == nil || (w.owner != nil && w.owner != owner)
	})
}

// waiting returns how many wait in line.
func (p *pool) waiting() int { return int(p.nwait.Load()) }

// wait waits for w's turn: it returns the connection handed to w, or nil
// for a slot, with ok. It returns ok false when stop is closed first
// (nil: never), and ctx.Err() when ctx ends first; w then leaves the
// line, and what it was given meanwhile goes to the next in line.
func (p *pool) wait(ctx context.Context, w *waiter, stop <-chan struct{}) (cn *conn, ok bool, err error) {
	select {
	case cn = <-w.got:
		return cn, true, nil
	case <-stop:
	case <-ctx.Done():
		err = ctx.Err()
	}
	p.leave(w)
	return nil, false, err
}

// leave takes w out of the line, or, if its turn came meanwhile, passes
// on what it was given.
func (p *pool) leave(w *waiter) {
	p.mu.Lock()
	i := slices.Index(p.waiters, w)
	if i >= 0 {
		p.waiters = slices.Delete(p.waiters, i, i+1)
		p.nwait.Store(int32(len(p.waiters)))
	}
	p.mu.Unlock()
	if i < 0 {
		p.giveBack(<-w.got) // sent, or about to be, by whoever took w out
	}
}

// giveBack gives back what a waiter got and did not use: a connection,
// not bound to a context, or a slot (nil).
func (p *pool) giveBack(cn *conn) {
	if cn == nil {
		p.free()
		return
	}
	cn.settle(false)
	p.put(cn)
}

// reserve waits, within ctx, for a slot for a connection to dial. Rather
// than wait, it takes over the slot of an idle connection, which it
// closes: a Check dials a connection of its own. So it does with a
// connection handed to it.
func (p *pool) reserve(ctx context.Context) error {
	p.mu.Lock()
	var w *waiter
	var cn *conn
	switch {
	case len(p.waiters) > 0:
		w = p.line(nil, nil)
	case p.open < p.max:
		p.open++
	case len(p.idle) > 0:
		cn = p.idle[0] // the least recently used
		p.idle = p.idle[1:]
		p.stopTimer(cn)
	default:
		w = p.line(nil, nil)
	}
	p.mu.Unlock()
	if w != nil {
		var err error
		if cn, _, err = p.wait(ctx, w, nil); err != nil {
			return err
		}
	}
	if cn != nil {
		cn.free = nil // its slot is the caller's now
		cn.quit()
	}
	return nil
}

// stopTimer stops the idle timer of cn, taken out of p.idle under p.mu.
func (p *pool) stopTimer(cn *conn) {
	if cn.idleTimer.Stop() {
		p.timers.Done()
	} // else its expiry finds it gone, and does nothing but Done
}

// free frees a slot: its connection was closed, or failed to connect. The
// first in line gets it.
func (p *pool) free() {
	p.mu.Lock()
	w := p.next(nil)
	if w == nil {
		p.open--
	}
	p.mu.Unlock()
	if w != nil {
		w.got <- nil
	}
}

// put gives cn back, bound to its Send's context or to none: to the first
// in line, else to the idle connections; it closes cn (QUIT) when the
// pool is closed or keeps no connection. A connection whose context ended
// was closed by it, and is dropped. Either way its slot is freed, or
// passes to the one who gets cn.
func (p *pool) put(cn *conn) {
	if !cn.unbind() {
		cn.abort() // frees the slot, for the first in line
		return
	}
	p.mu.Lock()
	w := p.next(nil)
	keep := !p.closed && p.timeout > 0
	if w == nil && keep {
		p.timers.Add(1)
		cn.idleTimer = time.AfterFunc(p.timeout, func() { p.expire(cn) })
		p.puts++
		cn.keptAt = p.puts
		p.idle = append(p.idle, cn)
		p.mu.Unlock()
		return
	}
	p.mu.Unlock()
	if w == nil {
		cn.close() // frees the slot, for whoever comes first now
		return
	}
	p.hand(cn, w, keep)
}

// yield hands cn, which its Send (owner) could use for its next message,
// to the first in line of another Send, if there is one, and reports
// whether it did: a Check waiting before it gets the next connection given
// back, or slot freed, instead. A Send that nobody waits for pays one atomic
// load.
func (p *pool) yield(cn *conn, owner *batch) bool {
	if p.nwait.Load() == 0 {
		return false
	}
	p.mu.Lock()
	w := p.next(owner)
	keep := !p.closed && p.timeout > 0
	p.mu.Unlock()
	if w == nil {
		return false
	}
	p.hand(cn, w, keep)
	return true
}

// contended reports whether a Send other than owner waits for a
// connection, which yield would hand it.
func (p *pool) contended(owner *batch) bool {
	if p.nwait.Load() == 0 {
		return false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.first(owner) >= 0
}

// hand gives cn, with its slot, to w, taken out of the line: unbound from
// the giver's context, to start with RSET. A connection that context
// closed meanwhile, or one the pool may not keep (closed, or no
// IdleTimeout), is closed, and w gets its slot to dial anew.
func (p *pool) hand(cn *conn, w *waiter, keep bool) {
	cn.settle(false)
	if bound := cn.unbind(); !bound || !keep {
		cn.free = nil     // the slot is w's
		cn.release(bound) // QUIT, unless the context closed it
		w.got <- nil
		return
	}
	cn.reset = true
	p.mu.Lock()
	cn.takenAt = p.puts
	p.mu.Unlock()
	if w.kept != nil {
		w.kept(cn)
	}
	w.got <- cn
}

// drop closes without QUIT the idle connections given back before
// since, the pool's count of puts when a kept connection was taken or
// handed over (conn.takenAt) and then found silent (see conn.probed): their
// server, or the way to it, is likely gone for them too, which waited as
// long or longer (the most recently used is taken first), and a Send would
// probe them in turn. Those given back since ended a transaction after the
// probe began: their server was there, and they stay.
func (p *pool) drop(since uint64) {
	p.mu.Lock()
	var stale []*conn
	p.idle = slices.DeleteFunc(p.idle, func(cn *conn) bool {
		if cn.keptAt > since {
			return false
		}
		p.stopTimer(cn)
		stale = append(stale, cn)
		return true
	})
	p.mu.Unlock()
	for _, cn := range stale {
		cn.abort() // frees the slot, for the first in line
	}
}

// expire closes cn, idle for IdleTimeout, unless a Send took it meanwhile.
func (p *pool) expire(cn *conn) {
	defer p.timers.Done()
	p.mu.Lock()
	i := slices.Index(p.idle, cn)
	if i >= 0 {
		p.idle = slices.Delete(p.idle, i, i+1)
	}
	p.mu.Unlock()
	if i >= 0 {
		cn.quit()
	}
}

// close closes the idle connections, and makes put close those given back
// later. It returns when no timer of the pool is left running.
func (p *pool) close() {
	p.mu.Lock()
	p.closed = true
	idle := p.idle
	p.idle = nil
	p.mu.Unlock()
	var quits sync.WaitGroup
	for _, cn := range idle {
		p.stopTimer(cn)
		quits.Go(cn.quit) // at once, so that silent servers cost one quitWait
	}
	quits.Wait()
	p.timers.Wait()
}
