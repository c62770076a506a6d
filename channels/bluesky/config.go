package bluesky

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"golang.org/x/text/language"

	"github.com/outagecast/outagecast/channels/internal/endpoint"
	"github.com/outagecast/outagecast/channels/internal/setup"
	"github.com/outagecast/outagecast/redact"
	"github.com/outagecast/outagecast/templates"
)

// Defaults of Config.
const (
	DefaultName = "bluesky"
	// DefaultService is Bluesky's own server, which hands each account's
	// requests to the account's PDS.
	DefaultService = "https://bsky.social"
)

// maxLangs is how many languages a post may declare.
const maxLangs = 3

// Config configures a Channel. It prints, logs and encodes without its
// app password (a redact.Secret). The yaml and json tags are the keys of
// the announce configuration.
type Config struct {
	// Name is the channel's name in a Broadcaster and the key of its entry
	// in Update.Overrides. Default "bluesky".
	Name string `yaml:"name" json:"name"`
	// Service is the account's server: its PDS, or the entryway
	// DefaultService for accounts hosted by Bluesky; not bsky.app (the
	// web app) nor the AppView's api.bsky.app, which hold no account. It
	// must be https; http is accepted for loopback hosts only, for tests.
	// It must not hold one of the Config's secrets (a plain string, it
	// prints with the Config): they go in their own fields.
	Service string `yaml:"service" json:"service"`
	// Identifier is the posting account's handle ("status.example.com",
	// without the "@" the app shows before it), DID or e-mail address.
	// Required. The handle is written whole, with its domain
	// ("status.bsky.social", not "status", which the app's login form
	// completes and the server does not).
	Identifier string `yaml:"identifier" json:"identifier"`
	// AppPassword is an app password of the account (Settings, Privacy and
	// security, App passwords), as "abcd-efgh-ijkl-mnop". Required. The
	// account's own password works too, but an app password can be
	// revoked alone and cannot change the account. One line: New refuses
	// white space around it and a control character in it (two lines of a
	// credentials file pasted as one value).
	AppPassword redact.Secret `yaml:"app_password" json:"app_password"`
	// Languages are the BCP 47 tags of the posts' language ("en", "pt-BR"),
	// at most 3, so that readers' language filters find them. Default:
	// none.
	Languages []string `yaml:"languages" json:"languages"`
	// HTTPClient sends the requests; the channel uses a copy that follows
	// no redirect, so that no credential reaches another host. Default: a
	// client with a 30-second timeout.
	// A given client without a Timeout gets the default's.
	HTTPClient *http.Client `yaml:"-" json:"-"`
	// Templates renders the posts with its "short" template (and its
	// per-status variants). Default templates.Default().
	Templates *templates.Set `yaml:"-" json:"-"`
}

// validate checks cfg without I/O, adding the fault of each field refused
// to f, and returns the service's address without a trailing slash and
// the channel's name ("" when refused).
func (cfg Config) validate(f *setup.Faults) (service, name string) {
	name, err := setup.Name(pkg, cfg.Name, DefaultName, cfg)
	f.Add(err)
	service, err = parseService(cfg.Service, cfg)
	f.Add(err) // service is then "": checkIdentifier's example is then a domain of its own
	switch {
	case cfg.Identifier == "":
		f.Add(errors.New(`bluesky: Config.Identifier: missing (the account's handle, as "status.example.com", or its DID)`))
	case strings.ContainsAny(cfg.Identifier, " \t\r\n"):
		f.Add(errors.New("bluesky: Config.Identifier: contains white space"))
	case strings.HasPrefix(cfg.Identifier, "@"):
		// The server would look "@handle" up as an e-mail address.
		f.Add(errors.New(`bluesky: Config.Identifier: starts with "@": write the handle without it, as "status.example.com"`))
	default:
		f.Add(checkIdentifier(cfg, service))
	}
	if cfg.AppPassword.IsZero() {
		f.Add(errors.New("bluesky: Config.AppPassword: missing"))
	} else {
		// The server would refuse every login as "Invalid identifier or
		// password", naming no field.
		f.Add(setup.Line("bluesky", "AppPassword", "a password is", cfg.AppPassword))
	}
	if len(cfg.Languages) > maxLangs {
		f.Add(fmt.Errorf("bluesky: Config.Languages: %d languages, more than %d", len(cfg.Languages), maxLangs))
	}
	for i, l := range cfg.Languages {
		f.Add(checkLanguage(i, l, cfg))
	}
	return service, name
}

