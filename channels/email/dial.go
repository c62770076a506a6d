package email

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"net/textproto"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	gomail "github.com/wneessen/go-mail"
	"github.com/wneessen/go-mail/smtp"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/guard"
	"github.com/outagecast/outagecast/channels/internal/httpx"
)

// conn is one SMTP connection. While a Send uses it, it is bound to the
// Send's context: closed at once when that ends, so that no read or write
// outlives a cancelled Send. Between Sends it waits in the Channel's pool.
type conn struct {
	client  *smtp.Client
	raw     net.Conn
	timeout time.Duration // Config.Timeout
	// token is the XOAUTH2 token the session authenticated with, "" for
	// none: the Send that takes the connection up redacts it too.
	token string
	stop  func() bool // unhooks the context the connection is bound to
	once  sync.Once

	// What the server offers, read once after EHLO (after STARTTLS, the
	// EHLO inside TLS): PIPELINING (RFC 2920), SMTPUTF8 (RFC 6531),
	// 8BITMIME (RFC 6152), which makes mailParams, and SIZE (RFC 1870).
	pipelining  bool
	smtputf8    bool // addresses outside ASCII may go out
	mailParams  string
	sizeOffered bool  // MAIL FROM declares the message's size: see commands
	maxSize     int64 // the largest message the server takes (RFC 1870 SIZE), 0 no limit: see sizeLimit

	reset     bool        // RSET before the next MAIL: taken from the pool, or after a refusal
	check     func(bool)  // taken from the pool, its RSET not answered yet: see settle
	broken    bool        // in the middle of DATA after a refusal: to be closed
	silent    bool        // kept, its RSET not answered within the probe: see conn.probed
	idleTimer *time.Timer // while in the pool
	keptAt    uint64      // the pool's count of puts once it was given back to idle
	takenAt   uint64      // the pool's count of puts when it was taken or handed over: see pool.drop
	free      func()      // frees the connection's slot in the pool once it is closed
}

// bind closes the connection when ctx ends, until unbind.
func (cn *conn) bind(ctx context.Context) {
	raw := cn.raw
	cn.stop = context.AfterFunc(ctx, func() { _ = raw.Close() })
}

// settle ends the check of a connection taken from the pool (see
// attempt.kept), once: answered, its RSET got a 2yz reply. The transaction that
// reads the reply to RSET settles it; a connection given up or given back
// before that settles it unanswered.
func (cn *conn) settle(answered bool) {
	if cn.check != nil {
		cn.check(answered)
		cn.check = nil
	}
}

// unbind undoes bind. It reports false when the context ended first, and
// closed the connection.
func (cn *conn) unbind() bool {
	if cn.stop == nil {
		return true
	}
	ok := cn.stop()
	cn.stop = nil
	return ok
}

