package console

import (
	"fmt"
	"net/url"
	"os"
	"strings"

	"github.com/outagecast/outagecast/channels/internal/endpoint"
	"github.com/outagecast/outagecast/redact"
)

// pkg prefixes the errors of the package.
const pkg = "console"

// Scheme is the URL scheme of the short form.
const Scheme = "console"

// ParseURL returns the Config of a console URL (see the package
// documentation, "URL form"): "console://" or "console://stdout" writes to
// os.Stdout, "console://stderr" to os.Stderr, and the query parameter
// template names the template. Anything else (user information, a
// fragment, "console:stderr" without the two slashes) is refused.
func ParseURL(raw string) (Config, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return Config{}, fmt.Errorf("console: URL: does not parse as a URL")
	}
	if u.Scheme != Scheme {
		return Config{}, fmt.Errorf("console: URL: %s: want %s://", endpoint.SchemePart(raw, u.Scheme), Scheme)
	}
	// Parts the short form has no use for are refused, not dropped:
	// "console:stderr" would write to standard output.
	switch {
	case u.Opaque != "":
		return Config{}, endpoint.FormErrorf(pkg, "host", "missing; write %[1]s://stdout or %[1]s://stderr (two slashes)", Scheme)
	case u.User != nil: // never quoted: it may hold a password
		return Config{}, endpoint.FormErrorf(pkg, "user information", "not allowed")
	case u.Fragment != "":
		return Config{}, endpoint.FormErrorf(pkg, "fragment", "not allowed (the template is the query parameter template)")
	}
	if hasPort(u.Host) {
		// Not quoted: the port may be a password of digits that a "/",
		// "?" or "#" in it, not %-escaped, cut short.
		return Config{}, endpoint.FormErrorf(pkg, "host", "want stdout or stderr, without a port")
	}
	var cfg Config
	switch u.Host {
	case "", "stdout":
		cfg.Writer = os.Stdout
	case "stderr":
		cfg.Writer = os.Stderr
	default:
		// Neither the host nor the path is quoted: a "/" in a password
		// ends the authority, so that "console://ops:pa/ss@stderr" has
		// the host "ops:pa" (refused above) and "console://ops/pa55@stderr"
		// the path "/pa55@stderr"; and a secret pasted where the URL goes
		// would be the host.
		return Config{}, endpoint.FormErrorf(pkg, "host", "not stdout or stderr: write %[1]s://stdout or %[1]s://stderr", Scheme)
	}
	if u.Path != "" && u.Path != "/" {
		return Config{}, endpoint.FormErrorf(pkg, "path", "not allowed: write %[1]s://stdout or %[1]s://stderr (a template is the query parameter template)", Scheme)
	}
	p, err := endpoint.Params(pkg, u.RawQuery, []string{"template"})
	cfg.Template = p["template"]
	return cfg, err
}

// hasPort reports whether host, a URL's, has a port (a ":" after the
// name, or after an IPv6 literal's "]"). The colons of an IPv6 literal
// alone ("[::1]") are no port: such a host is refused as any other that
// is not stdout or stderr.
func hasPort(host string) bool {
	return strings.Contains(host[strings.LastIndex(host, "]")+1:], ":")
}

// URL returns the short form of c: its Writer (os.Stdout or os.Stderr;
// any other writer has no short form and gives "console://") and its
// Template. Name and Templates are not part of it. A console holds no
// secrets; the result is a redact.URL like every channel's.
func (c Config) URL() redact.URL {
	s := Scheme + "://"
	switch c.Writer {
	case os.Stdout:
		s += "stdout"
	case os.Stderr:
		s += "stderr"
	}
	if c.Template != "" {
		s += "?" + url.Values{"template": {c.Template}}.Encode()
	}
	return redact.NewURL(s)
}
