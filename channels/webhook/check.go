package webhook

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/outagecast/outagecast/broadcast"
	urlcheck "github.com/outagecast/outagecast/channels/internal/endpoint"
	"github.com/outagecast/outagecast/channels/internal/guard"
	"github.com/outagecast/outagecast/channels/internal/httpx"
)

var _ broadcast.Checker = (*Channel)(nil)

// The steps of Check, as its errors name them.
const (
	stepDNS     = "DNS lookup"
	stepConnect = "TCP connect"
	stepTLS     = "TLS handshake"
	stepProxy   = "proxy" // finding the proxy, or the steps above to the proxy
)

// Check verifies that every endpoint can be reached, without sending any
// HTTP request, so that nothing is posted: it resolves the host (DNS; an
// internationalised name in its ASCII form, as net/http sends it), opens a
// TCP connection and, for https, completes a TLS handshake with the
// TLS settings of the channel's HTTP client (its trusted roots, client
// certificates, minimum version), then closes the connection. Endpoints are
// checked concurrently, at most Config.Concurrency at a time; ctx bounds
// the whole check.
//
// It returns nil when every endpoint answered, and otherwise a *CheckError
// naming each failing endpoint by EndpointName (never its path, query or
// user information), its errors redacted as Send's are, and the step that failed: "DNS lookup", "TCP connect"
// or "TLS handshake". When every failure is one no retry can fix (a
// certificate that does not verify, a port that does not speak TLS, a
// link-local or metadata address the channel's own client refuses, a
// panic in the client's Transport, its dialers or TLS callbacks), the
// *CheckError is marked broadcast.Permanent, as Send's error would be.
//
// Check dials as the client would when its Transport is an *http.Transport
// (or nil: http.DefaultTransport): through its DialContext and
// DialTLSContext, with its TLSClientConfig and TLSHandshakeTimeout. An
// endpoint its Proxy sends through a proxy is checked as far as the proxy
// (DNS, TCP, and TLS for an https proxy), its errors starting "proxy": what
// lies beyond the proxy cannot be reached without a request. A Transport of
// another type (a wrapper, a fake) cannot be dialed through: Check then
// dials directly with the standard library's defaults and the system's
// trusted roots, which may differ from what a Send uses.
//
// Close ends a Check under way, and a Check after Close connects to
// nothing: either fails with ErrClosed, permanent.
func (c *Channel) Check(ctx context.Context) error {
	if !c.made() {
		return errNotMade
	}
	// Its dials are no request of httpx's Do: Close ends them as a wait.
	return c.s.client.Wait(ctx, c.check)
}

// check is Check, with ctx ended by Close too.
func (c *Channel) check(ctx context.Context) error {
	p := c.prober()
	eps := c.s.endpoints
	errs := make([]error, len(eps))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range min(c.s.concurrency, len(eps)) {
		wg.Go(func() {
			for i := range jobs {
				errs[i] = p.safeProbe(ctx, eps[i].url)
			}
		})
	}
	for i := range eps {
		jobs <- i // after ctx ends, each probe fails at once
	}
	close(jobs)
	wg.Wait()
	e := &CheckError{Endpoints: len(eps)}
	permanent := true // every failure is one no retry can fix (httpx.PermanentTLS, a link-local address)
	for i, err := range errs {
		if err != nil {
			permanent = permanent && (httpx.PermanentTLS(err) || errors.Is(err, errLinkLocal) || errors.Is(err, guard.ErrPanicked))
			e.Failures = append(e.Failures, broadcast.TargetFailure{Target: eps[i].target, Err: eps[i].Redactor().Error(err)})
		}
	}
	switch {
	case len(e.Failures) == 0:
		return nil
	case permanent:
		return broadcast.Permanent(e)
	}
	return e
}

