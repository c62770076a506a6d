package slack

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/endpoint"
	"github.com/outagecast/outagecast/channels/internal/httpx"
	"github.com/outagecast/outagecast/channels/internal/setup"
	"github.com/outagecast/outagecast/redact"
	"github.com/outagecast/outagecast/templates"
)

// Defaults and limits of Config.
const (
	// DefaultName is the name of a Channel whose Config has none.
	DefaultName = "slack"
	// DefaultBaseURL is where the Web API is.
	DefaultBaseURL = "https://slack.com/api/"
	// MaxChannels bounds Config.Channels.
	MaxChannels = 50
	// Template is the name of the template Send renders the message with;
	// a Config.Templates Set without one gets the default (see the package
	// documentation).
	Template = "slack"
	// FallbackTemplate renders the message's top-level text, which
	// notifications and screen readers show.
	FallbackTemplate = "short"
)

// Config configures a Channel, in one of two modes: the Web API with a bot
// token (Token and Channels), or an incoming webhook (WebhookURL). It
// prints, logs and encodes without its secrets.
type Config struct {
	// Name of the channel; default "slack". It keys Update.Overrides.
	Name string `yaml:"name" json:"name"`
	// Token is a bot token ("xoxb-…") with the chat:write scope, and
	// channels:history and groups:history for a retry to find the message
	// an earlier attempt posted (see the package documentation's
	// Idempotency; without them a retry may post it twice). Required
	// unless WebhookURL is set. The access token of an app that rotates
	// its tokens ("xoxe.xoxb-…") expires after 12 hours, and the channel
	// does not refresh it: make a new Channel with the next one (its
	// refresh token, "xoxe-…", is refused: it cannot post). A user
	// token ("xoxp-…") is taken too, and posts as its user; but every
	// post carries message metadata, which Slack documents for apps
	// and does not say it keeps on a user's message: if it drops it, or
	// refuses it (metadata_must_be_sent_from_app, after which the channel
	// posts without it), a retry cannot find an earlier attempt's post
	// (it may post twice) and a retraction does not set the status bar
	// back.
	Token redact.Secret `yaml:"token" json:"token"`
	// Channels are the conversations to post to: IDs ("C0123ABCDEF") or
	// names ("#ops" or "ops"), at most MaxChannels, no duplicates: New
	// refuses one name written twice ("#ops", "ops", "OPS"); a name and
	// the ID of its conversation get each update once there (see the
	// package documentation's Idempotency). The bot must be a member of
	// each. Required with Token. Each is a Ledger target, named as
	// written here. A retry reads a conversation's history by its ID:
	// one named here is read once the channel has posted there.
	Channels []string `yaml:"channels" json:"channels"`
	// WebhookURL is an incoming webhook,
	// "https://hooks.slack.com/services/T…/B…/…", instead of Token and
	// Channels: it posts to the one conversation the webhook was made
	// for, and cannot thread, edit or delete. It prints as its scheme and
	// host only.
	WebhookURL redact.URL `yaml:"webhook_url" json:"webhook_url"`
	// BaseURL is the Web API's address; default DefaultBaseURL. It must be
	// https, or http to a loopback address (for tests).
	// It must not hold one of the Config's secrets (a plain string, it
	// prints with the Config): they go in their own fields.
	BaseURL string `yaml:"base_url" json:"base_url"`
	// Templates renders the message ("slack") and its fallback text
	// ("short"); default templates.Default(). A Set without "slack" gets
	// DefaultTemplate under that name.
	Templates *templates.Set `yaml:"-" json:"-"`
	// HTTPClient sends the requests; the channel uses a copy that follows
	// no redirect. Default: a client of its own with 15s per request.
	// A given client without a Timeout gets the default's.
	HTTPClient *http.Client `yaml:"-" json:"-"`
}

// rotatingPrefix starts the access tokens of an app that rotates its
// tokens: "xoxe.xoxb-1-…".
const rotatingPrefix = "xoxe."

// refreshPrefix starts the refresh token of an app that rotates its
// tokens: "xoxe-1-…", which oauth.v2.access exchanges for the next access
// token, and which the methods the channel calls do not take.
const refreshPrefix = "xoxe-"

// pkg prefixes the errors of the package.
const pkg = "slack"

// fieldErr is an error about a Config field.
func fieldErr(field, format string, args ...any) error {
	return setup.Errorf(pkg, field, format, args...)
}

