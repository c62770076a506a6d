package discord

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/outagecast/outagecast/channels/internal/endpoint"
	"github.com/outagecast/outagecast/channels/internal/setup"
	"github.com/outagecast/outagecast/redact"
	"github.com/outagecast/outagecast/templates"
)

// Defaults and limits of Config.
const (
	// DefaultName is the channel's name when Config.Name is empty.
	DefaultName = "discord"
	// DefaultHost is the API host of the short URL form when it names none.
	DefaultHost = "discord.com"
	// MaxForumTags is how many tags Discord applies to a forum post.
	MaxForumTags = 5
	// maxUsername is Discord's limit on a webhook's name, in characters.
	maxUsername = 80
)

// Config configures a Channel. It prints, logs and encodes without the
// webhook's token.
type Config struct {
	// Name of the channel; default "discord".
	Name string `yaml:"name" json:"name"`
	// WebhookURL is the webhook's URL as Discord's "Copy Webhook URL"
	// gives it: https://discord.com/api/webhooks/{id}/{token}, without a
	// query. Required. It carries the token, so it prints as
	// "https://discord.com/…". Requests go to its host (a test server,
	// say) under /api/v10. It must be https; http is accepted for
	// loopback hosts only. An id written with leading zeros is the same
	// webhook's, and the channel writes it without them, as Discord does.
	WebhookURL redact.URL `yaml:"webhook_url" json:"webhook_url"`
	// ThreadID, when set, posts every update into this thread of the
	// webhook's channel (Discord's thread_id), whatever the incident.
	ThreadID string `yaml:"thread_id" json:"thread_id"`
	// Forum says the webhook's channel is a forum (or media) channel: the
	// first update of an incident starts a post titled by the incident,
	// and later updates go into that post's thread. Not with ThreadID.
	Forum bool `yaml:"forum" json:"forum"`
	// ForumTags are the ids of the forum's tags to apply to each new post
	// (at most 5, each once: "007" is tag 7, as Discord reads ids as
	// numbers); some forums require one.
	ForumTags []string `yaml:"forum_tags" json:"forum_tags"`
	// Username replaces the webhook's name on its posts: at most 80
	// characters, not counting leading and trailing spaces (which Discord
	// trims), without "discord" or "clyde", as Discord requires.
	// Default: the webhook's own name.
	Username string `yaml:"username" json:"username"`
	// AvatarURL replaces the webhook's avatar on its posts: an absolute
	// http or https URL, without credentials (user information, or a
	// query parameter named as one, such as token= or X-Amz-Signature=):
	// the image is public, and the URL prints with the Config. Default:
	// the webhook's own avatar.
	// It must not hold one of the Config's secrets (a plain string, it
	// prints with the Config): they go in their own fields.
	AvatarURL string `yaml:"avatar_url" json:"avatar_url"`
	// NoRootUpdate leaves an incident's first post alone. By default each
	// later update also edits the first post's status card to show the
	// current status.
	NoRootUpdate bool `yaml:"no_root_update" json:"no_root_update"`
	// Templates renders the message text with its "markdown" template.
	// Default: templates.Default().
	Templates *templates.Set `yaml:"-" json:"-"`
	// HTTPClient sends the requests; the channel uses a copy that follows
	// no redirect. Default: a client of its own with 15s per request.
	// A given client without a Timeout gets the default's.
	HTTPClient *http.Client `yaml:"-" json:"-"`
}

// webhook is a parsed Config.WebhookURL.
type webhook struct {
	scheme, host string // as in the URL
	id           string // the webhook's id, a snowflake
	token        string
}

// api returns the base of the webhook's API routes.
func (w webhook) api() string {
	return w.scheme + "://" + w.host + "/api/v10/webhooks/" + w.id + "/" + w.token
}

// webhookPath matches the path of a webhook URL, with or without an API
// version.
var webhookPath = regexp.MustCompile(`^/api(?:/v[0-9]+)?/webhooks/([^/]+)/([^/]+)/?$`)

// pkg prefixes the errors of the package.
const pkg = "discord"

// fieldErr is an error of New about one field of the Config: a
// *setup.Error, which asURLErr restates for the URL form.
func fieldErr(field, format string, args ...any) error {
	return setup.Errorf(pkg, field, format, args...)
}

// urlParts name, for a Config field, the part of a channel URL that sets it.
var urlParts = map[string]string{"Name": "query name", "ThreadID": "query thread_id", "Forum": "query forum",
	"ForumTags": "query forum_tags", "Username": "query username", "AvatarURL": "query avatar_url",
	"WebhookURL": "query host"}

// asURLErr restates err, an error of validate, for the URL part at fault:
// each of the faults it joins (errors.Join), a line each.
func asURLErr(err error) error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, asURLErr(e))
		}
		return errors.Join(out...)
	}
	var ce *setup.Error
	if !errors.As(err, &ce) {
		return err
	}
	field, _, _ := strings.Cut(ce.Field, "[")
	part, ok := urlParts[field]
	if !ok {
		part = "Config." + ce.Field
	}
	return fmt.Errorf("discord: URL: %s: %s", part, ce.Problem)
}