// CheckScope says what Check verifies, for reports: "3 endpoints: DNS, TCP,
// TLS", "2 endpoints: DNS, TCP; TLS for the 1 https", with "; 1 through a
// proxy, checked up to the proxy" or "; dialed with default settings (the
// HTTP client's Transport cannot be dialed through)" where that applies.
// It does no I/O.
func (c *Channel) CheckScope() string {
	if !c.made() {
		return ""
	}
	p := c.prober()
	secure, proxied := 0, 0
	for _, ep := range c.s.endpoints {
		if u, err := url.Parse(ep.url); err == nil && u.Scheme == "https" { // "HTTPS://" too
			secure++
		}
		if u, _ := p.proxyFor(context.Background(), ep.url); u != nil {
			proxied++
		}
	}
	n := len(c.s.endpoints)
	s := fmt.Sprintf("%d endpoints: DNS, TCP", n)
	if n == 1 {
		s = "1 endpoint: DNS, TCP"
	}
	switch {
	case secure == n:
		s += ", TLS"
	case secure > 0:
		s += fmt.Sprintf("; TLS for the %d https", secure)
	}
	if proxied > 0 {
		s += fmt.Sprintf("; %d through a proxy, checked up to the proxy", proxied)
	}
	if p.opaque {
		s += "; dialed with default settings (the HTTP client's Transport cannot be dialed through)"
	}
	return s
}

// CheckError lists the endpoints Check could not reach.
type CheckError struct {
	Endpoints int // endpoints configured
	// Failures are in endpoint order; each names its endpoint by
	// EndpointName, and its Err the step that failed.
	Failures []broadcast.TargetFailure
}

// maxNamed bounds the endpoints an error message names.
const maxNamed = 5

// Error names at most five endpoints.
func (e *CheckError) Error() string {
	var b strings.Builder
	if e.Endpoints == 1 && len(e.Failures) == 1 {
		fmt.Fprintf(&b, "webhook: check: %s: %v", e.Failures[0].Target, e.Failures[0].Err)
		return b.String()
	}
	fmt.Fprintf(&b, "webhook: check: %d of %d endpoints unreachable", len(e.Failures), e.Endpoints)
	for i, f := range e.Failures {
		if i == maxNamed {
			fmt.Fprintf(&b, "; and %d more", len(e.Failures)-maxNamed)
			break
		}
		sep := ": "
		if i > 0 {
			sep = "; "
		}
		fmt.Fprintf(&b, "%s%s: %v", sep, f.Target, f.Err)
	}
	return b.String()
}

// Is reports whether any endpoint's error matches target, such as
// context.DeadlineExceeded.
func (e *CheckError) Is(target error) bool {
	for _, f := range e.Failures {
		if errors.Is(f.Err, target) {
			return true
		}
	}
	return false
}

// stepError is a failed step of a check: "TCP connect: dial tcp …".
type stepError struct {
	step string
	err  error
}

func (e *stepError) Error() string { return e.step + ": " + e.err.Error() }
func (e *stepError) Unwrap() error { return e.err }

// dialFunc dials like net.Dialer.DialContext.
type dialFunc func(ctx context.Context, network, addr string) (net.Conn, error)

// prober connects to endpoints as the channel's HTTP client would.
type prober struct {
	dial    dialFunc
	dialTLS dialFunc // nil: dial, then a handshake with tls
	tls     *tls.Config
	proxy   func(*http.Request) (*url.URL, error)
	shake   time.Duration // TLS handshake timeout; 0: ctx alone
	opaque  bool          // the client's Transport could not be dialed through
}

func (c *Channel) prober() prober {
	rt := c.s.client.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	d := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: -1}
	tr, ok := rt.(*http.Transport)
	if !ok {
		return prober{dial: d.DialContext, opaque: true}
	}
	p := prober{dial: tr.DialContext, dialTLS: tr.DialTLSContext, tls: tr.TLSClientConfig,
		proxy: tr.Proxy, shake: tr.TLSHandshakeTimeout}
	if p.dial == nil {
		p.dial = d.DialContext
	}
	return p
}