// New validates cfg, without I/O, and returns a Channel. Errors name the
// field, as in "slack: Config.Token: missing", and never quote a secret;
// the error names every fault of cfg, a line each (errors.Join).
func New(cfg Config) (*Channel, error) {
	var f setup.Faults // every fault of cfg, a line each
	var err error
	cfg.Name, err = setup.Name(pkg, cfg.Name, DefaultName, cfg)
	named := !f.Add(err)
	s := &state{now: time.Now}
	if !cfg.WebhookURL.IsZero() {
		s.webhookMode(cfg, &f)
	} else {
		s.apiMode(cfg, &f)
	}
	s.tmpl, err = setup.Templates(pkg, cfg.Templates, Template, DefaultTemplate)
	c := &Channel{name: cfg.Name, s: s}
	if !f.Add(err) && named { // render needs the name and templates alone
		f.Add(setup.Try(pkg, c.name, func(u broadcast.Update) error { _, err := c.render(u); return err }))
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	s.client = httpx.ChannelClient(cfg.HTTPClient, httpx.ClientOptions{Closed: ErrClosed, MaxConnsPerHost: max(len(s.targets), 4)})
	return c, nil
}

// apiMode checks the Web API fields of cfg, adding the fault of each
// that is refused to f.
func (s *state) apiMode(cfg Config, f *setup.Faults) {
	if cfg.Token.IsZero() {
		f.Add(fieldErr("Token", "missing (set Token and Channels, or WebhookURL)"))
	} else if err := checkToken(cfg.Token.Reveal()); err != nil {
		f.Add(fieldErr("Token", "%v", err))
	}
	base, err := endpoint.Base(pkg, "BaseURL", cfg.BaseURL, endpoint.Rules{Default: DefaultBaseURL, Config: cfg})
	f.Add(err)
	if !cfg.Token.IsZero() || len(cfg.Channels) > 0 {
		// Neither set, the Config may be meant for WebhookURL: Token's
		// fault says to set both, or that.
		s.targets, err = checkChannels(cfg)
		f.Add(err)
	}
	s.token, s.base = cfg.Token, base+"/"
	s.rd = redact.NewRedactor(cfg.Token)
}

// webhookMode checks the incoming-webhook fields of cfg, adding the
// fault of each that is refused to f.
func (s *state) webhookMode(cfg Config, f *setup.Faults) {
	if !cfg.Token.IsZero() {
		f.Add(fieldErr("WebhookURL", "set together with Token; use one"))
	}
	if len(cfg.Channels) > 0 {
		f.Add(fieldErr("Channels", "set with WebhookURL, which posts to its own conversation only"))
	}
	if cfg.BaseURL != "" {
		f.Add(fieldErr("BaseURL", "set with WebhookURL, which does not use the Web API"))
	}
	raw := cfg.WebhookURL.Reveal()
	u, err := checkWebhookURL(raw)
	if f.Add(err) {
		return
	}
	s.webhook = raw
	// A server that echoes the path it was called at shows the secret
	// segments together, escaped or not.
	s.rd = redact.NewRedactor(redact.NewSecret(u.Path), redact.NewSecret(u.EscapedPath())).WithURL(cfg.WebhookURL)
	for _, seg := range strings.Split(strings.TrimPrefix(u.Path, "/services/"), "/") {
		s.rd = s.rd.With(redact.NewSecret(seg))
	}
}

// checkToken checks the shape of a Slack token: "xox", a type letter,
// "-", then letters, digits and dashes; "xoxe." before it for a token that
// rotates. A refresh token ("xoxe-…"), which Slack takes only to issue
// the next access token, is refused. The error does not quote it.
func checkToken(tok string) error {
	if strings.HasPrefix(tok, refreshPrefix) {
		return errors.New(`a refresh token ("xoxe-…"), which cannot call the Web API: ` +
			`give the access token it refreshes ("xoxe.xoxb-…")`)
	}
	tok = strings.TrimPrefix(tok, rotatingPrefix)
	if !strings.HasPrefix(tok, "xox") || len(tok) < 6 || tok[4] != '-' {
		return errors.New(`not a Slack token (want "xoxb-…")`)
	}
	if strings.ContainsFunc(tok, func(r rune) bool {
		return !(r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	}) {
		return errors.New("holds a character other than letters, digits and dashes")
	}
	return nil
}

// checkWebhookURL checks an incoming webhook's URL:
// http(s)://host/services/<team>/<bot>/<secret>.
func checkWebhookURL(raw string) (*url.URL, error) {
	u, err := endpoint.Check(pkg, "WebhookURL", raw, endpoint.Rules{})
	if err != nil {
		return nil, err
	}
	segs := strings.Split(strings.TrimPrefix(u.Path, "/"), "/")
	if len(segs) != 4 || segs[0] != "services" || slices.Contains(segs, "") || !alnum(segs[1]) || !alnum(segs[2]) {
		return nil, fieldErr("WebhookURL", `not an incoming webhook URL (want "https://hooks.slack.com/services/T…/B…/…")`)
	}
	return u, nil
}

// alnum reports whether s is ASCII letters and digits only, as Slack's
// team and bot IDs are.
func alnum(s string) bool {
	return !strings.ContainsFunc(s, func(r rune) bool {
		return !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	})
}

// checkChannels checks cfg.Channels and returns them trimmed: the
// Ledger targets. An entry refused is quoted as setup.Quote quotes it,
// never a secret of cfg: a token pasted as a conversation.
func checkChannels(cfg Config) ([]string, error) {
	list := cfg.Channels
	switch {
	case len(list) == 0:
		return nil, fieldErr("Channels", "missing (name at least one conversation)")
	case len(list) > MaxChannels:
		return nil, fieldErr("Channels", "%d conversations, more than %d", len(list), MaxChannels)
	}
	out := make([]string, len(list))
	refused := make([]bool, len(list))
	var f setup.Faults // of every entry, and two the same beside them
	for i, ch := range list {
		ch = strings.TrimSpace(ch)
		field := fmt.Sprintf("Channels[%d]", i)
		name := strings.TrimPrefix(ch, "#")
		switch {
		case name == "":
			refused[i] = f.Add(fieldErr(field, "empty"))
		case strings.ContainsFunc(name, func(r rune) bool { return r <= ' ' || strings.ContainsRune("#,/<>&|@", r) }):
			refused[i] = f.Add(fieldErr(field, "%s is not a conversation ID or name (as %q or %q)", setup.Quote(ch, cfg), "C0123456789", "#ops"))
		}
		out[i] = ch
	}
	// "#ops", "ops" and "OPS" are one conversation.
	fold := func(ch string) string { return strings.ToLower(strings.TrimPrefix(ch, "#")) }
	f.Add(setup.DistinctBeside(pkg, "Channels", out, refused, fold))
	if err := f.Err(); err != nil {
		return nil, err
	}
	return out, nil
}
