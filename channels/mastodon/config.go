package mastodon

import (
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"strings"

	"github.com/outagecast/outagecast/redact"
	"github.com/outagecast/outagecast/templates"
)

// Defaults of Config.
const (
	DefaultName = "mastodon"
	// DefaultMaxCharacters is the limit used until the instance's own is
	// read, and when /api/v2/instance cannot be read: Mastodon's default.
	DefaultMaxCharacters = 500
	// DefaultCharactersPerURL is what a URL counts until the instance says
	// otherwise: Mastodon's characters_reserved_per_url.
	DefaultCharactersPerURL = 23
)

// Visibility is who sees a status, as Mastodon names it.
type Visibility string

// The visibilities a Channel can post with. Direct messages are not
// supported: an incident update is not a private mention.
const (
	// Public: everyone, in public timelines too. The default.
	Public Visibility = "public"
	// Unlisted: everyone, but not in public timelines or search.
	Unlisted Visibility = "unlisted"
	// Private: the account's followers only.
	Private Visibility = "private"
)

// Config configures a Channel. It prints, logs and encodes without its
// token (a redact.Secret). The yaml and json tags are the keys of the
// announce configuration.
type Config struct {
	// Name is the channel's name in a Broadcaster and the key of its entry
	// in Update.Overrides. Default "mastodon".
	Name string `yaml:"name" json:"name"`
	// Server is the instance's address, as "https://mastodon.social".
	// Required. It must be https; http is accepted for loopback hosts
	// only, for tests.
	Server string `yaml:"server" json:"server"`
	// Token is the posting account's access token (Preferences,
	// Development, New application) with the scopes write:statuses and,
	// for Check, read:accounts. Required.
	Token redact.Secret `yaml:"token" json:"token"`
	// Visibility of the statuses: Public (the default), Unlisted or
	// Private. Edits keep the status's visibility.
	Visibility Visibility `yaml:"visibility" json:"visibility"`
	// Language is the ISO 639 code of the statuses ("en"), so that readers
	// filtering by language see them. Default: none, the instance guesses.
	Language string `yaml:"language" json:"language"`
	// HTTPClient sends the requests; the channel uses a copy that follows
	// no redirect, so that the token reaches no other host. Default: a
	// client with a 30-second timeout.
	HTTPClient *http.Client `yaml:"-" json:"-"`
	// Templates renders the statuses with its "short" template (and its
	// per-status variants). Default templates.Default().
	Templates *templates.Set `yaml:"-" json:"-"`
}

// validate checks cfg without I/O and returns the server's address without
// a trailing slash.
func (cfg Config) validate() (string, error) {
	if strings.TrimSpace(cfg.Name) != cfg.Name {
		return "", errors.New("mastodon: Config.Name: leading or trailing white space")
	}
	server, err := parseServer(cfg.Server)
	if err != nil {
		return "", err
	}
	switch tok := cfg.Token.Reveal(); {
	case tok == "":
		return "", errors.New("mastodon: Config.Token: missing")
	case strings.TrimSpace(tok) != tok || strings.ContainsAny(tok, " \t\r\n"):
		return "", errors.New("mastodon: Config.Token: contains white space")
	}
	switch cfg.Visibility {
	case "", Public, Unlisted, Private:
	case "direct":
		return "", errors.New(`mastodon: Config.Visibility: "direct" is not supported: use public, unlisted or private`)
	default:
		return "", fmt.Errorf("mastodon: Config.Visibility: unknown value %q: want public, unlisted or private", string(cfg.Visibility))
	}
	if !validLanguage(cfg.Language) {
		return "", fmt.Errorf("mastodon: Config.Language: %q is not an ISO 639 code (two or three lower-case letters)", cfg.Language)
	}
	return server, nil
}

// validLanguage accepts "" and two or three lower-case ASCII letters, the
// ISO 639-1 and 639-3 codes Mastodon takes.
func validLanguage(s string) bool {
	if s == "" {
		return true
	}
	return (len(s) == 2 || len(s) == 3) && strings.Trim(s, "abcdefghijklmnopqrstuvwxyz") == ""
}