// dial connects, says EHLO, secures the connection and authenticates with
// token, a's XOAUTH2 token, or the configured password. Its errors are classified (broadcast.Permanent for
// authentication, TLS and protocol refusals: see dialError) and scrubbed.
//
// It connects itself, not through go-mail, so that EHLO can name the
// connection's local address (see defaultHello), which go-mail would fix
// before it connects; go-mail then speaks over that connection.
//
// A panic while it dials, as in a callback of Config.TLSConfig
// (VerifyConnection, GetClientCertificate…), which the TLS handshake
// calls, is a permanent error: a Send dials in goroutines of its own,
// where a panic would end the process rather than fail the delivery, as a
// panic in Send does under a Broadcaster. The panic's value is named only
// if it is a runtime error (see package guard).
func (c *Channel) dial(ctx context.Context, a *attempt, token string) (_ *conn, err error) {
	scrub := a.scrubber()
	cn := &conn{}
	defer func() {
		if r := recover(); r != nil {
			cn.abort()
			err = scrub.error(guard.Error("email: connect to "+net.JoinHostPort(c.cfg.Host, strconv.Itoa(c.cfg.Port)), r))
		}
	}()
	deadline := time.Now().Add(c.cfg.Timeout)
	if err := cn.dialRaw(ctx, deadline, c.cfg); err != nil {
		return nil, scrub.error(a.dialError(ctx, err, token))
	}
	if c.wrapRaw != nil {
		cn.raw = c.wrapRaw(cn.raw)
	}
	if c.cfg.TLS != TLSImplicit {
		if err := cn.awaitGreeting(ctx, deadline, c.cfg); err != nil {
			cn.abort()
			return nil, scrub.error(a.dialError(ctx, err, token))
		}
	}
	var kc *keywordCase // EHLO keywords in lower case, read in upper case (see keywordCase)
	if c.cfg.TLS != TLSImplicit {
		// go-mail must see the *tls.Conn of TLSImplicit as it is, to know
		// the connection secure.
		kc = &keywordCase{Conn: cn.raw}
		cn.raw = kc
	}
	left := time.Until(deadline) // what Timeout leaves for the greeting, EHLO, STARTTLS and AUTH
	if left <= 0 {
		cn.abort()
		return nil, scrub.error(a.dialError(ctx, os.ErrDeadlineExceeded, token))
	}
	hello := c.helloFor(cn.raw)
	mc, err := gomail.NewClient(c.cfg.Host, c.clientOptions(cn.raw, hello, token, left)...)
	if err != nil {
		cn.abort()
		return nil, broadcast.Permanent(fmt.Errorf("email: configure client: %w", err))
	}
	client, err := c.session(ctx, mc, cn.raw, deadline)
	if err != nil {
		cn.abort()
		// Only where AUTH came inside TLS: with TLSPlaintext, keywordCase
		// showed go-mail whatever AUTH the server listed, and none is none.
		if c.cfg.TLS == TLSStartTLS && kc.wroteLower() && authNotOffered(err) != "" && ctx.Err() == nil {
			return nil, scrub.error(a.permanent(fmt.Errorf("email: connect to %s: %s: %w",
				net.JoinHostPort(c.cfg.Host, strconv.Itoa(c.cfg.Port)), lowerCaseAuth, err)))
		}
		return nil, scrub.error(a.dialError(ctx, c.helloRefused(err, hello), token))
	}
	cn.client, cn.timeout, cn.token = client, c.cfg.Timeout, token
	cn.pipelining, _ = client.Extension("PIPELINING")
	// The BODY parameter go-mail's Client.Mail adds; its DSN options are
	// unset. SMTPUTF8 goes only with the messages that need it: see commands.
	if ok, _ := client.Extension("8BITMIME"); ok {
		cn.mailParams = " BODY=8BITMIME"
	}
	cn.smtputf8, _ = client.Extension("SMTPUTF8")
	offered, limit := client.Extension("SIZE")
	cn.sizeOffered, cn.maxSize = offered, sizeLimit(offered, limit)
	if !cn.smtputf8 && !isASCII(c.from.Address) {
		cn.close()
		return nil, a.permanent(fmt.Errorf("email: Config.From: %q needs SMTPUTF8 (RFC 6531), "+
			"which the server does not offer", c.from.Address))
	}
	a.authenticated()
	return cn, nil
}

// session has go-mail read the greeting on raw, say EHLO, secure the
// connection and authenticate, by deadline, Config.Timeout after the
// dial began. go-mail gives the greeting a timeout of its own, then the
// rest a new one: a server slow to greet (with TLSImplicit, which does
// not wait for the greeting in awaitGreeting, or one that sends its
// greeting's lines slowly) and slow to answer EHLO or AUTH had up to twice
// Config.Timeout. At deadline the connection is closed, which ends any
// wait of go-mail's.
func (c *Channel) session(ctx context.Context, mc *gomail.Client, raw net.Conn, deadline time.Time) (*smtp.Client, error) {
	timer := time.AfterFunc(time.Until(deadline), func() { _ = raw.Close() })
	client, err := mc.DialToSMTPClientWithContext(ctx)
	if !timer.Stop() {
		// Closed at the deadline: a reply that came before it stays the
		// error; anything else, even a success, is the timeout.
		var tpe *textproto.Error
		if err == nil || !errors.As(err, &tpe) {
			err = fmt.Errorf("greeting, EHLO, STARTTLS and AUTH not done within Config.Timeout (%v): %w",
				c.cfg.Timeout, os.ErrDeadlineExceeded)
		}
	}
	return client, err
}

