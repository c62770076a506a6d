package mastodon

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/outagecast/outagecast/channels/internal/endpoint"
	"github.com/outagecast/outagecast/channels/internal/setup"
	"github.com/outagecast/outagecast/redact"
	"github.com/outagecast/outagecast/templates"
)

// Defaults of Config.
const (
	DefaultName = "mastodon"
	// DefaultMaxCharacters is the limit Preview uses until the instance's
	// own is read, and the one used when the instance publishes none:
	// Mastodon's default.
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
	// Server is the instance's address, as "https://mastodon.social", not
	// a profile's ("https://mastodon.social/@status") nor the API's.
	// Required. It must be https; http is accepted for loopback hosts
	// only, for tests.
	// It must not hold one of the Config's secrets (a plain string, it
	// prints with the Config): they go in their own fields.
	Server string `yaml:"server" json:"server"`
	// Token is the posting account's access token (Preferences,
	// Development, New application) with the scope write:statuses,
	// which is all posting, editing and deleting need (Check passes with
	// it alone). With read:accounts and read:statuses too, a retry finds
	// the status an earlier attempt posted where the instance does not
	// honour the Idempotency-Key (GoToSocial; Mastodon releases that
	// answer a repeated key with 500: see the package doc), and Retract reads a
	// status back to tell a failed deletion from one already done.
	// Required.
	Token redact.Secret `yaml:"token" json:"token"`
	// Visibility of the statuses: Public (the default), Unlisted or
	// Private. Edits keep the status's visibility.
	Visibility Visibility `yaml:"visibility" json:"visibility"`
	// Language is the ISO 639 code of the statuses ("en"), or one of the
	// regional codes Mastodon takes ("zh-CN", "zh-HK", "zh-TW", "zh-YUE"),
	// so that readers filtering by language see them. Akkoma, which takes
	// only two-letter codes, gets the code's first two letters before a
	// "-" ("zh" of "zh-TW"), or no language for a three-letter code.
	// Default: none, the instance guesses.
	Language string `yaml:"language" json:"language"`
	// HTTPClient sends the requests; the channel uses a copy that follows
	// no redirect, so that the token reaches no other host. Default: a
	// client with a 30-second timeout.
	// A given client without a Timeout gets the default's.
	HTTPClient *http.Client `yaml:"-" json:"-"`
	// Templates renders the statuses with its "short" template (and its
	// per-status variants). Default templates.Default().
	Templates *templates.Set `yaml:"-" json:"-"`
}

// validate checks cfg without I/O, adding the fault of each field refused
// to f, and returns the server's address without a trailing slash and the
// channel's name ("" when refused).
func (cfg Config) validate(f *setup.Faults) (server, name string) {
	name, err := setup.Name(pkg, cfg.Name, DefaultName, cfg)
	f.Add(err)
	server, err = endpoint.Base(pkg, "Server", cfg.Server, endpoint.Rules{Example: "https://mastodon.social", Config: cfg})
	if !f.Add(err) {
		if path := pagePath(server); path != "" {
			f.Add(setup.Errorf(pkg, "Server", "has the path %s, an account's or a page's, not the instance's: "+
				"give the instance's address alone, as %q", setup.Quote(path, cfg), "https://mastodon.social"))
		}
	}
	f.Add(setup.Token(pkg, "Token", cfg.Token))
	switch cfg.Visibility {
	case "", Public, Unlisted, Private:
	case "direct":
		f.Add(errors.New(`mastodon: Config.Visibility: "direct" is not supported: use public, unlisted or private`))
	default:
		f.Add(fmt.Errorf("mastodon: Config.Visibility: unknown value %s: want public, unlisted or private",
			setup.Quote(string(cfg.Visibility), cfg)))
	}
	if !validLanguage(cfg.Language) {
		f.Add(fmt.Errorf("mastodon: Config.Language: %s is not an ISO 639 code (two or three lower-case letters) or one of %s",
			setup.Quote(cfg.Language, cfg), strings.Join(regionalLanguages, ", ")))
	}
	return server, name
}

// pagePath returns the path of server when it is an account's or a page's
// of an instance, not an instance's own (which may have a path): a
// profile ("/@status"), the web app's ("/web/…"), an ActivityPub actor's
// ("/users/status") or the API's ("/api/v1"), pasted for the instance's
// address; else "". Requests under such a path all fail with 404.
func pagePath(server string) string {
	u, err := url.Parse(server)
	if err != nil || u.Path == "" {
		return ""
	}
	first, _, _ := strings.Cut(strings.TrimPrefix(u.Path, "/"), "/")
	switch {
	case strings.HasPrefix(first, "@"), first == "api", first == "web", first == "users":
		return u.Path
	}
	return ""
}

// regionalLanguages are the codes with a region that Mastodon takes as a
// status's language, besides ISO 639 ones (its ISO_639_1_REGIONAL).
var regionalLanguages = []string{"zh-CN", "zh-HK", "zh-TW", "zh-YUE"}

// validLanguage accepts "", two or three lower-case ASCII letters (the
// ISO 639-1 and 639-3 codes Mastodon takes) and regionalLanguages.
func validLanguage(s string) bool {
	if s == "" || slices.Contains(regionalLanguages, s) {
		return true
	}
	return (len(s) == 2 || len(s) == 3) && strings.Trim(s, "abcdefghijklmnopqrstuvwxyz") == ""
}

// pkg prefixes the errors of the package.
const pkg = "mastodon"

// schemes of the channel URL form.
const schemes = endpoint.Schemes("mastodon")

// ParseURL reads a channel URL (see the package documentation, # URL
// form) into a Config: mastodon://TOKEN@HOST[:PORT][/PATH]?visibility=…&language=…&name=….
// It checks the URL's form; New checks the values. Errors name the part
// of the URL at fault and never quote the token.
func ParseURL(raw string) (Config, error) {
	u, web, err := schemes.Parse(pkg, raw)
	if err != nil {
		return Config{}, err
	}
	if _, hasPassword := u.User.Password(); u.User == nil || u.User.Username() == "" || hasPassword {
		return Config{}, endpoint.FormErrorf(pkg, "token", "want exactly one token before the @, as mastodon://TOKEN@mastodon.social")
	}
	if u.Fragment != "" {
		return Config{}, endpoint.FormErrorf(pkg, "fragment", "not allowed")
	}
	p, err := endpoint.Params(pkg, u.RawQuery, []string{"visibility", "language", "name"})
	if err != nil {
		return Config{}, err
	}
	return Config{Name: p["name"], Server: web + "://" + u.Host + strings.TrimRight(u.EscapedPath(), "/"),
		Token: redact.NewSecret(u.User.Username()), Visibility: Visibility(p["visibility"]), Language: p["language"]}, nil
}

// URL returns cfg as a channel URL, token included, as a redact.URL that
// prints without it; ParseURL reads it back. HTTPClient and Templates have
// no URL form. An unset or unparsable Server gives the zero URL.
func (cfg Config) URL() redact.URL {
	s, err := url.Parse(cfg.Server)
	if cfg.Server == "" || err != nil || s.Host == "" {
		return redact.URL{}
	}
	u := url.URL{Scheme: schemes.Form(s.Scheme), User: url.User(cfg.Token.Reveal()), Host: s.Host,
		Path: strings.TrimRight(s.Path, "/")}
	q := url.Values{}
	for _, kv := range [][2]string{{"visibility", string(cfg.Visibility)}, {"language", cfg.Language}, {"name", cfg.Name}} {
		if kv[1] != "" {
			q.Set(kv[0], kv[1])
		}
	}
	u.RawQuery = q.Encode()
	return redact.NewURL(u.String())
}
