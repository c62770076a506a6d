package email

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/outagecast/outagecast/channels/internal/endpoint"
	"github.com/outagecast/outagecast/channels/internal/setup"
	"github.com/outagecast/outagecast/internal/urlcut"
	"github.com/outagecast/outagecast/redact"
)

// URL schemes of the short form: "smtp://" (STARTTLS, or the tls
// parameter's mode) and "smtps://" (implicit TLS).
const (
	Scheme        = "smtp"
	SchemeTLS     = "smtps"
	paramTo       = "to"
	paramTLS      = "tls"
	paramFrom     = "from"
	paramOneClick = "list_unsubscribe_one_click"
)

// urlParams are the query parameters of the short form, in the order URL
// writes them; "to" may repeat, and its values may list recipients
// separated by commas.
var urlParams = []string{paramFrom, paramTo, paramTLS, "auth", "concurrency", "list_unsubscribe",
	paramOneClick, "hello_name", "timeout", "idle_timeout", "retry_deferred"}

// ParseURL returns the Config of an SMTP URL (see the package
// documentation, "URL form"):
//
//	smtp://USER:PASSWORD@smtp.example.com:587/?from=status@example.com&to=a@example.com,b@example.net
//
// It checks the URL's form and the parameters' types; New checks the rest.
// Errors name the part of the URL at fault and never quote its password:
// the port, where a "/", "?" or "#" in the password, not %-escaped, made
// its first digits the port (see the package documentation).
func ParseURL(raw string) (Config, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return Config{}, errors.New("email: URL: does not parse as a URL")
	}
	var cfg Config
	switch u.Scheme {
	case Scheme:
	case SchemeTLS:
		cfg.TLS = TLSImplicit
	default:
		return Config{}, fmt.Errorf("email: URL: %s: want %s:// or %s://", endpoint.SchemePart(raw, u.Scheme), Scheme, SchemeTLS)
	}
	if cfg.Host = u.Hostname(); cfg.Host == "" {
		return Config{}, errors.New("email: URL: host: missing")
	}
	if p := u.Port(); p != "" {
		if cfg.Port, err = strconv.Atoi(p); err != nil {
			// Digits too many for a number: not quoted, as they may be a
			// password that a "/", "?" or "#", not %-escaped, cut short.
			return Config{}, errors.New(`email: URL: port: want a number (a "/", "?" or "#" in the password is written %2F, %3F or %23)`)
		}
	}
	if err := endpoint.CutPassword("email", u, addressParam); err != nil {
		return Config{}, err
	}
	if u.Fragment != "" {
		// What follows a "#" in the password, which ended the authority.
		return Config{}, errors.New(`email: URL: fragment: want none (a "#" in the password is written %23)`)
	}
	if u.Path != "" && u.Path != "/" {
		return Config{}, errors.New("email: URL: path: want none (recipients go in the to parameter)")
	}
	if u.User != nil {
		cfg.Username = u.User.Username()
		pw, _ := u.User.Password()
		cfg.Password = redact.NewSecret(pw)
	}
	quote := !userinfoInQuery(u.RawQuery)
	if err := cfg.setParams(u.RawQuery, u.Scheme, quote); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// setParams sets the fields of the query's parameters. Its errors quote
// a parameter's name or value only if quote: see userinfoInQuery.
func (c *Config) setParams(rawQuery, scheme string, quote bool) error {
	seen := make(map[string]bool, len(urlParams))
	for kv := range strings.SplitSeq(rawQuery, "&") {
		if kv == "" {
			continue
		}
		rawKey, rawVal, _ := strings.Cut(kv, "=")
		key, err := url.PathUnescape(rawKey)
		if err != nil || !slices.Contains(urlParams, key) {
			if !quote {
				rawKey = ""
			}
			return unknownParam(rawKey, rawVal)
		}
		if key == paramTo { // unescaped after the split: "%2C" is a comma in an address
			for v := range strings.SplitSeq(rawVal, ",") {
				addr, err := url.PathUnescape(v)
				if err != nil {
					return errors.New("email: URL: to: bad %-escape")
				}
				c.To = append(c.To, addr)
			}
			continue
		}
		if seen[key] {
			// The last would win unseen: "tls=starttls&…&tls=plaintext"
			// would send in the clear. Only to lists several values.
			return fmt.Errorf("email: URL: %s: given twice (only to takes several values)", key)
		}
		seen[key] = true
		val, err := url.PathUnescape(rawVal)
		if err != nil {
			return fmt.Errorf("email: URL: %s: bad %%-escape", key)
		}
		if err := c.setParam(key, val, scheme); err != nil {
			if !quote {
				return fmt.Errorf(`email: URL: %s: not a valid value (a "?" in the password is written %%3F)`, key)
			}
			return fmt.Errorf("email: URL: %s: %w", key, err)
		}
	}
	return nil
}

// userinfoInQuery reports whether rawQuery may hold the rest of the URL's
// user information: a "?" in the password, not %-escaped, ends the URL's
// authority there, and the rest of the password and "@host" become the
// query, whose parameters' names and values an error would quote. (The
// authority may still seem to hold user information: a user name that is
// an address, its "@" not written %40.) A parameter holding "@" may be that unless it is one
// that holds an address (a misspelt one, "tos=a@example.com", may be it
// too: its error then names no parameter).
func userinfoInQuery(rawQuery string) bool {
	return urlcut.QueryHoldsAt(rawQuery, addressParam)
}

// addressParam reports whether rawKey, a query parameter's name as
// written, is one whose value holds an address, and so an "@".
func addressParam(rawKey, _ string) bool {
	return rawKey == paramFrom || rawKey == paramTo || rawKey == "list_unsubscribe"
}