// helloFor returns the name EHLO gives on raw: Config.HelloName, or the
// default (see defaultHello).
func (c *Channel) helloFor(raw net.Conn) string {
	if c.cfg.HelloName != "" {
		return c.cfg.HelloName
	}
	host, _ := os.Hostname()
	return defaultHello(host, raw.LocalAddr())
}

// helloRefused names, in err, the name EHLO gave and the field that sets
// it, when err is the server's refusal of EHLO and of HELO after it
// (go-mail has no sentinel for it): the server's reply alone does not say
// which setting to change. The reply's code still classifies err.
func (c *Channel) helloRefused(err error, hello string) error {
	var tpe *textproto.Error
	if !strings.Contains(err.Error(), "EHLO/HELO exchange failed") || !errors.As(err, &tpe) || tpe.Code == 421 {
		return err // a 421: the server is closing, whatever the name
	}
	if c.cfg.HelloName != "" {
		return fmt.Errorf("the server refused the EHLO name %q (Config.HelloName): %w", hello, err)
	}
	return fmt.Errorf("the server refused the EHLO name %q (the default: the host name if fully qualified, "+
		"else the connection's address; set Config.HelloName to a name it takes): %w", hello, err)
}

// clientOptions are go-mail's options for a session over raw, connected,
// whose EHLO gives hello, and whose greeting, EHLO, STARTTLS and AUTH get
// timeout.
func (c *Channel) clientOptions(raw net.Conn, hello, token string, timeout time.Duration) []gomail.Option {
	opts := []gomail.Option{
		gomail.WithPort(c.cfg.Port),
		gomail.WithTimeout(timeout),
		gomail.WithTLSPolicy(gomail.NoTLS),
		gomail.WithDialContextFunc(func(context.Context, string, string) (net.Conn, error) { return raw, nil }),
		gomail.WithHELO(hello),
	}
	if c.cfg.TLS == TLSStartTLS {
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory), gomail.WithTLSConfig(c.cfg.TLSConfig))
	}
	user, pass := gomail.WithUsername(c.cfg.Username), gomail.WithPassword(c.cfg.Password.Reveal())
	plain, login := gomail.SMTPAuthPlain, gomail.SMTPAuthLogin
	if c.cfg.TLS == TLSPlaintext {
		// New allowed this only to a loopback host (endpoint.Loopback);
		// go-mail's own check knows three names of one, and refused
		// "LocalHost" or 127.0.0.2 after New had taken them.
		plain, login = gomail.SMTPAuthPlainNoEnc, gomail.SMTPAuthLoginNoEnc
	}
	switch c.authMethod() {
	case AuthPlain:
		opts = append(opts, gomail.WithSMTPAuth(plain), user, pass)
	case AuthLogin:
		opts = append(opts, gomail.WithSMTPAuth(login), user, pass)
	case AuthXOAUTH2:
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthXOAUTH2), user, gomail.WithPassword(token))
	case AuthAuto:
		opts = append(opts, gomail.WithOpportunisticSMTPAuth(plain, login), user, pass)
	}
	return opts
}

// authMethod resolves AuthAuto where the configuration decides it; AuthAuto
// is left when the server's offer decides between PLAIN and LOGIN.
func (c *Channel) authMethod() AuthMethod {
	switch {
	case c.cfg.Auth != AuthAuto:
		return c.cfg.Auth
	case c.cfg.TokenSource != nil:
		return AuthXOAUTH2
	case c.cfg.Username == "":
		return AuthNone
	}
	return AuthAuto
}

// dialRaw opens the TCP (or, for TLSImplicit, TLS) connection, by
// deadline, and binds it to ctx, the caller's.
func (cn *conn) dialRaw(ctx context.Context, deadline time.Time, cfg *Config) error {
	dctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	// JoinHostPort brackets an IPv6 address, which go-mail's "host:port" did not.
	addr := net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port))
	d := &net.Dialer{}
	var raw net.Conn
	var err error
	if cfg.TLS == TLSImplicit {
		raw, err = (&tls.Dialer{NetDialer: d, Config: cfg.TLSConfig}).DialContext(dctx, "tcp", addr)
	} else {
		raw, err = d.DialContext(dctx, "tcp", addr)
	}
	if err != nil {
		return err
	}
	cn.raw = raw
	cn.bind(ctx)
	return nil
}

