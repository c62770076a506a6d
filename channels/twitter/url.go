package twitter

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/outagecast/outagecast/channels/internal/endpoint"
	"github.com/outagecast/outagecast/redact"
)

// Scheme is the URL scheme of the short form.
const Scheme = "x"

// defaultHost is the host of DefaultBaseURL.
const defaultHost = "api.x.com"

// urlParams are the query parameters of the short form, in the order URL
// writes them.
var urlParams = []string{"consumer_key", "consumer_secret", "access_token", "access_secret", "base_url"}

// ParseURL returns the Config of an X URL (see the package documentation,
// "URL form"):
//
//	x://api.x.com?consumer_key=…&consumer_secret=…&access_token=…&access_secret=…
//
// It checks the URL's form, and base_url as New would (a credential
// there would print with the Config); New checks the rest. User information
// ("x://name:password@host") and a fragment (an unescaped "#") are
// refused, not dropped. Errors name the part of the URL at fault and
// never quote a credential.
func ParseURL(raw string) (Config, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return Config{}, errors.New("twitter: URL: does not parse as a URL")
	}
	if u.Scheme != Scheme {
		return Config{}, fmt.Errorf("twitter: URL: %s: want %s://", endpoint.SchemePart(raw, u.Scheme), Scheme)
	}
	switch {
	case u.User != nil: // a credential there would be dropped, and the host after "@" taken
		return Config{}, errors.New("twitter: URL: user information: not allowed (credentials go in the query)")
	case u.Path != "" && u.Path != "/":
		return Config{}, errors.New("twitter: URL: path: want none (credentials go in the query)")
	case u.Fragment != "" || strings.Contains(raw, "#"): // it would cut a secret short
		return Config{}, errors.New(`twitter: URL: fragment: not allowed (escape a "#" in a value as %23)`)
	}
	var cfg Config
	if u.Host != "" && u.Host != defaultHost {
		cfg.BaseURL = "https://" + u.Host
	}
	// Beside its error, LiteralParams returns the parameters that
	// passed: base_url's fault is named with the query's.
	p, err := endpoint.LiteralParams(pkg, u.RawQuery, urlParams)
	cfg.ConsumerKey, cfg.ConsumerSecret = secret(p, "consumer_key"), secret(p, "consumer_secret")
	cfg.AccessToken, cfg.AccessSecret = secret(p, "access_token"), secret(p, "access_secret")
	if base, ok := p["base_url"]; ok {
		// Checked here too: a credential in it would print with the
		// Config, where BaseURL is a plain string.
		if _, berr := endpoint.Base(pkg, "BaseURL", base, endpoint.Rules{Default: DefaultBaseURL, Config: cfg}); berr != nil {
			err = errors.Join(err, endpoint.PartError(pkg, "query base_url", berr))
		}
		cfg.BaseURL = base
	}
	if err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// secret returns the parameter key of p as a secret; the zero Secret when
// it is not given.
func secret(p map[string]string, key string) redact.Secret {
	if v, ok := p[key]; ok {
		return redact.NewSecret(v)
	}
	return redact.Secret{}
}

// URL returns the short form of c, its credentials included, as a
// redact.URL that prints without them; ParseURL turns it back into c. The
// host is BaseURL's (DefaultBaseURL's when BaseURL is empty); a BaseURL
// that is not "https://HOST" goes in the base_url parameter. Name,
// TokenSource, HTTPClient and Templates are not part of it: OAuth 2.0 needs
// the full Config.
func (c Config) URL() redact.URL {
	u := url.URL{Scheme: Scheme, Host: defaultHost}
	var q []string
	add := func(key, val string) {
		if val != "" {
			q = append(q, key+"="+strings.ReplaceAll(url.QueryEscape(val), "+", "%20"))
		}
	}
	add("consumer_key", c.ConsumerKey.Reveal())
	add("consumer_secret", c.ConsumerSecret.Reveal())
	add("access_token", c.AccessToken.Reveal())
	add("access_secret", c.AccessSecret.Reveal())
	if c.BaseURL != "" {
		b, err := url.Parse(c.BaseURL)
		if err == nil && b.Host != "" {
			u.Host = b.Host
		}
		if err != nil || c.BaseURL != "https://"+b.Host || b.Host == defaultHost {
			add("base_url", c.BaseURL)
		}
	}
	u.RawQuery = strings.Join(q, "&")
	return redact.NewURL(u.String())
}
