//go:build integration

package email_test

import (
	"context"
	"io"
	"net"
	"strconv"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// cutProxy passes TCP connections through to a server until cut closes
// them all, as a server restart or a firewall's idle timeout does; from
// then on, with refuse set, it greets new connections itself with refuse
// and closes them.
type cutProxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	conns  []net.Conn
	refuse string
	wg     sync.WaitGroup
}

func startCutProxy(t *testing.T, target string) *cutProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	p := &cutProxy{ln: ln, target: target}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(func() { _ = ln.Close(); p.cut(""); p.wg.Wait() })
	return p
}

func (p *cutProxy) port() int { return p.ln.Addr().(*net.TCPAddr).Port }

func (p *cutProxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		refuse := p.refuse
		p.mu.Unlock()
		if refuse != "" {
			_, _ = io.WriteString(c, refuse+"\r\n")
			_ = c.Close()
			continue
		}
		up, err := net.Dial("tcp", p.target)
		if err != nil {
			_ = c.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, c, up)
		p.mu.Unlock()
		p.wg.Add(2)
		go func() { defer p.wg.Done(); _, _ = io.Copy(up, c); _ = up.Close() }()
		go func() { defer p.wg.Done(); _, _ = io.Copy(c, up); _ = c.Close() }()
	}
}

// cut closes every connection passed through, and greets the next ones
// with refuse ("" passes them through).
func (p *cutProxy) cut(refuse string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		_ = c.Close()
	}
	p.conns, p.refuse = nil, refuse
}

// TestMailpitKeptConnectionCut: a kept connection to Mailpit cut while it
// was idle is replaced in the same Send, without a duplicate; and, when the
// server then refuses new connections for good (a 554 greeting, RFC 5321
// 4.3.2), the dead connection proves nothing: the Send fails permanently
// at once, not after one more attempt.
func TestMailpitKeptConnectionCut(t *testing.T) {
	m := newMailpit(t)
	proxy := startCutProxy(t, env(t, "OUTAGECAST_MAILPIT_SMTP"))
	cfg := m.config("alice@example.net")
	cfg.Port = proxy.port()
	ch := newChannel(t, cfg)
	send(t, ch, broadcast.NewMessage(incident(1)))
	proxy.cut("")
	send(t, ch, broadcast.NewMessage(incident(2)))
	m.messages(2)

	proxy.cut("554 5.3.2 no SMTP service here")
	_, err := ch.Send(context.Background(), broadcast.NewMessage(incident(3)))
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err), "%v", err)
	assert.ErrorContains(t, err, "554")
	assert.ErrorContains(t, err, "127.0.0.1:"+strconv.Itoa(proxy.port()))
	m.messages(2)
}
