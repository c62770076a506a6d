package irc

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/ergochat/irc-go/ircmsg"
	"github.com/ergochat/irc-go/ircreader"
)

const (
	// tlsWait bounds the TLS handshake (Config.Timeout if shorter), as
	// net/http's Transport and the HTTP channels bound theirs: a TLS
	// server answers the ClientHello at once, and one that does not
	// leaves the attempt time to ask the port in plain text (see plainIRC).
	tlsWait = 10 * time.Second
	// probeWait bounds that asking (Config.Timeout if shorter).
	probeWait = 3 * time.Second
)

// errPlainIRC ends the error of a TLS handshake to a port that speaks
// plain IRC: a mistake of the configuration, which no retry fixes.
var errPlainIRC = errors.New("the port speaks plain IRC, not TLS: use the server's TLS port (often 6697), " +
	"or connect without TLS (an irc:// URL, Config.TLS TLSOff)")

// handshake runs the TLS handshake on raw within tlsWait and ctx, ending
// it early enough that the time ctx has left still holds the probe (see
// plainIRC), but given a second at least. heard says whether any byte came
// back meanwhile.
func handshake(ctx context.Context, raw net.Conn, s *settings) (nc net.Conn, heard bool, err error) {
	wait := tlsWait
	if deadline, ok := ctx.Deadline(); ok {
		wait = max(min(wait, time.Until(deadline)-min(probeWait, s.timeout)), time.Second)
	}
	hctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	cr := &countingConn{Conn: raw}
	tc := tls.Client(cr, s.tlsConfig)
	if err := tc.HandshakeContext(hctx); err != nil {
		if errors.Is(err, context.DeadlineExceeded) { // the caller's ctx ending is told by dialErr
			err = fmt.Errorf("no answer to the handshake within %v: %w", wait.Round(time.Millisecond), err)
		}
		return nil, cr.n.Load() > 0, fmt.Errorf("TLS: %w", err)
	}
	return tc, true, nil
}

// countingConn counts the bytes read from its Conn.
type countingConn struct {
	net.Conn
	n atomic.Int64
}

func (c *countingConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	c.n.Add(int64(n))
	return n, err
}

// unanswered reports whether a handshake that got no byte back failed as
// it does against a server that waits, silently, for the client to speak
// first: the server closed or reset the connection, or the handshake
// timed out. A server that speaks first answers it in plain text, which
// crypto/tls reports as a tls.RecordHeaderError (see classifyTLS).
func unanswered(err error) bool {
	for _, target := range []error{io.EOF, io.ErrUnexpectedEOF, syscall.ECONNRESET, syscall.EPIPE,
		context.DeadlineExceeded, os.ErrDeadlineExceeded} {
		if errors.Is(err, target) {
			return true
		}
	}
	return false
}

// plainIRC reports whether s.server, asked "CAP LS 302" in plain text on
// a connection of its own, answers as an IRC server does (see ircShaped),
// within probeWait (Config.Timeout if shorter) and ctx.
func plainIRC(ctx context.Context, s *settings) bool {
	pctx, cancel := context.WithTimeout(ctx, min(probeWait, s.timeout))
	defer cancel()
	var d net.Dialer
	nc, err := d.DialContext(pctx, "tcp", s.addr)
	if err != nil {
		return false
	}
	stop := whenDone(pctx, func() { _ = nc.Close() }) // ends a read or write under way
	defer func() {
		stop()
		_ = nc.Close()
	}()
	if _, err := io.WriteString(nc, "CAP LS 302\r\n"); err != nil {
		return false
	}
	var r ircreader.Reader
	r.Initialize(nc, 512, maxReadLine)
	for range 3 { // past blank lines
		line, err := r.ReadLine()
		switch {
		case err != nil:
			return false
		case len(line) > 0:
			return ircShaped(string(line))
		}
	}
	return false
}

// ircShaped reports whether line is one an IRC server sends: one with a
// source (":irc.example.net CAP * LS …", ":irc.example.net 451 …"), or a
// NOTICE, CAP, PING or ERROR without. A numeric without a source is not
// taken for IRC: an SMTP server's "500 …" is one.
func ircShaped(line string) bool {
	m, err := ircmsg.ParseLine(line)
	if err != nil {
		return false
	}
	switch m.Command {
	case "NOTICE", "CAP", "PING", "ERROR":
		return true
	}
	return m.Source != ""
}
