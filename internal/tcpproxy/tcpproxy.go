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
	t.Cleanup(func() { _ = ln.Close(); p.Cut(0, ""); p.wg.Wait() })
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

func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
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
			continue
		}
		up, err := net.Dial("tcp", p.target)
		if err != nil {
			p.mu.Unlock()
			_ = c.Close()
			continue
		}
		p.conns = append(p.conns, c, up)
		p.mu.Unlock()
		p.wg.Add(2)
		go p.pipe(c, up)
		go p.pipe(up, c)
	}
}

func (p *Proxy) pipe(dst, src net.Conn) {
	defer p.wg.Done()
	_, _ = io.Copy(dst, src)
	_ = dst.Close()
	_ = src.Close()
}
