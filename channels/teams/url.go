package teams

import (
	"net/url"

	"github.com/outagecast/outagecast/channels/internal/endpoint"
	"github.com/outagecast/outagecast/redact"
)

// schemes of the URL form: teams for https, teams+http for http
// (loopback only).
const schemes = endpoint.Schemes("teams")

// urlErr is an error about part of a channel URL. It never quotes the URL.
func urlErr(part, format string, args ...any) error {
	return endpoint.FormErrorf(pkg, part, format, args...)
}

// ParseURL returns the Config of a channel URL (see the package
// documentation's "URL form"), for New to check. User information is
// refused, also where a "/", "?" or "#" in a password, not %-escaped, cut
// it short after digits, which then read as a port followed by an "@" in
// the path, query or fragment (an "@" that belongs there with a port is
// written %40). Errors name the part of the URL at fault and never quote
// its path or query.
func ParseURL(raw string) (Config, error) {
	u, web, err := schemes.Parse(pkg, raw)
	if err != nil {
		return Config{}, err
	}
	if u.User != nil {
		return Config{}, urlErr("user information", "not allowed")
	}
	// The same, cut short by a "/", "?" or "#" in its password.
	if err := endpoint.CutPassword(pkg, u, nil); err != nil {
		return Config{}, err
	}
	if u.Path == "" || u.Path == "/" {
		return Config{}, urlErr("path", "missing (want the workflow trigger's path)")
	}
	var cfg Config
	if u.Fragment != "" {
		opts, err := url.ParseQuery(u.EscapedFragment())
		if err != nil {
			return Config{}, urlErr("fragment", "not name=<name>")
		}
		for k, vs := range opts {
			if k != "name" || len(vs) != 1 {
				// Not quoted: a "#" in the path or query, not %-escaped,
				// makes the rest of it the fragment.
				return Config{}, urlErr("fragment", `want name=<name> only, once (a "#" in the path or query is written %%23)`)
			}
			if vs[0] == "" {
				return Config{}, urlErr("fragment name", "empty (write the channel's name, or leave name out for the default)")
			}
			cfg.Name = vs[0]
		}
	}
	w := *u
	w.Scheme, w.Fragment, w.RawFragment = web, "", ""
	cfg.WebhookURL = redact.NewURL(w.String())
	return cfg, nil
}

// URL returns the channel URL of cfg (see the package documentation's "URL
// form"), for a Config New accepts. It holds the workflow's URL, sig=
// and all, so it is a redact.URL: it prints as its scheme and host only.
// A Config whose WebhookURL New refuses gives "".
func (cfg Config) URL() redact.URL {
	raw := cfg.WebhookURL.Reveal()
	if checkWebhookURL(raw) != nil {
		return redact.URL{}
	}
	u, err := url.Parse(raw)
	if err != nil {
		return redact.URL{}
	}
	u.Scheme = schemes.Form(u.Scheme)
	if cfg.Name != "" {
		// Query-escaped, so that ParseURL reads it back with ParseQuery.
		u.RawFragment = "name=" + url.QueryEscape(cfg.Name)
		u.Fragment, _ = url.PathUnescape(u.RawFragment)
	}
	return redact.NewURL(u.String())
}
