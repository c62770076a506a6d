package matrix

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/outagecast/outagecast/channels/internal/endpoint"
	"github.com/outagecast/outagecast/channels/internal/setup"
	"github.com/outagecast/outagecast/redact"
)

// schemes of the URL form: matrix for the homeserver over https,
// matrix+http over plain http (loopback only).
const schemes = endpoint.Schemes("matrix")

// ParseURL returns the Config a channel URL describes (see the package
// documentation's "URL form"), as in
// "matrix://:TOKEN@matrix.example.org/?rooms=!abc:example.org,%23ops:example.org".
// It does not validate the Config beyond what the URL must hold (and a
// path without the access token, which would print with the Config); New
// does.
// Errors name the part of the URL at fault and never quote the URL.
func ParseURL(raw string) (Config, error) {
	u, web, err := schemes.Parse(pkg, raw)
	if err != nil {
		return Config{}, err
	}
	cfg := Config{Homeserver: web + "://" + u.Host + strings.TrimRight(u.EscapedPath(), "/")}
	token, ok := u.User.Password()
	if !ok {
		token = u.User.Username() // "matrix://TOKEN@host" is accepted too
	}
	if token == "" {
		return Config{}, errors.New("matrix: URL: user information: no access token")
	}
	cfg.AccessToken = redact.NewSecret(token)
	if at := endpoint.SecretField(cfg.Homeserver, cfg); at != "" {
		// Checked here: the Config, where Homeserver is a plain
		// string, would print with it.
		return Config{}, endpoint.FormErrorf(pkg, "host and path", "%s", endpoint.SecretProblem(at))
	}
	if u.Fragment != "" {
		return Config{}, errors.New("matrix: URL: fragment: not allowed (escape the \"#\" of an alias as %23)")
	}
	if err := cfg.parseQuery(u.RawQuery); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// parseQuery sets the Config's rooms, name and notice from a URL's raw
// query. Rooms are split at "," before unescaping, so that "%2C" is a comma
// within a room.
func (cfg *Config) parseQuery(raw string) error {
	for _, pair := range strings.Split(raw, "&") {
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		key, err := url.QueryUnescape(k)
		if err != nil {
			return errors.New("matrix: URL: query: a parameter name does not parse")
		}
		if err := cfg.setParam(key, v); err != nil {
			return err
		}
	}
	if len(cfg.Rooms) == 0 {
		return errors.New("matrix: URL: query rooms: missing")
	}
	return nil
}

// setParam sets the query parameter key to the raw (escaped) value v.
func (cfg *Config) setParam(key, v string) error {
	if key == "rooms" {
		for _, r := range strings.Split(v, ",") {
			room, err := url.QueryUnescape(r)
			if err != nil {
				return errors.New("matrix: URL: query rooms: does not parse")
			}
			if room = strings.TrimSpace(room); room != "" {
				cfg.Rooms = append(cfg.Rooms, room)
			}
		}
		return nil
	}
	value, err := url.QueryUnescape(v)
	if err != nil {
		return fmt.Errorf("matrix: URL: query %s: does not parse", key)
	}
	switch key {
	case "name":
		if value == "" {
			return errors.New("matrix: URL: query name: empty (write the channel's name, or leave name out for the default)")
		}
		cfg.Name = value
	case "notice":
		if cfg.Notice, err = endpoint.ParseBool(value); err != nil {
			return fmt.Errorf("matrix: URL: query notice: %w", err)
		}
	default:
		// Quoted unless it may be a secret: the token, its "name=" left out.
		return fmt.Errorf("matrix: URL: query: unknown parameter %s (want rooms, name or notice)", setup.Quote(key, *cfg))
	}
	return nil
}

// URL returns the channel URL of c, the access token included, as a
// redact.URL, which prints without it; ParseURL reads it back. Templates
// and HTTPClient have no place in it. A Homeserver that does not parse
// gives "".
func (c Config) URL() redact.URL {
	h, err := url.Parse(c.Homeserver)
	if err != nil || h.Host == "" {
		return redact.URL{}
	}
	u := url.URL{Scheme: schemes.Form(h.Scheme), Host: h.Host, Path: strings.TrimRight(h.Path, "/"),
		RawPath: strings.TrimRight(h.RawPath, "/"), User: url.UserPassword("", c.AccessToken.Reveal())}
	if u.Path == "" {
		u.Path = "/"
	}
	rooms := make([]string, len(c.Rooms))
	for i, r := range c.Rooms {
		rooms[i] = queryEscape(strings.TrimSpace(r))
	}
	u.RawQuery = "rooms=" + strings.Join(rooms, ",")
	if c.Name != "" {
		u.RawQuery += "&name=" + queryEscape(c.Name)
	}
	if c.Notice {
		u.RawQuery += "&notice=yes"
	}
	return redact.NewURL(u.String())
}

// queryEscape escapes s for a query value, leaving the "!", ":" and "@"
// of room IDs readable; "," is escaped, as it separates rooms.
func queryEscape(s string) string {
	return strings.NewReplacer("%21", "!", "%3A", ":", "%40", "@").Replace(url.QueryEscape(s))
}
