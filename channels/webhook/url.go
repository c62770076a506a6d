package webhook

import (
	"errors"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"

	urlcheck "github.com/outagecast/outagecast/channels/internal/endpoint"
	"github.com/outagecast/outagecast/redact"
)

// URL schemes of the short form: "webhook://" posts over https,
// "webhook+http://" over plain http.
const (
	SchemeHTTPS = "webhook"
	SchemeHTTP  = "webhook+http"
)

// The query parameters the short form keeps for itself; every other one
// belongs to the endpoint's URL. "@Name" sets the header Name.
const (
	paramSecret        = "secret"
	paramPrevious      = "previous_secret"
	paramAllowUnsigned = "allow_unsigned"
	paramConcurrency   = "concurrency"
)

// ParseURL returns the Config of a webhook URL, the short form of a
// Config with one endpoint (see the package documentation, "URL form"):
//
//	webhook://hooks.example.com/outagecast?secret=whsec_…
//	webhook+http://127.0.0.1:8090/in?allow_unsigned=true&@Authorization=Bearer%20tok
//
// It checks the URL's form and the parameters' types; New checks the rest.
// It refuses what a "/", "?" or "#" in a password, not %-escaped, leaves
// of the URL: an empty port, or a port without user information followed
// by an "@" in the path, query (other than a header parameter's own) or
// fragment (write such an "@" %40). Errors name the part of the URL at
// fault and never quote its secrets.
//
// The scheme written in upper case, "WEBHOOK://" or "WEBHOOK+HTTP://",
// gives the endpoint's in upper case, "HTTPS://" or "HTTP://": the
// endpoint's Ledger target derives from its URL's text, and is then the
// one a Config.URL written so gives. In any other case the endpoint's
// scheme is written in lower case.
func ParseURL(raw string) (Config, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return Config{}, errors.New("webhook: URL: does not parse as a URL")
	}
	var scheme string
	switch u.Scheme {
	case SchemeHTTPS:
		scheme = "https"
	case SchemeHTTP:
		scheme = "http"
	default:
		return Config{}, fmt.Errorf("webhook: URL: %s: want %s:// or %s://", urlcheck.SchemePart(raw, u.Scheme), SchemeHTTPS, SchemeHTTP)
	}
	if raw[:len(u.Scheme)] == strings.ToUpper(u.Scheme) { // url.Parse returns the scheme in lower case
		scheme = strings.ToUpper(scheme)
	}
	if u.Host == "" {
		return Config{}, errors.New("webhook: URL: host: missing")
	}
	if err := urlcheck.CutPassword("webhook", u, headerParam); err != nil {
		return Config{}, err
	}
	var cfg Config
	var rest []string // the endpoint's own query, as written
	seen := map[string]bool{}
	var query []string
	if u.RawQuery != "" || u.ForceQuery {
		query = strings.Split(u.RawQuery, "&")
	}
	for _, kv := range query {
		if kv == "" {
			rest = append(rest, kv) // kept as written ("a=1&&b=2")
			continue
		}
		key, val, err := unescapeParam(kv)
		if err != nil {
			return Config{}, err
		}
		own := ownParam(key)
		if own && seen[key] {
			// The last would silently replace the first (a second secret
			// written for previous_secret, say).
			name := key
			if !validHeaderName(strings.TrimPrefix(key, "@")) {
				name = "@…" // without its "=", a value joins the name
			}
			return Config{}, fmt.Errorf("webhook: URL: %s given twice", name)
		}
		seen[key] = true
		switch {
		case key == paramSecret:
			cfg.Secret = redact.NewSecret(val)
		case key == paramPrevious:
			cfg.PreviousSecret = redact.NewSecret(val)
		case key == paramAllowUnsigned:
			if cfg.AllowUnsigned, err = strconv.ParseBool(val); err != nil {
				return Config{}, fmt.Errorf("webhook: URL: %s: want true or false", paramAllowUnsigned)
			}
		case key == paramConcurrency:
			if cfg.Concurrency, err = strconv.Atoi(val); err != nil {
				return Config{}, fmt.Errorf("webhook: URL: %s: want a whole number", paramConcurrency)
			}
		case strings.HasPrefix(key, "@"):
			if cfg.Headers == nil {
				cfg.Headers = map[string]redact.Secret{}
			}
			cfg.Headers[key[1:]] = redact.NewSecret(val)
		default:
			rest = append(rest, kv)
		}
	}
	cfg.URL = redact.NewURL(endpointURL(raw, scheme, rest))
	return cfg, nil
}

// ownParam reports whether key, a query parameter's name unescaped, is
// one the short form keeps for itself: a field of the Config, or "@" and a
// header's name.
func ownParam(key string) bool {
	return strings.HasPrefix(key, "@") ||
		slices.Contains([]string{paramSecret, paramPrevious, paramAllowUnsigned, paramConcurrency}, key)
}

// endpointURL returns the endpoint's URL of raw, a URL of the short form:
// raw as written, with scheme in place of the short form's and query, the
// parameters of raw's query that are the endpoint's own, as the query. It
// does not write the URL again from its parts, which could spell it
// otherwise ("!" in a password as %21, a host outside ASCII %-escaped):
// the endpoint's Ledger target, and with it the webhook-id of each
// update, derives from the URL's text, and must be the one a Config with
// that URL written out (a file's "url:") gives.
func endpointURL(raw, scheme string, query []string) string {
	_, rest, _ := strings.Cut(raw, ":") // as url.Parse reads raw: the scheme, then the fragment, then the query
	rest, frag, hasFrag := strings.Cut(rest, "#")
	rest, _, _ = strings.Cut(rest, "?")
	out := scheme + ":" + rest
	if len(query) > 0 { // [""]: a "?" with nothing after it, as written
		out += "?" + strings.Join(query, "&")
	}
	if hasFrag {
		out += "#" + frag
	}
	return out
}