// checkLanguage checks l, Config.Languages[i] of cfg.
func checkLanguage(i int, l string, cfg Config) error {
	_, err := language.Parse(l)
	if _, unknown := errors.AsType[language.ValueError](err); unknown {
		return fmt.Errorf("bluesky: Config.Languages[%d]: %s is a well-formed BCP 47 tag, but of no language known", i, setup.Quote(l, cfg))
	}
	switch {
	case err != nil || l == "":
		return fmt.Errorf("bluesky: Config.Languages[%d]: %s is not a BCP 47 language tag", i, setup.Quote(l, cfg))
	case strings.Contains(l, "_"):
		// language.Parse reads "en_US" as en-US; the server checks the
		// tag as written, and would refuse every post.
		return fmt.Errorf("bluesky: Config.Languages[%d]: %s is not a BCP 47 language tag: write \"-\", as %s",
			i, setup.Quote(l, cfg), setup.Quote(strings.ReplaceAll(l, "_", "-"), cfg))
	}
	return nil
}

// Syntax of the identifiers the server looks an account up by, from the
// AT Protocol's handle and DID specifications.
var (
	handlePattern = regexp.MustCompile(`^([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$`)
	didPattern    = regexp.MustCompile(`^did:[a-z]+:[a-zA-Z0-9._:%-]*[a-zA-Z0-9._-]$`)
)

// maxHandle is the longest handle, in bytes.
const maxHandle = 253

// checkIdentifier checks cfg.Identifier as identifierProblem does, and
// never quotes in its error an identifier that is an app password (the
// form Bluesky gives them, "abcd-efgh-ijkl-mnop") or Config.AppPassword
// itself: Config.Identifier and Config.AppPassword given the other's
// value, or the password in both.
func checkIdentifier(cfg Config, service string) error {
	id := cfg.Identifier
	err := identifierProblem(cfg, service)
	if err != nil && (id == cfg.AppPassword.Reveal() || appPassword.MatchString(id)) {
		return setup.Errorf(pkg, "Identifier", "holds an app password, not the account's handle, DID or e-mail address: "+
			"give the handle (as %q) in Identifier, and the app password in AppPassword", "status.example.com")
	}
	return err
}

// appPassword is the form of the app passwords Bluesky makes.
var appPassword = regexp.MustCompile(`^[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}$`)

// identifierProblem checks that id is a DID, an e-mail address (with
// something on both sides of its "@") or a handle, which is a domain name:
// the server takes anything else for an account that does not exist, and
// refuses the login as "Invalid identifier or password", as if the
// password were wrong. service is the server the channel logs in at. Its
// errors quote id as setup.Quote does, never a secret of cfg.
func identifierProblem(cfg Config, service string) error {
	id := cfg.Identifier
	switch at := strings.LastIndexByte(id, '@'); {
	case strings.HasPrefix(id, "did:"):
		if !didPattern.MatchString(id) {
			// Not quoted: a DID holds ":", as "user:password" does.
			return setup.Errorf(pkg, "Identifier", `starts with "did:", but is no whole DID: write it whole, as %q`, "did:plc:ewvi7nxzyoun6zhxrhs64oiz")
		}
		return nil
	case at > 0 && at < len(id)-1:
		return nil // an e-mail address
	case at < 0 && len(id) <= maxHandle && handlePattern.MatchString(id):
		return nil
	case at < 0 && !strings.Contains(id, ".") && handlePattern.MatchString(id+".bsky.social"):
		// The app's login form adds the server's domain to a bare name;
		// the server does not.
		whole := id + ".example.com"
		if service == DefaultService {
			whole = id + ".bsky.social"
		}
		return setup.Errorf(pkg, "Identifier", "%s is not a handle, DID or e-mail address: write the handle whole, with its domain, as %s",
			setup.Quote(id, cfg), setup.Quote(whole, cfg))
	}
	return setup.Errorf(pkg, "Identifier", "%s is not a handle, DID or e-mail address: write the handle alone, as %q", setup.Quote(id, cfg), "status.example.com")
}