// unknownParam is the error of a query parameter not in urlParams. It
// quotes the name only if it could be one (endpoint.QuotableName): a "?"
// in the password, not %-escaped, ends the URL's authority there, and the
// rest of the password, and the host, become the first parameter's name.
func unknownParam(rawKey, rawVal string) error {
	known := strings.Join(urlParams, ", ")
	if !endpoint.QuotableName(rawKey, rawVal) {
		return fmt.Errorf(`email: URL: query parameter: unknown (known: %s; a "?" in the password is written %%3F)`, known)
	}
	return fmt.Errorf("email: URL: query parameter %q: unknown (known: %s)", rawKey, known)
}

func (c *Config) setParam(key, val, scheme string) error {
	var err error
	switch key {
	case paramFrom:
		c.From = val
	case paramTLS:
		if scheme == SchemeTLS {
			return errors.New("set by the smtps scheme already")
		}
		if c.TLS.UnmarshalText([]byte(val)) != nil {
			// Quoted with the secrets of c: the URL's password.
			return fmt.Errorf("unknown TLS mode %s (want starttls, implicit or plaintext)", setup.Quote(val, *c))
		}
	case "auth":
		return c.Auth.UnmarshalText([]byte(val))
	case "concurrency":
		c.Concurrency, err = strconv.Atoi(val)
	case "list_unsubscribe":
		c.ListUnsubscribe = val
	case paramOneClick:
		c.ListUnsubscribeOneClick, err = strconv.ParseBool(val)
	case "hello_name":
		c.HelloName = val
	case "timeout":
		c.Timeout, err = time.ParseDuration(val)
	case "idle_timeout":
		c.IdleTimeout, err = time.ParseDuration(val)
	case "retry_deferred":
		c.RetryDeferred, err = time.ParseDuration(val)
	}
	if err != nil {
		return fmt.Errorf("%s: not a valid value", setup.Quote(val, *c))
	}
	return nil
}

// URL returns the short form of c, its password included, as a redact.URL
// that prints without it; ParseURL turns it back into c. Name, TLSConfig,
// TokenSource, ListUnsubscribeFunc and Templates are not part of it.
func (c Config) URL() redact.URL {
	u := url.URL{Scheme: Scheme, Host: c.Host, Path: "/"}
	switch {
	case c.Port != 0:
		u.Host = net.JoinHostPort(c.Host, strconv.Itoa(c.Port))
	case strings.Contains(c.Host, ":"): // an IPv6 address
		u.Host = "[" + c.Host + "]"
	}
	if c.TLS == TLSImplicit {
		u.Scheme = SchemeTLS
	}
	switch {
	case !c.Password.IsZero():
		u.User = url.UserPassword(c.Username, c.Password.Reveal())
	case c.Username != "":
		u.User = url.User(c.Username)
	}
	var q []string
	add := func(key, val string) {
		if val != "" {
			q = append(q, key+"="+escapeParam(val))
		}
	}
	add(paramFrom, c.From)
	if len(c.To) > 0 {
		to := make([]string, len(c.To))
		for i, addr := range c.To {
			to[i] = escapeParam(addr)
		}
		q = append(q, paramTo+"="+strings.Join(to, ","))
	}
	if c.TLS != TLSStartTLS && c.TLS != TLSImplicit {
		add(paramTLS, c.TLS.String())
	}
	add("auth", strings.ToLower(string(c.Auth)))
	add("concurrency", itoa(c.Concurrency))
	add("list_unsubscribe", c.ListUnsubscribe)
	add(paramOneClick, map[bool]string{true: "true"}[c.ListUnsubscribeOneClick])
	add("hello_name", c.HelloName)
	add("timeout", duration(c.Timeout))
	add("idle_timeout", duration(c.IdleTimeout))
	add("retry_deferred", duration(c.RetryDeferred))
	u.RawQuery = strings.Join(q, "&")
	return redact.NewURL(u.String())
}

// MarshalText returns the mode's name, as configuration files and the URL
// form write it: starttls, implicit or plaintext.
func (m TLSMode) MarshalText() ([]byte, error) {
	switch m {
	case TLSStartTLS, TLSImplicit, TLSPlaintext:
		return []byte(m.String()), nil
	}
	return nil, fmt.Errorf("email: TLSMode(%d): unknown", int(m))
}

// UnmarshalText sets the mode from its name, in any case: starttls (or
// empty), implicit or plaintext.
func (m *TLSMode) UnmarshalText(text []byte) error {
	switch strings.ToLower(string(text)) {
	case "", "starttls":
		*m = TLSStartTLS
	case "implicit":
		*m = TLSImplicit
	case "plaintext":
		*m = TLSPlaintext
	default:
		return fmt.Errorf("unknown TLS mode %s (want starttls, implicit or plaintext)", setup.Quote(string(text), nil))
	}
	return nil
}

// UnmarshalText sets the method from its name in any case ("plain" is
// AuthPlain, "auto" AuthAuto); New rejects names it does not know.
func (a *AuthMethod) UnmarshalText(text []byte) error {
	*a = AuthMethod(strings.ToUpper(string(text)))
	if *a == "AUTO" {
		*a = AuthAuto
	}
	return nil
}

func itoa(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

func duration(d time.Duration) string {
	if d == 0 {
		return ""
	}
	return d.String()
}

// escapeParam escapes s for a query value that url.PathUnescape reads
// back: "+" stays "+", as in "ops+status@example.com".
func escapeParam(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}
