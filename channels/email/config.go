package email

import (
	"bytes"
	"crypto/tls"
	"fmt"
	"net"
	"net/mail"
	"slices"
	"strings"
	"sync"
	"text/template"
	"time"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/setup"
	"github.com/outagecast/outagecast/redact"
	"github.com/outagecast/outagecast/templates"
)

// fallbackDomain ends Message-IDs when From's domain cannot (an
// internationalized or literal domain).
const fallbackDomain = "outagecast.invalid"

func fieldErr(field, format string, args ...any) error {
	return fmt.Errorf("email: Config.%s: %s", field, fmt.Sprintf(format, args...))
}

func newChannel(cfg Config) (*Channel, error) {
	var err error
	if cfg.Name, err = setup.Name("email", cfg.Name, DefaultName); err != nil {
		return nil, err
	}
	if err := checkServer(&cfg); err != nil {
		return nil, err
	}
	if err := checkAuth(cfg); err != nil {
		return nil, err
	}
	c := &Channel{cfg: &cfg, tmpl: cfg.Templates,
		redactor: redact.NewRedactor().WithLogin(cfg.Username, cfg.Password)}
	if c.tmpl == nil {
		c.tmpl = templates.Default()
	}
	if err := c.checkAddresses(); err != nil {
		return nil, err
	}
	if c.status, err = statusSet(c.tmpl); err != nil {
		return nil, err
	}
	if err := c.checkTemplates(); err != nil {
		return nil, err
	}
	if c.unsub, err = checkUnsubscribe(cfg); err != nil {
		return nil, err
	}
	if cfg.Concurrency < 0 {
		return nil, fieldErr("Concurrency", "negative")
	}
	if cfg.Concurrency == 0 {
		cfg.Concurrency = DefaultConcurrency
	}
	if cfg.IdleTimeout == 0 {
		cfg.IdleTimeout = DefaultIdleTimeout
	}
	c.pool = newPool(cfg.Concurrency, cfg.IdleTimeout)
	c.heads = sync.OnceValue(c.makeHeads)
	return c, nil
}

// checkServer checks and completes the connection fields of cfg.
func checkServer(cfg *Config) error {
	switch h := cfg.Host; {
	case h == "":
		return fieldErr("Host", "missing")
	case hasControlOrSpace(h) || strings.ContainsAny(h, "/@"):
		return fieldErr("Host", "invalid host name %q", h)
	case strings.Contains(h, ":") && net.ParseIP(h) == nil:
		return fieldErr("Host", "%q includes a port; set Config.Port", h)
	}
	if cfg.Port < 0 || cfg.Port > 65535 {
		return fieldErr("Port", "%d out of range", cfg.Port)
	}
	if cfg.TLS < TLSStartTLS || cfg.TLS > TLSPlaintext {
		return fieldErr("TLS", "unknown mode %d", int(cfg.TLS))
	}
	if cfg.Port == 0 {
		cfg.Port = [...]int{587, 465, 25}[cfg.TLS]
	}
	if cfg.TLS == TLSPlaintext {
		if cfg.TLSConfig != nil {
			return fieldErr("TLSConfig", "set, but TLS is TLSPlaintext")
		}
	} else {
		tc := &tls.Config{MinVersion: tls.VersionTLS12}
		if cfg.TLSConfig != nil {
			tc = cfg.TLSConfig.Clone()
		}
		if tc.ServerName == "" {
			tc.ServerName = cfg.Host
		}
		cfg.TLSConfig = tc
	}
	if hasControlOrSpace(cfg.HelloName) {
		return fieldErr("HelloName", "contains white space or control characters")
	}
	if cfg.Timeout < 0 {
		return fieldErr("Timeout", "negative")
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.RetryDeferred < 0 {
		return fieldErr("RetryDeferred", "negative")
	}
	if cfg.RetryDeferred == 0 {
		cfg.RetryDeferred = DefaultRetryDeferred
	}
	return nil
}

func checkAuth(cfg Config) error {
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
		return fieldErr("Auth", "unknown method %q", string(cfg.Auth))
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
	if cfg.TLS == TLSPlaintext && cfg.Auth != AuthNone && cfg.Username != "" && !isLoopback(cfg.Host) {
		return fieldErr("TLS", "TLSPlaintext would send credentials in the clear to %q; "+
			"use TLSStartTLS or TLSImplicit (plaintext AUTH is allowed to a loopback host only)", cfg.Host)
	}
	return nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// checkAddresses parses From and To, and derives the Message-ID domain and
// the Ledger targets from them.
func (c *Channel) checkAddresses() error {
	var err error
	if c.from, err = parseAddress("From", c.cfg.From); err != nil {
		return err
	}
	c.domain = messageIDDomain(c.from.Address)
	if c.to, err = checkRecipients(c.cfg.To); err != nil {
		return err
	}
	for _, a := range c.to {
		c.targets = append(c.targets, a.Address)
	}
	return nil
}

func parseAddress(field, s string) (*mail.Address, error) {
	if strings.TrimSpace(s) == "" {
		return nil, fieldErr(field, "missing")
	}
	if hasControl(s) {
		return nil, fieldErr(field, "contains control characters")
	}
	a, err := mail.ParseAddress(s)
	if err != nil {
		return nil, fieldErr(field, "invalid address %q: %v", s, err)
	}
	return a, nil
}

func checkRecipients(list []string) ([]*mail.Address, error) {
	if len(list) == 0 {
		return nil, fieldErr("To", "no recipients")
	}
	out := make([]*mail.Address, len(list))
	seen := make(map[string]int, len(list))
	for i, s := range list {
		field := fmt.Sprintf("To[%d]", i)
		a, err := parseAddress(field, s)
		if err != nil {
			return nil, err
		}
		key := strings.ToLower(a.Address)
		if j, dup := seen[key]; dup {
			return nil, fieldErr(field, "%s duplicates To[%d]", a.Address, j)
		}
		seen[key] = i
		out[i] = a
	}
	return out, nil
}

// statusSet returns set with the statusTemplate added, unless it has one.
func statusSet(set *templates.Set) (*templates.Set, error) {
	if slices.Contains(set.Names(), statusTemplate) {
		return set, nil
	}
	out, err := set.With(statusTemplate, defaultStatusLine)
	if err != nil {
		return nil, fieldErr("Templates", "%v", err)
	}
	return out, nil
}

// checkTemplates renders a sample update, with and without an override, so
// that a template failing on every update fails here rather than at send
// time.
func (c *Channel) checkTemplates() error {
	u := broadcast.Update{Title: "Sample", Status: broadcast.StatusInvestigating,
		Body: "Sample body.", URL: "https://status.example.com/incidents/sample"}
	u = u.WithDefaults(time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC))
	if _, err := c.render(u); err != nil {
		return fieldErr("Templates", "%v", err)
	}
	u.Overrides = map[string]string{c.cfg.Name: "Sample override."}
	if _, err := c.render(u); err != nil {
		return fieldErr("Templates", "%v", err)
	}
	u.Corrects = "u_sample" // a template may test it
	if _, err := c.render(u); err != nil {
		return fieldErr("Templates", "%v", err)
	}
	return nil
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