// parseService checks the service's address, which must not hold a
// secret of cfg, and returns it without a trailing slash; "" is
// DefaultService.
func parseService(raw string, cfg Config) (string, error) {
	base, err := endpoint.Base(pkg, "Service", raw, endpoint.Rules{Default: DefaultService, Example: DefaultService, Config: cfg})
	if err != nil {
		return "", err
	}
	u, _ := url.Parse(base) // checked
	if u.Path != "" {
		return "", setup.Errorf(pkg, "Service", "must not have a path (the XRPC methods live under /xrpc/ of the host)")
	}
	// The web app's address, and that of the AppView in Bluesky's API
	// documentation, answer no login: not the server of any account.
	if host := strings.TrimSuffix(strings.ToLower(u.Hostname()), "."); host == "bsky.app" || strings.HasSuffix(host, ".bsky.app") {
		return "", setup.Errorf(pkg, "Service", "%s is Bluesky's web app or its AppView, which hold no account: "+
			"leave Service empty (or %q) for an account Bluesky hosts, else give its PDS", host, DefaultService)
	}
	return base, nil
}

// pkg prefixes the errors of the package.
const pkg = "bluesky"

// schemes of the channel URL form.
const schemes = endpoint.Schemes("bluesky")

// ParseURL reads a channel URL (see the package documentation, # URL
// form) into a Config:
// bluesky://IDENTIFIER:APP-PASSWORD@SERVICE-HOST?lang=en&name=…. It
// checks the URL's form; New checks the values. Errors name the part of
// the URL at fault and never quote the password.
func ParseURL(raw string) (Config, error) {
	u, web, err := schemes.Parse(pkg, raw)
	if err != nil {
		return Config{}, err
	}
	pw, ok := u.User.Password()
	switch {
	case u.User == nil || u.User.Username() == "" || !ok || pw == "":
		return Config{}, endpoint.FormErrorf(pkg, "credentials",
			"want IDENTIFIER:APP-PASSWORD before the @, as bluesky://status.example.com:APP-PASSWORD@bsky.social")
	case strings.Trim(u.Path, "/") != "":
		return Config{}, endpoint.FormErrorf(pkg, "path", "not allowed")
	case u.Fragment != "":
		return Config{}, endpoint.FormErrorf(pkg, "fragment", "not allowed")
	}
	p, err := endpoint.Params(pkg, u.RawQuery, []string{"lang", "name"}, "lang")
	if err != nil {
		return Config{}, err
	}
	cfg := Config{Name: p["name"], Service: web + "://" + u.Host, Identifier: u.User.Username(), AppPassword: redact.NewSecret(pw)}
	if langs, ok := p["lang"]; ok {
		cfg.Languages = strings.Split(langs, ",")
	}
	return cfg, nil
}

// URL returns cfg as a channel URL, app password included, as a redact.URL
// that prints without it; ParseURL reads it back. The service is always
// written, DefaultService too; HTTPClient and Templates have no URL form.
// An unparsable Service gives the zero URL.
func (cfg Config) URL() redact.URL {
	s, err := url.Parse(cfg.Service)
	if cfg.Service == "" {
		s, err = url.Parse(DefaultService)
	}
	if err != nil || s.Host == "" {
		return redact.URL{}
	}
	u := url.URL{Scheme: schemes.Form(s.Scheme), User: url.UserPassword(cfg.Identifier, cfg.AppPassword.Reveal()), Host: s.Host}
	q := url.Values{}
	if len(cfg.Languages) > 0 {
		q.Set("lang", strings.Join(cfg.Languages, ","))
	}
	if cfg.Name != "" {
		q.Set("name", cfg.Name)
	}
	u.RawQuery = q.Encode()
	return redact.NewURL(u.String())
}
