package email

import (
	"context"
	"slices"
	"sync"
	"time"
)

// pool holds a Channel's connection slots: at most Concurrency
// connections are open, or being dialed, at once, across every Send and
// Check of the Channel, each holding one slot from its dial until it is
// closed. It also keeps the authenticated connections between Sends, so
// that a Send does not pay for connecting, EHLO, STARTTLS and AUTH again:
// each for at most IdleTimeout, after which its timer says QUIT. A
// connection taken from the pool starts with RSET. Close closes the
// connections the pool holds, and every one given back after.
type pool struct {
	max     int
	timeout time.Duration

	mu     sync.Mutex
	open   int     // slots held: connections open or being dialed, idle ones included
	idle   []*conn // the most recently used last
	closed bool
	// changed is closed, and replaced, when a slot is freed or a
	// connection comes back: a wait for one looks again.
	changed chan struct{}
	// timers counts the idle timers armed and not stopped, and those whose
	// expiry is under way: Close waits for them.
	timers sync.WaitGroup
}

func newPool(max int, timeout time.Duration) *pool {
	return &pool{max: max, timeout: timeout, changed: make(chan struct{})}
}

// take takes the most recently used idle connection, or else a free slot
// for a connection to dial (slot true), which the connection frees when
// it is closed (see conn.free), or free does if the dial fails. With
// neither, it returns the channel closed at the next change. The
// connection is not bound to a context: the caller binds it.
func (p *pool) take() (cn *conn, slot bool, changed <-chan struct{}) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if n := len(p.idle); n > 0 {
		cn = p.idle[n-1]
		p.idle = p.idle[:n-1]
		p.stopTimer(cn)
		cn.reset = true // whatever state the server kept, the transaction starts afresh
		return cn, false, nil
	}
	if p.open < p.max {
		p.open++
		return nil, true, nil
	}
	return nil, false, p.changed
}

// reserve waits, within ctx, for a slot for a connection to dial. Rather
// than wait, it takes over the slot of an idle connection, which it
// closes: a Check dials a connection of its own.
func (p *pool) reserve(ctx context.Context) error {
	for {
		p.mu.Lock()
		if p.open < p.max {
			p.open++
			p.mu.Unlock()
			return nil
		}
		if len(p.idle) > 0 {
			cn := p.idle[0] // the least recently used
			p.idle = p.idle[1:]
			p.stopTimer(cn)
			p.mu.Unlock()
			cn.free = nil // its slot is the caller's now
			cn.quit()
			return nil
		}
		changed := p.changed
		p.mu.Unlock()
		if err := waitFor(ctx, changed, nil); err != nil {
			return err
		}
	}
}

// waitFor waits for changed to be closed, or for stop (nil: never), and
// returns ctx.Err() if ctx ends first.
func waitFor(ctx context.Context, changed, stop <-chan struct{}) error {
	select {
	case <-changed:
	case <-stop:
	case <-ctx.Done():
		return ctx.Err()
	}
	return nil
}

// stopTimer stops the idle timer of cn, taken out of p.idle under p.mu.
func (p *pool) stopTimer(cn *conn) {
	if cn.idleTimer.Stop() {
		p.timers.Done()
	} // else its expiry finds it gone, and does nothing but Done
}

// free frees a slot: its connection was closed, or failed to connect.
func (p *pool) free() {
	p.mu.Lock()
	p.open--
	p.signal()
	p.mu.Unlock()
}

// signal wakes the waits for a slot or a connection; p.mu is held.
func (p *pool) signal() {
	close(p.changed)
	p.changed = make(chan struct{})
}

// put gives cn back, unbound from its Send's context; it closes cn (QUIT)
// when the pool is closed or keeps no connection. A connection whose
// context ended was closed by it, and is dropped. Either way its slot is
// freed, or passes to the Send that takes it next.
func (p *pool) put(cn *conn) {
	if !cn.unbind() {
		cn.abort()
		return
	}
	p.mu.Lock()
	if p.closed || p.timeout <= 0 {
		p.mu.Unlock()
		cn.close()
		return
	}
	p.timers.Add(1)
	cn.idleTimer = time.AfterFunc(p.timeout, func() { p.expire(cn) })
	p.idle = append(p.idle, cn)
	p.signal()
	p.mu.Unlock()
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
