package email

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/outagecast/outagecast/channels/internal/endpoint"
)

// tlsProbeWait bounds the TLS handshake that asks a silent port whether
// it speaks TLS (see awaitGreeting).
const tlsProbeWait = 3 * time.Second

// awaitGreeting waits, until deadline, for the first byte of the
// server's greeting on a connection in plain text (STARTTLS or
// plaintext). A port that stays silent for endpoint.ProbeWait (half of
// Config.Timeout if shorter) may be one that speaks TLS from the first
// byte (465, or a URL written smtp:// for it): its server waits for the
// client's handshake as the client waits for the greeting, and each
// attempt would time out like one to a server that is down. So, while
// the wait goes on, a TLS handshake on a second connection asks the port:
// TLS back means a mistake of the configuration (implicitPortError),
// which no retry fixes. A greeting that comes meanwhile wins: a server
// may greet late on purpose (a greeting delay against spammers).
func (cn *conn) awaitGreeting(ctx context.Context, deadline time.Time, cfg *Config) error {
	first := make([]byte, 1)
	read := func(until time.Time) (int, error) {
		if err := cn.raw.SetReadDeadline(until); err != nil {
			return 0, err
		}
		return cn.raw.Read(first)
	}
	n, err := read(time.Now().Add(min(endpoint.ProbeWait, cfg.Timeout/2)))
	if n == 0 && errors.Is(err, os.ErrDeadlineExceeded) && time.Now().Before(deadline) {
		pctx, cancel := context.WithTimeout(ctx, min(tlsProbeWait, time.Until(deadline)))
		var tlsPort atomic.Bool
		var probe sync.WaitGroup
		probe.Go(func() {
			if speaksTLS(pctx, cfg) {
				tlsPort.Store(true)
				_ = cn.raw.SetReadDeadline(time.Now()) // ends the wait below
			}
		})
		n, err = read(deadline)
		cancel()
		probe.Wait()
		if n == 0 && tlsPort.Load() {
			return &implicitPortError{mode: cfg.TLS}
		}
	}
	if n == 0 {
		return err
	}
	cn.raw = &primed{Conn: cn.raw, first: first}
	return nil
}

// speaksTLS reports whether cfg's server port answers a TLS handshake, by
// ctx: it completes, or the server answers with a TLS alert. The
// handshake checks no certificate, since it only asks what the port
// speaks, and nothing is sent over it.
func speaksTLS(ctx context.Context, cfg *Config) bool {
	name := cfg.Host
	if cfg.TLSConfig != nil {
		name = cfg.TLSConfig.ServerName
	}
	d := &tls.Dialer{Config: &tls.Config{ServerName: name, InsecureSkipVerify: true}} //nolint:gosec // see above
	c, err := d.DialContext(ctx, "tcp", net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port)))
	if err == nil {
		_ = c.Close()
		return true
	}
	var oe *net.OpError
	return errors.As(err, &oe) && oe.Op == "remote error" // a TLS alert from the server
}

// implicitPortError is the failure to connect in plain text to a port
// that speaks TLS from the first byte (see awaitGreeting).
type implicitPortError struct{ mode TLSMode }

func (e *implicitPortError) Error() string {
	mode := "TLSPlaintext"
	if e.mode == TLSStartTLS {
		mode = "TLSStartTLS, the default (an smtp:// URL)"
	}
	return "the port speaks TLS from the first byte (SMTPS, often port 465) and sends no greeting in plain text, " +
		"which Config.TLS (" + mode + ") waits for: set Config.TLS to TLSImplicit (an smtps:// URL), " +
		"or use the server's STARTTLS port (often 587)"
}

// plainPort reports whether err, from the TLS handshake that starts a
// connection with TLSImplicit, says that the port spoke plain text from
// the first byte: what came where a TLS record was due starts with a
// reply code, as an SMTP greeting does ("220 ", "421-").
func plainPort(err error) bool {
	var rh tls.RecordHeaderError
	if !errors.As(err, &rh) {
		return false
	}
	h := rh.RecordHeader
	isDigit := func(b byte) bool { return '0' <= b && b <= '9' }
	return isDigit(h[0]) && isDigit(h[1]) && isDigit(h[2]) && (h[3] == ' ' || h[3] == '-')
}

// plainPortError is the failure of TLSImplicit to a port that speaks
// plain text (see plainPort): the mirror of implicitPortError.
type plainPortError struct{ err error }

func (e *plainPortError) Error() string {
	return "the port speaks plain text from the first byte (an SMTP greeting), not TLS, " +
		"which Config.TLS (TLSImplicit, an smtps:// URL) expects: set Config.TLS to TLSStartTLS (an smtp:// URL), " +
		"or use the server's implicit TLS port (often 465): " + e.err.Error()
}

func (e *plainPortError) Unwrap() error { return e.err }

// primed is a connection whose first bytes were read already: they are
// read again first.
type primed struct {
	net.Conn
	first []byte
}

func (p *primed) Read(b []byte) (int, error) {
	if len(p.first) == 0 {
		return p.Conn.Read(b)
	}
	n := copy(b, p.first)
	p.first = p.first[n:]
	return n, nil
}