// ChannelURL returns the short form of c, secrets included, as a
// redact.URL that prints without them; ParseURL turns it back into c. (Other
// channels call this method URL; here Config.URL is the endpoint's.) It is
// the zero URL when c has no URL of its own (Endpoints: a list has no short
// form) or when the URL is not http or https. Name and HTTPClient are not
// part of it. An "@" in the endpoint's path, query or fragment after a
// port, without user information, is written %40, as ParseURL wants it
// (New refuses such a URL with "@": there is no endpoint whose target
// this changes). A scheme written in upper case ("HTTPS://") gives the
// short form's in upper case ("WEBHOOK://"), which ParseURL turns back
// into it; one in mixed case ("Https://") has no short form, as ParseURL
// would spell it otherwise, and give the endpoint another Ledger target.
// Nor has a URL whose own query holds a parameter the short form keeps for
// itself (secret, previous_secret, allow_unsigned, concurrency, or one
// whose name starts with "@") or a bad %-escape, which ParseURL would take
// for the Config's or refuse.
func (c Config) ChannelURL() redact.URL {
	u, err := url.Parse(c.URL.Reveal())
	if c.URL.IsZero() || err != nil || (u.Scheme != "https" && u.Scheme != "http") {
		return redact.URL{}
	}
	scheme := SchemeHTTPS
	if u.Scheme == "http" {
		scheme = SchemeHTTP
	}
	// The URL as written, not written again from its parts: ParseURL
	// returns it so, and the endpoint's Ledger target derives from its
	// text.
	written, rest, _ := strings.Cut(c.URL.Reveal(), ":")
	switch written {
	case u.Scheme:
	case strings.ToUpper(u.Scheme):
		scheme = strings.ToUpper(scheme)
	default:
		return redact.URL{}
	}
	rest, frag, hasFrag := strings.Cut(rest, "#")
	rest, query, hasQuery := strings.Cut(rest, "?")
	if u.User == nil && u.Port() != "" {
		// ParseURL takes an "@" after a port, without user information,
		// for what a password cut short leaves: the same URL, with %40.
		if i := strings.Index(rest, "//"); i >= 0 {
			authority, path := rest[:i+2], rest[i+2:]
			if j := strings.IndexByte(path, '/'); j >= 0 {
				authority, path = authority+path[:j], path[j:]
			} else {
				authority, path = authority+path, ""
			}
			rest = authority + strings.ReplaceAll(path, "@", "%40")
		}
		query = strings.ReplaceAll(query, "@", "%40")
		frag = strings.ReplaceAll(frag, "@", "%40")
	}
	for kv := range strings.SplitSeq(query, "&") {
		// ParseURL would take such a parameter of the endpoint's for a
		// field of the Config, or refuse it: a URL that reads back as
		// another endpoint, which the update would reach under other
		// webhook-ids, if at all.
		if key, _, err := unescapeParam(kv); kv != "" && (err != nil || ownParam(key)) {
			return redact.URL{}
		}
	}
	params := []string{}
	if hasQuery {
		params = append(params, query) // "" too: a "?" with nothing after it
	}
	if !c.Secret.IsZero() {
		params = append(params, paramSecret+"="+escapeParam(c.Secret.Reveal()))
	}
	if !c.PreviousSecret.IsZero() {
		params = append(params, paramPrevious+"="+escapeParam(c.PreviousSecret.Reveal()))
	}
	if c.AllowUnsigned {
		params = append(params, paramAllowUnsigned+"=true")
	}
	if c.Concurrency != 0 {
		params = append(params, paramConcurrency+"="+strconv.Itoa(c.Concurrency))
	}
	for _, k := range slices.Sorted(maps.Keys(c.Headers)) {
		params = append(params, "@"+escapeParam(k)+"="+escapeParam(c.Headers[k].Reveal()))
	}
	out := scheme + ":" + rest
	if len(params) > 0 {
		out += "?" + strings.Join(params, "&")
	}
	if hasFrag {
		out += "#" + frag
	}
	return redact.NewURL(out)
}

// headerParam reports whether rawKey=rawVal, a query parameter as
// written, is a header's ("@Name=value") whose only "@" is the one that
// marks it.
func headerParam(rawKey, rawVal string) bool {
	name, ok := strings.CutPrefix(rawKey, "@")
	return ok && validHeaderName(name) && rawVal != "" && !strings.Contains(rawVal, "@")
}

// unescapeParam splits one "key=value" of a query and unescapes both as a
// path is: "+" stays "+", as it does in a whsec_ secret written as is.
func unescapeParam(kv string) (key, val string, err error) {
	k, v, _ := strings.Cut(kv, "=")
	if key, err = url.PathUnescape(k); err != nil {
		return "", "", errors.New("webhook: URL: query: bad %-escape in a parameter name")
	}
	if val, err = url.PathUnescape(v); err != nil {
		// The value may be a secret: name the parameter only, and only if
		// it is one: a "?" in the endpoint's password or path, not
		// %-escaped, makes the rest of it the query.
		if !urlcheck.QuotableName(key, v) && !(strings.HasPrefix(key, "@") && validHeaderName(key[1:])) {
			return "", "", errors.New(`webhook: URL: query: bad %-escape in a value (a "?" in a password or path is written %3F)`)
		}
		return "", "", fmt.Errorf("webhook: URL: %s: bad %%-escape", key)
	}
	return key, val, nil
}

// escapeParam escapes s for a query value that unescapeParam reads back.
func escapeParam(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}
