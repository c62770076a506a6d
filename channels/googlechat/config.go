package googlechat

import (
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/outagecast/outagecast/channels/internal/endpoint"
	"github.com/outagecast/outagecast/channels/internal/setup"
	"github.com/outagecast/outagecast/redact"
	"github.com/outagecast/outagecast/templates"
)

// DefaultName is the channel's name when Config.Name is empty.
const DefaultName = "googlechat"

// Config configures a Channel. It prints, logs and encodes without the
// webhook's key and token.
type Config struct {
	// Name of the channel; default "googlechat".
	Name string `yaml:"name" json:"name"`
	// WebhookURL is the incoming webhook's URL as Google Chat gives it:
	// https://chat.googleapis.com/v1/spaces/{space}/messages?key=…&token=….
	// Required. Its key and token are credentials, so it prints as
	// "https://chat.googleapis.com/…?…". Requests go to its host (a test
	// server, say). It must be https; http is accepted for loopback hosts
	// only.
	WebhookURL redact.URL `yaml:"webhook_url" json:"webhook_url"`
	// NoCard sends the text alone, without the status card.
	NoCard bool `yaml:"no_card" json:"no_card"`
	// Templates renders the message text with its "googlechat" template
	// (see TextTemplate), added to the set when it has none. Default:
	// templates.Default().
	Templates *templates.Set `yaml:"-" json:"-"`
	// HTTPClient sends the requests; the channel uses a copy that follows
	// no redirect. Default: a client of its own with 15s per request.
	// A given client without a Timeout gets the default's.
	HTTPClient *http.Client `yaml:"-" json:"-"`
}

// webhook is a parsed Config.WebhookURL.
type webhook struct {
	scheme, host string
	space        string // the space's id, as in spaces/{space}
	key, token   string
}

// setByChannel are the query parameters the channel sets itself.
var setByChannel = []string{"threadKey", "messageReplyOption", "messageId", "requestId"}

