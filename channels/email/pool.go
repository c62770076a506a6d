package email

import (
	"slices"
	"sync"
	"time"
)

// pool keeps a Channel's authenticated connections between Sends, so that
// a Send does not pay for connecting, EHLO, STARTTLS and AUTH again: at most
// Concurrency of them, each for at most IdleTimeout, after which its timer
// says QUIT. A connection taken from the pool starts with RSET. Close
// closes the connections the pool holds, and every one given back after.
type pool struct {
	max     int
	timeout time.Duration

	mu     sync.Mutex
	idle   []*conn // the most recently used last
	closed bool
	// timers counts the idle timers armed and not stopped, and those whose
	// expiry is under way: Close waits for them.
	timers sync.WaitGroup
}

func newPool(max int, timeout time.Duration) *pool {
	return &pool{max: max, timeout: timeout}
}

// get takes the most recently used idle connection, nil if there is none.
// It is not bound to a context: the caller binds it.
func (p *pool) get() *conn {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := len(p.idle)
	if n == 0 {
		return nil
	}
	cn := p.idle[n-1]
	p.idle = p.idle[:n-1]
	if cn.idleTimer.Stop() {
		p.timers.Done()
	} // else its expiry finds it gone, and does nothing but Done
	cn.reset = true // whatever state the server kept, the transaction starts afresh
	return cn
}

// put gives cn back, unbound from its Send's context; it closes cn (QUIT)
// when the pool is closed or full, or keeps no connection. A connection
// whose context ended was closed by it, and is dropped.
func (p *pool) put(cn *conn) {
	if !cn.unbind() {
		cn.abort()
		return
	}
	p.mu.Lock()
	if p.closed || len(p.idle) >= p.max || p.timeout <= 0 {
		p.mu.Unlock()
		cn.close()
		return
	}
	p.timers.Add(1)
	cn.idleTimer = time.AfterFunc(p.timeout, func() { p.expire(cn) })
	p.idle = append(p.idle, cn)
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
		if cn.idleTimer.Stop() {
			p.timers.Done()
		}
		quits.Go(cn.quit) // at once, so that silent servers cost one quitWait
	}
	quits.Wait()
	p.timers.Wait()
}