// parseWebhook checks raw, a webhook URL, without quoting it: it holds the
// token.
func parseWebhook(raw string) (webhook, error) {
	u, err := endpoint.Check(pkg, "WebhookURL", raw, endpoint.Rules{Query: true, Example: "https://discord.com/api/webhooks/{id}/{token}"})
	switch {
	case err != nil:
		return webhook{}, err
	case u.RawQuery != "" || u.ForceQuery:
		return webhook{}, fieldErr("WebhookURL", "must not have a query (set ThreadID instead of thread_id=)")
	}
	m := webhookPath.FindStringSubmatch(u.EscapedPath())
	if m == nil {
		return webhook{}, fieldErr("WebhookURL", "want the path /api/webhooks/{id}/{token}")
	}
	w := webhook{scheme: u.Scheme, host: u.Host, id: canonicalID(m[1]), token: m[2]}
	if w.id == "" {
		return webhook{}, fieldErr("WebhookURL", "the webhook id is not a number")
	}
	if !validToken(w.token) {
		return webhook{}, fieldErr("WebhookURL", "the token has characters other than letters, digits, '-' and '_'")
	}
	return w, nil
}

// snowflake reports whether s is a Discord id: up to 20 decimal digits.
func snowflake(s string) bool {
	if s == "" || len(s) > 20 {
		return false
	}
	_, err := strconv.ParseUint(s, 10, 64)
	return err == nil
}

// canonicalID returns the Discord id s as Discord writes it, without
// leading zeros ("" if s is none): Discord reads ids as numbers and
// answers with that form, which the channel compares its answers with.
func canonicalID(s string) string {
	if !snowflake(s) {
		return ""
	}
	n, _ := strconv.ParseUint(s, 10, 64) // checked
	return strconv.FormatUint(n, 10)
}

func validToken(s string) bool {
	return s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") == ""
}

// validate checks cfg without I/O, adding the fault of each field refused
// to f, and returns its webhook and the channel's name ("" when refused).
func (cfg Config) validate(f *setup.Faults) (webhook, string) {
	name, err := setup.Name(pkg, cfg.Name, DefaultName, cfg)
	f.Add(err)
	w, err := parseWebhook(cfg.WebhookURL.Reveal())
	hooked := !f.Add(err)
	if cfg.ThreadID != "" && !snowflake(cfg.ThreadID) {
		f.Add(fieldErr("ThreadID", "not a Discord id (digits)"))
	}
	if cfg.Forum && cfg.ThreadID != "" {
		f.Add(fieldErr("Forum", "set Forum or ThreadID, not both"))
	}
	cfg.validateTags(f)
	f.Add(validUsername(cfg.Username))
	if cfg.AvatarURL != "" && hooked { // else no token to look for in it
		// Discord shows the image to every reader and fetches it from
		// where it is: a credential in the URL would go to Discord, and
		// print with the Config, a plain string.
		// The webhook's id is no secret, and its own avatar is served
		// under it (cdn.discordapp.com/avatars/{id}/{hash}.png): the
		// token alone is looked for, still named as WebhookURL's.
		own := cfg
		own.WebhookURL = redact.NewURL(w.scheme + "://" + w.host + "/api/webhooks/0/" + w.token)
		_, err := endpoint.Check(pkg, "AvatarURL", cfg.AvatarURL, endpoint.Rules{PlainHTTP: true, Query: true, Public: true, Config: own})
		f.Add(err)
	}
	return w, name
}

// validateTags checks ForumTags, adding the fault of each that is refused
// to f.
func (cfg Config) validateTags(f *setup.Faults) {
	if len(cfg.ForumTags) > 0 && !cfg.Forum {
		f.Add(fieldErr("ForumTags", "set only with Forum"))
	}
	if len(cfg.ForumTags) > MaxForumTags {
		f.Add(fieldErr("ForumTags", "%d tags, more than %d", len(cfg.ForumTags), MaxForumTags))
	}
	ids := true
	for i, tag := range cfg.ForumTags {
		if !snowflake(tag) {
			f.Add(fieldErr(fmt.Sprintf("ForumTags[%d]", i), "not a Discord id (digits)"))
			ids = false
		}
	}
	if ids {
		f.Add(setup.Distinct(pkg, "ForumTags", cfg.ForumTags, canonicalID)) // "007" is tag 7
	}
}

func validUsername(name string) error {
	if name == "" {
		return nil
	}
	// Discord trims the name before it counts it.
	trimmed := strings.TrimSpace(name)
	low := strings.ToLower(name)
	switch {
	case trimmed == "":
		return fieldErr("Username", "blank")
	case utf8.RuneCountInString(trimmed) > maxUsername:
		return fieldErr("Username", "longer than %d characters", maxUsername)
	case strings.Contains(low, "discord") || strings.Contains(low, "clyde"):
		return fieldErr("Username", `Discord refuses names containing "discord" or "clyde"`)
	}
	return nil
}

