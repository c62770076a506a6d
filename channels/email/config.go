package email

import (
	"bytes"
	"cmp"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"strconv"
	"strings"
	"sync"
	"text/template"

	"golang.org/x/net/idna"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/endpoint"
	"github.com/outagecast/outagecast/channels/internal/httpx"
	"github.com/outagecast/outagecast/channels/internal/setup"
	"github.com/outagecast/outagecast/redact"
)

// fallbackDomain ends Message-IDs when From's domain cannot (an
// internationalized or literal domain).
const fallbackDomain = "outagecast.invalid"

// pkg prefixes the errors of the package.
const pkg = "email"

// fieldErr is an error about a Config field.
func fieldErr(field, format string, args ...any) error {
	return setup.Errorf(pkg, field, format, args...)
}

// newChannel is New. Its error names every fault of cfg, a line each
// (setup.Faults); a check that needs what an earlier one refused is
// left out.
func newChannel(cfg Config) (*Channel, error) {
	var f setup.Faults
	var err error
	named := true
	// The login together, as the Redactor below hides it: the name
	// check cannot find it from the password alone.
	if cfg.Name, err = setup.Name(pkg, cfg.Name, DefaultName, cfg, redact.LoginSecrets(cfg.Username, cfg.Password)...); f.Add(err) {
		named = false
	}
	hostOK := checkServer(&cfg, &f)
	f.Add(checkAuth(cfg, hostOK))
	c := &Channel{cfg: &cfg, redactor: redact.NewRedactor().WithLogin(cfg.Username, cfg.Password)}
	if cfg.TokenSource != nil {
		c.tokens = httpx.NewTokenCall(cfg.TokenSource)
	}
	f.Add(c.checkAddresses())
	c.tmpl, err = setup.Templates(pkg, cfg.Templates, statusTemplate, defaultStatusLine)
	if !f.Add(err) && named { // render needs no address
		f.Add(setup.Try(pkg, cfg.Name, func(u broadcast.Update) error { _, err := c.render(u); return err }))
	}
	c.unsub, err = checkUnsubscribe(cfg)
	f.Add(err)
	if cfg.Concurrency < 0 {
		f.Add(fieldErr("Concurrency", "negative"))
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	if cfg.Concurrency == 0 {
		cfg.Concurrency = DefaultConcurrency
	}
	if cfg.IdleTimeout == 0 {
		cfg.IdleTimeout = DefaultIdleTimeout
	}
	c.pool = newPool(cfg.Concurrency, cfg.IdleTimeout)
	c.probe = min(cfg.Timeout, endpoint.ProbeWait)
	c.heads = sync.OnceValue(c.makeHeads)
	c.maxHead = sync.OnceValue(c.maxHeader)
	return c, nil
}

// checkServer checks and completes the connection fields of cfg, adding
// the fault of each that is refused to f, and reports whether Host was
// accepted.
func checkServer(cfg *Config, f *setup.Faults) (hostOK bool) {
	hostOK = !f.Add(checkHost(cfg))
	if cfg.Port < 0 || cfg.Port > 65535 {
		f.Add(fieldErr("Port", "%d out of range", cfg.Port))
	}
	if cfg.TLS < TLSStartTLS || cfg.TLS > TLSPlaintext {
		f.Add(fieldErr("TLS", "unknown mode %d", int(cfg.TLS)))
	} else {
		if cfg.Port == 0 {
			cfg.Port = [...]int{587, 465, 25}[cfg.TLS]
		}
		f.Add(checkTLSConfig(cfg, hostOK))
	}
	if cfg.HelloName != "" {
		var err error
		if cfg.HelloName, err = helloName(cfg.HelloName, *cfg); err != nil {
			f.Add(err)
		}
	}
	if cfg.Timeout < 0 {
		f.Add(fieldErr("Timeout", "negative"))
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.RetryDeferred < 0 {
		f.Add(fieldErr("RetryDeferred", "negative"))
	}
	if cfg.RetryDeferred == 0 {
		cfg.RetryDeferred = DefaultRetryDeferred
	}
	return hostOK
}

// checkHost checks cfg.Host, and sets it in ASCII.
func checkHost(cfg *Config) error {
	if h, ok := strings.CutPrefix(cfg.Host, "["); ok && strings.HasSuffix(h, "]") && net.ParseIP(h[:len(h)-1]) != nil {
		cfg.Host = h[:len(h)-1] // an IPv6 address as URLs write it
	}
	switch h := cfg.Host; {
	case h == "":
		return fieldErr("Host", "missing")
	// The host is not quoted while it may hold more than a host name: a
	// URL or "user:password@host" pasted here would show its password.
	case strings.Contains(h, "@"):
		return fieldErr("Host", `holds user information ("@"): give the host name alone, `+
			"the user in Config.Username and the password in Config.Password")
	case strings.Contains(h, "://"):
		return fieldErr("Host", `is a URL: give the host name alone, as "smtp.example.com"`)
	case hasControlOrSpace(h) || strings.Contains(h, "/"):
		return fieldErr("Host", `holds white space, a control character or "/": give the host name alone, as "smtp.example.com"`)
	case strings.Contains(h, ":") && net.ParseIP(h) == nil:
		return fieldErr("Host", "includes a port; set Config.Port")
	}
	host, err := endpoint.ASCIIHost(cfg.Host)
	if err == nil {
		err = checkLabels(host)
	}
	if err != nil {
		return fieldErr("Host", "invalid host name %s", refused(cfg.Host, *cfg, err))
	}
	cfg.Host = host
	return nil
}

// checkTLSConfig checks cfg.TLSConfig against cfg.TLS, a known mode, and
// sets the one to use, for cfg.Host, checked when hostOK. Of a host
// checkHost refused, only what needs no host is checked: a TLSConfig
// with TLSPlaintext, and the ServerName it gives.
func checkTLSConfig(cfg *Config, hostOK bool) error {
	if cfg.TLS == TLSPlaintext {
		if cfg.TLSConfig != nil {
			return fieldErr("TLSConfig", "set, but TLS is TLSPlaintext")
		}
		return nil
	}
	if !hostOK && (cfg.TLSConfig == nil || cfg.TLSConfig.ServerName == "") {
		return nil // the ServerName would be the host's
	}
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	if cfg.TLSConfig != nil {
		tc = cfg.TLSConfig.Clone()
	}
	var err error
	if tc.ServerName, err = endpoint.ASCIIHost(cmp.Or(tc.ServerName, cfg.Host)); err != nil {
		return fieldErr("TLSConfig", "invalid ServerName %s", refused(cfg.TLSConfig.ServerName, *cfg, err))
	}
	cfg.TLSConfig = tc
	return nil
}

// refused returns v, a value refused for err, quoted as setup.Quote
// quotes it with the secrets of cfg, and err's reason after it. The
// reason of a parser (net/mail, IDNA) may quote v or a part of it: it is
// left out unless v is quoted whole.
func refused(v string, cfg any, err error) string {
	q := setup.Quote(v, cfg)
	if q != strconv.Quote(v) {
		return q
	}
	return q + ": " + err.Error()
}

// helloName returns name as EHLO takes it (RFC 5321, 4.1.1.1): a domain,
// in A-labels when it is outside ASCII (EHLO comes before the server could
// say it takes UTF-8), or an address literal, "[192.0.2.1]" or
// "[IPv6:2001:db8::1]" (4.1.3). Its error quotes name as setup.Quote
// does, with the secrets of cfg (nil: none).
func helloName(name string, cfg any) (string, error) {
	if hasControlOrSpace(name) {
		return "", fieldErr("HelloName", "contains white space or control characters")
	}
	if lit, ok := strings.CutPrefix(name, "["); ok {
		lit, ok = strings.CutSuffix(lit, "]")
		addr, v6 := strings.CutPrefix(lit, "IPv6:")
		if ip := net.ParseIP(addr); ok && ip != nil && v6 == (ip.To4() == nil) {
			return name, nil
		}
	} else if d, err := helloProfile.ToASCII(name); err == nil && !strings.HasSuffix(d, ".") {
		return d, nil
	}
	return "", fieldErr("HelloName", "%s is neither a domain name nor an address literal (as %q or %q)",
		setup.Quote(name, cfg), "mail.example.com", "[192.0.2.1]")
}

// dnsLengths checks the labels of a host name in ASCII: none empty, none
// over 63 octets, at most 253 octets in all (RFC 1035, 2.3.4). It has none
// of IDNA's rules for letters, so that names resolvers take ("mail_relay",
// "r3---sn-4g5e.example.com") pass.
var dnsLengths = idna.New(idna.VerifyDNSLength(true))

// checkLabels refuses a host name, in ASCII, that no resolver can look up:
// one with an empty label ("a..b", ".example"; only a final dot, the
// root's label, may end it), a label over 63 octets, or over 253 in all.
// An IP address passes.
func checkLabels(host string) error {
	if net.ParseIP(host) != nil {
		return nil
	}
	name := strings.TrimSuffix(host, ".")
	if name == "" || strings.Contains("."+name+".", "..") {
		return errors.New("an empty label")
	}
	if _, err := dnsLengths.ToASCII(name); err != nil {
		return errors.New("a label over 63 characters, or over 253 in all")
	}
	return nil
}

// helloProfile is idna.Lookup's mapping that also refuses empty labels
// ("a..b", ".example") and overlong names, which EHLO's Domain (RFC 5321,
// 4.1.2) does not take; only a final dot, the root's label, it lets pass.
var helloProfile = idna.New(idna.MapForLookup(), idna.BidiRule(), idna.VerifyDNSLength(true))

// checkAuth checks the login fields of cfg; hostOK reports whether
// checkServer accepted cfg.Host, which the rule of credentials sent in
// plaintext (to a loopback host only) needs: a host refused ("127.0.0.1:25")
// is not known to be no loopback host.
func checkAuth(cfg Config, hostOK bool) error {
	// AUTH PLAIN separates the user name and password with NUL (RFC 4616),
	// and neither a real user name nor a real password holds a control
	// character: one pasted in (a file's final newline) would fail only at
	// the server, at every attempt. Neither value is shown.
	if hasControl(cfg.Username) {
		return fieldErr("Username", "contains control characters")
	}
	if hasControl(cfg.Password.Reveal()) {
		return fieldErr("Password", "contains control characters")
	}
	switch cfg.Auth {
	case AuthAuto, AuthNone:
	case AuthPlain, AuthLogin:
		if cfg.Username == "" || cfg.Password.IsZero() {
			return fieldErr("Auth", "%s needs Username and Password", cfg.Auth)
		}
	case AuthXOAUTH2:
		if cfg.Username == "" || cfg.TokenSource == nil {
			return fieldErr("Auth", "XOAUTH2 needs Username and TokenSource")
		}
	default:
		return fieldErr("Auth", "unknown method %s (want PLAIN, LOGIN, XOAUTH2 or NONE; leave it empty for auto)", setup.Quote(string(cfg.Auth), cfg))
	}
	if cfg.TokenSource != nil && cfg.Auth != AuthAuto && cfg.Auth != AuthXOAUTH2 {
		return fieldErr("TokenSource", "set, but Auth is %s", cfg.Auth)
	}
	if !cfg.Password.IsZero() && cfg.TokenSource != nil {
		return fieldErr("Password", "set together with TokenSource; use one")
	}
	if cfg.Auth == AuthAuto && cfg.Username != "" && cfg.Password.IsZero() && cfg.TokenSource == nil {
		return fieldErr("Password", "missing (Username is set)")
	}
	if cfg.Username == "" && (!cfg.Password.IsZero() || cfg.TokenSource != nil) {
		return fieldErr("Username", "missing")
	}
	if hostOK && cfg.TLS == TLSPlaintext && cfg.Auth != AuthNone && cfg.Username != "" && !endpoint.Loopback(cfg.Host) {
		return fieldErr("TLS", "TLSPlaintext would send credentials in the clear to %s; "+
			"use TLSStartTLS or TLSImplicit (plaintext AUTH is allowed to a loopback host only)", setup.Quote(cfg.Host, cfg))
	}
	return nil
}

// checkAddresses parses From and To, and derives the Message-ID domain and
// the Ledger targets from them.
func (c *Channel) checkAddresses() error {
	var f setup.Faults
	from, err := parseAddress("From", c.cfg.From, *c.cfg)
	if !f.Add(err) {
		// From the address as configured, so that an IDNA domain leaves
		// the Message-IDs as they were.
		c.domain = messageIDDomain(from.Address)
		c.from, err = wireAddress("From", from, *c.cfg)
		f.Add(err)
	}
	c.to, c.targets, err = checkRecipients(c.cfg.To, *c.cfg)
	f.Add(err)
	return f.Err()
}

// wireAddress returns a with its domain in ASCII, as IDNA A-labels (RFC
// 5890): the form SMTP and a message header need without SMTPUTF8, and
// that every server takes. A local part outside ASCII is left as it is:
// it needs a server that offers SMTPUTF8 (RFC 6531). Its error quotes a
// as setup.Quote does, with the secrets of cfg.
func wireAddress(field string, a *mail.Address, cfg Config) (*mail.Address, error) {
	addr, err := asciiDomain(a.Address)
	if err != nil {
		return nil, fieldErr(field, "invalid domain in %s", refused(a.Address, cfg, err))
	}
	return &mail.Address{Name: a.Name, Address: addr}, nil
}

// asciiDomain returns addr with a domain outside ASCII in A-labels.
func asciiDomain(addr string) (string, error) {
	at := strings.LastIndexByte(addr, '@')
	if at < 0 {
		return addr, nil
	}
	d, err := endpoint.ASCIIHost(addr[at+1:])
	if err != nil {
		return "", err
	}
	return addr[:at+1] + d, nil
}

// sameAddress folds an address for comparison: its domain in A-labels,
// all in lower case.
func sameAddress(addr string) string {
	if a, err := asciiDomain(addr); err == nil {
		addr = a
	}
	return strings.ToLower(addr)
}

// parseAddress parses s, the address in field, as "status@example.com" or
// "Status <status@example.com>". Its error quotes s as setup.Quote does,
// with the secrets of cfg: "user:password@host" pasted there shows none.
func parseAddress(field, s string, cfg Config) (*mail.Address, error) {
	if strings.TrimSpace(s) == "" {
		return nil, fieldErr(field, "missing")
	}
	if hasControl(s) {
		return nil, fieldErr(field, "contains control characters")
	}
	a, err := mail.ParseAddress(s)
	if err != nil {
		return nil, fieldErr(field, "invalid address %s (want an address, as %q)", refused(s, cfg, err), "status@example.com")
	}
	return a, nil
}

// checkRecipients parses list, the To field, and returns its addresses as
// they go on the wire (see wireAddress) and their bare forms as
// configured. No two may be the same address, in any case. Its errors
// quote no secret of cfg.
func checkRecipients(list []string, cfg Config) ([]*mail.Address, []string, error) {
	if len(list) == 0 {
		return nil, nil, fieldErr("To", "no recipients")
	}
	out := make([]*mail.Address, len(list))
	bare := make([]string, len(list))
	refused := make([]bool, len(list))
	var f setup.Faults // of every entry, and two the same beside them
	for i, s := range list {
		field := fmt.Sprintf("To[%d]", i)
		a, err := parseAddress(field, s, cfg)
		if refused[i] = f.Add(err); refused[i] {
			continue
		}
		bare[i] = a.Address
		out[i], err = wireAddress(field, a, cfg)
		refused[i] = f.Add(err)
	}
	f.Add(setup.DistinctBeside(pkg, "To", bare, refused, sameAddress))
	if err := f.Err(); err != nil {
		return nil, nil, err
	}
	return out, bare, nil
}

func checkUnsubscribe(cfg Config) (*template.Template, error) {
	switch {
	case cfg.ListUnsubscribe != "" && cfg.ListUnsubscribeFunc != nil:
		return nil, fieldErr("ListUnsubscribe", "set together with ListUnsubscribeFunc; use one")
	case cfg.ListUnsubscribe == "":
		if cfg.ListUnsubscribeOneClick && cfg.ListUnsubscribeFunc == nil {
			return nil, fieldErr("ListUnsubscribeOneClick", "set, but there is no ListUnsubscribe URL")
		}
		return nil, nil
	}
	t, err := template.New("ListUnsubscribe").Option("missingkey=error").Parse(cfg.ListUnsubscribe)
	if err != nil {
		return nil, fieldErr("ListUnsubscribe", "parse: %v", err)
	}
	u, err := unsubscribeURL(t, nil, "user@example.com", cfg.ListUnsubscribeOneClick)
	if err != nil {
		return nil, fieldErr("ListUnsubscribe", "%v", err)
	}
	if u == "" {
		return nil, fieldErr("ListUnsubscribe", "renders empty")
	}
	return t, nil
}

// messageIDDomain returns the domain of addr if it can end a Message-ID
// as a dot-atom, else fallbackDomain.
func messageIDDomain(addr string) string {
	d := addr[strings.LastIndexByte(addr, '@')+1:]
	if d == "" || !isAtomText(d, true) {
		return fallbackDomain
	}
	return strings.ToLower(d)
}

func hasControl(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) })
}

func hasControlOrSpace(s string) bool {
	return hasControl(s) || strings.ContainsAny(s, " \u00a0")
}

// executeString runs t with data and returns the output.
func executeString(t *template.Template, data any) (string, error) {
	var b bytes.Buffer
	if err := t.Execute(&b, data); err != nil {
		return "", err
	}
	return b.String(), nil
}
