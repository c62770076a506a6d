// Package tcpproxy is a loopback TCP proxy for tests against a real server
// (PostgreSQL, Mailpit): it passes connections through until Cut closes
// them all, as a server restart, a failover or a firewall's idle timeout
// does, and can then refuse the next connections for a while.
package tcpproxy

import (
	"io"
	"net"
	"sync"
	"testing"
)

// Proxy passes TCP connections from its loopback address to a target.
type Proxy struct {
	ln     net.Listener
	target string
	// refused gets one value per connection refused (it holds up to
	// 1,000; more are not counted).
	refused chan struct{}

	mu       sync.Mutex
	conns    []net.Conn
	refuse   int    // connections to refuse still; negative: every one
	greeting string // written to a refused connection before it is closed
	stopped  bool   // the test ended: a connection accepted since is closed
	wg       sync.WaitGroup
}

// Start starts a Proxy to target ("host:port"); it stops, its connections
// closed, when t ends.
func Start(t testing.TB, target string) *Proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{ln: ln, target: target, refused: make(chan struct{}, 1000)}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(func() { p.stop(); p.wg.Wait() })
	return p
}

// Addr is the Proxy's address, "127.0.0.1:port".
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Port is the Proxy's port.
func (p *Proxy) Port() int { return p.ln.Addr().(*net.TCPAddr).Port }

// Refused gets one value per connection refused.
func (p *Proxy) Refused() <-chan struct{} { return p.refused }

// Cut closes every connection passed through, and refuses the next n (every
// one when n is negative; none, passing them through, when n is 0): each
// is sent greeting, when it is not "", and closed.
func (p *Proxy) Cut(n int, greeting string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		_ = c.Close()
	}
	p.conns, p.refuse, p.greeting = nil, n, greeting
}

// stop stops the Proxy: it closes its listener and every connection, and
// any connection accepted before the listener closed but handled after.
func (p *Proxy) stop() {
	_ = p.ln.Close()
	p.mu.Lock()
	p.stopped = true
	p.mu.Unlock()
	p.Cut(0, "")
}

func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.handle(c)
	}
}

// handle refuses c or passes it through to the target.
func (p *Proxy) handle(c net.Conn) {
	p.mu.Lock()
	if p.stopped {
		// Accepted as stop ran: passed through, its pipes would run
		// until a side closed it, and Start's cleanup would wait for them.
		p.mu.Unlock()
		_ = c.Close()
		return
	}
	if p.refuse != 0 {
		if p.refuse > 0 {
			p.refuse--
		}
		greeting := p.greeting
		p.mu.Unlock()
		if greeting != "" {
			_, _ = io.WriteString(c, greeting)
		}
		_ = c.Close()
		select {
		case p.refused <- struct{}{}:
		default:
		}
		return
	}
	up, err := net.Dial("tcp", p.target)
	if err != nil {
		p.mu.Unlock()
		_ = c.Close()
		return
	}
	p.conns = append(p.conns, c, up)
	p.mu.Unlock()
	p.wg.Add(2)
	go p.pipe(c, up)
	go p.pipe(up, c)
}

func (p *Proxy) pipe(dst, src net.Conn) {
	defer p.wg.Done()
	_, _ = io.Copy(dst, src)
	_ = dst.Close()
	_ = src.Close()
}