// defaultHello is the name EHLO gives without Config.HelloName: hostname,
// the local host name, if it is fully qualified (RFC 5321, 2.3.5: it has a
// dot, and EHLO takes it), else the address literal of local, the
// connection's own address, which is what RFC 5321 (4.1.4) asks of a
// client without a meaningful name, and what Python's smtplib sends.
// go-mail would send the bare host name, a container's id, say, which
// servers that want a fully qualified name (Postfix's
// reject_non_fqdn_helo_hostname) refuse.
func defaultHello(hostname string, local net.Addr) string {
	name := strings.TrimSuffix(hostname, ".")
	if strings.Contains(name, ".") {
		if h, err := helloName(name, nil); err == nil {
			return h
		}
	}
	ap, err := netip.ParseAddrPort(local.String())
	if err != nil {
		return "[127.0.0.1]" // not an IP connection: never so over TCP
	}
	ip := ap.Addr().Unmap().WithZone("")
	if ip.Is4() {
		return "[" + ip.String() + "]"
	}
	return "[IPv6:" + ip.String() + "]"
}

// quitWait bounds the wait for the reply to QUIT.
const quitWait = time.Second

// close ends a healthy session politely (QUIT) and releases the
// connection. A cancelled context still cuts the QUIT short.
func (cn *conn) close() { cn.release(true) }

// abort releases a connection that broke or timed out, without QUIT.
func (cn *conn) abort() { cn.release(false) }

// quit closes an idle connection, bound to no context.
func (cn *conn) quit() { cn.release(true) }

// release is close or abort, whichever comes first; later calls do nothing.
func (cn *conn) release(quit bool) {
	if cn == nil {
		return
	}
	cn.once.Do(func() {
		if quit && cn.client != nil && cn.client.HasConnection() &&
			cn.client.UpdateDeadline(min(cn.timeout, quitWait)) == nil {
			_ = cn.client.Quit()
		}
		cn.unbind()
		if cn.raw != nil {
			_ = cn.raw.Close()
		}
		if cn.free != nil {
			cn.free()
		}
	})
}

// dialError classifies a failure to connect, greet, secure or
// authenticate with token. Network trouble and 4xx replies are transient;
// everything else (5xx such as 535, TLS verification, a missing STARTTLS
// or AUTH mechanism) is broadcast.Permanent, unless a connection of the
// attempt authenticated already (see attempt.permanent), and but for a
// 535 to an XOAUTH2 token the attempt has not refreshed, which matches
// errTokenRefused: connect dials again with a fresh token. The caller
// scrubs the result.
func (a *attempt) dialError(ctx context.Context, err error, token string) error {
	c := a.ch
	addr := net.JoinHostPort(c.cfg.Host, strconv.Itoa(c.cfg.Port))
	if ctx.Err() != nil {
		return fmt.Errorf("email: connect to %s: %w", addr, ctx.Err())
	}
	wrapped := fmt.Errorf("email: connect to %s: %w", addr, err)
	var tpe *textproto.Error
	var ne net.Error
	switch {
	case errors.As(err, &tpe):
		switch {
		case tpe.Code < 500:
			// 421 too many connections, 454 temporary authentication failure.
			return broadcast.RetryAfter(wrapped, c.deferral(tpe))
		case tpe.Code == 535 && c.authMethod() == AuthXOAUTH2 && !a.fresh(token):
			return &tokenRefused{err: wrapped}
		case tpe.Code == 535 && strings.Contains(err.Error(), authFailed):
			return c.refusedCredential(a.permanent(wrapped))
		case tpe.Code == 534 && strings.Contains(err.Error(), authFailed):
			return c.weakCredential(a.permanent(wrapped))
		case tpe.Code == 538 && c.cfg.TLS == TLSPlaintext && strings.Contains(err.Error(), authFailed):
			// RFC 4954 section 6: the mechanism may only be used over an
			// encrypted connection, which TLSPlaintext leaves in plain text.
			return a.permanent(fmt.Errorf("email: connect to %s: the server takes this AUTH only over an "+
				"encrypted connection, which Config.TLS (TLSPlaintext) does not make; set it to TLSStartTLS or TLSImplicit: %w",
				addr, err))
		}
		return a.permanent(wrapped)
	case authNotOffered(err) != "":
		return a.permanent(fmt.Errorf("email: connect to %s: %s: %w", addr, c.authAdvice(authNotOffered(err)), err))
	case c.cfg.TLS == TLSImplicit && plainPort(err):
		return a.permanent(fmt.Errorf("email: connect to %s: %w", addr, &plainPortError{err: err}))
	case strings.Contains(err.Error(), "does not support STARTTLS"):
		return a.permanent(fmt.Errorf("email: connect to %s: the server does not offer STARTTLS, "+
			"which Config.TLS (TLSStartTLS, the default) requires: %w", addr, err))
	case httpx.PermanentTLS(err):
		return a.permanent(wrapped)
	case errors.As(err, &ne), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return wrapped
	}
	return a.permanent(wrapped)
}

