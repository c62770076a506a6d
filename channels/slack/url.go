package slack

import (
	"net/url"
	"slices"
	"strings"

	"github.com/outagecast/outagecast/channels/internal/endpoint"
	"github.com/outagecast/outagecast/redact"
)

// schemes of the URL form: slack for https, slack+http for http
// (loopback only).
const schemes = endpoint.Schemes("slack")

// defaultHost is the host of DefaultBaseURL.
const defaultHost = "slack.com"

// urlErr is an error about part of a channel URL. It never quotes the URL.
func urlErr(part, format string, args ...any) error {
	return endpoint.FormErrorf(pkg, part, format, args...)
}

// ParseURL returns the Config of a channel URL (see the package
// documentation's "URL form"), for New to check; base_url it checks
// itself, as New would (the token included), since a credential there
// would print with the Config. Errors name the part of the URL at fault and never quote the
// token or webhook secret.
func ParseURL(raw string) (Config, error) {
	u, web, err := schemes.Parse(pkg, raw)
	if err != nil {
		return Config{}, err
	}
	if u.Fragment != "" {
		return Config{}, urlErr("fragment", "not allowed")
	}
	pw, _ := u.User.Password()
	missing := urlErr("user information", `missing (want "xoxb:<token>" or "hook:<T…>-<B…>-<secret>")`)
	if u.User == nil && strings.Contains(u.RawQuery, "@") {
		// A "?" in the token or secret, not %-escaped, ended the host
		// early: the rest of it, up to its "@", is the query.
		return Config{}, missing
	}
	p, err := endpoint.Params(pkg, u.RawQuery, []string{"name", "base_url"})
	if err != nil {
		return Config{}, err
	}
	if b := p["base_url"]; b != "" {
		// Checked here too: a credential in it would print with the
		// Config, where BaseURL is a plain string.
		if _, err := endpoint.Base(pkg, "BaseURL", b, endpoint.Rules{}); err != nil {
			return Config{}, endpoint.PartError(pkg, "query base_url", err)
		}
	}
	cfg := Config{Name: p["name"], BaseURL: p["base_url"]}
	switch user := u.User.Username(); {
	case u.User == nil || pw == "":
		return Config{}, missing
	case user == "hook":
		return cfg, cfg.parseHook(web, u.Host, pw, u.EscapedPath())
	case isTokenKind(strings.TrimPrefix(user, rotatingPrefix)):
		cfg.Token = redact.NewSecret(user + "-" + pw)
		if at := endpoint.SecretField(cfg.BaseURL, cfg); at != "" {
			return Config{}, urlErr("query base_url", "%s", endpoint.SecretProblem(at))
		}
		return cfg, cfg.parseAPI(web, u.Host, u.EscapedPath())
	}
	return Config{}, urlErr("user information", `not "xoxb", "xoxp" or "hook"`)
}

// isTokenKind reports whether kind is the part of a token before its
// first "-": "xoxb", "xoxp".
func isTokenKind(kind string) bool { return len(kind) == 4 && strings.HasPrefix(kind, "xox") }

// parseHook completes cfg for an incoming webhook.
func (cfg *Config) parseHook(web, host, secret, path string) error {
	parts := strings.SplitN(secret, "-", 3)
	switch {
	case len(parts) != 3 || slices.Contains(parts, ""):
		return urlErr("user information", `hook: want "hook:<T…>-<B…>-<secret>"`)
	case path != "" && path != "/":
		return urlErr("path", "not allowed for an incoming webhook")
	case cfg.BaseURL != "":
		return urlErr("query", "base_url is not allowed for an incoming webhook")
	}
	cfg.WebhookURL = redact.NewURL(web + "://" + host + "/services/" + strings.Join(parts, "/"))
	return nil
}

// parseAPI completes cfg for the Web API: the base URL and the channels.
func (cfg *Config) parseAPI(web, host, path string) error {
	if cfg.BaseURL == "" && (host != defaultHost || web != "https") {
		cfg.BaseURL = web + "://" + host + "/api/"
	}
	segs := strings.Split(strings.TrimPrefix(path, "/"), "/")
	if path == "" || path == "/" {
		return urlErr("path", "no channel (want /<channel>[/<channel>…])")
	}
	for i, s := range segs {
		ch, err := url.PathUnescape(s)
		if err != nil || ch == "" {
			return urlErr("path", "channel %d is empty or badly escaped", i+1)
		}
		cfg.Channels = append(cfg.Channels, ch)
	}
	return nil
}

// URL returns the channel URL of cfg (see the package documentation's "URL
// form"), for a Config New accepts. It holds the token or the webhook
// secret, so it is a redact.URL: it prints as its scheme and host only.
func (cfg Config) URL() redact.URL {
	q := url.Values{}
	if cfg.Name != "" {
		q.Set("name", cfg.Name)
	}
	if !cfg.WebhookURL.IsZero() {
		return cfg.hookURL(q)
	}
	kind, rest, _ := strings.Cut(cfg.Token.Reveal(), "-")
	sch, host := schemes.Form("https"), defaultHost
	if b, err := url.Parse(cfg.BaseURL); err == nil && cfg.BaseURL != "" {
		host, sch = b.Host, schemes.Form(b.Scheme)
		if strings.TrimSuffix(b.Path, "/") != "/api" || b.Scheme != "http" && b.Scheme != "https" {
			q.Set("base_url", cfg.BaseURL)
		}
	}
	u := url.URL{Scheme: sch, User: url.UserPassword(kind, rest), Host: host, RawQuery: q.Encode()}
	for _, ch := range cfg.Channels {
		ch = strings.TrimSpace(ch)
		u.Path += "/" + ch
		u.RawPath += "/" + url.PathEscape(ch)
	}
	return redact.NewURL(u.String())
}

// hookURL is the URL of an incoming webhook's Config.
func (cfg Config) hookURL(q url.Values) redact.URL {
	w, err := url.Parse(cfg.WebhookURL.Reveal())
	if err != nil {
		return redact.URL{}
	}
	sch := schemes.Form(w.Scheme)
	parts := strings.Split(strings.TrimPrefix(w.Path, "/services/"), "/")
	u := url.URL{Scheme: sch, User: url.UserPassword("hook", strings.Join(parts, "-")), Host: w.Host,
		RawQuery: q.Encode()}
	return redact.NewURL(u.String())
}
