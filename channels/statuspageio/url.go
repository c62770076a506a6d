package statuspageio

import (
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/outagecast/outagecast/channels/internal/endpoint"
	"github.com/outagecast/outagecast/channels/internal/setup"
	"github.com/outagecast/outagecast/redact"
)

// scheme is the scheme of a channel URL.
const scheme = "statuspageio"

// urlErr is an error about a part of a channel URL. It never quotes the
// URL, which holds the API key.
func urlErr(part, format string, args ...any) error {
	return endpoint.FormErrorf(pkg, part, format, args...)
}

// ParseURL returns the Config of a channel URL (see the package
// documentation's "URL form"), checked as New checks it. Errors name the
// part of the URL at fault and never quote the API key.
func ParseURL(raw string) (Config, error) {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return Config{}, errors.New("statuspageio: URL: does not parse")
	case u.Scheme != scheme:
		return Config{}, urlErr("scheme", "want %s://<api key>@<page id>", scheme)
	case u.User == nil || u.User.Username() == "":
		return Config{}, urlErr("user information", "missing (the API key)")
	case u.Path != "" && u.Path != "/" || u.Fragment != "" || u.Opaque != "":
		return Config{}, urlErr("path", "want none, as in %s://<api key>@<page id>", scheme)
	}
	if _, set := u.User.Password(); set {
		return Config{}, urlErr("user information", "want the API key alone, without ':'")
	}
	cfg := Config{APIKey: redact.NewSecret(u.User.Username()), PageID: u.Host}
	if err := cfg.parseQuery(u.RawQuery); err != nil {
		return Config{}, err
	}
	if err := setup.Token(pkg, "APIKey", cfg.APIKey); err != nil {
		return Config{}, urlErr("user information", "the API key holds white space or a character outside ASCII")
	}
	if err := checkPageID(cfg.PageID, cfg); err != nil {
		return Config{}, urlErr("host", "want the page id (ASCII letters and digits)")
	}
	if err := cfg.validate(); err != nil {
		var faults []error // a line each
		for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
			faults = append(faults, urlErr("query", "%v", strings.TrimPrefix(e.Error(), "statuspageio: ")))
		}
		return Config{}, errors.Join(faults...)
	}
	return cfg, nil
}

// params are the query parameters of a channel URL.
var params = []string{"name", "notify", "maintenance_window", "rate_limit", "base_url"}

// parseQuery reads the query's parameters into cfg.
func (cfg *Config) parseQuery(q string) error {
	p, err := endpoint.Params(pkg, q, params)
	if p == nil {
		return err
	}
	return errors.Join(err, endpoint.SetParams(pkg, p, cfg.setParam))
}

func (cfg *Config) setParam(k, v string) error {
	var err error
	switch k {
	case "name":
		cfg.Name = v
	case "notify":
		var on bool
		on, err = endpoint.ParseBool(v)
		cfg.SkipNotifications = !on
	case "maintenance_window":
		cfg.MaintenanceWindow, err = time.ParseDuration(v)
		if err != nil || cfg.MaintenanceWindow <= 0 {
			return errors.New(`want a positive duration, as "90m"`)
		}
	case "rate_limit":
		cfg.RateLimit, err = strconv.ParseFloat(v, 64)
		if err != nil || !(cfg.RateLimit > 0) { // NaN too
			return errors.New("want a positive number of requests a second")
		}
	case "base_url":
		cfg.BaseURL = v
	}
	return err
}

// URL returns the channel URL of cfg (see the package documentation's "URL
// form"), API key included, as a redact.URL, which prints without it.
// Parameters at their defaults are left out.
func (cfg Config) URL() redact.URL {
	q := url.Values{}
	set := func(k, v string, on bool) {
		if on {
			q.Set(k, v)
		}
	}
	set("name", cfg.Name, cfg.Name != "")
	set("notify", "no", cfg.SkipNotifications)
	set("maintenance_window", cfg.MaintenanceWindow.String(), cfg.MaintenanceWindow != 0)
	set("rate_limit", strconv.FormatFloat(cfg.RateLimit, 'g', -1, 64), cfg.RateLimit != 0)
	set("base_url", cfg.BaseURL, cfg.BaseURL != "")
	u := url.URL{Scheme: scheme, User: url.User(cfg.APIKey.Reveal()), Host: cfg.PageID, RawQuery: q.Encode()}
	return redact.NewURL(u.String())
}