// parseServer checks the instance's address and returns it without a
// trailing slash.
func parseServer(raw string) (string, error) {
	bad := func(problem string) error { return fmt.Errorf("mastodon: Config.Server: %s", problem) }
	if raw == "" {
		return "", bad(`missing (the instance's address, as "https://mastodon.social")`)
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return "", bad("not a URL")
	case u.User != nil:
		return "", bad("must not hold credentials (the token goes in Config.Token)")
	case u.Scheme != "https" && u.Scheme != "http" || u.Host == "":
		return "", bad(`not an absolute https URL, as "https://mastodon.social"`)
	case u.Scheme == "http" && !isLoopback(u.Hostname()):
		return "", bad("must use https (http only for a loopback host)")
	case u.RawQuery != "" || u.Fragment != "" || u.ForceQuery:
		return "", bad("must not have a query or fragment")
	}
	return strings.TrimRight(u.String(), "/"), nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.IsLoopback()
}

// URL schemes of the channel URL form.
const (
	schemeHTTPS = "mastodon"
	schemeHTTP  = "mastodon+http"
)

// ParseURL reads a channel URL (see the package documentation, # URL
// form) into a Config: mastodon://TOKEN@HOST[:PORT][/PATH]?visibility=…&language=…&name=….
// It checks the URL's form; New checks the values. Errors name the part
// of the URL at fault and never quote the token.
func ParseURL(raw string) (Config, error) {
	bad := func(part, problem string) error { return fmt.Errorf("mastodon: URL: %s: %s", part, problem) }
	u, err := url.Parse(raw)
	if err != nil {
		return Config{}, errors.New("mastodon: URL: does not parse")
	}
	var cfg Config
	switch strings.ToLower(u.Scheme) {
	case schemeHTTPS:
		cfg.Server = "https://" + u.Host
	case schemeHTTP:
		cfg.Server = "http://" + u.Host
	default:
		return Config{}, bad("scheme", "want mastodon:// (or mastodon+http:// for a loopback test server)")
	}
	if u.Host == "" {
		return Config{}, bad("host", "missing (the instance, as mastodon://TOKEN@mastodon.social)")
	}
	if _, hasPassword := u.User.Password(); u.User == nil || u.User.Username() == "" || hasPassword {
		return Config{}, bad("token", "want exactly one token before the @, as mastodon://TOKEN@mastodon.social")
	}
	cfg.Token = redact.NewSecret(u.User.Username())
	cfg.Server += strings.TrimRight(u.EscapedPath(), "/")
	if u.Fragment != "" {
		return Config{}, bad("fragment", "not allowed")
	}
	if err := cfg.setQuery(u.Query()); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// setQuery reads the query parameters of a channel URL.
func (cfg *Config) setQuery(q url.Values) error {
	for key, values := range q {
		if len(values) != 1 {
			return fmt.Errorf("mastodon: URL: query: %q given %d times", key, len(values))
		}
		switch key {
		case "visibility":
			cfg.Visibility = Visibility(values[0])
		case "language":
			cfg.Language = values[0]
		case "name":
			cfg.Name = values[0]
		default:
			return fmt.Errorf("mastodon: URL: query: unknown parameter %q (want visibility, language or name)", key)
		}
	}
	return nil
}

// URL returns cfg as a channel URL, token included, as a redact.URL that
// prints without it; ParseURL reads it back. HTTPClient and Templates have
// no URL form. An unset or unparsable Server gives the zero URL.
func (cfg Config) URL() redact.URL {
	s, err := url.Parse(cfg.Server)
	if cfg.Server == "" || err != nil || s.Host == "" {
		return redact.URL{}
	}
	u := url.URL{Scheme: schemeHTTPS, User: url.User(cfg.Token.Reveal()), Host: s.Host,
		Path: strings.TrimRight(s.Path, "/")}
	if s.Scheme == "http" {
		u.Scheme = schemeHTTP
	}
	q := url.Values{}
	for _, kv := range [][2]string{{"visibility", string(cfg.Visibility)}, {"language", cfg.Language}, {"name", cfg.Name}} {
		if kv[1] != "" {
			q.Set(kv[0], kv[1])
		}
	}
	u.RawQuery = q.Encode()
	return redact.NewURL(u.String())
}
