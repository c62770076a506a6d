package boltstore_test

import (
	"errors"
	"io"
	"net"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// smtpSink is an SMTP server on 127.0.0.1 that accepts every message and
// remembers its envelope recipients, in the order the messages ended. It
// speaks what an SMTP client needs without extensions: EHLO, HELO, MAIL,
// RCPT, DATA, RSET, NOOP and QUIT.
//
// A message counts as accepted once the server has read the end of its DATA:
// it is recorded then, before the latency and the 250 reply, as a real server
// commits a message before it replies. A client killed in between has had
// the message delivered without knowing it.
type smtpSink struct {
	ln      net.Listener
	latency time.Duration // before the 250 after DATA
	wg      sync.WaitGroup

	mu    sync.Mutex
	got   []string              // one recipient per accepted message and recipient
	open  map[net.Conn]struct{} // sessions not ended yet
	watch int                   // close reached once got has this many
	hit   chan struct{}
}

// newSMTPSink starts a sink, stopped at the test's cleanup. reached is
// closed once it has accepted watch recipients.
func newSMTPSink(t *testing.T, latency time.Duration, watch int) *smtpSink {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s := &smtpSink{ln: ln, latency: latency, open: map[net.Conn]struct{}{}, watch: watch, hit: make(chan struct{})}
	s.wg.Go(s.accept)
	t.Cleanup(s.stop)
	return s
}

// port returns the port the sink listens on.
func (s *smtpSink) port() int { return s.ln.Addr().(*net.TCPAddr).Port }

// reached is closed once the sink has accepted watch recipients.
func (s *smtpSink) reached() <-chan struct{} { return s.hit }

// received returns the recipients of the accepted messages, in order.
func (s *smtpSink) received() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.got...)
}

// sessions returns how many connections are still open.
func (s *smtpSink) sessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.open)
}

// stop closes the listener and every open session, and waits for their
// goroutines.
func (s *smtpSink) stop() {
	_ = s.ln.Close()
	s.mu.Lock()
	for c := range s.open {
		_ = c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

func (s *smtpSink) accept() {
	for {
		c, err := s.ln.Accept()
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err != nil {
			continue
		}
		s.mu.Lock()
		s.open[c] = struct{}{} // counted before it is served: sessions() sees it at once
		s.mu.Unlock()
		s.wg.Go(func() { s.serve(c) })
	}
}

// serve runs one SMTP session until QUIT or until the connection ends.
func (s *smtpSink) serve(c net.Conn) {
	defer func() {
		_ = c.Close()
		s.mu.Lock()
		delete(s.open, c)
		s.mu.Unlock()
	}()
	tc := textproto.NewConn(c)
	if tc.PrintfLine("220 sink ESMTP ready") != nil {
		return
	}
	var rcpts []string
	for {
		line, err := tc.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		reply := "250 OK"
		switch strings.ToUpper(verb) {
		case "EHLO", "HELO":
			reply = "250 sink"
		case "MAIL", "RSET":
			rcpts = nil
		case "RCPT":
			_, addr, _ := strings.Cut(arg, "<")
			addr, _, _ = strings.Cut(addr, ">")
			rcpts = append(rcpts, addr)
		case "NOOP":
		case "DATA":
			if reply, err = s.data(tc, rcpts); err != nil {
				return
			}
			rcpts = nil
		case "QUIT":
			_ = tc.PrintfLine("221 bye")
			return
		default:
			reply = "502 command not implemented"
		}
		if tc.PrintfLine("%s", reply) != nil {
			return
		}
	}
}

// data reads a message after DATA, records it and returns the reply to
// its end.
func (s *smtpSink) data(tc *textproto.Conn, rcpts []string) (string, error) {
	if len(rcpts) == 0 {
		return "503 no valid recipients", nil
	}
	if err := tc.PrintfLine("354 end data with <CR><LF>.<CR><LF>"); err != nil {
		return "", err
	}
	if _, err := io.Copy(io.Discard, tc.DotReader()); err != nil {
		return "", err
	}
	s.mu.Lock()
	s.got = append(s.got, rcpts...)
	if len(s.got) >= s.watch && len(s.got)-len(rcpts) < s.watch {
		close(s.hit)
	}
	s.mu.Unlock()
	time.Sleep(s.latency)
	return "250 OK queued", nil
}