// authFailed begins go-mail's error of a refused AUTH, which wraps the
// server's reply (go-mail has no sentinel for it).
const authFailed = "SMTP AUTH failed: "

// refusedCredential marks err, the server's 535 reply to AUTH, with the
// Config fields that hold the credentials it refused (httpx.CredentialRefused
// keeps err's retry decision): Username and TokenSource with XOAUTH2,
// Username and Password otherwise. RFC 4954 section 6
// (https://www.rfc-editor.org/rfc/rfc4954#section-6) gives 535 5.7.8 for
// invalid credentials, and Exchange answers 535 5.7.3 for a wrong user name
// or password (https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-smtpntlm/62888982-a911-40fa-b587-50b5c69f7334),
// so any 535 to AUTH is marked. A 534 is marked by weakCredential. The
// other replies to AUTH that RFC 4954 defines refuse no credential and
// are not marked: 538 5.7.11 (the mechanism needs an encrypted
// connection), 454 4.7.0 (a temporary failure, transient) and 432 4.7.12
// (a password transition is needed).
func (c *Channel) refusedCredential(err error) error {
	if c.authMethod() == AuthXOAUTH2 {
		return httpx.CredentialRefused(err, "Config.Username and Config.TokenSource")
	}
	return httpx.CredentialRefused(err, "Config.Username and Config.Password")
}

// weakCredential marks err, the server's 534 reply to AUTH, with the
// Config fields a user changes for it (httpx.CredentialRefused keeps err's
// retry decision). RFC 4954 section 6
// (https://www.rfc-editor.org/rfc/rfc4954#section-6) gives 534 5.7.9 for
// a mechanism weaker than the server's policy permits for that user: the
// client is to use another mechanism (Config.Auth). Gmail answers 534
// 5.7.9 "Application-specific password required" and 534 5.7.14 "Please
// log in with your web browser" to an account password it does not take
// from an app; Google's pages those replies link to
// (https://support.google.com/mail/?p=InvalidSecondFactor,
// https://support.google.com/mail/answer/78754) have the user sign in
// with an app password (Config.Password) or with Google's OAuth
// (Config.Auth, AuthXOAUTH2). With XOAUTH2 the mechanism alone is named.
func (c *Channel) weakCredential(err error) error {
	if c.authMethod() == AuthXOAUTH2 {
		return httpx.CredentialRefused(err, "Config.Auth")
	}
	return httpx.CredentialRefused(err, "Config.Password or Config.Auth")
}

// lowerCaseAuth explains go-mail's refusal to log in (see authNotOffered)
// on a connection whose server wrote its EHLO keywords, or its AUTH
// mechanisms, in lower case before STARTTLS: inside TLS, keywordCase
// cannot upper-case them, and go-mail, which looks for AUTH and its
// mechanisms in upper case only, finds none. Not what authAdvice says (a
// server without AUTH, or without the method), which would have the
// credentials dropped or the method changed. (RFC 4422 section 3.1 names
// the mechanisms in upper case, https://www.rfc-editor.org/rfc/rfc4422#section-3.1,
// as the IANA registry does; keywordCase reads them whatever their case
// all the same.)
const lowerCaseAuth = "the server writes its EHLO keywords in lower case (\"starttls\"), as RFC 5321 section 2.4 allows, " +
	"or its AUTH mechanisms (\"AUTH plain\"), " +
	"and the SMTP library logs in only with an AUTH listed in upper case, which it cannot be shown inside TLS: " +
	"no retry changes that; have the server list them in upper case"