// proxyFor returns the proxy the client would send a request to rawURL
// through, or nil.
func (p prober) proxyFor(ctx context.Context, rawURL string) (*url.URL, error) {
	if p.proxy == nil {
		return nil, nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, rawURL, nil) // built, never sent
	if err != nil {
		return nil, err
	}
	return p.proxy(req)
}

// safeProbe is probe, with a panic in what it calls of the client's
// Transport (its Proxy, dialers, TLS callbacks) its error: it runs in a
// goroutine of Check's (see package guard).
func (p prober) safeProbe(ctx context.Context, rawURL string) (err error) {
	defer guard.Recover("connect", &err)
	return p.probe(ctx, rawURL)
}

// probe connects to the endpoint at rawURL, or to its proxy, and hangs up.
func (p prober) probe(ctx context.Context, rawURL string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	u, err := url.Parse(rawURL) // New checked it
	if err != nil {
		return err
	}
	via, err := p.proxyFor(ctx, rawURL)
	if err != nil {
		return &stepError{step: stepProxy, err: errors.New("cannot tell which proxy to use")}
	}
	if via != nil {
		conn, err := p.connect(ctx, via)
		if err != nil {
			return &stepError{step: stepProxy + " " + proxyName(via), err: err}
		}
		return conn.Close()
	}
	conn, err := p.connect(ctx, u)
	if err != nil {
		return err
	}
	return conn.Close()
}

// defaultPorts are the ports of the schemes endpoints and proxies use.
var defaultPorts = map[string]string{"http": "80", "https": "443", "socks5": "1080", "socks5h": "1080"}

// connect dials u's host and, for https, completes a TLS handshake.
func (p prober) connect(ctx context.Context, u *url.URL) (net.Conn, error) {
	port := u.Port()
	if port == "" {
		port = defaultPorts[u.Scheme]
	}
	// net/http dials, and names in TLS, the ASCII form of a host name
	// (RFC 5890): DNS does not resolve "bücher.example".
	host := u.Hostname()
	if a, err := urlcheck.ASCIIHost(host); err == nil {
		host = a
	}
	addr := net.JoinHostPort(host, port)
	secure := u.Scheme == "https"
	if secure && p.dialTLS != nil {
		conn, err := p.dialTLS(ctx, "tcp", addr)
		return conn, step(err, stepTLS)
	}
	conn, err := p.dial(ctx, "tcp", addr)
	if err != nil || !secure {
		return conn, step(err, stepConnect)
	}
	cfg := &tls.Config{}
	if p.tls != nil {
		cfg = p.tls.Clone()
	}
	if cfg.ServerName == "" {
		cfg.ServerName = host
	}
	hctx := ctx
	if p.shake > 0 {
		var cancel context.CancelFunc
		hctx, cancel = context.WithTimeout(ctx, p.shake)
		defer cancel()
	}
	tc := tls.Client(conn, cfg)
	shaken := false
	defer func() {
		if !shaken { // failed, or a callback of cfg panicked
			_ = conn.Close()
		}
	}()
	if err := tc.HandshakeContext(hctx); err != nil {
		return nil, &stepError{step: stepTLS, err: err}
	}
	shaken = true
	return tc, nil
}

// step names the step err failed at: DNS for a lookup, connect for a dial,
// otherwise the given one.
func step(err error, otherwise string) error {
	if err == nil {
		return nil
	}
	var dns *net.DNSError
	var op *net.OpError
	switch {
	case errors.As(err, &dns):
		return &stepError{step: stepDNS, err: err}
	case errors.As(err, &op) && op.Op == "dial":
		return &stepError{step: stepConnect, err: err}
	}
	return &stepError{step: otherwise, err: err}
}

// proxyName names a proxy by host and port: never its credentials. (Not
// as a URL: the redaction of errors would blank out a URL followed by ":".)
func proxyName(u *url.URL) string {
	return u.Host
}
