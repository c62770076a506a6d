package email

import (
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/mail"
	"slices"
	"strings"
	"text/template"
	"time"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/templates"
)

// redacted replaces a secret wherever a Config or Channel is printed.
const redacted = "REDACTED"

// fallbackDomain ends Message-IDs when From's domain cannot (an
// internationalized or literal domain).
const fallbackDomain = "outagecast.invalid"

func fieldErr(field, format string, args ...any) error {
	return fmt.Errorf("email: Config.%s: %s", field, fmt.Sprintf(format, args...))
}

func newChannel(cfg Config) (*Channel, error) {
	if cfg.Name == "" {
		cfg.Name = DefaultName
	}
	if err := checkServer(&cfg); err != nil {
		return nil, err
	}
	if err := checkAuth(cfg); err != nil {
		return nil, err
	}
	c := &Channel{cfg: cfg, tmpl: cfg.Templates}
	if c.tmpl == nil {
		c.tmpl = templates.Default()
	}
	var err error
	if c.from, err = parseAddress("From", cfg.From); err != nil {
		return nil, err
	}
	c.domain = messageIDDomain(c.from.Address)
	if c.to, err = checkRecipients(cfg.To); err != nil {
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
	if c.cfg.Concurrency == 0 {
		c.cfg.Concurrency = DefaultConcurrency
	}
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
		if cfg.Username == "" || cfg.Password == "" {
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
	if cfg.Password != "" && cfg.TokenSource != nil {
		return fieldErr("Password", "set together with TokenSource; use one")
	}
	if cfg.Auth == AuthAuto && cfg.Username != "" && cfg.Password == "" && cfg.TokenSource == nil {
		return fieldErr("Password", "missing (Username is set)")
	}
	if cfg.Username == "" && (cfg.Password != "" || cfg.TokenSource != nil) {
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

// String describes the Config with its secrets REDACTED and the recipients
// counted, not listed.
func (c Config) String() string {
	return fmt.Sprintf("email.Config{Name:%q Host:%q Port:%d TLS:%s Auth:%q Username:%q Password:%s "+
		"TokenSource:%s From:%q To:[%d recipients] Concurrency:%d}",
		c.Name, c.Host, c.Port, c.TLS, string(c.Auth), c.Username, secret(c.Password != ""),
		secret(c.TokenSource != nil), c.From, len(c.To), c.Concurrency)
}

// GoString is String, so that %#v redacts too.
func (c Config) GoString() string { return c.String() }

// Format prints c as String does for every verb, so no verb shows a secret.
func (c Config) Format(f fmt.State, verb rune) { redactedFormat(f, verb, c.String()) }

// LogValue logs the Config with its secrets REDACTED.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("name", c.Name), slog.String("host", c.Host), slog.Int("port", c.Port),
		slog.String("tls", c.TLS.String()), slog.String("auth", string(c.Auth)),
		slog.String("username", c.Username), slog.String("password", secret(c.Password != "")),
		slog.String("token_source", secret(c.TokenSource != nil)),
		slog.String("from", c.From), slog.Int("recipients", len(c.To)),
		slog.Int("concurrency", c.Concurrency))
}

// String describes the Channel's configuration with its secrets REDACTED.
func (c *Channel) String() string {
	return "email.Channel" + strings.TrimPrefix(c.cfg.String(), "email.Config")
}

// GoString is String, so that %#v redacts too.
func (c *Channel) GoString() string { return c.String() }

// Format prints c as String does for every verb, so no verb shows a secret.
func (c *Channel) Format(f fmt.State, verb rune) { redactedFormat(f, verb, c.String()) }

func redactedFormat(f fmt.State, verb rune, s string) {
	if verb == 'v' {
		_, _ = fmt.Fprint(f, s)
		return
	}
	_, _ = fmt.Fprintf(f, fmt.FormatString(f, verb), s)
}

// LogValue logs the Channel's configuration with its secrets REDACTED.
func (c *Channel) LogValue() slog.Value { return c.cfg.LogValue() }

func secret(set bool) string {
	if set {
		return redacted
	}
	return ""
}

// redactError returns err with every non-empty secret in its text replaced
// by REDACTED. The result matches what err matches with errors.Is, but does
// not unwrap to err: walking the chain must not lead back to the secret.
func redactError(err error, secrets ...string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	changed := false
	for _, s := range secrets {
		if s != "" && strings.Contains(msg, s) {
			msg = strings.ReplaceAll(msg, s, redacted)
			changed = true
		}
	}
	if !changed {
		return err
	}
	return &redactedError{msg: msg, err: err}
}

type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string        { return e.msg }
func (e *redactedError) Is(target error) bool { return errors.Is(e.err, target) }

// executeString runs t with data and returns the output.
func executeString(t *template.Template, data any) (string, error) {
	var b bytes.Buffer
	if err := t.Execute(&b, data); err != nil {
		return "", err
	}
	return b.String(), nil
}