// paramName is what an unknown query parameter's name must look like to
// be quoted in an error: a word short of a key's or a token's length
// (Google's key has 39 characters, a token 44). It must have a value too:
// the rest of a key or token after a "&" not %-escaped is a name alone.
var paramName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_.-]{0,23}$`)

var spacePath = regexp.MustCompile(`^/v1/spaces/([A-Za-z0-9_-]+)/messages$`)

// pkg prefixes the errors of the package.
const pkg = "googlechat"

// fieldErr is an error of New about one field of the Config: a
// *setup.Error, which ParseURL restates for the URL form.
func fieldErr(field, format string, args ...any) error {
	return setup.Errorf(pkg, field, format, args...)
}

// parseWebhook checks raw, a webhook URL, without quoting it: it holds the
// key and the token.
func parseWebhook(raw string) (webhook, error) {
	u, err := endpoint.Check(pkg, "WebhookURL", raw,
		endpoint.Rules{Query: true, Example: "https://chat.googleapis.com/v1/spaces/{space}/messages?key=…&token=…"})
	if err != nil {
		return webhook{}, err
	}
	m := spacePath.FindStringSubmatch(u.EscapedPath())
	if m == nil {
		return webhook{}, fieldErr("WebhookURL", "want the path /v1/spaces/{space}/messages")
	}
	q, _ := url.ParseQuery(u.RawQuery) // checked
	for name, vs := range q {
		switch {
		case slices.Contains(setByChannel, name):
			return webhook{}, fieldErr("WebhookURL", "query %s: set by the channel, remove it", name)
		case name != "key" && name != "token" && (!paramName.MatchString(name) || strings.Join(vs, "") == ""):
			// A key or token without its "key=" or "token=", or the rest
			// of one after a "&" not %-escaped: not quoted.
			return webhook{}, fieldErr("WebhookURL", "query: a parameter of %d characters, unknown: "+
				`want only key= and token= (a key or token without its name, or with a "&" not written %%26?)`, len(name))
		case name != "key" && name != "token":
			return webhook{}, fieldErr("WebhookURL", "query %q: unknown, want only key and token", name)
		case len(vs) != 1 || vs[0] == "":
			return webhook{}, fieldErr("WebhookURL", "query %s: want one value", name)
		}
	}
	w := webhook{scheme: u.Scheme, host: u.Host, space: m[1], key: q.Get("key"), token: q.Get("token")}
	if w.key == "" || w.token == "" {
		return webhook{}, fieldErr("WebhookURL", "want both key= and token= in the query")
	}
	return w, nil
}

// validate checks cfg without I/O, adding the fault of each field refused
// to f, and returns its webhook and the channel's name ("" when refused).
func (cfg Config) validate(f *setup.Faults) (webhook, string) {
	name, err := setup.Name(pkg, cfg.Name, DefaultName, cfg)
	f.Add(err)
	w, err := parseWebhook(cfg.WebhookURL.Reveal())
	f.Add(err)
	return w, name
}

// ParseURL returns the Config of a channel URL, the webhook's URL with the
// scheme googlechat:
//
//	googlechat://chat.googleapis.com/v1/spaces/SPACE/messages?key=KEY&token=TOKEN[&name=…&card=no&tls=no]
//
// card=no sets NoCard; tls=no makes the webhook URL plain http (a test
// server on a loopback host). Booleans are yes/no, on/off, true/false or
// 1/0. Errors name the part of the URL at fault and never quote the key
// or the token.
func ParseURL(raw string) (Config, error) {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return Config{}, errors.New("googlechat: URL: does not parse")
	case u.Scheme != "googlechat":
		return Config{}, errors.New("googlechat: URL: scheme: want googlechat://chat.googleapis.com/v1/spaces/SPACE/messages?key=KEY&token=TOKEN")
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return Config{}, errors.New("googlechat: URL: query: does not parse")
	}
	cfg, scheme, err := ownParams(q)
	if err != nil {
		return Config{}, err
	}
	u.Scheme, u.RawQuery = scheme, q.Encode()
	cfg.WebhookURL = redact.NewURL(u.String())
	var f setup.Faults
	if cfg.validate(&f); f.Err() != nil {
		var faults []error // each restated for the URL's part, a line each
		for _, err := range f.Err().(interface{ Unwrap() []error }).Unwrap() {
			faults = append(faults, asURLErr(err))
		}
		return Config{}, errors.Join(faults...)
	}
	return cfg, nil
}

// asURLErr restates err, a fault of validate, for the URL part at fault.
func asURLErr(err error) error {
	var ce *setup.Error
	if errors.As(err, &ce) && ce.Field == "Name" {
		return errors.New("googlechat: URL: query name: " + ce.Problem)
	}
	if ce != nil {
		return errors.New("googlechat: URL: " + ce.Problem)
	}
	return err
}

// ownParams takes the channel's own parameters (name, card, tls) out of
// q, leaving the webhook's, and returns the Config and scheme they set.
func ownParams(q url.Values) (Config, string, error) {
	var cfg Config
	scheme := "https"
	for _, name := range []string{"name", "card", "tls"} {
		vs, ok := q[name]
		if !ok {
			continue
		}
		q.Del(name)
		if len(vs) != 1 {
			return Config{}, "", endpoint.FormErrorf(pkg, "query", "%q given %d times", name, len(vs))
		}
		on, err := true, error(nil)
		if name != "name" {
			on, err = endpoint.ParseBool(vs[0])
		}
		if err != nil {
			return Config{}, "", endpoint.FormErrorf(pkg, "query "+name, "%v", err)
		}
		switch {
		case name == "name" && vs[0] == "":
			return Config{}, "", endpoint.FormErrorf(pkg, "query name", "empty (write the channel's name, or leave name out for the default)")
		case name == "name":
			cfg.Name = vs[0]
		case name == "card":
			cfg.NoCard = !on
		case !on:
			scheme = "http"
		}
	}
	return cfg, scheme, nil
}

// URL returns the channel URL of cfg (see ParseURL), key and token
// included, as a redact.URL, which prints without them. Parameters at
// their defaults are left out. A Config whose WebhookURL does not parse
// gives "".
func (cfg Config) URL() redact.URL {
	w, err := parseWebhook(cfg.WebhookURL.Reveal())
	if err != nil {
		return redact.URL{}
	}
	q := url.Values{"key": {w.key}, "token": {w.token}}
	if cfg.Name != "" {
		q.Set("name", cfg.Name)
	}
	if cfg.NoCard {
		q.Set("card", "no")
	}
	if w.scheme == "http" {
		q.Set("tls", "no")
	}
	u := url.URL{Scheme: "googlechat", Host: w.host, Path: "/v1/spaces/" + w.space + "/messages", RawQuery: q.Encode()}
	return redact.NewURL(u.String())
}
