package twitter

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

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
// It checks the URL's form; New checks the rest. Errors name the part of
// the URL at fault and never quote a credential.
func ParseURL(raw string) (Config, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return Config{}, errors.New("twitter: URL: does not parse as a URL")
	}
	if u.Scheme != Scheme {
		return Config{}, fmt.Errorf("twitter: URL: scheme %q: want %s://", u.Scheme, Scheme)
	}
	if u.Path != "" && u.Path != "/" {
		return Config{}, errors.New("twitter: URL: path: want none (credentials go in the query)")
	}
	var cfg Config
	if u.Host != "" && u.Host != defaultHost {
		cfg.BaseURL = "https://" + u.Host
	}
	for kv := range strings.SplitSeq(u.RawQuery, "&") {
		if kv == "" {
			continue
		}
		rawKey, rawVal, _ := strings.Cut(kv, "=")
		key, err := url.PathUnescape(rawKey)
		if err != nil || !slices.Contains(urlParams, key) {
			return Config{}, fmt.Errorf("twitter: URL: query parameter %q: unknown (known: %s)", rawKey, strings.Join(urlParams, ", "))
		}
		val, err := url.PathUnescape(rawVal)
		if err != nil {
			return Config{}, fmt.Errorf("twitter: URL: %s: bad %%-escape", key)
		}
		switch key {
		case "consumer_key":
			cfg.ConsumerKey = redact.NewSecret(val)
		case "consumer_secret":
			cfg.ConsumerSecret = redact.NewSecret(val)
		case "access_token":
			cfg.AccessToken = redact.NewSecret(val)
		case "access_secret":
			cfg.AccessSecret = redact.NewSecret(val)
		case "base_url":
			cfg.BaseURL = val
		}
	}
	return cfg, nil
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