// ParseURL returns the Config of a channel URL:
//
//	discord://TOKEN@WEBHOOK_ID[?thread_id=…&forum=yes&forum_tags=ID,ID&username=…&avatar_url=…&root_update=no&name=…&host=…&tls=no]
//
// TOKEN and WEBHOOK_ID are the last two parts of the webhook's URL; host
// (default discord.com) and tls=no (plain http, to a loopback host only)
// point it elsewhere, at a test server for one. Booleans are yes/no,
// on/off, true/false or 1/0. Errors name the part of the URL at fault and
// never quote the token.
func ParseURL(raw string) (Config, error) {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return Config{}, errors.New("discord: URL: does not parse")
	case u.Scheme != "discord":
		return Config{}, errors.New("discord: URL: scheme: want discord://TOKEN@WEBHOOK_ID")
	case u.User == nil || u.User.Username() == "":
		return Config{}, errors.New("discord: URL: user: missing (the webhook's token)")
	case u.Path != "" && u.Path != "/" || u.Fragment != "":
		return Config{}, errors.New("discord: URL: path: want none, as in discord://TOKEN@WEBHOOK_ID")
	}
	if _, set := u.User.Password(); set {
		return Config{}, errors.New("discord: URL: user: want the token alone, without ':'")
	}
	token, id := u.User.Username(), u.Host
	if !validToken(token) {
		return Config{}, errors.New("discord: URL: user: the token has characters other than letters, digits, '-' and '_'")
	}
	if !snowflake(id) {
		return Config{}, errors.New("discord: URL: host: want the webhook id (digits)")
	}
	cfg, w, err := parseQuery(u.RawQuery)
	if err != nil {
		return Config{}, err
	}
	w.id, w.token = canonicalID(id), token
	cfg.WebhookURL = redact.NewURL(w.scheme + "://" + w.host + "/api/webhooks/" + id + "/" + token)
	var f setup.Faults
	if cfg.validate(&f); f.Err() != nil {
		return Config{}, asURLErr(f.Err())
	}
	return cfg, nil
}

// params are the query parameters of a channel URL.
var params = []string{"thread_id", "forum", "forum_tags", "username", "avatar_url", "root_update", "name", "host", "tls"}

// parseQuery reads the query parameters of a channel URL.
func parseQuery(q string) (Config, webhook, error) {
	var cfg Config
	w := webhook{scheme: "https", host: DefaultHost}
	p, err := endpoint.Params(pkg, q, params)
	if p == nil {
		return Config{}, w, err
	}
	err = errors.Join(err, endpoint.SetParams(pkg, p, func(key, v string) error { return setParam(&cfg, &w, key, v) }))
	if err != nil {
		return Config{}, w, err
	}
	return cfg, w, nil
}

func setParam(cfg *Config, w *webhook, key, v string) error {
	var err error
	switch key {
	case "name":
		cfg.Name = v
	case "thread_id":
		cfg.ThreadID = v
	case "forum":
		cfg.Forum, err = endpoint.ParseBool(v)
	case "forum_tags":
		cfg.ForumTags = strings.Split(v, ",")
	case "username":
		cfg.Username = v
	case "avatar_url":
		cfg.AvatarURL = v
	case "root_update":
		var on bool
		on, err = endpoint.ParseBool(v)
		cfg.NoRootUpdate = !on
	case "host":
		if v == "" || strings.ContainsAny(v, "/?#@") {
			return errors.New("want a host name, with an optional port")
		}
		w.host = v
	case "tls":
		var on bool
		on, err = endpoint.ParseBool(v)
		if !on {
			w.scheme = "http"
		}
	}
	return err
}

// URL returns the channel URL of cfg (see ParseURL), token included, as a
// redact.URL, which prints without it. Parameters at their defaults are
// left out; the webhook URL's API version, if any, is not kept. A Config
// whose WebhookURL does not parse gives "".
func (cfg Config) URL() redact.URL {
	w, err := parseWebhook(cfg.WebhookURL.Reveal())
	if err != nil {
		return redact.URL{}
	}
	q := url.Values{}
	set := func(k, v string, on bool) {
		if on {
			q.Set(k, v)
		}
	}
	set("name", cfg.Name, cfg.Name != "")
	set("thread_id", cfg.ThreadID, cfg.ThreadID != "")
	set("forum", "yes", cfg.Forum)
	set("forum_tags", strings.Join(cfg.ForumTags, ","), len(cfg.ForumTags) > 0)
	set("username", cfg.Username, cfg.Username != "")
	set("avatar_url", cfg.AvatarURL, cfg.AvatarURL != "")
	set("root_update", "no", cfg.NoRootUpdate)
	set("host", w.host, w.host != DefaultHost)
	set("tls", "no", w.scheme == "http")
	out := url.URL{Scheme: "discord", User: url.User(w.token), Host: w.id, RawQuery: q.Encode()}
	return redact.NewURL(out.String())
}