// authNotOffered returns "method" when err is go-mail's refusal to log in
// because the server does not offer the AUTH method the Config asks for
// (or, with AuthAuto, any it would use), "none" when it offers no AUTH at
// all, and "" for any other error.
func authNotOffered(err error) string {
	switch {
	case errors.Is(err, gomail.ErrPlainAuthNotSupported), errors.Is(err, gomail.ErrLoginAuthNotSupported),
		errors.Is(err, gomail.ErrXOauth2AuthNotSupported), errors.Is(err, gomail.ErrNoSupportedAuthDiscovered):
		return "method"
	case err.Error() == "server does not support SMTP AUTH": // go-mail has no sentinel for it
		return "none"
	}
	return ""
}

// authAdvice names the field to change when the server does not offer
// the AUTH method (what "method"), or no AUTH at all (what "none"): no
// retry makes it offer one.
func (c *Channel) authAdvice(what string) string {
	if what == "none" {
		return "Config.Username is set, but the server offers no AUTH: use its submission port (often 587), " +
			"or, for a relay that takes mail without logging in, set Config.Auth to NONE"
	}
	if m := c.authMethod(); m != AuthAuto {
		return fmt.Sprintf("Config.Auth (%s): the server does not offer that method; set one it offers", m)
	}
	return "Config.Auth (auto): the server offers none of PLAIN, LOGIN, SCRAM-SHA-256, SCRAM-SHA-1, NTLM and CRAM-MD5; " +
		"set Config.Auth to a method it offers"
}

// connect dials a connection in a slot taken from the pool, which the
// connection frees when it is closed, or connect if the dial fails.
func (c *Channel) connect(ctx context.Context, a *attempt) (*conn, error) {
	cn, err := c.authDial(ctx, a)
	if err != nil {
		c.pool.free()
		return nil, err
	}
	cn.free = c.pool.free
	return cn, nil
}

// authDial dials with the attempt's XOAUTH2 token, which it fetches at
// the attempt's first dial, or the password. When the server refuses a
// token the attempt has not refreshed (535), it dials once more with a
// fresh one (see attempt.refresh). Whether the token was refreshed is
// the attempt's own to know: Message.Attempt does not say it, since it is
// above 1 also at a run's first attempt after an earlier run whose
// outcome is unknown, on another instance, say.
func (c *Channel) authDial(ctx context.Context, a *attempt) (*conn, error) {
	token, err := a.token(ctx)
	if err != nil {
		return nil, err
	}
	cn, err := c.dial(ctx, a, token)
	if errors.Is(err, errTokenRefused) {
		if token, err = a.refresh(ctx, token, err); err == nil {
			cn, err = c.dial(ctx, a, token)
		}
	}
	return cn, err
}

// Check connects, says EHLO, secures the connection and authenticates, then
// says QUIT. It sends no mail. Errors are classified as Send's are. Its
// connection counts in Config.Concurrency: it closes an idle one to make
// room, or waits in line, within ctx, for one of those in use to be given
// back at the end of a Send, or to close. A Send does not hand it one
// between two messages, as it does to another Send: the Send would have
// to connect again.
func (c *Channel) Check(ctx context.Context) error {
	if !c.made() {
		return errNotMade
	}
	if err := c.pool.reserve(ctx); err != nil {
		return c.waitError(err)
	}
	cn, err := c.connect(ctx, c.newAttempt())
	if err != nil {
		return err
	}
	cn.close()
	return nil
}

// waitError is the error of a wait for a connection that ctx ended
// (its error, err): transient, since the connections in use will be done.
func (c *Channel) waitError(err error) error {
	return fmt.Errorf("email: wait for a connection: all %d (Config.Concurrency) in use: %w",
		c.cfg.Concurrency, err)
}
